/* Where the steps' binaries are (see steps.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/steps.h"
#include "crucible/util.h"

/* The directory of our own executable (not of the symlink krew made). */
static void self_dir(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
	else
		out[0] = '\0';
}

char *cr_self_path(const char *name)
{
	char dir[PATH_MAX];
	self_dir(dir, sizeof(dir));
	struct cr_buf p = CR_BUF_INIT;
	cr_buf_addf(&p, "%s/%s", dir, name);
	return p.data;
}

void cr_step_dirs(struct cr_strv *dirs, const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	if (slash) {
		char *d = strndup(argv0, (size_t)(slash - argv0));
		cr_strv_push(dirs, *d ? d : "/");
		free(d);
	}
	char self[PATH_MAX];
	self_dir(self, sizeof(self));
	if (*self)
		cr_strv_push(dirs, self);
	const char *path = getenv("PATH");
	char *copy = cr_xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	/* Like cr_which, relative entries are skipped: they depend on the cwd. */
	for (char *save, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
		if (*d == '/')
			cr_strv_push(dirs, d);
	free(copy);
}

char *cr_step_path(const struct cr_strv *dirs, const char *step)
{
	for (size_t i = 0; i < dirs->n; i++) {
		struct cr_buf p = CR_BUF_INIT;
		cr_buf_addf(&p, "%s/" CR_STEP_PREFIX "%s", dirs->v[i], step);
		if (cr_is_executable(p.data))
			return p.data;
		cr_buf_free(&p);
	}
	return NULL;
}
