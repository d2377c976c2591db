/* kubectl's -o json output as the tools read it (cr_objects_parse): one object, a List, or several values; never a crash. */
#include "crucible/objects.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jv objects = cr_objects_parse((const char *)data, size);
	FUZZ_ASSERT(!jv_is_valid(objects) || jv_get_kind(objects) == JV_KIND_ARRAY);
	jv_free(objects);
	return 0;
}
