/* common/jq/kstatus.jq: the readiness rules, one case per rule. */
#include <stdlib.h>
#include <string.h>

#include "crucible/jq.h"
#include "tap.h"

struct kcase {
	const char *name, *json, *status, *message; /* message: a substring */
};

#define DEP "\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"api\",\"generation\":2}"
#define STS "\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"pg\",\"generation\":1}"
#define DS "\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"dp\",\"generation\":1}"
#define POD "\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}"
#define AVAIL "\"conditions\":[{\"type\":\"Available\",\"status\":\"True\"}]"

static const struct kcase cases[] = {
	{ "deletionTimestamp is Terminating",
	  "{" DEP ",\"metadata\":{\"name\":\"a\",\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"}}", "Terminating", "deletion" },
	{ "unobserved generation is InProgress",
	  "{" DEP ",\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":1}}", "InProgress", "Generation 2" },
	{ "missing observedGeneration is InProgress",
	  "{" DEP ",\"spec\":{\"replicas\":1},\"status\":{}}", "InProgress", "not yet observed" },
	{ "deployment ready", "{" DEP ",\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,\"replicas\":2,"
	  "\"updatedReplicas\":2,\"readyReplicas\":2,\"availableReplicas\":2," AVAIL "}}", "Current", "Replicas: 2" },
	{ "deployment default replicas is 1", "{" DEP ",\"spec\":{},\"status\":{\"observedGeneration\":2,\"replicas\":1,"
	  "\"updatedReplicas\":1,\"readyReplicas\":1,\"availableReplicas\":1," AVAIL "}}", "Current", "Replicas: 1" },
	{ "deployment scaling up", "{" DEP ",\"spec\":{\"replicas\":3},\"status\":{\"observedGeneration\":2,\"replicas\":1}}",
	  "InProgress", "Replicas: 1/3" },
	{ "deployment updating", "{" DEP ",\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,\"replicas\":2,"
	  "\"updatedReplicas\":1}}", "InProgress", "Updated: 1/2" },
	{ "deployment old pods remain", "{" DEP ",\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,\"replicas\":3,"
	  "\"updatedReplicas\":2}}", "InProgress", "Pending termination: 1" },
	{ "deployment updated but not available", "{" DEP ",\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,"
	  "\"replicas\":2,\"updatedReplicas\":2,\"availableReplicas\":1}}", "InProgress", "Available: 1/2" },
	{ "deployment not ready", "{" DEP ",\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,"
	  "\"replicas\":2,\"updatedReplicas\":2,\"availableReplicas\":2,\"readyReplicas\":1}}", "InProgress", "Ready: 1/2" },
	{ "deployment without Available=True", "{" DEP ",\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":2,"
	  "\"replicas\":1,\"updatedReplicas\":1,\"availableReplicas\":1,\"readyReplicas\":1}}", "InProgress", "not Available" },
	{ "deployment progress deadline", "{" DEP ",\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":2,"
	  "\"conditions\":[{\"type\":\"Progressing\",\"status\":\"False\",\"reason\":\"ProgressDeadlineExceeded\"}]}}",
	  "Failed", "deadline" },
	{ "deployment scaled to zero", "{" DEP ",\"spec\":{\"replicas\":0},\"status\":{\"observedGeneration\":2}}",
	  "Current", "Replicas: 0" },
	{ "statefulset ready", "{" STS ",\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":1,\"replicas\":1,"
	  "\"readyReplicas\":1,\"currentReplicas\":1,\"updatedReplicas\":1,\"currentRevision\":\"r1\",\"updateRevision\":\"r1\"}}",
	  "Current", "Replicas: 1" },
	{ "statefulset not ready", "{" STS ",\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":1,\"replicas\":1}}",
	  "InProgress", "Ready: 0/1" },
	{ "statefulset revision rolling", "{" STS ",\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":1,\"replicas\":1,"
	  "\"readyReplicas\":1,\"currentReplicas\":1,\"currentRevision\":\"r1\",\"updateRevision\":\"r2\"}}",
	  "InProgress", "revision r2" },
	{ "statefulset OnDelete is Current", "{" STS ",\"spec\":{\"replicas\":3,\"updateStrategy\":{\"type\":\"OnDelete\"}},"
	  "\"status\":{\"observedGeneration\":1}}", "Current", "ondelete" },
	{ "statefulset partition done", "{" STS ",\"spec\":{\"replicas\":3,\"updateStrategy\":{\"type\":\"RollingUpdate\","
	  "\"rollingUpdate\":{\"partition\":2}}},\"status\":{\"observedGeneration\":1,\"replicas\":3,\"readyReplicas\":3,"
	  "\"updatedReplicas\":1,\"currentRevision\":\"r1\",\"updateRevision\":\"r2\"}}", "Current", "updated: 1/1" },
	{ "statefulset partition rolling", "{" STS ",\"spec\":{\"replicas\":3,\"updateStrategy\":{\"type\":\"RollingUpdate\","
	  "\"rollingUpdate\":{\"partition\":1}}},\"status\":{\"observedGeneration\":1,\"replicas\":3,\"readyReplicas\":3,"
	  "\"updatedReplicas\":1}}", "InProgress", "updated: 1/2" },
	{ "daemonset ready", "{" DS ",\"status\":{\"observedGeneration\":1,\"desiredNumberScheduled\":2,"
	  "\"currentNumberScheduled\":2,\"updatedNumberScheduled\":2,\"numberAvailable\":2,\"numberReady\":2}}",
	  "Current", "Replicas: 2" },
	{ "daemonset not available", "{" DS ",\"status\":{\"observedGeneration\":1,\"desiredNumberScheduled\":2,"
	  "\"currentNumberScheduled\":2,\"updatedNumberScheduled\":2,\"numberAvailable\":1,\"numberReady\":2}}",
	  "InProgress", "Available: 1/2" },
	{ "daemonset without desired count", "{" DS ",\"status\":{\"observedGeneration\":1}}", "InProgress", "desiredNumberScheduled" },
	{ "pvc bound", "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"status\":{\"phase\":\"Bound\"}}", "Current", "Bound" },
	{ "pvc pending", "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"status\":{\"phase\":\"Pending\"}}",
	  "InProgress", "phase: Pending" },
	{ "pod ready", "{" POD ",\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
	  "Current", "Ready" },
	{ "pod crashloop", "{" POD ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"app\","
	  "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}", "Failed", "app is in CrashLoopBackOff" },
	{ "pod unschedulable for long", "{" POD ",\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\","
	  "\"status\":\"False\",\"reason\":\"Unschedulable\",\"message\":\"0/1 nodes\",\"lastTransitionTime\":\"2000-01-01T00:00:00Z\"}]}}",
	  "Failed", "0/1 nodes" },
	{ "pod just unschedulable", "{" POD ",\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\","
	  "\"status\":\"False\",\"reason\":\"Unschedulable\",\"lastTransitionTime\":\"2999-01-01T00:00:00Z\"}]}}",
	  "InProgress", "unschedulable" },
	{ "pod failed", "{" POD ",\"status\":{\"phase\":\"Failed\"}}", "Failed", "not successfully" },
	{ "job complete", "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"status\":{\"succeeded\":1,\"conditions\":"
	  "[{\"type\":\"Complete\",\"status\":\"True\"}]}}", "Current", "succeeded: 1" },
	{ "job failed", "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"status\":{\"conditions\":"
	  "[{\"type\":\"Failed\",\"status\":\"True\",\"reason\":\"BackoffLimitExceeded\"}]}}", "Failed", "BackoffLimitExceeded" },
	{ "job running is not Current", "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"status\":{\"active\":1}}",
	  "InProgress", "active: 1" },
	{ "service is Current", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"}}", "Current", "current" },
	{ "stalled custom resource", "{\"apiVersion\":\"x.io/v1\",\"kind\":\"Thing\",\"status\":{\"conditions\":"
	  "[{\"type\":\"Stalled\",\"status\":\"True\",\"message\":\"bad spec\"}]}}", "Failed", "bad spec" },
	{ "crd established", "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\",\"status\":"
	  "{\"conditions\":[{\"type\":\"Established\",\"status\":\"True\"}]}}", "Current", "established" },
};

int main(void)
{
	struct cr_jq *q = cr_jq_compile_named("kstatus", jv_null());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kcase *k = &cases[i];
		jv in = jv_parse(k->json);
		if (!ok(jv_is_valid(in), "fixture parses: %s", k->name)) {
			jv_free(in);
			continue;
		}
		jv r = cr_jq_first(q, in);
		jv st = jv_object_get(jv_copy(r), jv_string("status"));
		jv msg = jv_object_get(r, jv_string("message"));
		const char *s = jv_get_kind(st) == JV_KIND_STRING ? jv_string_value(st) : "(none)";
		const char *m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "(none)";
		ok(!strcmp(s, k->status) && strstr(m, k->message), "%s: %s (%s)", k->name, s, m);
		jv_free(st);
		jv_free(msg);
	}
	cr_jq_free(q);
	return tap_done();
}
