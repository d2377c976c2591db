# The guide's "What Was Migrated" table and the facts the guide states about
# each row (kinds, names, ports, storage, Redis memory policies, routes).
# --arg variant base|dev|production
include "common";

. as $all
| def obj($k; $n): [$all[] | select(.kind == $k and .metadata.name == $n)][0];
  def svc_port($n): [obj("Service"; $n).spec.ports[]?.port];
  def replicas_of($n):
    obj("Deployment"; $n) as $d
    | if $d.spec.replicas != null then $d.spec.replicas
      else ([$all[] | select(.kind == "HorizontalPodAutoscaler" and .spec.scaleTargetRef.name == $n)
             | .spec.minReplicas // 1][0] // 1) end;

  # Guide table: docker-compose service -> kind/name.
  ( [ ["StatefulSet", "postgres"], ["Deployment", "redis-main"], ["Deployment", "redis-celery"],
      ["Deployment", "api-service"], ["Deployment", "storage-service"], ["Deployment", "storage-worker"],
      ["Deployment", "celery-worker"], ["DaemonSet", "docker-proxy"], ["Deployment", "executor-1"],
      ["Deployment", "executor-2"], ["Deployment", "flower"], ["Deployment", "frontend"],
      ["Namespace", "crucible"] ][]
    | select(obj(.[0]; .[1]) == null) | "missing \(.[0]) \(.[1])" ),
  ( if [$all[] | select(.kind == "Ingress")] | length == 0 then "missing the Ingress that replaces nginx" else empty end ),

  # Namespace of every namespaced object.
  ( $all[] | select(.kind != "Namespace" and .metadata.namespace != "crucible")
    | "\(.kind)/\(.metadata.name) is not in namespace crucible" ),

  # Service communication table: name:port.
  ( [["postgres", 5432], ["redis", 6379], ["api-service", 8080]][]
    | . as [$n, $port]
    | select((svc_port($n) | index([$port])) == null) | "Service \($n) does not serve port \($port)" ),
  ( if obj("Service"; "postgres").spec.clusterIP != "None" then "Service postgres is not headless (clusterIP: None)" else empty end ),
  ( if (obj("Service"; "redis").spec.selector["app.kubernetes.io/name"]) != "redis-main"
    then "Service redis does not select redis-main" else empty end ),

  # postgres: stable identity and its own claim.
  ( obj("StatefulSet"; "postgres") as $p
    | if $p == null then empty else
        ( if $p.spec.serviceName != "postgres" then "StatefulSet postgres: serviceName is not postgres" else empty end ),
        ( [$p.spec.volumeClaimTemplates[]? | select(.metadata.name == "postgres-storage")][0] as $v
          | if $v == null then "StatefulSet postgres: no volumeClaimTemplate postgres-storage"
            elif $v.spec.accessModes != ["ReadWriteOnce"] then "postgres-storage is not ReadWriteOnce"
            elif ($v.spec.resources.requests.storage | bytes) < ("10Gi" | bytes) then "postgres-storage is smaller than 10Gi"
            else empty end ),
        ( if [$p.spec.template.spec.containers[].volumeMounts[]? | select(.name == "postgres-storage")] | length == 0
          then "postgres does not mount postgres-storage" else empty end )
      end ),

  # Shared storage: storage-pvc, ReadWriteMany (the one-node dev overlay may
  # use ReadWriteOnce), mounted by storage-service and storage-worker.
  ( obj("PersistentVolumeClaim"; "storage-pvc") as $c
    | if $c == null then "missing PersistentVolumeClaim storage-pvc"
      elif $variant != "dev" and ($c.spec.accessModes | index(["ReadWriteMany"])) == null then "storage-pvc is not ReadWriteMany"
      else empty end ),
  ( ["storage-service", "storage-worker"][] as $n
    | if [obj("Deployment"; $n).spec.template.spec.volumes[]? | select(.persistentVolumeClaim.claimName == "storage-pvc")] | length == 0
      then "\($n) does not mount storage-pvc" else empty end ),

  # Several replicas where the guide says so (the dev overlay runs one).
  ( if $variant != "dev" then
      (["api-service", "storage-service", "celery-worker"][] | select(replicas_of(.) < 2) | "\(.) has fewer than 2 replicas")
    else empty end ),

  # Two Redis instances with different memory policies, configured through ConfigMaps.
  ( def redis_conf($d):
      obj("Deployment"; $d).spec.template.spec as $s
      | [$s.volumes[]? | select(.configMap) | .configMap.name][0] as $cm
      | [$all[] | select(.kind == "ConfigMap" and .metadata.name == $cm)][0].data["redis.conf"] // "";
    def policy($conf): ($conf | capture("(?m)^maxmemory-policy\\s+(?<p>\\S+)").p) // null;
    policy(redis_conf("redis-main")) as $main | policy(redis_conf("redis-celery")) as $celery
    | if $main == null then "redis-main: no maxmemory-policy in a ConfigMap it mounts"
      elif $celery == null then "redis-celery: no maxmemory-policy in a ConfigMap it mounts"
      elif $celery != "noeviction" then "redis-celery (task queue) must not evict keys: maxmemory-policy is \($celery)"
      elif $main == $celery then "redis-main and redis-celery share the memory policy \($main)"
      else empty end ),

  # The Ingress routes.
  ( [$all[] | select(.kind == "Ingress") | .spec.rules[]?.http.paths[]? | {path, svc: .backend.service.name}] as $routes
    | [["/", "frontend"], ["/api", "api-service"], ["/flower", "flower"]][]
    | . as [$p, $s]
    | select(($routes | map(select(.path == $p and .svc == $s)) | length) == 0)
    | "Ingress: no route \($p) -> \($s)" )
