/* Growable byte buffers and argv vectors (after git's strbuf and strvec). */
#ifndef CRUCIBLE_BUF_H
#define CRUCIBLE_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Always NUL-terminated once anything was added; data may be NULL when empty. */
struct cr_buf {
	char *data;
	size_t len, cap;
};
#define CR_BUF_INIT { NULL, 0, 0 }

void cr_buf_add(struct cr_buf *b, const void *data, size_t len);
void cr_buf_adds(struct cr_buf *b, const char *s);
void cr_buf_addf(struct cr_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cr_buf_vaddf(struct cr_buf *b, const char *fmt, va_list ap);
/* Returns data, or "" when nothing was ever added. */
const char *cr_buf_str(const struct cr_buf *b);
void cr_buf_reset(struct cr_buf *b);
void cr_buf_free(struct cr_buf *b);
/* Overwrites the whole allocation with explicit_bzero before freeing: for secrets. */
void cr_buf_wipe(struct cr_buf *b);

/* A NULL-terminated vector of owned strings, ready for execv. */
struct cr_strv {
	char **v;
	size_t n, cap;
};
#define CR_STRV_INIT { NULL, 0, 0 }

void cr_strv_push(struct cr_strv *sv, const char *s);
void cr_strv_pushf(struct cr_strv *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cr_strv_pushl(struct cr_strv *sv, ...); /* NULL-terminated list */
void cr_strv_free(struct cr_strv *sv);

/* malloc/realloc/strdup that exit on OOM, as every caller would. */
void *cr_xmalloc(size_t n);
void *cr_xrealloc(void *p, size_t n);
char *cr_xstrdup(const char *s);
char *cr_xstrndup(const char *s, size_t n); /* at most n bytes of s */

#endif
