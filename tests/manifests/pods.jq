# Every pod template and container: the guide's security context, probes,
# requests and limits, bounded emptyDirs, labels, ServiceAccounts, pinned
# images. The only exceptions allowed are listed in $exceptions below (each
# must also be commented in k8s/, which tests/sh/manifests.sh checks).
include "common";

# Settings allowed to differ from the guide's, per pod template.
def exceptions: {
  "StatefulSet/postgres": {runAsUser: 70},
  "DaemonSet/docker-proxy": {runAsUser: 0, runAsNonRoot: false, hostPath: true}
};
def want($id; $field; $default): (exceptions[$id] // {}) | if has($field) then .[$field] else $default end;

. as $all
| [$all[] | select(.kind == "ServiceAccount")] as $sas
| pod_templates
| . as $p
| $p.id as $id
| ($p.spec.securityContext // {}) as $psc
| (
    # Pod-level security context.
    ( if $psc.runAsNonRoot != want($id; "runAsNonRoot"; true) then "\($id): pod runAsNonRoot is \($psc.runAsNonRoot)" else empty end ),
    ( if $psc.runAsUser != want($id; "runAsUser"; 1000) then "\($id): pod runAsUser is \($psc.runAsUser)" else empty end ),
    ( if $psc.seccompProfile.type != "RuntimeDefault" then "\($id): pod seccompProfile is not RuntimeDefault" else empty end ),
    ( if $p.spec.hostNetwork or $p.spec.hostPID or $p.spec.hostIPC then "\($id): uses host namespaces" else empty end ),

    # ServiceAccount: its own, existing, without an API token.
    ( $p.spec.serviceAccountName as $sa
      | if ($sa // "default") == "default" then "\($id): runs as the default ServiceAccount"
        elif [$sas[] | select(.metadata.name == $sa)] | length == 0 then "\($id): ServiceAccount \($sa) is not defined"
        else empty end ),
    ( if $p.spec.automountServiceAccountToken != false then "\($id): automountServiceAccountToken is not false" else empty end ),

    # Labels: name, component, part-of, and the guide's app label.
    ( if ($p.labels["app.kubernetes.io/name"] // "") == "" then "\($id): pod has no app.kubernetes.io/name" else empty end ),
    ( if ($p.labels["app.kubernetes.io/component"] // "") == "" then "\($id): pod has no app.kubernetes.io/component" else empty end ),
    ( if $p.labels["app.kubernetes.io/part-of"] != "crucible" then "\($id): pod is not part-of crucible" else empty end ),
    ( if $p.labels.app != $p.labels["app.kubernetes.io/name"] then "\($id): pod label app differs from app.kubernetes.io/name" else empty end ),

    # Volumes.
    ( $p.spec.volumes[]?
      | if has("emptyDir") then
          ( if ((.emptyDir // {}).sizeLimit // "") == "" then "\($id): emptyDir \(.name) has no sizeLimit" else empty end ),
          ( if .name == "tmp" and (.emptyDir // {}).sizeLimit != "100Mi" then "\($id): emptyDir tmp is \((.emptyDir // {}).sizeLimit), not 100Mi" else empty end )
        elif .hostPath and (want($id; "hostPath"; false) | not) then "\($id): hostPath volume \(.name)"
        else empty end ),

    # Containers.
    ( $p | all_containers
      | .c as $c | .init as $init
      | "\($id) container \($c.name)" as $where
      | (($c.securityContext // {}) as $csc
         | def eff($f): if $csc | has($f) then $csc[$f] else $psc[$f] end;
           ( if eff("runAsNonRoot") != want($id; "runAsNonRoot"; true) then "\($where): runAsNonRoot is \(eff("runAsNonRoot"))" else empty end ),
           ( if eff("runAsUser") != want($id; "runAsUser"; 1000) then "\($where): runAsUser is \(eff("runAsUser"))" else empty end ),
           ( if $csc.runAsNonRoot == null or $csc.runAsUser == null then "\($where): securityContext does not state runAsNonRoot and runAsUser" else empty end ),
           ( if $csc.readOnlyRootFilesystem != true then "\($where): readOnlyRootFilesystem is not true" else empty end ),
           ( if $csc.allowPrivilegeEscalation != false then "\($where): allowPrivilegeEscalation is not false" else empty end ),
           ( if $csc.privileged == true then "\($where): privileged" else empty end ),
           ( if ($csc.capabilities.drop // []) | index(["ALL"]) | not then "\($where): capabilities do not drop ALL" else empty end ),
           ( if ($csc.capabilities.add // []) | length > 0 then "\($where): adds capabilities \($csc.capabilities.add)" else empty end ),
           ( if $csc.seccompProfile.type != "RuntimeDefault" then "\($where): seccompProfile is not RuntimeDefault" else empty end )
        ),
        # Probes on every long-running container; a Job's container runs to
        # completion and is bounded by activeDeadlineSeconds instead.
        ( if $init then empty
          elif $p.kind == "Job" then
            ( if ($p.job.activeDeadlineSeconds // 0) <= 0 then "\($id): no activeDeadlineSeconds" else empty end )
          else
            ( if $c.livenessProbe == null then "\($where): no livenessProbe" else empty end ),
            ( if $c.readinessProbe == null then "\($where): no readinessProbe" else empty end )
          end ),
        ( ["requests", "limits"][] as $k | ["cpu", "memory"][] as $r
          | if ($c.resources[$k][$r] // "") == "" then "\($where): no \($r) \($k)" else empty end ),
        ( if ($c.resources.requests.cpu // null) != null and ($c.resources.limits.cpu // null) != null
             and ($c.resources.requests.cpu | cpu) > ($c.resources.limits.cpu | cpu)
          then "\($where): cpu request above its limit" else empty end ),
        ( if ($c.resources.requests.memory // null) != null and ($c.resources.limits.memory // null) != null
             and ($c.resources.requests.memory | bytes) > ($c.resources.limits.memory | bytes)
          then "\($where): memory request above its limit" else empty end ),
        # Images: an explicit tag, never latest.
        ( ($c.image // "") as $img
          | ($img | split("/") | last) as $last
          | if ($last | contains(":") | not) and ($last | contains("@") | not) then "\($where): image \($img) has no tag"
            elif $last | test(":latest$") then "\($where): image \($img) is :latest"
            else empty end ),
        # Volume mounts refer to the pod's volumes.
        ( $c.volumeMounts[]?.name as $m
          | if [$p.spec.volumes[]?.name, $p.claims[] | select(. == $m)] | length == 0 then "\($where): mounts undefined volume \($m)" else empty end )
      )
  )
