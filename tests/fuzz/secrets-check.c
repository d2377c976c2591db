/*
 * secrets check's plain-text scanner over one manifest file, as `secrets
 * check PATH` walks it: the jq rules over the documents and the mapping of
 * each finding back to a line.
 */
#include <string.h>

#include "crucible/manifests.h"
#include "fuzz.h"
#include "secrets/secrets.h"

static FILE *sink;

static int scan(const char *file, jv docs, jv origins, void *ctx)
{
	(void)file;
	(void)ctx;
	if (!jv_is_valid(docs)) {
		jv_free(docs);
		jv_free(origins);
		return 0;
	}
	FUZZ_ASSERT(sec_check_docs(docs, origins, sink) >= 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sink)
		sink = fopen("/dev/null", "w");
	cr_manifests_walk(fuzz_file(data, size), false, scan, NULL);
	fuzz_file_close();
	return 0;
}
