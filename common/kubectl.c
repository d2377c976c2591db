/* Running kubectl with the global flags, and turning its failures into messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"

#define NOT_FOUND_MSG "kubectl not found (set KUBECTL or --kubectl)"

static bool is_set(const char *s)
{
	return s && *s;
}

/* --kubectl wins over $KUBECTL, which wins over "kubectl" on PATH. */
static const char *kubectl_program(void)
{
	const char *env = getenv("KUBECTL");

	if (is_set(cr_opts.kubectl))
		return cr_opts.kubectl;
	if (is_set(env))
		return env;
	return "kubectl";
}

/* Pushes "flag value" as two words, only when the option was given. */
static void push_opt(struct cr_strv *args, const char *flag, const char *value)
{
	if (is_set(value))
		cr_strv_pushl(args, flag, value, (const char *)NULL);
}

void cr_kubectl_args(struct cr_child *c, bool namespaced)
{
	cr_strv_free(&c->args);
	cr_strv_push(&c->args, kubectl_program());
	push_opt(&c->args, "--context", cr_opts.context);
	push_opt(&c->args, "--kubeconfig", cr_opts.kubeconfig);
	push_opt(&c->args, "--request-timeout", cr_opts.request_timeout);
	if (namespaced)
		push_opt(&c->args, "-n", cr_opts.namespace);
}

/* Characters a shell reader needs no quotes around. */
static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_@%+=:,./-", *s))
			return false;
	}
	return true;
}

/* Appends word quoted for sh, so a -v line can be pasted back into a shell. */
static void add_quoted(struct cr_buf *b, const char *word)
{
	if (shell_safe(word)) {
		cr_buf_adds(b, word);
		return;
	}
	cr_buf_add(b, "'", 1);
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			cr_buf_adds(b, "'\\''");
		else
			cr_buf_add(b, p, 1);
	}
	cr_buf_add(b, "'", 1);
}

/* "+ kubectl get ..." like sh -x; only argv, never what goes to stdin. */
void cr_kubectl_trace(const struct cr_child *c)
{
	struct cr_buf line = CR_BUF_INIT;

	cr_buf_adds(&line, "+");
	for (size_t i = 0; i < c->args.n; i++) {
		cr_buf_add(&line, " ", 1);
		add_quoted(&line, c->args.v[i]);
	}
	cr_debug("%s", cr_buf_str(&line));
	cr_buf_free(&line);
}

int cr_kubectl_call_timeout_ms(void)
{
	long long rt = cr_opts.request_timeout ? cr_parse_duration(cr_opts.request_timeout) : -1;
	if (rt <= 0)
		return CR_CALL_TIMEOUT_MS;
	long long ms = 2 * rt + 3000;
	return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

enum cr_run_result cr_kubectl_run(struct cr_child *c)
{
	enum cr_run_result r;

	if (!c->timeout_ms)
		c->timeout_ms = cr_kubectl_call_timeout_ms();
	if (cr_verbose > 0)
		cr_kubectl_trace(c);
	r = cr_run(c);
	return r;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Copies the last line of err with visible text into out; false if none. */
static bool last_stderr_line(const struct cr_buf *err, char *out, size_t size)
{
	const char *data = cr_buf_str(err);
	size_t end = err->len;

	/* Skipping trailing whitespace, newlines included, skips empty lines. */
	while (end > 0 && is_space(data[end - 1]))
		end--;
	if (!end)
		return false;
	size_t start = end;
	while (start > 0 && data[start - 1] != '\n')
		start--;
	size_t n = end - start;
	if (n >= size)
		n = size - 1; /* long enough for a message; keep its start */
	memcpy(out, data + start, n);
	out[n] = '\0';
	return true;
}

/*
 * Copies the last line that is kubectl's error ("error: ...", "Error from
 * server ...") into out: a help text may follow it (a server-side apply
 * conflict ends with advice and a link); false if none.
 */
static bool error_line(const struct cr_buf *err, char *out, size_t size)
{
	const char *data = cr_buf_str(err), *found = NULL;
	for (const char *line = data; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "error: ", 7) || !strncmp(line, "Error: ", 7) || !strncmp(line, "Error from server", 17))
			found = line;
	if (!found)
		return false;
	size_t n = strcspn(found, "\r\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, found, n);
	out[n] = '\0';
	return true;
}

const char *cr_kubectl_failure(const struct cr_child *c, enum cr_run_result r)
{
	static char msg[1024];

	switch (r) {
	case CR_RUN_NOT_FOUND:
		return NOT_FOUND_MSG;
	case CR_RUN_TIMEOUT:
		if (c->timeout_ms % 1000)
			snprintf(msg, sizeof(msg), "timed out after %.1f s", (double)c->timeout_ms / 1000.0);
		else
			snprintf(msg, sizeof(msg), "timed out after %d s", c->timeout_ms / 1000);
		return msg;
	case CR_RUN_INTERRUPTED:
		return "interrupted";
	case CR_RUN_STOPPED:
		return "stopped";
	case CR_RUN_ERROR:
		return "could not run kubectl";
	case CR_RUN_OK:
	case CR_RUN_EXIT:
	case CR_RUN_SIGNALED:
		break;
	}
	if (error_line(&c->err, msg, sizeof(msg)) || last_stderr_line(&c->err, msg, sizeof(msg)))
		return msg;
	if (c->exited)
		snprintf(msg, sizeof(msg), "exit status %d", c->exit_code);
	else
		snprintf(msg, sizeof(msg), "killed by signal %d", c->term_signal);
	return msg;
}

int cr_kubectl_exit_code(enum cr_run_result r)
{
	switch (r) {
	case CR_RUN_OK:
	case CR_RUN_STOPPED: /* the caller stopped it on purpose */
		return CR_EXIT_OK;
	case CR_RUN_TIMEOUT:
		return CR_EXIT_TIMEOUT;
	case CR_RUN_INTERRUPTED:
		return CR_EXIT_INTERRUPTED;
	case CR_RUN_EXIT:
	case CR_RUN_SIGNALED:
	case CR_RUN_NOT_FOUND:
	case CR_RUN_ERROR:
		break;
	}
	return CR_EXIT_KUBECTL;
}
