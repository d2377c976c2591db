/* deploy's kubectl calls: bounded by --timeout, retried, counted, and their failures reported once. */
#include <stdio.h>

#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "deploy.h"

long long deploy_time_left(const struct deploy *d)
{
	return cr_time_left(d->deadline_ms);
}

enum cr_run_result deploy_kubectl_from(struct deploy *d, struct cr_child *c, bool retry, int first)
{
	struct cr_retry how = {
		.deadline_ms = d->deadline_ms, .attempts = retry ? CR_RETRY_ATTEMPTS : first + 1,
		.made = first, .started = &d->kubectl_calls,
	};
	return cr_kubectl_run_retry(c, &how);
}

enum cr_run_result deploy_kubectl(struct deploy *d, struct cr_child *c, bool retry)
{
	return deploy_kubectl_from(d, c, retry, 0);
}

void deploy_kubectl_failed(struct deploy *d, const char *what, const struct cr_child *c,
			   enum cr_run_result r)
{
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		deploy_finish(d, CR_EXIT_INTERRUPTED, "interrupted", jv_null());
	if (r == CR_RUN_TIMEOUT) {
		char when[32];
		if (d->timeout_ms % 1000)
			snprintf(when, sizeof(when), "%.1f s", (double)d->timeout_ms / 1000.0);
		else
			snprintf(when, sizeof(when), "%lld s", d->timeout_ms / 1000);
		/* c->timed_out: killed at the deadline; else the deadline came before it could start. */
		jv msg = c->timed_out
			 ? jv_string_fmt("timed out after %s (--timeout) while %s: kubectl was still running", when, what)
			 : jv_string_fmt("timed out after %s (--timeout) before %s could start", when, what);
		cr_error("%s", jv_string_value(msg));
		deploy_finish(d, CR_EXIT_TIMEOUT, "timeout", JV_OBJECT(jv_string("error"), msg));
	}
	cr_error("%s: %s", what, cr_kubectl_failure(c, r));
	int code = cr_kubectl_exit_code(r);
	deploy_finish(d, code == CR_EXIT_OK ? CR_EXIT_KUBECTL : code, "error",
		      JV_OBJECT(jv_string("error"), jv_string_fmt("%s: %s", what, cr_kubectl_failure(c, r))));
}

