# The text report: findings grouped by area (PASS too with -v; failures only
# with -q), the hint under each finding, then one summary line.
# Input: {checks: [check + {area}], color, quiet, verbose, namespace}. Output: a string.

. as $in
| .color as $in_color
| def paint($code): if $in_color then "\u001b[\($code)m" + . + "\u001b[0m" else . end;
  def level_text:
  if . == "FAIL" then "FAIL" | paint("31") elif . == "WARN" then "WARN" | paint("33") else "PASS" | paint("32") end;
  def pad($n): . + (" " * ([$n - length, 0] | max));
  def areas: ["Presence", "Workloads", "Services", "Storage", "Config", "Security", "Probes"];

  .checks as $all
| (if .quiet then [$all[] | select(.level == "FAIL")]
   elif .verbose then $all
   else [$all[] | select(.level != "PASS")] end) as $shown
| ([$shown[].id | length] | max // 0) as $w
| [areas[] as $a
   | [$shown[] | select(.area == $a)]
   | select(length > 0)
   | ($a | paint("1")),
     (.[] | "  \(.level | level_text)  \(.id | pad($w))  \(.object): \(.message)",
            ((.detail // [])[] | "        | \(.)"),
            (select(.hint != null and .level != "PASS") | "        next: \(.hint)"))]
| . + ["\($all | length) checks in namespace \($in.namespace // ""): \([$all[] | select(.level == "PASS")] | length) passed, \([$all[] | select(.level == "WARN")] | length) warnings, \([$all[] | select(.level == "FAIL")] | length) failed"]
| join("\n") + "\n"
