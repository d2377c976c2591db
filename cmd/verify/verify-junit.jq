# The JUnit XML report for CI dashboards: one testsuite per area, one
# testcase per check. A FAIL is a <failure>; a WARN too when --fail-on warn,
# else it passes with the warning in <system-out>.
# Input: {checks: [check + {area}], failOn, namespace}. Output: a string.

# XML 1.0 forbids most control characters even escaped: drop them.
def x: tostring | gsub("[\u0000-\u0008\u000b\u000c\u000e-\u001f]"; "") | @html;
def areas: ["Presence", "Workloads", "Services", "Storage", "Config", "Security", "Probes"];

.failOn as $on
| .namespace as $ns
| def failing: .level == "FAIL" or ($on == "warn" and .level == "WARN");
  def body: ([.message] + (.detail // []) + (if .hint then ["next: " + .hint] else [] end)) | join("\n") | x;
  def testcase:
    "    <testcase classname=\"crucible.verify.\(.area | ascii_downcase)\" name=\"\("\(.id) \(.object)" | x)\">"
    + (if failing then "<failure type=\"\(.level)\" message=\"\(.message | x)\">\(body)</failure>"
       elif .level == "WARN" then "<system-out>WARN: \(body)</system-out>"
       else "" end)
    + "</testcase>";
  .checks as $all
  | [areas[] as $a | [$all[] | select(.area == $a)] | select(length > 0)
     | "  <testsuite name=\"\($a | x)\" tests=\"\(length)\" failures=\"\(map(select(failing)) | length)\" errors=\"0\" skipped=\"0\">",
       (.[] | testcase),
       "  </testsuite>"]
  | (["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<testsuites name=\"kubectl crucible verify \($ns | x)\" tests=\"\($all | length)\" failures=\"\($all | map(select(failing)) | length)\">"]
     + . + ["</testsuites>"]) | join("\n") + "\n"
