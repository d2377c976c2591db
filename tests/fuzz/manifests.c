/*
 * The manifest loader over one multi-document file (-f FILE): documents,
 * Lists flattened, origins parallel to the objects, or one error naming
 * the file.
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/manifests.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cr_source_opts src = { (char *)fuzz_file(data, size), NULL, NULL };
	jv origins;
	int code = 0;
	jv objects = cr_manifests_load(&src, &origins, &code);
	if (!jv_is_valid(objects)) {
		jv msg = jv_invalid_get_msg(objects);
		FUZZ_ASSERT(code == CR_EXIT_INPUT);
		FUZZ_ASSERT(jv_get_kind(msg) == JV_KIND_STRING);
		FUZZ_ASSERT(!strncmp(jv_string_value(msg), src.file, strlen(src.file)));
		jv_free(msg);
	} else {
		FUZZ_ASSERT(jv_array_length(jv_copy(objects)) == jv_array_length(jv_copy(origins)));
		jv_array_foreach(objects, i, o) {
			FUZZ_ASSERT(jv_get_kind(o) == JV_KIND_OBJECT);
			jv kind = jv_object_get(o, jv_string("kind"));
			FUZZ_ASSERT(jv_get_kind(kind) == JV_KIND_STRING);
			jv_free(kind);
		}
		jv_free(objects);
	}
	jv_free(origins);
	fuzz_file_close();
	return 0;
}
