/* Durations, atomic writes, edit distance, buffers and tables. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/table.h"
#include "crucible/util.h"
#include "tap.h"

static void test_durations(void)
{
	is_int(cr_parse_duration("30s"), 30000, "30s");
	is_int(cr_parse_duration("10m"), 600000, "10m");
	is_int(cr_parse_duration("1h30m"), 5400000, "1h30m");
	is_int(cr_parse_duration("500ms"), 500, "500ms is not 500 minutes");
	is_int(cr_parse_duration("1.5s"), 1500, "fractions");
	is_int(cr_parse_duration("0"), 0, "0 without a unit");
	is_int(cr_parse_duration("10"), -1, "a number without a unit is rejected");
	is_int(cr_parse_duration("-5s"), -1, "negative is rejected");
	is_int(cr_parse_duration("5x"), -1, "unknown unit is rejected");
	is_int(cr_parse_duration(""), -1, "empty is rejected");
	is_int(cr_parse_duration("14444444444444442h0s"), -1, "a duration past 292 years is rejected (was UB)");
	is_int(cr_parse_duration("infs"), -1, "inf is not a number of seconds");
	is_int(cr_parse_duration("nanms"), -1, "nan is not a number of milliseconds");
	is_int(cr_parse_duration("0x10s"), -1, "hex is not a Go duration");
	is_int(cr_parse_duration("1s-1s"), -1, "a negative part is rejected");
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_atomic_write(void)
{
	char dir[] = "/tmp/crucible-atomic.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	char path[sizeof(dir) + 16];
	snprintf(path, sizeof(path), "%s/out.yaml", dir);
	umask(022);
	ok(cr_write_file_atomic(path, "a: 1\n", 5, 0600) == 0, "atomic write succeeds");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is created 0600 despite a 022 umask");
	ok(cr_write_file_atomic(path, "b: 2\n", 5, 0600) == 0, "rewriting succeeds");
	FILE *f = fopen(path, "r");
	char got[16] = "";
	if (f) {
		if (!fgets(got, sizeof(got), f))
			got[0] = '\0';
		fclose(f);
	}
	is_str(got, "b: 2\n", "the new content is there whole");
	is_int(count_entries(dir), 1, "no temp file is left behind");

	char missing[sizeof(dir) + 32];
	snprintf(missing, sizeof(missing), "%s/no/such/dir/x", dir);
	ok(cr_write_file_atomic(missing, "x", 1, 0600) < 0 && errno == ENOENT, "a write into a missing directory fails with ENOENT");

	/* The rename fails (the target is a directory): the temp file must go. */
	char sub[sizeof(dir) + 16];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0700);
	ok(cr_write_file_atomic(sub, "c", 1, 0600) < 0, "a failed rename is reported");
	rmdir(sub);
	is_int(count_entries(dir), 1, "failures leave no temp file");
	unlink(path);
	rmdir(dir);
}

static void test_edit_distance(void)
{
	is_int(cr_edit_distance("deploy", "deploy"), 0, "same word");
	is_int(cr_edit_distance("deplyo", "deploy"), 2, "a swap is two edits");
	is_int(cr_edit_distance("secret", "secrets"), 1, "one insertion");
	is_int(cr_edit_distance("", "verify"), 6, "empty word");
}

static void test_printable(void)
{
	ok(cr_is_printable("api-service:v1.2 é"), "text, spaces and UTF-8 are printable");
	ok(cr_is_printable(""), "so is nothing");
	ok(!cr_is_printable("a\nb"), "a newline is not");
	ok(!cr_is_printable("\033[31mred"), "nor an escape sequence");
	ok(!cr_is_printable("tab\there") && !cr_is_printable("del\x7f"), "nor a tab or DEL");
}

static void test_buf(void)
{
	struct cr_buf b = CR_BUF_INIT;
	is_str(cr_buf_str(&b), "", "an empty buffer reads as \"\"");
	for (int i = 0; i < 1000; i++)
		cr_buf_addf(&b, "%d,", i);
	ok(b.len > 3000 && !strncmp(b.data, "0,1,2,", 6) && b.data[b.len] == '\0', "buffers grow and stay terminated");
	cr_buf_reset(&b);
	is_int(b.len, 0, "reset empties");
	cr_buf_add(&b, "a\0b", 3);
	is_int(b.len, 3, "binary data keeps its length");
	cr_buf_wipe(&b);
	ok(b.data == NULL && b.len == 0, "wipe frees");

	struct cr_strv sv = CR_STRV_INIT;
	cr_strv_pushl(&sv, "kubectl", "get", NULL);
	cr_strv_pushf(&sv, "-n=%s", "crucible");
	ok(sv.n == 3 && !strcmp(sv.v[2], "-n=crucible") && sv.v[3] == NULL, "argv vectors are NULL-terminated");
	cr_strv_free(&sv);
}

static void test_table(void)
{
	const char *head[] = { "NAME", "READY", "STATUS" };
	const char *row[] = { "api-service", "3/3", "Current" };
	struct cr_table *t = cr_table_new(3, head);
	cr_table_row(t, row);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_table_print(t, f);
	fclose(f);
	is_str(text, "NAME          READY   STATUS\napi-service   3/3     Current\n", "columns align like kubectl get");
	free(text);
	cr_table_free(t);
}

int main(void)
{
	test_durations();
	test_atomic_write();
	test_edit_distance();
	test_printable();
	test_buf();
	test_table();
	return tap_done();
}
