/* Kubernetes objects as kubectl prints them and as kubectl -f - reads them. */
#ifndef CRUCIBLE_OBJECTS_H
#define CRUCIBLE_OBJECTS_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

/*
 * The objects of kubectl -o json output (one object, a List, or several
 * documents) as an array, a List's items in its place; invalid with a
 * message on malformed JSON.
 */
jv cr_objects_parse(const char *text, size_t len);
/*
 * Appends objects (an array, consumed) as concatenated JSON documents for
 * kubectl -f -: not a List, whose kind kubectl would try to validate
 * against the OpenAPI schema.
 */
void cr_objects_stream(jv objects, struct cr_buf *out);

#endif
