include "verify-lib";
# Services: ready endpoints (EndpointSlices), selectors that match pods,
# target ports the pods' containers have; Ingress backends that name existing
# Services and ports; the guide's DNS names exist as Services.
# Input: the verify input. Output: [checks].

# The short names the guide's Service Communication table resolves.
def guide_names: ["postgres", "redis", "api-service"];

.namespace as $ns
| [.live | of_kind("Pod") | select(.metadata.deletionTimestamp == null)] as $pods
| [.live | of_kind("EndpointSlice")] as $slices
| ([.live | of_kind("Service")] | map({key: .metadata.name, value: .}) | from_entries) as $svcs
| [($svcs[]
    | . as $s | "Service/\(.metadata.name)" as $obj | .metadata.name as $n
    | select(.spec.selector != null and (.spec.selector | length) > 0)
    | (.spec.selector | to_entries) as $sel
    | [$pods[] | (.metadata.labels // {}) as $l | select(all($sel[]; $l[.key] == .value))] as $matched
    | [$slices[] | select(.metadata.labels["kubernetes.io/service-name"] == $n) | (.endpoints // [])[]] as $eps
    | ([$eps[] | select(.conditions.ready != false)] | length) as $ready
    | judged($ready > 0; "service-endpoints"; "FAIL"; $obj; "\($ready) ready endpoints";
             "no ready endpoints (\($eps | length) not ready, \($matched | length) pods selected)";
             "kubectl get endpoints \($n) -n \($ns)"),
      judged(($matched | length) > 0; "service-selector"; "FAIL"; $obj;
             "selector \(.spec.selector | selector_text) matches \($matched | length) pods";
             "selector \(.spec.selector | selector_text) matches no pod";
             "kubectl get pods -n \($ns) -l \(.spec.selector | selector_text)"),
      (select(($matched | length) > 0)
       | [$matched[].spec.containers[] | (.ports // [])[]] as $cp
       | (.spec.ports // [])[]
       | (.targetPort // .port) as $t
       | ($cp | any(.[]; if ($t | type) == "string" then .name == $t else .containerPort == $t end)) as $ok
       | judged($ok; "service-target-port"; "FAIL"; $obj; "port \(.port) reaches container port \($t)";
                "port \(.port): target port \($t) is not a port of the selected pods' containers";
                "kubectl describe service \($n) -n \($ns)"))),
   (.live | of_kind("Ingress") | "Ingress/\(.metadata.name)" as $obj
    | ([(.spec.rules // [])[] | (.http.paths // [])[] | {path: (.path // "/"), b: .backend.service}]
       + (if .spec.defaultBackend.service then [{path: "default", b: .spec.defaultBackend.service}] else [] end))[]
    | select(.b != null)
    | .b.name as $n | .b.port as $p | .path as $path
    | $svcs[$n] as $s
    | if $s == null then
        fail("ingress-backend"; $obj; "\($path) -> service \($n), which does not exist"; "kubectl get svc -n \($ns)")
      else
        ($s.spec.ports // [] | any(.[]; ($p.number != null and .port == $p.number) or ($p.name != null and .name == $p.name))) as $ok
        | judged($ok; "ingress-backend"; "FAIL"; $obj; "\($path) -> \($n):\($p.number // $p.name)";
                 "\($path) -> \($n):\($p.number // $p.name), a port service \($n) does not have";
                 "kubectl get svc \($n) -n \($ns)")
      end),
   (guide_names[] | . as $n
    | judged($svcs[$n] != null; "service-dns"; "FAIL"; "Service/\($n)";
             "\($n).\($ns).svc.cluster.local exists as the guide names it";
             "no Service \($n): \($n).\($ns).svc.cluster.local does not resolve";
             "kubectl get svc -n \($ns)"))]
