/* Go-style durations (--timeout, --request-timeout): -1 or a non-negative millisecond count, never UB. */
#include <string.h>

#include "crucible/buf.h"
#include "crucible/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = cr_xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	long long ms = cr_parse_duration(s);
	FUZZ_ASSERT(ms >= -1);
	free(s);
	return 0;
}
