# Selectors and ports: every Service selects pods and targets a port they
# expose, every Ingress backend is a Service port, workloads select their own
# template by app.kubernetes.io/name, PDBs and HPAs point at workloads, and
# every object carries the platform's labels.
include "common";

. as $all
| [pod_templates] as $pods
| def svc($n): [$all[] | select(.kind == "Service" and .metadata.name == $n)][0];
  (
    # Labels on every object.
    ( $all[] | "\(.kind)/\(.metadata.name)" as $id | (.metadata.labels // {}) as $l
      | ( if $l["app.kubernetes.io/part-of"] != "crucible" then "\($id): not labelled app.kubernetes.io/part-of=crucible" else empty end ),
        ( if ($l["app.kubernetes.io/name"] // "") == "" then "\($id): no app.kubernetes.io/name label" else empty end ),
        ( if ($l["app.kubernetes.io/component"] // "") == "" then "\($id): no app.kubernetes.io/component label" else empty end ) ),

    # Workload selectors: exactly app.kubernetes.io/name, matching the template.
    ( $all[] | kinds(["Deployment", "StatefulSet", "DaemonSet"])
      | "\(.kind)/\(.metadata.name)" as $id
      | if (.spec.selector.matchLabels | keys) != ["app.kubernetes.io/name"] then "\($id): selector is not app.kubernetes.io/name alone"
        elif .spec.selector.matchLabels["app.kubernetes.io/name"] != .metadata.name then "\($id): selects app.kubernetes.io/name=\(.spec.selector.matchLabels["app.kubernetes.io/name"])"
        elif (selects(.spec.selector.matchLabels; .spec.template.metadata.labels) | not) then "\($id): selector does not match its template"
        else empty end ),
    # Rolling updates.
    ( $all[] | kinds(["Deployment"]) | select((.spec.strategy.type // "RollingUpdate") != "RollingUpdate")
      | "Deployment/\(.metadata.name): strategy is \(.spec.strategy.type)" ),
    ( $all[] | kinds(["StatefulSet", "DaemonSet"]) | select((.spec.updateStrategy.type // "RollingUpdate") != "RollingUpdate")
      | "\(.kind)/\(.metadata.name): updateStrategy is \(.spec.updateStrategy.type)" ),

    # Services.
    ( $all[] | select(.kind == "Service") | . as $svc | "Service/\(.metadata.name)" as $id
      | if (.spec.selector // {}) == {} then "\($id): no selector"
        else
          [$pods[] | select(.kind != "Job" and selects($svc.spec.selector; .labels))] as $m
          | if $m == [] then "\($id): selects no pod template"
            else
              $svc.spec.ports[] as $port
              | ($port.targetPort // $port.port) as $tp
              | $m[]
              | select([.spec.containers[].ports[]? | select(.containerPort == $tp or .name == $tp)] | length == 0)
              | "\($id): port \($port.port) targets \($tp), which \(.id) does not expose"
            end
        end ),

    # Ingress backends.
    ( $all[] | select(.kind == "Ingress") | "Ingress/\(.metadata.name)" as $id
      | (.spec.rules[]?.http.paths[]?.backend, .spec.defaultBackend // empty)
      | .service as $b
      | if $b == null then "\($id): a backend is not a Service"
        elif svc($b.name) == null then "\($id): backend Service \($b.name) does not exist"
        elif [svc($b.name).spec.ports[] | select(.port == $b.port.number or (.name != null and .name == $b.port.name))] | length == 0
          then "\($id): Service \($b.name) has no port \($b.port.number // $b.port.name)"
        else empty end ),

    # PodDisruptionBudgets and HorizontalPodAutoscalers.
    ( $all[] | select(.kind == "PodDisruptionBudget") | . as $pdb
      | if [$pods[] | select(selects($pdb.spec.selector.matchLabels; .labels))] | length == 0
        then "PodDisruptionBudget/\(.metadata.name) selects no pod template" else empty end ),
    ( $all[] | select(.kind == "HorizontalPodAutoscaler") | .spec.scaleTargetRef as $t
      | if [$all[] | select(.kind == $t.kind and .metadata.name == $t.name)] | length == 0
        then "HorizontalPodAutoscaler/\(.metadata.name): target \($t.kind)/\($t.name) does not exist" else empty end )
  )
