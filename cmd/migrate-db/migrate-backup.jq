# The backup Job run before a migration with --backup: pg_dump with the
# postgres StatefulSet's image, gzipped onto the claim crucible-db-backups as
# <timestamp>.sql.gz (written under a temporary name, then renamed). The
# password reaches pg_dump through env from the Secret, never an argument.
# The pod carries db-migrate's name label, which the NetworkPolicy lets reach
# postgres. User and database come from postgres's own ConfigMap (config:
# its name as rendered, with kustomize's hash suffix).
# Input: {name, namespace, image, config, file, deadline (0: none), labels, annotations}.
. as $in
| {apiVersion: "batch/v1", kind: "Job",
   metadata: {name: $in.name, namespace: $in.namespace,
              labels: ({"app.kubernetes.io/name": "db-migrate", "app.kubernetes.io/part-of": "crucible",
                        "app.kubernetes.io/component": "backup"} + $in.labels),
              annotations: $in.annotations},
   spec: ({backoffLimit: 0, ttlSecondsAfterFinished: 604800,
           template: {
             metadata: {labels: ({"app.kubernetes.io/name": "db-migrate", "app.kubernetes.io/part-of": "crucible",
                                  "app.kubernetes.io/component": "backup"} + $in.labels)},
             spec: {
               restartPolicy: "Never", serviceAccountName: "db-migrate",
               automountServiceAccountToken: false, enableServiceLinks: false,
               securityContext: {runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, fsGroup: 70,
                                 seccompProfile: {type: "RuntimeDefault"}},
               containers: [{
                 name: "pg-dump", image: $in.image,
                 command: ["sh", "-c",
                   "set -o pipefail; pg_dump -h \"$PGHOST\" -U \"$PGUSER\" -d \"$PGDATABASE\" | gzip > \"/backups/$BACKUP_FILE.tmp\" && mv \"/backups/$BACKUP_FILE.tmp\" \"/backups/$BACKUP_FILE\""],
                 env: [
                   {name: "PGHOST", value: "postgres"},
                   {name: "PGUSER", valueFrom: {configMapKeyRef: {name: $in.config, key: "POSTGRES_USER"}}},
                   {name: "PGDATABASE", valueFrom: {configMapKeyRef: {name: $in.config, key: "POSTGRES_DB"}}},
                   {name: "PGPASSWORD", valueFrom: {secretKeyRef: {name: "db-credentials", key: "postgres-password"}}},
                   {name: "BACKUP_FILE", value: $in.file}],
                 resources: {requests: {cpu: "100m", memory: "128Mi"}, limits: {cpu: "500m", memory: "256Mi"}},
                 securityContext: {runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, readOnlyRootFilesystem: true,
                                   allowPrivilegeEscalation: false, capabilities: {drop: ["ALL"]},
                                   seccompProfile: {type: "RuntimeDefault"}},
                 volumeMounts: [{name: "backups", mountPath: "/backups"}, {name: "tmp", mountPath: "/tmp"}]}],
               volumes: [{name: "backups", persistentVolumeClaim: {claimName: "crucible-db-backups"}},
                         {name: "tmp", emptyDir: {sizeLimit: "100Mi"}}]}}}
          + (if $in.deadline > 0 then {activeDeadlineSeconds: $in.deadline} else {} end))}
