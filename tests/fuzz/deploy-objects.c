/* deploy reading kubectl's -o json output: one object, a List, or several values; never a crash. */
#include "deploy/deploy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jv objects = deploy_parse_objects((const char *)data, size);
	FUZZ_ASSERT(!jv_is_valid(objects) || jv_get_kind(objects) == JV_KIND_ARRAY);
	jv_free(objects);
	return 0;
}
