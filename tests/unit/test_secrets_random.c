/* kubectl crucible secrets: random values and the URL escaping templates use. */
#include <string.h>

#include "../../cmd/secrets/random.c"
#include "tap.h"

int main(void)
{
	struct cr_buf u = CR_BUF_INIT;
	sec_url_escape(&u, "a-b_c.d~e", 9);
	is_str(cr_buf_str(&u), "a-b_c.d~e", "URL escaping keeps unreserved characters");
	cr_buf_free(&u);
	sec_url_escape(&u, "p@ss:w/rd %?#", 13);
	is_str(cr_buf_str(&u), "p%40ss%3Aw%2Frd%20%25%3F%23", "URL escaping encodes the rest");
	cr_buf_free(&u);

	/* Length and alphabet, and every character about equally often. */
	enum { N = 62 * 2000 };
	struct cr_buf r = CR_BUF_INIT;
	sec_random(&r, SEC_PASSWORD_ALPHABET, N);
	is_int(r.len, N, "sec_random gives the length asked for");
	size_t counts[256] = { 0 };
	for (size_t i = 0; i < r.len; i++)
		counts[(unsigned char)r.data[i]]++;
	size_t outside = 0, lo = N, hi = 0;
	for (int c = 0; c < 256; c++) {
		bool in = c && strchr(SEC_PASSWORD_ALPHABET, c);
		if (!in) {
			outside += counts[c];
			continue;
		}
		lo = counts[c] < lo ? counts[c] : lo;
		hi = counts[c] > hi ? counts[c] : hi;
	}
	is_int(outside, 0, "sec_random uses only the alphabet");
	/* Expected 2000 each, sd about 44: 1700..2300 fails by chance less than once in 10^9 runs. */
	ok(lo > 1700 && hi < 2300, "every character about equally often (min %zu, max %zu)", lo, hi);
	struct cr_buf r2 = CR_BUF_INIT;
	sec_random(&r2, SEC_PASSWORD_ALPHABET, N);
	ok(memcmp(r.data, r2.data, N) != 0, "two draws differ");
	cr_buf_wipe(&r);
	cr_buf_wipe(&r2);
	sec_random(&r, "0123456789abcdef", SEC_HEX_LEN);
	ok(r.len == SEC_HEX_LEN && strspn(r.data, "0123456789abcdef") == SEC_HEX_LEN, "hex keys: %d hex digits", SEC_HEX_LEN);
	cr_buf_wipe(&r);
	return tap_done();
}
