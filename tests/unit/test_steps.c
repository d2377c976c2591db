/* Tests for finding the steps' binaries (common/steps.c), the dispatcher's and up's one lookup. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/steps.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_steps.XXXXXX";

static void make_file(const char *dir, const char *name, unsigned mode)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/%s", tmpdir, dir, name);
	FILE *f = fopen(path, "w");
	fputs("#!/bin/sh\n", f);
	fclose(f);
	chmod(path, mode);
}

static char *sub(const char *dir)
{
	struct cr_buf b = CR_BUF_INIT;
	cr_buf_addf(&b, "%s/%s", tmpdir, dir);
	return b.data;
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	char *a = sub("a"), *b = sub("b"), *argv0 = sub("run/kubectl-crucible-up");
	char *run = sub("run");
	mkdir(a, 0755);
	mkdir(b, 0755);
	mkdir(run, 0755);
	make_file("a", "kubectl-crucible-deploy", 0644); /* not executable: passed over */
	make_file("b", "kubectl-crucible-deploy", 0755);
	make_file("run", "kubectl-crucible-verify", 0755);
	char dirstep[PATH_MAX];
	snprintf(dirstep, sizeof(dirstep), "%s/kubectl-crucible-secrets", a);
	mkdir(dirstep, 0755); /* a directory: passed over */

	struct cr_buf path = CR_BUF_INIT;
	cr_buf_addf(&path, "relative/dir:%s:%s", a, b);
	setenv("PATH", path.data, 1);

	struct cr_strv dirs = CR_STRV_INIT;
	cr_step_dirs(&dirs, argv0);
	ok(dirs.n >= 3 && !strcmp(dirs.v[0], run), "the directory we were run from comes first");
	ok(dirs.n >= 3 && !strcmp(dirs.v[dirs.n - 2], a) && !strcmp(dirs.v[dirs.n - 1], b),
	   "then PATH's entries, in order");
	bool relative = false;
	for (size_t i = 0; i < dirs.n; i++)
		relative |= dirs.v[i][0] != '/';
	ok(!relative, "relative PATH entries are skipped");

	char *p = cr_step_path(&dirs, "deploy");
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/kubectl-crucible-deploy", b);
	is_str(p, want, "a file that is not executable is passed over");
	free(p);
	p = cr_step_path(&dirs, "verify");
	snprintf(want, sizeof(want), "%s/kubectl-crucible-verify", run);
	is_str(p, want, "found beside the path we were run by");
	free(p);
	ok(cr_step_path(&dirs, "secrets") == NULL, "a directory of that name is not a step");
	ok(cr_step_path(&dirs, "nosuch") == NULL, "a missing step: NULL");
	cr_strv_free(&dirs);

	cr_step_dirs(&dirs, "kubectl-crucible-up");
	ok(dirs.n >= 2 && !strcmp(dirs.v[dirs.n - 2], a), "run by a bare name: no directory of its own added");
	p = cr_step_path(&dirs, "verify");
	ok(p == NULL, "... so nothing is found beside it");
	free(p);
	cr_strv_free(&dirs);

	p = cr_self_path("x");
	ok(p && p[0] == '/' && strstr(p, "/x") == p + strlen(p) - 2, "cr_self_path: DIR/NAME beside our own binary");
	free(p);

	rmdir(dirstep);
	static const char *const files[] = { "a/kubectl-crucible-deploy", "b/kubectl-crucible-deploy",
					      "run/kubectl-crucible-verify", "a", "b", "run", NULL };
	for (const char *const *f = files; *f; f++) {
		snprintf(want, sizeof(want), "%s/%s", tmpdir, *f);
		remove(want);
	}
	rmdir(tmpdir);
	cr_buf_free(&path);
	free(a);
	free(b);
	free(run);
	free(argv0);
	return tap_done();
}
