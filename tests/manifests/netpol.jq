# NetworkPolicies: a default deny for the namespace, a policy of its own for
# every pod, and exactly the communication graph of --slurpfile graph
# graph.json. The graph is computed from the policies: an edge "A -> B:port/proto"
# exists when B's policies admit A on that port AND A's policies let it out to
# B (both are needed under default deny). Peers outside the namespace are
# named: ingress-controller (ingress-nginx), kube-dns; an egress edge every pod
# has is written "* -> peer:port/proto". Only matchLabels selectors are
# understood; anything else is reported.
include "common";

. as $all
| [pod_templates | select(.kind != "ReplicaSet")] as $pods
| [$all[] | select(.kind == "NetworkPolicy")] as $pols
| def pname: .labels["app.kubernetes.io/name"];
  def pods_by($sel): [$pods[] | select(selects($sel; .labels)) | pname];
  def types($p): $p.spec.policyTypes // (["Ingress"] + (if $p.spec.egress then ["Egress"] else [] end));
  def external($peer):
    ($peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] // "*") as $ns
    | ($peer.podSelector.matchLabels // {}) as $ps
    | if $ns == "ingress-nginx" and $ps == {"app.kubernetes.io/name": "ingress-nginx"} then "ingress-controller"
      elif $ns == "kube-system" and $ps == {"k8s-app": "kube-dns"} then "kube-dns"
      else "namespace:\($ns)" end;
  # A rule's peers: [{name, ext}]; "*" when the rule has none (everything).
  def peers($list):
    if ($list // []) == [] then [{name: "*", ext: false}]
    else [ $list[]
           | if .ipBlock then {name: "ipBlock:\(.ipBlock.cidr)", ext: true}
             elif .namespaceSelector then {name: external(.), ext: true}
             else (pods_by(.podSelector.matchLabels)[] | {name: ., ext: false}) end ]
    end;
  def ports($list):
    if ($list // []) == [] then [{port: "*", proto: "*"}]
    else [ $list[] | {port: (.port // "*"), proto: (.protocol // "TCP")} ] end;
  def exposed($name):
    [ $pods[] | select(pname == $name) | .spec.containers[].ports[]?
      | {port: .containerPort, name: .name, proto: (.protocol // "TCP")} ];
  def port_ok($rule; $p): ($rule.port == "*" or $rule.port == $p.port or $rule.port == $p.name)
                          and ($rule.proto == "*" or $rule.proto == $p.proto);

  # Every allow entry of every policy, per selected pod.
  [ $pols[] as $pol
    | pods_by($pol.spec.podSelector.matchLabels)[] as $me
    | ( if (types($pol) | index(["Ingress"])) then
          $pol.spec.ingress[]? as $r | peers($r.from)[] as $peer | ports($r.ports)[] as $port
          | {dir: "in", me: $me, peer: $peer.name, ext: $peer.ext, port: $port.port, proto: $port.proto, pol: $pol.metadata.name}
        else empty end ),
      ( if (types($pol) | index(["Egress"])) then
          $pol.spec.egress[]? as $r | peers($r.to)[] as $peer | ports($r.ports)[] as $port
          | {dir: "out", me: $me, peer: $peer.name, ext: $peer.ext, port: $port.port, proto: $port.proto, pol: $pol.metadata.name}
        else empty end )
  ] as $allow
  | def admits($b; $a; $p): [$allow[] | select(.dir == "in" and .me == $b and (.peer == $a or .peer == "*") and port_ok(.; $p))] | length > 0;
    def lets_out($a; $b; $p): [$allow[] | select(.dir == "out" and .me == $a and (.peer == $b or .peer == "*") and port_ok(.; $p))] | length > 0;

  # Internal edges, with the exact port each server exposes.
  ( [ $allow[] | select(.ext | not) | . as $e
      | (if $e.dir == "in" then {a: $e.peer, b: $e.me} else {a: $e.me, b: $e.peer} end) as $ab
      | ($ab.b | if . == "*" then ([$pods[] | pname][]) else . end) as $b
      | exposed($b)[] | select(port_ok($e; .)) as $p
      | ($ab.a | if . == "*" then ([$pods[] | pname][]) else . end) as $a
      | select(admits($b; $a; $p) and lets_out($a; $b; $p))
      | "\($a) -> \($b):\($p.port)/\($p.proto)" ] | unique ) as $internal

  # External edges.
  | ( [ $allow[] | select(.ext and .dir == "in") | "\(.peer) -> \(.me):\(.port)/\(.proto)" ] | unique ) as $ext_in
  | ( [ $allow[] | select(.ext and .dir == "out") | {me, to: "\(.peer):\(.port)/\(.proto)"} ] ) as $ext_out
  | ( [$pods[] | pname] | unique ) as $names
  | ( [ $ext_out | group_by(.to)[]
        | (map(.me) | unique) as $who
        | if $who == $names then "* -> \(.[0].to)" else ($who[] as $w | "\($w) -> \(.[0].to)") end ] ) as $ext_out_edges
  | ($internal + $ext_in + $ext_out_edges | unique) as $edges
  | ($graph[0] | unique) as $want
  | (
      # Default deny.
      ( if [$pols[] | select(.spec.podSelector == {} and (types(.) | sort) == ["Egress", "Ingress"]
                              and (.spec.ingress // []) == [] and (.spec.egress // []) == [])] | length == 0
        then "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)" else empty end ),
      # Unsupported selectors.
      ( $pols[] | select(tostring | test("matchExpressions")) | "NetworkPolicy/\(.metadata.name): matchExpressions are not checked; use matchLabels" ),
      # Every pod has a policy of its own covering both directions.
      ( $pods[] | . as $p
        | [$pols[] | select(.spec.podSelector != {} and selects(.spec.podSelector.matchLabels; $p.labels))] as $mine
        | if $mine == [] then "\($p.id): selected by no NetworkPolicy of its own"
          elif [$mine[] | types(.)[]] | unique != ["Egress", "Ingress"] then "\($p.id): its NetworkPolicies do not cover both Ingress and Egress"
          else empty end ),
      # Rules that one side allows and the other does not (dead or too broad).
      ( $allow[] | select(.ext | not) | . as $e
        | if $e.peer == "*" then "NetworkPolicy/\($e.pol): \(if $e.dir == "in" then "admits" else "lets out" end) \($e.me) from/to every pod"
          else
            (if $e.dir == "in" then {a: $e.peer, b: $e.me} else {a: $e.me, b: $e.peer} end) as $ab
            | [exposed($ab.b)[] | select(port_ok($e; .))] as $ps
            | if $ps == [] then "NetworkPolicy/\($e.pol): \($ab.a) -> \($ab.b) on \($e.port)/\($e.proto), which \($ab.b) does not expose"
              elif [$ps[] | select(admits($ab.b; $ab.a; .) and lets_out($ab.a; $ab.b; .))] == []
                then "NetworkPolicy/\($e.pol): \($ab.a) -> \($ab.b):\($e.port) is allowed on one side only"
              else empty end
          end ),
      # The graph.
      ( $want - $edges | .[] | "missing edge: \(.)" ),
      ( $edges - $want | .[] | "unexpected edge: \(.)" )
    )
