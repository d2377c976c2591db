# The events that explain a stuck pod: the scheduler's, the kubelet's, and the
# provisioner's for its claims, newest last.
# Input: {events: [Event], names: [pod name, claim names...]}
# Output: [{object: "pod/x", reason, message, source, type}] (at most 6)

def when: .series.lastObservedTime // .lastTimestamp // .eventTime // .metadata.creationTimestamp // "";

.names as $names
| [.events[]
   | select(.involvedObject.name as $n | $names | any(.[]; . == $n))
   | select(.type == "Warning" or .reason == "FailedScheduling" or .reason == "ProvisioningFailed")]
| sort_by(when)
| map({object: "\(.involvedObject.kind | ascii_downcase)/\(.involvedObject.name)", reason, message,
       source: (.source.component // .reportingComponent // .reportingController // ""), type})
| unique_by([.object, .reason, .message])
| sort_by(.object)
| .[-6:]
