/* Another step's binary: the one installed with us wins over one on PATH. */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/run.h"
#include "crucible/step.h"

static char *beside(const char *file, const char *name)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (!slash)
		return NULL;
	struct cr_buf p = CR_BUF_INIT;
	cr_buf_addf(&p, "%.*s/kubectl-crucible-%s", (int)(slash - file), file, name);
	if (access(p.data, X_OK) == 0)
		return p.data;
	cr_buf_free(&p);
	return NULL;
}

char *cr_find_step(const char *argv0, const char *name)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	char *found = beside(argv0, name);
	if (found || (found = beside(self, name)))
		return found;
	struct cr_buf b = CR_BUF_INIT;
	cr_buf_addf(&b, "kubectl-crucible-%s", name);
	found = cr_which(b.data);
	cr_buf_free(&b);
	return found;
}
