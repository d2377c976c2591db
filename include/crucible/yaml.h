/*
 * YAML <-> JSON values through libyaml, resolving scalars as kubectl does
 * (YAML 1.1 as in sigs.k8s.io/yaml / go-yaml v2).
 */
#ifndef CRUCIBLE_YAML_H
#define CRUCIBLE_YAML_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

/* Limits that stop alias bombs and absurd nesting. */
#define CR_YAML_MAX_DEPTH 200
/* Nodes produced, counting alias expansion; a scalar weighs 1 + length/16 (about 32 MB of text in all). */
#define CR_YAML_MAX_NODES 2000000

/*
 * Parses a multi-document stream into a jv array of documents (empty and
 * null documents skipped). name labels errors ("file:line:col: problem",
 * 1-based). On error returns an invalid jv with that message.
 *
 * When lines is non-NULL it receives an array parallel to the result: for
 * each document an object mapping the JSON pointer of every node ("" for the
 * document, "/metadata/name", "/spec/containers/0/env/1/value") to its
 * 1-based line number (a mapping value gets its key's line; the contents of
 * an alias get only the alias's pointer). On error *lines is jv_invalid().
 */
jv cr_yaml_parse(const char *data, size_t len, const char *name, jv *lines);

/*
 * Appends one YAML document for value (consumed) to out, block style, keys
 * sorted (jv objects keep no insertion order; kubectl -o yaml sorts too),
 * strings quoted whenever they would read back as another type. Returns 0, or
 * -1 (value not representable: NaN/infinity, invalid) with nothing appended.
 */
int cr_yaml_emit(jv value, struct cr_buf *out);
/* Appends a stream: each element of the array (consumed) as a document, separated by "---". */
int cr_yaml_emit_stream(jv docs, struct cr_buf *out);

#endif
