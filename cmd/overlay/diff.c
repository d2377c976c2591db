/*
 * overlay diff NAME: what deploying the overlay would change on the cluster.
 * The overlay is rendered and ordered as deploy does it (crucible/plan.h),
 * then `kubectl diff --server-side` with deploy's field manager gets the
 * objects on stdin: the server's dry-run apply against the live objects,
 * Secret values masked by kubectl. kubectl diff's exit status is the answer
 * (0 no change, 1 changes); anything above is an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/manager.h"
#include "crucible/manifests.h"
#include "crucible/namespace.h"
#include "crucible/objects.h"
#include "crucible/opts.h"
#include "crucible/plan.h"
#include "overlay.h"

/* The overlay's objects as deploy would apply them; bad input dies naming the overlay. */
static jv planned(const char *name, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		cr_die(CR_EXIT_INPUT, "%s: no such overlay", dir);
	struct cr_source_opts src = { .kustomize = (char *)dir };
	int code = CR_EXIT_INPUT;
	jv objects = cr_manifests_load(&src, NULL, &code);
	if (!jv_is_valid(objects)) {
		jv msg = jv_invalid_get_msg(objects);
		cr_die(code, "overlay %s: %s", name, jv_string_value(msg));
	}
	if (jv_array_length(jv_copy(objects)) == 0)
		cr_die(CR_EXIT_INPUT, "overlay %s: no objects", name);
	char *err;
	code = cr_namespace_choose(jv_copy(objects), "diff one namespace at a time", &err);
	if (code)
		cr_die(code, "overlay %s: %s", name, err);
	return cr_plan_ordered(objects, cr_opts.namespace);
}

int overlay_diff(int argc, const char **argv)
{
	if (argc != 1)
		cr_usage_error("diff takes NAME");
	struct cr_buf dir = CR_BUF_INIT, text = CR_BUF_INIT;
	overlay_path(argv[0], "", &dir);
	cr_objects_stream(planned(argv[0], dir.data), &text);

	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "diff", "--server-side", "--field-manager=" CR_FIELD_MANAGER, "-f", "-",
		      (const char *)NULL);
	c.in = text.data;
	c.in_len = text.len;
	/* A server-side dry run changes nothing: transient failures are retried. */
	enum cr_run_result r = cr_kubectl_run_retry(&c, NULL);
	cr_buf_wipe(&text); /* may hold Secret values */
	if (r == CR_RUN_OK && c.out.len) { /* exit 0 means no differences, so nothing printed */
		cr_objects_not_json(c.out.data, c.out.len, "kubectl diff");
		cr_child_clear(&c);
		cr_die(CR_EXIT_KUBECTL, "overlay %s: kubectl diff exited 0 (no changes) yet printed something",
		       argv[0]);
	}
	int rc;
	if (r == CR_RUN_OK || (r == CR_RUN_EXIT && c.exit_code == 1)) {
		rc = r == CR_RUN_OK ? CR_EXIT_OK : CR_EXIT_FAILED;
		fputs(cr_buf_str(&c.err), stderr); /* kubectl's warnings */
		if (fwrite(cr_buf_str(&c.out), 1, c.out.len, stdout) != c.out.len || fflush(stdout)) {
			cr_error("cannot write the diff: %s", strerror(errno));
			rc = CR_EXIT_KUBECTL;
		} else if (rc == CR_EXIT_OK) {
			cr_info("overlay %s: no changes", argv[0]);
		}
	} else {
		rc = cr_kubectl_exit_code(r);
		if (rc == CR_EXIT_OK)
			rc = CR_EXIT_KUBECTL;
		cr_error("overlay %s: kubectl diff: %s", argv[0], cr_kubectl_failure(&c, r));
		/* The server dry-runs each object alone: the overlay's own Namespace is not there yet. */
		struct cr_buf nf = CR_BUF_INIT;
		cr_buf_addf(&nf, "namespaces \"%s\" not found", cr_opts.namespace);
		if (strstr(cr_buf_str(&c.err), nf.data))
			cr_error("namespace %s does not exist yet: 'kubectl crucible secrets apply' or deploy creates it",
				 cr_opts.namespace);
		cr_buf_free(&nf);
	}
	cr_child_clear(&c);
	cr_buf_free(&text);
	cr_buf_free(&dir);
	return rc;
}
