/*
 * Kubernetes quantities ("10Gi", "500m", "1.5") as verify reads them: the
 * quantity definition of cmd/verify/verify-lib.jq, run through libjq over
 * the input as a string, and as a number when it reads as one. Exactly one
 * result, a non-negative number, or an error with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/jq.h"
#include "fuzz.h"

/* Compiled once (libjq compiles every builtin with a program), freed at exit. */
static struct cr_jq *q;
static void free_q(void)
{
	cr_jq_free(q);
}

static void check(jv input, const char *text, size_t len)
{
	jv results = cr_jq_collect(q, input);
	if (!jv_is_valid(results)) {
		jv msg = jv_invalid_get_msg(results);
		FUZZ_ASSERT(jv_get_kind(msg) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(msg)) > 0);
		jv_free(msg);
		return;
	}
	FUZZ_ASSERT(jv_array_length(jv_copy(results)) == 1);
	jv v = jv_array_get(results, 0);
	FUZZ_ASSERT(jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) >= 0);
	/* A plain count is itself. */
	if (text && len && len <= 15 && strspn(text, "0123456789") == len)
		FUZZ_ASSERT(jv_number_value(v) == strtod(text, NULL));
	jv_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!q) {
		struct cr_buf prog = CR_BUF_INIT;
		cr_buf_addf(&prog, "%s\nquantity\n", cr_jq_source("verify-lib"));
		char *err = NULL;
		q = cr_jq_compile(prog.data, jv_null(), &err);
		FUZZ_ASSERT(q && !err);
		cr_buf_free(&prog);
		atexit(free_q);
	}
	char *text = cr_xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	check(jv_string_sized(text, (int)size), text, strlen(text) == size ? size : 0);
	char *end;
	double d = strtod(text, &end);
	if (size && end == text + size)
		check(jv_number(d), NULL, 0);
	free(text);
	return 0;
}
