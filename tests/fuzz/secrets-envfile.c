/*
 * secrets --from-env-file: KEY=VALUE lines against a set with an ambiguous
 * key and an environment variable name; an error is one line naming the
 * file and line, and neither it nor a warning ever carries a value.
 * Warnings (stderr) are caught in memory: checked, and kept off the log.
 */
#include <string.h>

#include "fuzz.h"
#include "secrets/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sec_set set = SEC_SET_INIT;
	struct sec_secret *db = sec_add_secret(&set, "db-credentials", "Opaque");
	sec_add_key(db, "password");
	sec_add_key(db, "database-url");
	sec_add_key(sec_add_secret(&set, "redis", "Opaque"), "password");
	set.env = JV_OBJECT(jv_string("DATABASE_URL"), JV_ARRAY(jv_string("db-credentials/database-url")),
			    jv_string("BOTH"), JV_ARRAY(jv_string("db-credentials/password"),
							jv_string("redis/password")));
	set.vars = jv_object();
	set.namespace = jv_invalid();

	char *copy = cr_xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	struct cr_buf err = CR_BUF_INIT;
	char *warnings = NULL;
	size_t nwarnings = 0;
	FILE *real_stderr = stderr, *caught = open_memstream(&warnings, &nwarnings);
	FUZZ_ASSERT(caught);
	stderr = caught;
	int rc = sec_envfile_parse(&set, "in.env", copy, size, &err);
	fclose(stderr);
	stderr = real_stderr;
	FUZZ_ASSERT(warnings);
	for (const char *line = warnings; *line;) {
		const char *nl = strchr(line, '\n'), *w = strstr(line, ": warning: in.env:");
		FUZZ_ASSERT(nl && w && w < nl); /* whole lines, each naming the file */
		line = nl + 1;
	}
	if (rc < 0) {
		FUZZ_ASSERT(!strncmp(cr_buf_str(&err), "in.env:", 7));
		FUZZ_ASSERT(!strchr(cr_buf_str(&err), '\n'));
	} else {
		FUZZ_ASSERT(err.len == 0);
	}
	/* No supplied value is quoted in the message. */
	for (size_t i = 0; i < set.n; i++)
		for (size_t k = 0; k < set.v[i].nkeys; k++) {
			struct sec_key *key = &set.v[i].keys[k];
			if (key->origin == ORIG_SUPPLIED && key->value.len >= 4) {
				FUZZ_ASSERT(!memmem(cr_buf_str(&err), err.len, key->value.data, key->value.len));
				FUZZ_ASSERT(!memmem(warnings, nwarnings, key->value.data, key->value.len));
			}
		}
	free(warnings);
	free(copy);
	cr_buf_free(&err);
	sec_set_free(&set);
	return 0;
}
