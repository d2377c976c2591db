/* Kubernetes objects as kubectl prints them and as kubectl -f - reads them. */
#ifndef CRUCIBLE_OBJECTS_H
#define CRUCIBLE_OBJECTS_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

/*
 * The objects of kubectl -o json output (one object, a List, or several
 * documents) as an array, a List's items in its place; invalid with a
 * message when the JSON is malformed or cut short, holds a value that is
 * not an object, or is a failed API Status (a kubectl, proxy or wrapper
 * that exits 0 with the server's error as its output).
 */
jv cr_objects_parse(const char *text, size_t len);
/* cr_objects_parse, or the tool ends with CR_EXIT_KUBECTL and "WHAT: why". */
jv cr_objects_parse_or_die(const char *text, size_t len, const char *what);
/*
 * For a Go template's output, whose lines start with a name: JSON instead
 * (an API Status from a kubectl, proxy or wrapper exiting 0) ends the tool
 * with CR_EXIT_KUBECTL and "WHAT: why", naming the server's error.
 */
void cr_objects_not_json(const char *text, size_t len, const char *what);
/* The message of v when it is a failed API Status (borrowed from v), else NULL. */
const char *cr_objects_status_error(jv v);
/*
 * Appends objects (an array, consumed) as concatenated JSON documents for
 * kubectl -f -: not a List, whose kind kubectl would try to validate
 * against the OpenAPI schema.
 */
void cr_objects_stream(jv objects, struct cr_buf *out);

#endif
