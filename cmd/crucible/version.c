/*
 * `kubectl crucible version`: every installed step's version, then kubectl's
 * client and the server's. An unreachable server is said, not a failure:
 * the command is what one runs to find out what is there.
 */
#include <stdio.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/run.h"
#include "dispatch.h"

/* The "Client Version:"/"Server Version:" line of kubectl version's text output. */
static void print_line(const char *text, const char *label, const char *missing)
{
	const char *p = strstr(text, label);
	if (p)
		printf("%.*s\n", (int)strcspn(p, "\n"), p);
	else
		printf("%s %s\n", label, missing);
}

int cmd_version(const struct cr_strv *dirs)
{
	printf("kubectl-crucible %s\n", CRUCIBLE_VERSION);
	struct cr_strv steps = CR_STRV_INIT;
	installed_steps(dirs, &steps);
	print_step_lines(stdout, dirs, &steps, "--version", "(no version: it did not answer --version)");
	cr_strv_free(&steps);

	const char *kubectl = getenv("KUBECTL");
	struct cr_child c = CR_CHILD_INIT;
	cr_strv_pushl(&c.args, kubectl && *kubectl ? kubectl : "kubectl", "version", "--request-timeout=5s", NULL);
	c.timeout_ms = 15000;
	enum cr_run_result r = cr_run(&c);
	if (r == CR_RUN_NOT_FOUND) {
		printf("Client Version: (kubectl not found)\n");
	} else {
		print_line(cr_buf_str(&c.out), "Client Version:", "(unknown)");
		print_line(cr_buf_str(&c.out), "Server Version:", "(server not reachable)");
	}
	cr_child_clear(&c);
	return r == CR_RUN_INTERRUPTED ? CR_EXIT_INTERRUPTED : CR_EXIT_OK;
}
