# What a run needs to be allowed, as SelfSubjectAccessReviews (what
# `kubectl auth can-i` sends), all created by one kubectl call.
# Input: {namespace, backup}. Output: an array of reviews.
. as $in
| [["create", "batch", "jobs", ""], ["watch", "batch", "jobs", ""], ["watch", "", "pods", ""],
   ["get", "", "pods", "log"], ["create", "coordination.k8s.io", "leases", ""],
   ["update", "coordination.k8s.io", "leases", ""], ["delete", "coordination.k8s.io", "leases", ""]]
  + (if $in.backup then [["create", "", "persistentvolumeclaims", ""]] else [] end)
| map({apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview",
       spec: {resourceAttributes: ({verb: .[0], group: .[1], resource: .[2], namespace: $in.namespace}
                                   + (if .[3] != "" then {subresource: .[3]} else {} end))}})
