/* Reading fields of jv objects without the ownership dance at every use. */
#ifndef CRUCIBLE_JSON_H
#define CRUCIBLE_JSON_H

#include <jv.h>

#include "buf.h"

/*
 * The string member key of v, or dflt when v is not an object or the
 * member is not a string. v is borrowed (not consumed) and must stay alive
 * while the result is used: it holds the string.
 */
const char *cr_json_str_or(jv v, const char *key, const char *dflt);
/* cr_json_str_or with "" for a missing member. */
const char *cr_json_str(jv v, const char *key);
/*
 * The member as text in tmp (reset first): a string as is, an array of
 * strings joined by sep, none when that gives nothing. v borrowed.
 */
const char *cr_json_text(jv v, const char *key, const char *sep, const char *none, struct cr_buf *tmp);

#endif
