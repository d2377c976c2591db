# What each overlay promises. --arg variant production|dev
#   production: images from the platform registry (placeholder host, project
#     crucible-platform) with a release tag; autoscalers for api-service and
#     celery-worker, which then own replicas; a disruption budget for every
#     replicated workload; an explicit ReadWriteMany StorageClass.
#   dev: fits one small node (requests of everything at most 1 CPU and 2Gi),
#     one replica each, storage-pvc ReadWriteOnce.
include "common";

def platform_images: ["api-service", "storage-service", "storage-worker", "celery-worker", "executor", "frontend"];
def registry: "ecr-registry.invalid/crucible-platform/";

. as $all
| [pod_templates | select(.kind != "Job")] as $pods
| def hpa_for($n): [$all[] | select(.kind == "HorizontalPodAutoscaler" and .spec.scaleTargetRef.kind == "Deployment" and .spec.scaleTargetRef.name == $n)][0];
  if $variant == "production" then
    ( $pods[] | .id as $id | .spec.containers[]
      | (.image | sub("[:@].*$"; "")) as $repo
      | ($repo | split("/") | last) as $short
      | if (platform_images | index([$short])) and ($repo != registry + $short)
        then "\($id): image \(.image) is not from \(registry)" else empty end ),
    ( ["api-service", "celery-worker"][] as $n
      | hpa_for($n) as $h
      | if $h == null then "no HorizontalPodAutoscaler for \($n)"
        elif ($h.apiVersion != "autoscaling/v2") then "HorizontalPodAutoscaler \($h.metadata.name) is not autoscaling/v2"
        elif ($h.spec.minReplicas // 1) < 2 then "HorizontalPodAutoscaler \($h.metadata.name): minReplicas below 2"
        elif ([$all[] | select(.kind == "Deployment" and .metadata.name == $n) | .spec.replicas][0] != null)
          then "Deployment \($n) sets replicas although an autoscaler owns them"
        else empty end ),
    ( $all[] | kinds(["Deployment", "StatefulSet"])
      | select((.spec.replicas // 1) > 1 or hpa_for(.metadata.name) != null)
      | . as $w
      | select([$all[] | select(.kind == "PodDisruptionBudget" and selects(.spec.selector.matchLabels; $w.spec.template.metadata.labels))] | length == 0)
      | "\(.kind)/\(.metadata.name) is replicated but has no PodDisruptionBudget" ),
    ( $all[] | select(.kind == "PersistentVolumeClaim" and .metadata.name == "storage-pvc")
      | if (.spec.storageClassName // "") == "" then "storage-pvc names no StorageClass (production needs a ReadWriteMany one)" else empty end )
  elif $variant == "dev" then
    ( [ $all[] | kinds(["Deployment", "StatefulSet", "DaemonSet"])
        | (if .kind == "DaemonSet" then 1 else (.spec.replicas // 1) end) as $n
        | .spec.template.spec | ((.initContainers // []) + .containers)[]
        | {cpu: (((.resources.requests.cpu // "0") | cpu) * $n), mem: (((.resources.requests.memory // "0") | bytes) * $n)} ]
      | {cpu: (map(.cpu) | add), mem: (map(.mem) | add)}
      | ( if .cpu > 1 then "dev requests \(.cpu) CPU in all, more than 1" else empty end ),
        ( if .mem > ("2Gi" | bytes) then "dev requests \(.mem / 1048576) MiB in all, more than 2Gi" else empty end ) ),
    ( $all[] | kinds(["Deployment", "StatefulSet"]) | select((.spec.replicas // 1) != 1)
      | "\(.kind)/\(.metadata.name) has \(.spec.replicas) replicas in dev" ),
    ( $all[] | select(.kind == "PersistentVolumeClaim" and .metadata.name == "storage-pvc")
      | if .spec.accessModes != ["ReadWriteOnce"] then "dev storage-pvc is not ReadWriteOnce" else empty end )
  else "unknown variant \($variant)" end
