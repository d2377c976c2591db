include "verify-lib";
# Storage: every claim Bound (a Pending one explained by its events), with the
# access modes, class and capacity the manifests ask for (storage-pvc RWX,
# postgres' template RWO 10Gi).
# Input: the verify input. Output: [checks].

def modes: (.spec.accessModes // ["ReadWriteOnce"]) | sort;

.namespace as $ns
| [.live[] | select(.kind == "Event")] as $events
| ([.live | of_kind("PersistentVolumeClaim")] | map({key: .metadata.name, value: .}) | from_entries) as $live
# What the manifests ask: their claims, and each StatefulSet replica's claim from its templates.
| [(.manifests | of_kind("PersistentVolumeClaim")),
   (.manifests | of_kind("StatefulSet") | .metadata.name as $s | (.spec.replicas // 1) as $r
    | (.spec.volumeClaimTemplates // [])[] as $t | range($r)
    | $t + {kind: "PersistentVolumeClaim", metadata: ($t.metadata + {name: "\($t.metadata.name)-\($s)-\(.)"})})] as $want
| [($live[]
    | . as $c
    | "PersistentVolumeClaim/\(.metadata.name)" as $obj
    | if .status.phase == "Bound" then pass("pvc-bound"; $obj; "Bound to \(.spec.volumeName // "a volume")")
      else last_event($events; "PersistentVolumeClaim"; .metadata.name;
                      ["ProvisioningFailed", "FailedBinding", "ExternalProvisioning"]) as $e
        | fail("pvc-bound"; $obj;
               "is \(.status.phase // "Pending")\(if $e then ": " + $e.reason + " " + $e.message else "" end)";
               "kubectl describe pvc \(.metadata.name) -n \($ns)")
      end),
   ($want[]
    | . as $m | .metadata.name as $n | "PersistentVolumeClaim/\($n)" as $obj
    | $live[$n] as $c
    | if $c == null then empty # presence reports it
      else
        [(if ($c | modes) != ($m | modes) then "access modes \($c | modes | join(",")), the manifests ask \($m | modes | join(","))" else empty end),
         (if ($m.spec | has("storageClassName")) and $m.spec.storageClassName != $c.spec.storageClassName
          then "class \($c.spec.storageClassName // "none"), the manifests ask \($m.spec.storageClassName)" else empty end),
         ($m.spec.resources.requests.storage as $q
          | if $q == null then empty
            elif $c.status.phase == "Bound" and (($c.status.capacity.storage // "0") | quantity) < ($q | quantity)
            then "capacity \($c.status.capacity.storage // "none"), the manifests ask \($q)"
            elif (($c.spec.resources.requests.storage // "0") | quantity) < ($q | quantity)
            then "requests \($c.spec.resources.requests.storage // "nothing"), the manifests ask \($q)"
            else empty end)] as $bad
        | judged($bad == []; "pvc-spec"; "FAIL"; $obj;
                 "\($c | modes | join(",")), \($c.status.capacity.storage // $c.spec.resources.requests.storage // "?"), class \($c.spec.storageClassName // "none"), as the manifests ask";
                 $bad | join("; "); "kubectl describe pvc \($n) -n \($ns)")
      end)]
