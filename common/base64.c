/* Base64 encoding and decoding (see base64.h); the buffers are wiped by their owners. */
#include <string.h>

#include "crucible/base64.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void cr_base64(struct cr_buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char quad[4];
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = b64[(v >> 18) & 63];
		quad[1] = b64[(v >> 12) & 63];
		quad[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? b64[v & 63] : '=';
		cr_buf_add(out, quad, 4);
	}
	explicit_bzero(quad, sizeof(quad));
	if (!out->data)
		cr_buf_add(out, "", 0);
}

static int b64_index(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

int cr_base64_decode(struct cr_buf *out, const char *in, size_t len)
{
	unsigned v = 0;
	int bits = 0, rc = 0;
	size_t i;
	for (i = 0; i < len && in[i] != '='; i++) {
		int d = b64_index(in[i]);
		if (d < 0) {
			rc = -1;
			break;
		}
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char c = (char)((v >> bits) & 0xff);
			cr_buf_add(out, &c, 1);
		}
	}
	for (; !rc && i < len; i++)
		if (in[i] != '=')
			rc = -1;
	v = 0;
	if (!out->data)
		cr_buf_add(out, "", 0);
	return rc;
}
