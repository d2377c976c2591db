# The claim the backups go to, created when missing: ReadWriteOnce, as every
# cluster offers. Input: {namespace, labels}.
{apiVersion: "v1", kind: "PersistentVolumeClaim",
 metadata: {name: "crucible-db-backups", namespace: .namespace,
            labels: ({"app.kubernetes.io/name": "db-migrate", "app.kubernetes.io/part-of": "crucible",
                      "app.kubernetes.io/component": "backup"} + .labels)},
 spec: {accessModes: ["ReadWriteOnce"], resources: {requests: {storage: "10Gi"}}}}
