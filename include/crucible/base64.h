/* Base64 (RFC 4648, standard alphabet, padded): how Secret data travels. */
#ifndef CRUCIBLE_BASE64_H
#define CRUCIBLE_BASE64_H

#include <stddef.h>

#include "buf.h"

/* Appends data encoded; out ends up allocated even for no data. */
void cr_base64(struct cr_buf *out, const void *data, size_t len);
/* Appends in (len bytes) decoded; returns 0, or -1 on a character outside the alphabet. */
int cr_base64_decode(struct cr_buf *out, const char *in, size_t len);

#endif
