/* Retrying kubectl calls on transient API errors (see kretry.h). */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/run.h"
#include "crucible/util.h"

/*
 * What kubectl prints for transient failures. Its "Error from server (Reason)"
 * carries the Status reason; a 5xx without a Status body reads "an error on
 * the server (...) has prevented the request from succeeding".
 */
static const char *const transient[] = {
	"(InternalError)", "(ServiceUnavailable)", "(TooManyRequests)", "(Timeout)",
	"(ServerTimeout)", "Internal error occurred", "has prevented the request from succeeding",
	"the server is currently unable to handle the request", "too many requests",
	"the server was unable to return a response in the time allotted",
	"connection refused", "connection reset by peer", "broken pipe", "unexpected EOF",
	": EOF", "i/o timeout", "TLS handshake timeout", "http2: client connection lost",
	"http2: server sent GOAWAY", "Client.Timeout exceeded", "context deadline exceeded",
	"Unable to connect to the server", "stream error", "watch closed",
	/*
	 * Discovery failed (a 5xx after kubectl's own retries): kubectl logs
	 * these, then says "the server doesn't have a resource type" for a type
	 * it could not look up. That last line alone is a type the server does
	 * not have (a typo): permanent.
	 */
	"couldn't get current server API group list", "unable to retrieve the complete list of server APIs",
	"couldn't get resource list for",
	NULL,
};

/* Permanent reasons win when both appear (a list of per-object errors, say). */
static const char *const permanent[] = {
	"(Forbidden)", "(NotFound)", "(Invalid)", "(Conflict)", "(AlreadyExists)", "(BadRequest)",
	"(Unauthorized)", "(MethodNotAllowed)", "(UnsupportedMediaType)", "is forbidden",
	"unknown flag", "unknown command", "no matches for kind",
	NULL,
};

bool cr_kubectl_transient(const char *err)
{
	if (!err)
		return false;
	for (const char *const *p = permanent; *p; p++)
		if (strstr(err, *p))
			return false;
	for (const char *const *t = transient; *t; t++)
		if (strstr(err, *t))
			return true;
	return false;
}

int cr_retry_delay_ms(int n)
{
	long long d = CR_RETRY_FIRST_MS;
	while (n-- > 0 && d < CR_RETRY_MAX_MS)
		d *= 2;
	return d > CR_RETRY_MAX_MS ? CR_RETRY_MAX_MS : (int)d;
}

long long cr_time_left(long long deadline_ms)
{
	if (!deadline_ms)
		return -1;
	long long left = deadline_ms - cr_now_ms();
	return left > 0 ? left : 0;
}

int cr_timeout_for(long long left)
{
	return left > 0 ? (left > 0x7fffffff ? 0x7fffffff : (int)left) : 0;
}

enum cr_run_result cr_kubectl_run_retry(struct cr_child *c, const struct cr_retry *how)
{
	static const struct cr_retry defaults;
	if (!how)
		how = &defaults;
	enum cr_run_result r = CR_RUN_ERROR;
	int first = how->made, last = how->attempts > 0 ? how->attempts : CR_RETRY_ATTEMPTS;

	for (int n = first; n < last; n++) {
		if (n > first) { /* a caller that made the first attempt retries at once */
			int delay = cr_retry_delay_ms(n - 1);
			long long left = cr_time_left(how->deadline_ms);
			cr_debug("transient kubectl failure, retrying in %d ms: %s", delay, cr_kubectl_failure(c, r));
			if (left >= 0 && left < delay)
				delay = (int)left;
			if (cr_sleep_ms(delay))
				return CR_RUN_INTERRUPTED;
		}
		/* Every call ends by the deadline: an API server that never answers cannot hang the tool. */
		long long left = cr_time_left(how->deadline_ms);
		if (left == 0)
			return CR_RUN_TIMEOUT;
		c->timeout_ms = cr_timeout_for(left);
		if (how->started)
			++*how->started;
		r = cr_kubectl_run(c);
		if (r != CR_RUN_EXIT || !cr_kubectl_transient(cr_buf_str(&c->err)))
			return r;
	}
	return r;
}

enum cr_run_result cr_kubectl_run_or_die(struct cr_child *c, const struct cr_retry *how, const char *what,
					 bool may_fail)
{
	enum cr_run_result r = cr_kubectl_run_retry(c, how);
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		cr_die(CR_EXIT_INTERRUPTED, "interrupted while %s", what);
	if (r != CR_RUN_OK && !may_fail) {
		int code = cr_kubectl_exit_code(r);
		cr_die(code == CR_EXIT_OK ? CR_EXIT_KUBECTL : code, "%s: %s", what, cr_kubectl_failure(c, r));
	}
	return r;
}
