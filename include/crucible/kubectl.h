/* Running kubectl with the global flags every tool passes through. */
#ifndef CRUCIBLE_KUBECTL_H
#define CRUCIBLE_KUBECTL_H

#include <stdbool.h>

#include "run.h"

/*
 * Starts c->args with the kubectl binary (--kubectl, then $KUBECTL, then
 * "kubectl" on PATH) followed by --context, --kubeconfig, --request-timeout
 * and, when namespaced, -n NAMESPACE from the global options.
 */
void cr_kubectl_args(struct cr_child *c, bool namespaced);

/* With no deadline, a kubectl process is killed after this long: 5 min. */
#define CR_CALL_TIMEOUT_MS (5 * 60 * 1000)

/*
 * The bound on one kubectl process that has no deadline of its own: twice
 * --request-timeout plus 3 s when one is given (kubectl makes a few
 * requests per call), else CR_CALL_TIMEOUT_MS.
 */
int cr_kubectl_call_timeout_ms(void);

/*
 * cr_run with kubectl conventions: -v prints the command line on stderr
 * first; a process with no timeout_ms gets cr_kubectl_call_timeout_ms, so
 * a kubectl or API server that never answers cannot hang the tool. Prints
 * nothing else: the caller reports a failure once, with
 * cr_kubectl_failure (for a missing binary: "kubectl not found (set KUBECTL
 * or --kubectl)"). Returns the cr_run result.
 */
enum cr_run_result cr_kubectl_run(struct cr_child *c);

/* With -v: "+ kubectl get ..." on stderr, words shell-quoted (stdin never shown). */
void cr_kubectl_trace(const struct cr_child *c);

/*
 * The one-line reason a finished kubectl call failed, for an error message:
 * the last non-empty line of its stderr, or "exit status N"/"killed by
 * signal N"/"timed out after N s". Points into c or a static buffer.
 */
const char *cr_kubectl_failure(const struct cr_child *c, enum cr_run_result r);

/* The exit code (enum cr_exit) that a failed kubectl call maps to. */
int cr_kubectl_exit_code(enum cr_run_result r);

#endif
