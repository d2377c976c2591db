# The migration Job from the template (k8s/jobs/db-migrate.yaml): a new name
# per run (a Job's pod template is immutable), the image being deployed,
# no blind retries, the deadline from --timeout, a TTL long enough that the
# Job outlives the watch, and labels linking it to its image and the Lease.
# Input: {template, name, namespace, image, retries, deadline (0: none), labels, annotations}.
. as $in
| $in.template
| .metadata.name = $in.name
| .metadata.namespace = $in.namespace
| .metadata.labels = ((.metadata.labels // {}) + $in.labels)
| .metadata.annotations = ((.metadata.annotations // {}) + $in.annotations)
| .spec.backoffLimit = $in.retries
| (if $in.deadline > 0 then .spec.activeDeadlineSeconds = $in.deadline
   else del(.spec.activeDeadlineSeconds) end)
| .spec.ttlSecondsAfterFinished = ([.spec.ttlSecondsAfterFinished // 0, 604800] | max)
| .spec.template.metadata.labels = ((.spec.template.metadata.labels // {}) + $in.labels)
| .spec.template.spec.containers[0].image = $in.image
