include "verify-lib";
# The one-shot pods of --dns and --db, hardened as the guide asks of every
# pod (non-root, read-only root, no privilege escalation, no capabilities,
# seccomp RuntimeDefault, no service-account token, limits) and labelled so
# that verify leaves them out of its own checks. The result is read from the
# pod's log (no exec needed): "ok NAME"/"fail NAME" lines, "ready ..." and
# "select ..." lines.
# Input: {probe: "dns"|"db", namespace, live}. Output: a Pod, or {error}.

def hardened($uid; $image; $script; $args; $extra):
  {apiVersion: "v1", kind: "Pod",
   metadata: {generateName: "crucible-verify-\(.probe)-",
              labels: ({"app.kubernetes.io/created-by": "kubectl-crucible-verify",
                        "app.kubernetes.io/component": "verify-probe"} + $extra.labels)},
   spec: {restartPolicy: "Never", automountServiceAccountToken: false, enableServiceLinks: false,
          activeDeadlineSeconds: 120, terminationGracePeriodSeconds: 1,
          securityContext: {runAsNonRoot: true, runAsUser: $uid, runAsGroup: $uid,
                            seccompProfile: {type: "RuntimeDefault"}},
          containers: [{name: "probe", image: $image, command: (["sh", "-c", $script, "probe"] + $args),
                        securityContext: {runAsNonRoot: true, runAsUser: $uid, readOnlyRootFilesystem: true,
                                          allowPrivilegeEscalation: false, capabilities: {drop: ["ALL"]}},
                        resources: {requests: {cpu: "10m", memory: "16Mi"}, limits: {cpu: "200m", memory: "64Mi"}},
                        volumeMounts: [{name: "tmp", mountPath: "/tmp"}]}
                       + $extra.container],
          volumes: [{name: "tmp", emptyDir: {sizeLimit: "1Mi"}}]}};

if .probe == "dns" then
  hardened(65534; "busybox:1.36";
           "for n in \"$@\"; do if nslookup \"$n\" >/dev/null 2>&1; then echo \"ok $n\"; else echo \"fail $n\"; fi; done";
           [.live | of_kind("Service") | .metadata.name] | sort;
           {labels: {"app.kubernetes.io/name": "crucible-verify-dns"}, container: {}})
else
  # postgres' own settings (its envFrom and its env, the password a
  # secretKeyRef), so the password goes from the Secret to psql by env only.
  # It carries db-migrate's name: postgres' NetworkPolicy admits the
  # migration, and the probe reaches the database the way the migration does.
  ([.live | of_kind("StatefulSet") | select(.metadata.name == "postgres")] | first // null) as $pg
  | if $pg == null then {error: "no StatefulSet postgres in namespace \(.namespace)"}
    else ($pg.spec.template.spec.containers[0]) as $c
      | hardened(70; "postgres:15-alpine";
                 "if pg_isready -h postgres -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -t 10 >/dev/null 2>&1; then echo 'ready ok'; else echo \"ready fail: exit $?\"; fi; r=$(PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -h postgres -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -tAc 'SELECT 1' 2>&1 | head -n 1); echo \"select $r\"";
                 [];
                 {labels: {"app.kubernetes.io/name": "db-migrate"},
                  container: {envFrom: ($c.envFrom // []), env: [($c.env // [])[] | select(.valueFrom != null)]}})
    end
end
