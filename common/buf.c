/* Growable buffers and argv vectors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/log.h"

static void *nonnull(void *p)
{
	if (!p) {
		fprintf(stderr, "%s: error: out of memory\n", cr_progname);
		exit(CR_EXIT_FAILED);
	}
	return p;
}

void *cr_xmalloc(size_t n)
{
	return nonnull(malloc(n ? n : 1));
}

void *cr_xrealloc(void *p, size_t n)
{
	return nonnull(realloc(p, n ? n : 1));
}

char *cr_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(cr_xmalloc(n), s, n);
}

char *cr_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = memcpy(cr_xmalloc(len + 1), s, len);
	p[len] = '\0';
	return p;
}

/* Growth never moves secret bytes through realloc, which would leave a copy behind. */
static void grow(struct cr_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *fresh = cr_xmalloc(cap);
	if (b->data) {
		memcpy(fresh, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = fresh;
	b->cap = cap;
}

void cr_buf_add(struct cr_buf *b, const void *data, size_t len)
{
	grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void cr_buf_adds(struct cr_buf *b, const char *s)
{
	cr_buf_add(b, s, strlen(s));
}

void cr_buf_vaddf(struct cr_buf *b, const char *fmt, va_list ap)
{
	/* Format into the free space first; only a long result needs a second pass. */
	grow(b, 64);
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		grow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void cr_buf_addf(struct cr_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cr_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

const char *cr_buf_str(const struct cr_buf *b)
{
	return b->data ? b->data : "";
}

void cr_buf_reset(struct cr_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void cr_buf_free(struct cr_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void cr_buf_wipe(struct cr_buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	cr_buf_free(b);
}

void cr_strv_push(struct cr_strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = cr_xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = cr_xstrdup(s);
	sv->v[sv->n] = NULL;
}

void cr_strv_pushf(struct cr_strv *sv, const char *fmt, ...)
{
	struct cr_buf b = CR_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cr_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	cr_strv_push(sv, cr_buf_str(&b));
	cr_buf_free(&b);
}

void cr_strv_pushl(struct cr_strv *sv, ...)
{
	va_list ap;
	va_start(ap, sv);
	for (const char *s; (s = va_arg(ap, const char *));)
		cr_strv_push(sv, s);
	va_end(ap);
}

void cr_strv_free(struct cr_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
