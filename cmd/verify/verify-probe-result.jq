include "verify-lib";
# Turns a probe pod's log into checks.
# Input: {probe, pod, phase, log: [lines], names: [Service names]}. Output: [checks].

.namespace as $ns_of
| .pod as $pod
| .phase as $phase
| if .probe == "dns" then
    ([.log[] | capture("^(?<r>ok|fail) (?<n>.+)$")] | map({key: .n, value: .r}) | from_entries) as $got
    | [.names[] | . as $n | $got[$n] as $r
       | if $r == "ok" then pass("probe-dns"; "Service/\($n)"; "resolves from a pod in the namespace (\($pod))")
         elif $r == "fail" then fail("probe-dns"; "Service/\($n)"; "does not resolve from a pod in the namespace";
                                     "kubectl run -it --rm debug --image=busybox --restart=Never -n \($ns_of) -- nslookup \($n)")
         else fail("probe-dns"; "Service/\($n)"; "no answer from the probe pod \($pod) (\($phase // "no phase"))";
                   "kubectl run -it --rm debug --image=busybox --restart=Never -n \($ns_of) -- nslookup \($n)") end]
  else
    ([.log[] | select(startswith("ready "))] | first // null) as $ready
    | ([.log[] | select(startswith("select "))] | first // null) as $select
    | "kubectl run -it --rm psql --image=postgres:15-alpine --restart=Never -n \($ns_of) -- psql -h postgres -U crucible -d crucible" as $hint
    | [judged($ready == "ready ok"; "probe-db"; "FAIL"; "Service/postgres"; "pg_isready: accepting connections";
              "pg_isready: \(if $ready then $ready | ltrimstr("ready ") else "no answer from the probe pod \($pod)" end)"; $hint),
       judged($select == "select 1"; "probe-db"; "FAIL"; "Service/postgres"; "SELECT 1 through psql answers 1";
              "SELECT 1 through psql: \(if $select then $select | ltrimstr("select ") else "no answer" end)"; $hint)]
  end
