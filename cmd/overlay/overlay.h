/* kubectl-crucible-overlay: one file per command; this is what they share. */
#ifndef CRUCIBLE_OVERLAY_H
#define CRUCIBLE_OVERLAY_H

#include <jv.h>
#include <stdbool.h>

#include "crucible/buf.h"
#include "crucible/run.h"
#include "crucible/yedit.h"

extern struct overlay_opts {
	char *dir;
	char *project;
	char *output;
	int dry_run;
	char *from;      /* create: base or an overlay */
	char *registry;  /* create */
	char *tag;       /* create */
	char **replicas; /* create: svc=N, repeatable */
	int force;       /* create over an existing overlay */
} overlay_opts;

/* common.c */
const char *overlay_env_or(const char *name, const char *dflt); /* $name when set and not empty, else dflt */
void overlay_root(struct cr_buf *path);                         /* --dir, else the project's overlays/ */
bool overlay_want_json(void);                                   /* -o json (text: false; else usage error) */
/* DIR/NAME plus file ("" for the directory); a NAME with '/' or '..' dies (exit 3). */
void overlay_path(const char *name, const char *file, struct cr_buf *path);
/* The kustomization at path, parsed into data's bytes; bad input dies (exit 3). */
struct cr_ydoc *overlay_load(const char *path, struct cr_buf *data);
/* The item of the top-level list (images:, replicas:) whose name: is name, or NULL. */
const struct cr_ynode *overlay_entry(const struct cr_ydoc *d, const char *list, const char *name);
/* An overlay's kustomization.yaml being edited: opened (loaded and checked), then saved and freed. */
struct overlay_edit {
	struct cr_buf dir, path, data;
	struct cr_ydoc *d; /* over data; each edit parses it again (overlay_reparse) */
};
void overlay_edit_open(struct overlay_edit *e, const char *name);
void overlay_edit_save(struct overlay_edit *e, const char *done); /* overlay_write, then "path: done" */
/* d's edits applied and parsed again (into data), for the next edit to see them. */
struct cr_ydoc *overlay_reparse(const char *path, struct cr_buf *data, struct cr_ydoc *d);
/* The objects rendered from dir (kubectl kustomize); failing to render dies (3, or 4). */
jv overlay_objects(const char *dir);
/* kubectl kustomize of dir; c holds the output (or kubectl's stderr) for the caller to clear. */
enum cr_run_result overlay_render(const char *dir, struct cr_child *c);
/* out on stdout with --dry-run, else atomically over path keeping its mode; a failure dies (exit 1). */
void overlay_write(const char *path, const struct cr_buf *out);

/* rendered.c: what rendered manifests hold. */
char *overlay_image_repo(const char *image);                 /* "host/path" without tag or digest, or NULL */
jv overlay_image_repos(jv objects);                          /* the containers' image repos, sorted (consumes) */
jv overlay_platform_names(void);                             /* the base's images: names, registry-neutral */
bool overlay_is_platform(jv names, const char *image);       /* image's last component is one of names (borrows) */
jv overlay_platform_images(jv names, jv objects);            /* repos in objects of those images (consumes) */
bool overlay_has_workload(jv objects, const char *name);     /* a Deployment, StatefulSet, ... so named (borrows) */

/* images.c: kustomize edit set image on an overlay's images: list. */
struct overlay_image_arg {
	char *name;     /* the image as the manifests name it */
	char *new_name; /* NULL: keep */
	char *tag;      /* NULL: keep */
	char *digest;   /* NULL: keep; a tag and no digest drops the digest, and the other way round */
};
/* IMAGE=NEWNAME[:TAG][@DIGEST], IMAGE=:TAG, IMAGE:TAG, IMAGE@DIGEST; a bad one dies (exit 3). */
void overlay_image_arg_parse(const char *arg, struct overlay_image_arg *a);
void overlay_image_arg_free(struct overlay_image_arg *a);
/* Whether the overlay's images: list or its rendered manifests (repos, consumed) have the image. */
bool overlay_image_known(const struct cr_ydoc *d, jv repos, const char *name);
/* Sets the images: entry for a->name, adding it when missing; d is parsed again. */
struct cr_ydoc *overlay_image_set(const char *path, struct cr_buf *data, struct cr_ydoc *d,
				  const struct overlay_image_arg *a);
/* An images: entry's image, without host and project: "api-service" of "h/crucible-platform/api-service". */
char *overlay_image_basename(const char *ref);

/* set-replicas.c: svc=N, N a non-negative integer (canonical: no leading zeros); a bad one dies (exit 3). */
void overlay_replicas_arg(const char *arg, char **name, char **count);
/* count (canonical) for the workload: its entry's count, or a new entry at the end; d is parsed again. */
struct cr_ydoc *overlay_replicas_set(const char *path, struct cr_buf *data, struct cr_ydoc *d, const char *name,
				     const char *count);

/*
 * edit.c: every platform image (its last component one of platform's names,
 * borrowed) of d's images: list to registry/project/<its name>. The edits
 * that cannot be done (an entry without a name, a bad image) die, exit 3;
 * like every edit here, nothing is left allocated when they do.
 */
void overlay_registry_set(const char *path, struct cr_ydoc *d, jv platform, const char *registry,
			  const char *project);

/*
 * workloads.c: validate's findings ({file, line, message}, appended to
 * *findings) about replicas an autoscaler owns and resources patches naming
 * a missing container; objects (consumed) are the rendered overlay, src the
 * kustomization's bytes that d was parsed from.
 */
void overlay_check_workloads(const char *dir, const char *kfile, const struct cr_ydoc *d, const char *src,
			     jv objects, jv *findings);

/* One file each; argv without the command name. */
int overlay_list(int argc, const char **argv);
int overlay_build(int argc, const char **argv);
int overlay_validate(int argc, const char **argv);
int overlay_diff(int argc, const char **argv);
int overlay_set_registry(int argc, const char **argv);
int overlay_create(int argc, const char **argv);
int overlay_set_image(int argc, const char **argv);
int overlay_set_tag(int argc, const char **argv);
int overlay_set_replicas(int argc, const char **argv);

#endif
