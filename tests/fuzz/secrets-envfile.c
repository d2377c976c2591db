/*
 * secrets --from-env-file: KEY=VALUE lines against a set with an ambiguous
 * key and an environment variable name; an error is one line naming the
 * file and line, and neither it nor a warning ever carries a value.
 * Warnings (stderr) are caught in memory: checked, and kept off the log.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "secrets/secrets.h"

/*
 * What a message may say besides values: its fixed words (cmd/secrets/
 * envfile.c's formats) and the names of keys and Secrets, the input's own
 * (the text before '=' of each line) included. A value found in the message
 * but inside these (a value "otes" in "unbalanced quotes") is no leak.
 */
static const char words[] = "in.env fills keys : write SECRET/KEY=VALUE for each; is a key of several "
			    "Secrets: malformed line: expected KEY=VALUE; KEY may hold only letters, digits "
			    "and _ - . /; unbalanced quotes in the value; has an empty value; ignored; names "
			    "no Secret key the manifests reference; kubectl-crucible: warning: error: "
			    "db-credentials/password, redis/password database-url DATABASE_URL BOTH";

static void vocabulary(const char *text, size_t len, struct cr_buf *v)
{
	cr_buf_adds(v, words);
	for (const char *line = text, *end = text + len; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line)), *stop = nl ? nl : end;
		const char *eq = memchr(line, '=', (size_t)(stop - line));
		cr_buf_add(v, "\n", 1);
		cr_buf_add(v, line, (size_t)((eq ? eq : stop) - line));
		line = stop + 1;
	}
}

static bool leaks(const char *msg, size_t len, const struct sec_key *key, const struct cr_buf *vocab)
{
	return memmem(msg, len, key->value.data, key->value.len) &&
	       !memmem(vocab->data, vocab->len, key->value.data, key->value.len);
}

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
	struct cr_buf vocab = CR_BUF_INIT;
	vocabulary((const char *)data, size, &vocab);
	for (size_t i = 0; i < set.n; i++)
		for (size_t k = 0; k < set.v[i].nkeys; k++) {
			struct sec_key *key = &set.v[i].keys[k];
			if (key->origin == ORIG_SUPPLIED && key->value.len >= 4) {
				FUZZ_ASSERT(!leaks(cr_buf_str(&err), err.len, key, &vocab));
				FUZZ_ASSERT(!leaks(warnings, nwarnings, key, &vocab));
			}
		}
	cr_buf_free(&vocab);
	free(warnings);
	free(copy);
	cr_buf_free(&err);
	sec_set_free(&set);
	return 0;
}
