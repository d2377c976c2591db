/* overlay build NAME: the overlay rendered by kubectl kustomize, on stdout (to pipe into deploy -f -). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "overlay.h"

int overlay_build(int argc, const char **argv)
{
	if (argc != 1)
		cr_usage_error("build takes NAME");
	struct cr_buf dir = CR_BUF_INIT;
	overlay_path(argv[0], "", &dir);
	struct stat st;
	if (stat(dir.data, &st) < 0 || !S_ISDIR(st.st_mode))
		cr_die(CR_EXIT_INPUT, "%s: no such overlay", dir.data);
	struct cr_child c = CR_CHILD_INIT;
	enum cr_run_result r = overlay_render(dir.data, &c);
	if (r != CR_RUN_OK) {
		int code = r == CR_RUN_EXIT ? CR_EXIT_INPUT : cr_kubectl_exit_code(r);
		cr_error("overlay %s (%s): kubectl kustomize: %s", argv[0], dir.data, cr_kubectl_failure(&c, r));
		cr_child_clear(&c);
		cr_buf_free(&dir);
		return code;
	}
	int rc = fwrite(c.out.data, 1, c.out.len, stdout) == c.out.len && fflush(stdout) == 0 ?
		CR_EXIT_OK : CR_EXIT_FAILED;
	if (rc)
		cr_error("cannot write the rendered manifests: %s", strerror(errno));
	cr_child_clear(&c);
	cr_buf_free(&dir);
	return rc;
}

