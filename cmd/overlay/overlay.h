/* kubectl-crucible-overlay: one file per command; this is what they share. */
#ifndef CRUCIBLE_OVERLAY_H
#define CRUCIBLE_OVERLAY_H

#include <stdbool.h>

#include "crucible/buf.h"
#include "crucible/run.h"
#include "crucible/yedit.h"

extern struct overlay_opts {
	char *dir;
	char *project;
	char *output;
	int dry_run;
} overlay_opts;

/* common.c */
const char *overlay_env_or(const char *name, const char *dflt); /* $name when set and not empty, else dflt */
void overlay_root(struct cr_buf *path);                         /* --dir, else the project's overlays/ */
bool overlay_want_json(void);                                   /* -o json (text: false; else usage error) */
/* DIR/NAME plus file ("" for the directory); a NAME with '/' or '..' dies (exit 3). */
void overlay_path(const char *name, const char *file, struct cr_buf *path);
/* The kustomization at path, parsed into data's bytes; bad input dies (exit 3). */
struct cr_ydoc *overlay_load(const char *path, struct cr_buf *data);
/* kubectl kustomize of dir; c holds the output (or kubectl's stderr) for the caller to clear. */
enum cr_run_result overlay_render(const char *dir, struct cr_child *c);
/* out on stdout with --dry-run, else atomically over path keeping its mode; a failure dies (exit 1). */
void overlay_write(const char *path, const struct cr_buf *out);

/* One file each; argv without the command name. */
int overlay_list(int argc, const char **argv);
int overlay_build(int argc, const char **argv);
int overlay_validate(int argc, const char **argv);
int overlay_set_registry(int argc, const char **argv);

#endif
