/* Turning the manifest source flags into one JSON array of objects. */
#ifndef CRUCIBLE_MANIFESTS_H
#define CRUCIBLE_MANIFESTS_H

#include <jv.h>
#include <stdbool.h>

#include "opts.h"

/*
 * The directory holding the project's own manifests (base/ and overlays/):
 * $CRUCIBLE_MANIFESTS, else ./k8s when it has base/, else the installed copy
 * under PREFIX/share/kubectl-crucible/k8s. Returns a static string or NULL.
 */
const char *cr_manifests_home(void);

/*
 * Loads the objects named by src: -f FILE (YAML or JSON, multi-document,
 * "-" for stdin; a directory reads its *.yaml, *.yml, *.json files in name
 * order), -k DIR (rendered with `kubectl kustomize DIR`), --overlay NAME
 * (kustomize of HOME/overlays/NAME), or by default HOME/base. Kind "List"
 * items are flattened. Returns a jv array, or an invalid jv whose message
 * names the file (and line) or the failing kubectl call; *exit_code then
 * says which exit code that failure maps to (CR_EXIT_INPUT or CR_EXIT_KUBECTL).
 *
 * When origins is non-NULL it receives an array parallel to the result:
 * {"file": name, "line": first line, "lines": {pointer: line}} per object
 * (file "-" for stdin, "kustomize DIR" for rendered input).
 */
jv cr_manifests_load(const struct cr_source_opts *src, jv *origins, int *exit_code);

/*
 * Reads the manifest files under path and calls fn for each with its
 * documents as parsed (no kind check, Lists not flattened) and their origins
 * as above; on a read or parse error docs is invalid, its message naming
 * "file[:line:col]". path "-" is stdin; a named file is read whatever its
 * name; a directory gives its *.yaml, *.yml and *.json files in name order,
 * and with recursive its subdirectories, never following a symlinked
 * directory inside the tree (no loops). fn consumes docs and origins; a
 * nonzero return stops the walk and is returned.
 */
typedef int (*cr_manifest_file_fn)(const char *file, jv docs, jv origins, void *ctx);
int cr_manifests_walk(const char *path, bool recursive, cr_manifest_file_fn fn, void *ctx);

/*
 * Reads a whole file ("-" is stdin) into a buffer; returns 0 or -1 with
 * errno (EINTR when a SIGINT/SIGTERM interrupted it, see run.h).
 */
#include "buf.h"
int cr_read_file(const char *path, struct cr_buf *out);

#endif
