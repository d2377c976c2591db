include "refs";
include "verify-lib";
# Security posture: the guide's own rules, pass/fail, for every workload in
# the cluster: security contexts, resources, probes, emptyDir limits,
# hostPath, NetworkPolicy, service-account tokens, RBAC, Pod Security labels.
# docker-proxy's root user and Docker socket are the manifests' one documented
# exception: a WARN that names the risk, not a FAIL.
# Input: the verify input. Output: [checks].

def exception: (.metadata.labels // {})["app.kubernetes.io/name"] == "docker-proxy" or .metadata.name == "docker-proxy";
def socket: "/var/run/docker.sock";
def labels_of: if .kind == "Pod" then .metadata.labels elif .kind == "CronJob" then .spec.jobTemplate.spec.template.metadata.labels else .spec.template.metadata.labels end // {};
def long_running: .kind != "Job" and .kind != "CronJob" and (.kind != "Pod" or (.spec.restartPolicy // "Always") == "Always");
# A container's effective setting: its own securityContext, else the pod's.
def eff($pod; f): ((.securityContext // {}) | f) as $c | if $c != null then $c else (($pod.securityContext // {}) | f) end;
# The first of two settings that is set (false counts: jq's // would skip it).
def either($a; $b): if $a != null then $a else $b end;
# "name1, name2" of the containers for which f is false.
def bad_containers($pod; f): [containers_of[] | select(f | not) | .name];
def rule($w; $id; $names; $good; $bad; $hint):
  judged($names == []; $id; "FAIL"; $w; $good; "\($bad): \($names | join(", "))"; $hint);

.namespace as $ns
| [.live | of_kind("NetworkPolicy")] as $policies
| [.live[] | select(.kind == "RoleBinding" or .kind == "ClusterRoleBinding")] as $bindings
| ([.live[] | select(.kind == "Role" or .kind == "ClusterRole")] | map({key: "\(.kind)/\(.metadata.name)", value: .}) | from_entries) as $roles
| ([.live | of_kind("ServiceAccount")] | map({key: .metadata.name, value: .}) | from_entries) as $sas
| def bound_roles($sa):
    [$bindings[] | select(any((.subjects // [])[]; .kind == "ServiceAccount" and .name == $sa and (.namespace // $ns) == $ns))
     | "\(.roleRef.kind)/\(.roleRef.name)"] | unique;
  def wl_checks:
    . as $w | ref as $obj | podspec as $p
    | "kubectl crucible deploy" as $fix
    | ($p.containers // []) as $main
    | (if exception then
        (if ($p | containers_of | any(.[]; eff($p; .runAsUser) == 0 or eff($p; .runAsNonRoot) != true))
         then warn("sec-non-root"; $obj; "runs as root (documented exception): a compromise of this pod is root in its container; only drop ALL, no privilege escalation and a read-only root limit it"; "kubectl get ds docker-proxy -n \($ns) -o yaml")
         else pass("sec-non-root"; $obj; "non-root") end)
       else
        rule($obj; "sec-non-root"; $p | bad_containers($p; eff($p; .runAsNonRoot) == true); "runAsNonRoot: true"; "runAsNonRoot not true"; $fix),
        rule($obj; "sec-run-as-user"; $p | bad_containers($p; (eff($p; .runAsUser) // 0) != 0); "runAsUser non-zero"; "runAsUser unset or 0"; $fix)
       end),
      rule($obj; "sec-read-only-root"; $p | bad_containers($p; .securityContext.readOnlyRootFilesystem == true); "readOnlyRootFilesystem: true"; "readOnlyRootFilesystem not true"; $fix),
      rule($obj; "sec-privilege-escalation"; $p | bad_containers($p; .securityContext.allowPrivilegeEscalation == false); "allowPrivilegeEscalation: false"; "allowPrivilegeEscalation not false"; $fix),
      rule($obj; "sec-capabilities"; $p | bad_containers($p; (.securityContext.capabilities.drop // []) | member("ALL")); "capabilities drop ALL"; "capabilities do not drop ALL"; $fix),
      rule($obj; "sec-seccomp"; $p | bad_containers($p; eff($p; .seccompProfile.type) as $t | $t == "RuntimeDefault" or $t == "Localhost"); "seccomp RuntimeDefault"; "no RuntimeDefault seccomp profile"; $fix),
      rule($obj; "sec-resources"; $p | bad_containers($p; .resources.requests.cpu != null and .resources.requests.memory != null and .resources.limits.cpu != null and .resources.limits.memory != null); "requests and limits set"; "cpu/memory requests or limits missing"; $fix),
      (select(long_running)
       | rule($obj; "sec-probes"; [$main[] | select(.livenessProbe == null or .readinessProbe == null) | .name]; "liveness and readiness probes"; "liveness or readiness probe missing"; $fix)),
      rule($obj; "sec-emptydir"; [($p.volumes // [])[] | select(.emptyDir != null and .emptyDir.sizeLimit == null) | .name]; "every emptyDir has a sizeLimit"; "emptyDir without sizeLimit"; $fix),
      ([($p.volumes // [])[] | select(.hostPath != null)] as $hp
       | if $hp == [] then pass("sec-hostpath"; $obj; "no hostPath volume")
         elif exception and ($hp | all(.[]; .hostPath.path == socket)) then
           warn("sec-hostpath"; $obj; "hostPath \(socket) (documented exception): whoever controls this pod controls the node's Docker daemon, that is root on the node"; "kubectl get ds docker-proxy -n \($ns) -o yaml")
         else fail("sec-hostpath"; $obj; "hostPath volumes: \($hp | map("\(.name) (\(.hostPath.path))") | join(", "))"; $fix) end),
      (($p.serviceAccountName // "default") as $sa
       | bound_roles($sa) as $roles
       | either(either($p.automountServiceAccountToken; $sas[$sa].automountServiceAccountToken); true) as $mount
       | if $roles != [] then pass("sec-sa-token"; $obj; "service account \($sa) uses the API (\($roles | join(", ")))")
         else judged($mount == false; "sec-sa-token"; "FAIL"; $obj; "no service-account token mounted (needs no API)";
                     "service account \($sa) is bound to no Role, yet its token is mounted: set automountServiceAccountToken: false"; $fix) end),
      (labels_of as $l
       | [$policies[] | select((.spec.podSelector // {}) as $s | ($s.matchLabels // {}) != {} or ($s.matchExpressions // []) != [])
          | select(.spec.podSelector | selector_matches($l)) | .metadata.name] as $mine
       | judged($mine != []; "netpol-coverage"; "FAIL"; $obj; "selected by NetworkPolicy \($mine | join(", "))";
                "no NetworkPolicy of its own selects its pods: the default deny blocks all its traffic";
                "kubectl get networkpolicy -n \($ns)"));
  [((.live | workloads), (.live | bare_pods) | select((.metadata.labels // {})["app.kubernetes.io/created-by"] != "kubectl-crucible-verify") | wl_checks),
   ([$policies[] | select((.spec.podSelector // {}) | ((.matchLabels // {}) == {} and (.matchExpressions // []) == []))
     | select(((.spec.policyTypes // ["Ingress"]) | member("Ingress")) and (.spec.ingress // []) == [])
     | {name: .metadata.name, egress: (((.spec.policyTypes // []) | member("Egress")) and (.spec.egress // []) == [])}] as $deny
    | if any($deny[]; .egress) then pass("netpol-default-deny"; "NetworkPolicy/\([$deny[] | select(.egress)][0].name)"; "denies all ingress and egress by default")
      elif $deny != [] then warn("netpol-default-deny"; "NetworkPolicy/\($deny[0].name)"; "denies ingress by default, but not egress"; "kubectl get networkpolicy -n \($ns)")
      else fail("netpol-default-deny"; "Namespace/\($ns)"; "no default-deny NetworkPolicy: every pod accepts traffic from anywhere"; "kubectl crucible deploy") end),
   ([$sas | keys[] as $sa | bound_roles($sa)[] | {sa: $sa, role: .}]
    | if . == [] then pass("rbac"; "Namespace/\($ns)"; "no platform service account is bound to a Role")
      else .[] | . as $b | $roles[$b.role] as $r | "\($b.role)" as $obj
        | (($r.rules // [])
           | map(select(((.verbs // []) | member("*")) or ((.resources // []) | member("*")) or ((.apiGroups // []) | member("*"))
                        or (((.resources // []) | member("secrets")) and ((.verbs // []) | any(.[]; . == "get" or . == "list" or . == "watch")))))) as $bad
        | judged($r != null and $bad == []; "rbac"; "FAIL"; $obj; "bound to service account \($b.sa): no wildcard, no secrets read";
                 if $r == null then "bound to service account \($b.sa), but not found" else "grants service account \($b.sa) \($bad | map("\(.verbs | join(",")) \(.resources | join(","))") | join("; "))" end;
                 "kubectl describe \($b.role | ascii_downcase) -n \($ns)")
      end),
   (.live | of_kind("Namespace") | select(.metadata.name == $ns) | (.metadata.labels // {}) as $l
    | ($l["pod-security.kubernetes.io/enforce"]) as $e
    | if $e == "restricted" or $e == "baseline" then pass("psa-labels"; "Namespace/\($ns)"; "Pod Security enforce=\($e)")
      elif $e != null and $l["pod-security.kubernetes.io/warn"] == "restricted" and $l["pod-security.kubernetes.io/audit"] == "restricted"
      then pass("psa-labels"; "Namespace/\($ns)"; "Pod Security enforce=\($e) (docker-proxy's hostPath), audit and warn restricted")
      else fail("psa-labels"; "Namespace/\($ns)"; "Pod Security labels missing or weak: enforce=\($e // "unset"), warn=\($l["pod-security.kubernetes.io/warn"] // "unset"), audit=\($l["pod-security.kubernetes.io/audit"] // "unset")"; "kubectl crucible deploy") end)]
