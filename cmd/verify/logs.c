/*
 * A crash loop's explanation, as the guide's troubleshooting gives it: the
 * last 20 lines of the previous container's log. One `kubectl logs
 * --previous` per crash-looping container (at most MAX_LOGS), the only
 * calls beyond verify's two, made only when something crash loops.
 */
#include <string.h>

#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/json.h"
#include "verify.h"

#define LOG_LINES "20"
#define MAX_LOGS 5

static jv previous_log(struct verify *v, const char *pod, const char *container)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "logs", "-n", v->namespace, pod, "-c", container, "--previous",
		      "--tail", LOG_LINES, (const char *)NULL);
	enum cr_run_result r = verify_kubectl(v, &c, "reading a previous log", true);
	jv lines = jv_array();
	if (r == CR_RUN_OK) {
		char *save = NULL;
		for (char *l = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
			lines = jv_array_append(lines, jv_string(l));
	} else {
		lines = jv_array_append(lines, jv_string_fmt("(no previous log: %s)", cr_kubectl_failure(&c, r)));
	}
	cr_child_clear(&c);
	return lines;
}

void verify_attach_logs(struct verify *v)
{
	int n = 0;
	jv out = jv_array();
	jv_array_foreach(v->checks, i, c) {
		jv log = jv_object_get(jv_copy(c), jv_string("log"));
		if (jv_get_kind(log) == JV_KIND_OBJECT) {
			c = jv_object_delete(c, jv_string("log"));
			if (n++ < MAX_LOGS)
				c = jv_object_set(c, jv_string("detail"),
						  previous_log(v, cr_json_str(log, "pod"), cr_json_str(log, "container")));
		}
		jv_free(log);
		out = jv_array_append(out, c);
	}
	jv_free(v->checks);
	v->checks = out;
}
