# The namespace's Secrets joined with the references its workloads make.
# Input: {secrets: [{name, type, created, keys}], refs: [secrets-refs.jq .refs], now}
# Output: {secrets: [{name, type, keys, created, age, usedBy}],
#          missing: [{object, secret, key, via, optional, problem}]}

# kubectl's age: 45s, 12m, 5h, 3d, 2y.
def age($now):
  if . == null or . == "" or . == "<no value>" then "<unknown>"
  else (($now - (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601)) | floor) as $s
  | if $s < 0 then "0s"
    elif $s < 120 then "\($s)s"
    elif $s < 7200 then "\($s / 60 | floor)m"
    elif $s < 172800 then "\($s / 3600 | floor)h"
    elif $s < 63072000 then "\($s / 86400 | floor)d"
    else "\($s / 31536000 | floor)y" end
  end;

.now as $now
| .refs as $refs
| (.secrets | map({key: .name, value: .}) | from_entries) as $byname
| {
    secrets: [.secrets[] | .name as $n
      | . + {age: (.created | age($now)),
             usedBy: ([$refs[] | select(.secret == $n) | .object] | unique)}],
    missing: ([
      $refs[] | . as $r | $byname[$r.secret] as $s
      | if $s == null then $r + {problem: "no such Secret"}
        elif $r.key != null and ($s.keys | any(. == $r.key) | not) then $r + {problem: "no such key"}
        else empty end
      | {object, secret, key, via, optional, problem}
    ] | unique)
  }
