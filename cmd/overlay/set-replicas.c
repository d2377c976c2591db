/* overlay set-replicas NAME svc=N ...: kustomize edit set replicas, on the overlay's replicas: list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "overlay.h"

void overlay_replicas_arg(const char *arg, char **name, char **count)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		cr_die(CR_EXIT_INPUT, "invalid replicas '%s': want WORKLOAD=COUNT", arg);
	const char *n = eq + 1;
	char *end;
	errno = 0;
	long v = strtol(n, &end, 10);
	/* Digits only: "-1", "+2", "1.5", "0x10" and "" are not counts. */
	if (!*n || strspn(n, "0123456789") != strlen(n) || errno || v > 2147483647L)
		cr_die(CR_EXIT_INPUT, "invalid replicas '%s': the count must be a non-negative integer", arg);
	*name = cr_xstrndup(arg, (size_t)(eq - arg));
	struct cr_buf b = CR_BUF_INIT;
	cr_buf_addf(&b, "%ld", v); /* "010" would read as octal in YAML 1.1 */
	*count = b.data;
}

struct cr_ydoc *overlay_replicas_set(const char *path, struct cr_buf *data, struct cr_ydoc *d, const char *name,
				     const char *count)
{
	const struct cr_ynode *root = cr_ydoc_root(d), *e = overlay_entry(d, "replicas", name);
	const struct cr_ynode *reps = cr_ynode_get(root, "replicas", NULL), *at = e ? e : reps ? reps : root;
	const char *why;
	char *text = cr_ydoc_quote(name);
	const char *kv[] = { "name", text, "count", count, NULL };
	int rc = e ? cr_ydoc_map_set(d, e, "count", count, &why) :
	     reps && reps->kind == CR_YSEQ ? cr_ydoc_seq_append(d, reps, kv, &why) :
					    cr_ydoc_top_add_seq(d, "replicas", kv, &why);
	free(text);
	if (rc < 0)
		cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: cannot set replicas here: %s", path, at->line, at->column, why);
	return overlay_reparse(path, data, d);
}

int overlay_set_replicas(int argc, const char **argv)
{
	if (argc < 2)
		cr_usage_error("set-replicas takes NAME WORKLOAD=COUNT...");
	char **names = cr_xmalloc((size_t)argc * sizeof(*names)), **counts = cr_xmalloc((size_t)argc * sizeof(*counts));
	for (int i = 1; i < argc; i++)
		overlay_replicas_arg(argv[i], &names[i], &counts[i]);
	struct overlay_edit e;
	overlay_edit_open(&e, argv[0]);
	jv objects = overlay_objects(e.dir.data);
	for (int i = 1; i < argc; i++)
		if (!overlay_has_workload(objects, names[i]))
			cr_die(CR_EXIT_INPUT, "%s: overlay %s has no workload '%s' (a Deployment, StatefulSet, "
			       "ReplicaSet or ReplicationController)", argv[i], argv[0], names[i]);
	jv_free(objects);
	for (int i = 1; i < argc; i++) {
		e.d = overlay_replicas_set(e.path.data, &e.data, e.d, names[i], counts[i]);
		free(names[i]);
		free(counts[i]);
	}
	free(names);
	free(counts);
	overlay_edit_save(&e, "replicas set");
	return CR_EXIT_OK;
}
