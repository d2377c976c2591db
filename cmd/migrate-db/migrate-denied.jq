# The reviews a run was refused, each as the `kubectl auth can-i` line that
# shows it. Input: the created SelfSubjectAccessReviews. Output: strings.
.[] | select(.status.allowed != true) | .spec.resourceAttributes
| "kubectl auth can-i \(.verb) \(.resource)\(if (.subresource // "") != "" then "/" + .subresource else "" end)\(if .group != "" then "." + .group else "" end) -n \(.namespace): no"
