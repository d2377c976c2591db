/* Base64 (common/base64.c): RFC 4648's vectors and what decoding rejects. */
#include <string.h>

#include "crucible/base64.h"
#include "tap.h"

static const char *enc(const char *in)
{
	static struct cr_buf out;
	cr_buf_free(&out);
	cr_base64(&out, in, strlen(in));
	return cr_buf_str(&out);
}

static const char *unb64(const char *in, int *rc)
{
	static struct cr_buf out;
	cr_buf_free(&out);
	*rc = cr_base64_decode(&out, in, strlen(in));
	return cr_buf_str(&out);
}

int main(void)
{
	/* RFC 4648 section 10 test vectors. */
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	int rc;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		is_str(enc(vec[i][0]), vec[i][1], "base64 \"%s\"", vec[i][0]);
		is_str(unb64(vec[i][1], &rc), vec[i][0], "base64 decode \"%s\"", vec[i][1]);
		is_int(rc, 0, "... without error");
	}
	unb64("Zm9v!", &rc);
	is_int(rc, -1, "base64 decode rejects a character outside the alphabet");
	unb64("Zg==Zg", &rc);
	is_int(rc, -1, "base64 decode rejects data after the padding");

	return tap_done();
}
