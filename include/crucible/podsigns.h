/*
 * Pods that will not come up, judged by the one rule deploy and migrate-db
 * fail fast by: the signs of deploy-pods.jq; a crash loop, a config error
 * or a bad image name is fatal at once, an image that cannot be pulled or
 * a pod that cannot be scheduled only after its grace, measured from when
 * the sign was first seen.
 */
#ifndef CRUCIBLE_PODSIGNS_H
#define CRUCIBLE_PODSIGNS_H

#include <stdbool.h>
#include <jv.h>

struct cr_pod_signs {
	long long pull_grace_ms;   /* ImagePullBackOff tolerated this long */
	long long unsched_grace_ms;/* Unschedulable tolerated this long */
	jv seen;                   /* "pod/container/sign" -> first seen (ms) */
};

void cr_pod_signs_init(struct cr_pod_signs *s, long long pull_grace_ms, long long unsched_grace_ms);
void cr_pod_signs_free(struct cr_pod_signs *s);
/* True when sign (a deploy-pods.jq row) of pod (both borrowed) is fatal now; starts its clock. */
bool cr_pod_sign_fatal(struct cr_pod_signs *s, jv pod, jv sign);
/* True while a sign's grace is running (the pods are worth judging again without an event). */
bool cr_pod_signs_timing(const struct cr_pod_signs *s);

/* A name -> Pod map kept from watch events (type as watch.h gives it): returns the map; pods and pod consumed. */
jv cr_pods_track(jv pods, const char *type, jv pod);
/* The map's pods as an array (pods borrowed). */
jv cr_pods_list(jv pods);

#endif
