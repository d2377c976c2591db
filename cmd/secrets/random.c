/* Random values from the kernel CSPRNG, and the URL escaping templates put them in. */
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
