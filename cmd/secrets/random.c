/* Random values from the kernel CSPRNG, and the encodings values travel in. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "secrets.h"

/* Fills buf from getrandom(2), retrying on EINTR and short reads. */
static void random_bytes(unsigned char *buf, size_t n)
{
	while (n) {
		ssize_t got = getrandom(buf, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			cr_die(CR_EXIT_FAILED, "getrandom: %s", strerror(errno));
		buf += got;
		n -= (size_t)got;
	}
}

/*
 * Rejection sampling: bytes at or above the largest multiple of the alphabet
 * size are thrown away, so every character is equally likely (a plain
 * modulo would favour the first 256 % len characters).
 */
void sec_random(struct cr_buf *out, const char *alphabet, size_t n)
{
	size_t len = strlen(alphabet);
	unsigned limit = 256 - 256 % (unsigned)len;
	unsigned char pool[64];
	size_t avail = 0, next = 0;
	while (n) {
		if (next == avail) {
			random_bytes(pool, sizeof(pool));
			avail = sizeof(pool);
			next = 0;
		}
		unsigned char b = pool[next++];
		if (b >= limit)
			continue;
		cr_buf_add(out, &alphabet[b % len], 1);
		n--;
	}
	explicit_bzero(pool, sizeof(pool));
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sec_base64(struct cr_buf *out, const void *data, size_t len)
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

int sec_base64_decode(struct cr_buf *out, const char *in, size_t len)
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

/* RFC 3986 userinfo: unreserved characters pass, everything else is %XX. */
void sec_url_escape(struct cr_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			cr_buf_add(out, &s[i], 1);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			cr_buf_add(out, esc, 3);
		}
	}
	if (!out->data)
		cr_buf_add(out, "", 0);
}
