/* Manifest sources: files, directories, stdin-style streams, kustomize through kubectl, the default. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/manifests.h"
#include "crucible/opts.h"
#include "tap.h"

static char dir[] = "/tmp/crucible-manifests.XXXXXX";

static char *path_of(const char *name)
{
	static char buf[8][256];
	static int next;
	char *p = buf[next++ % 8];
	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text, int mode)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
}

static const char *msg_of(jv v)
{
	static char buf[512];
	jv m = jv_invalid_get_msg(v);
	snprintf(buf, sizeof(buf), "%s", jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "(no message)");
	jv_free(m);
	return buf;
}

static const char *str_at(jv arr, int i, const char *path_key)
{
	static char buf[128];
	jv v = jv_array_get(jv_copy(arr), i);
	for (char *copy = strdup(path_key), *save, *k = strtok_r(copy, ".", &save); k || (free(copy), 0);
	     k = strtok_r(NULL, ".", &save))
		v = jv_object_get(v, jv_string(k));
	snprintf(buf, sizeof(buf), "%s", jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "?");
	jv_free(v);
	return buf;
}

static int num_at(jv arr, int i, const char *key)
{
	jv v = jv_object_get(jv_array_get(jv_copy(arr), i), jv_string(key));
	int n = jv_get_kind(v) == JV_KIND_NUMBER ? (int)jv_number_value(v) : -1;
	jv_free(v);
	return n;
}

static void test_file(void)
{
	put("app.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\n---\n"
	    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: two\n"
	    "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: three\n", 0644);
	struct cr_source_opts src = { .file = path_of("app.yaml") };
	jv origins;
	int code = 0;
	jv objs = cr_manifests_load(&src, &origins, &code);
	ok(jv_is_valid(objs) && jv_array_length(jv_copy(objs)) == 3, "a file's documents load, List items flattened");
	is_str(str_at(objs, 1, "metadata.name"), "two", "List items keep their order");
	is_int(num_at(origins, 0, "line"), 1, "the first object starts on line 1");
	is_int(num_at(origins, 2, "line"), 14, "a List item's origin is its own line");
	is_str(str_at(origins, 2, "file"), path_of("app.yaml"), "origins name the file");
	jv lines = jv_object_get(jv_array_get(jv_copy(origins), 2), jv_string("lines"));
	jv l = jv_object_get(lines, jv_string("/metadata/name"));
	is_int(jv_get_kind(l) == JV_KIND_NUMBER ? jv_number_value(l) : -1, 17, "List item line maps are rebased to the item");
	jv_free(l);
	jv_free(objs);
	jv_free(origins);
}

static void test_directory(void)
{
	mkdir(path_of("d"), 0755);
	put("d/b.yml", "kind: ConfigMap\napiVersion: v1\nmetadata: {name: b}\n", 0644);
	put("d/a.json", "{\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\", \"metadata\": {\"name\": \"a\"}}", 0644);
	put("d/notes.txt", "not a manifest", 0644);
	struct cr_source_opts src = { .file = path_of("d") };
	int code = 0;
	jv objs = cr_manifests_load(&src, NULL, &code);
	ok(jv_is_valid(objs) && jv_array_length(jv_copy(objs)) == 2, "a directory loads its .yaml/.yml/.json files only");
	is_str(str_at(objs, 0, "metadata.name"), "a", "directory files are read in name order");
	jv_free(objs);
}

static void test_bad_input(void)
{
	int code = 0;
	struct cr_source_opts missing = { .file = path_of("nope.yaml") };
	jv r = cr_manifests_load(&missing, NULL, &code);
	ok(!jv_is_valid(r) && code == CR_EXIT_INPUT && strstr(msg_of(jv_copy(r)), "nope.yaml: No such file"),
	   "a missing file is bad input naming the file: %s", msg_of(jv_copy(r)));
	jv_free(r);

	put("bad.yaml", "kind: ConfigMap\nmetadata:\n  name: [unclosed\n", 0644);
	struct cr_source_opts bad = { .file = path_of("bad.yaml") };
	r = cr_manifests_load(&bad, NULL, &code);
	char want[300];
	snprintf(want, sizeof(want), "%s:4:", path_of("bad.yaml"));
	ok(!jv_is_valid(r) && code == CR_EXIT_INPUT && strstr(msg_of(jv_copy(r)), want),
	   "malformed YAML names file:line:col: %s", msg_of(jv_copy(r)));
	jv_free(r);

	put("nokind.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nfoo: bar\n", 0644);
	struct cr_source_opts nokind = { .file = path_of("nokind.yaml") };
	r = cr_manifests_load(&nokind, NULL, &code);
	snprintf(want, sizeof(want), "%s:5: document is not a Kubernetes object", path_of("nokind.yaml"));
	ok(!jv_is_valid(r) && code == CR_EXIT_INPUT && strstr(msg_of(jv_copy(r)), want),
	   "a document without kind is named by line: %s", msg_of(jv_copy(r)));
	jv_free(r);

	struct cr_source_opts two = { .file = "x", .kustomize = "y" };
	r = cr_manifests_load(&two, NULL, &code);
	ok(!jv_is_valid(r) && code == CR_EXIT_USAGE, "two sources at once is a usage error");
	jv_free(r);
}

/* A fake kubectl records its arguments and prints what kustomize would. */
static void test_kustomize(void)
{
	put("kubectl",
	    "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/argv.log\"\n"
	    "case \"$2\" in *broken*) echo 'error: accumulating resources: missing.yaml' >&2; exit 1;; esac\n"
	    "printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: crucible\\n'\n", 0755);
	char *fake = strdup(path_of("kubectl"));
	cr_opts.kubectl = fake;
	mkdir(path_of("k"), 0755);
	mkdir(path_of("k/base"), 0755);
	mkdir(path_of("k/overlays"), 0755);
	mkdir(path_of("k/overlays/dev"), 0755);
	mkdir(path_of("broken"), 0755);

	int code = 0;
	struct cr_source_opts k = { .kustomize = path_of("k/base") };
	jv r = cr_manifests_load(&k, NULL, &code);
	is_str(str_at(r, 0, "kind"), "Namespace", "-k renders through kubectl kustomize");
	jv_free(r);

	struct cr_source_opts broken = { .kustomize = path_of("broken") };
	r = cr_manifests_load(&broken, NULL, &code);
	ok(!jv_is_valid(r) && code == CR_EXIT_INPUT && strstr(msg_of(jv_copy(r)), "missing.yaml"),
	   "a failing kustomize is bad input with kubectl's message: %s", msg_of(jv_copy(r)));
	jv_free(r);

	setenv("CRUCIBLE_MANIFESTS", path_of("k"), 1);
	struct cr_source_opts def = { 0 };
	r = cr_manifests_load(&def, NULL, &code);
	ok(jv_is_valid(r), "the default source loads");
	jv_free(r);
	struct cr_source_opts dev = { .overlay = "dev" };
	r = cr_manifests_load(&dev, NULL, &code);
	jv_free(r);
	struct cr_source_opts nosuch = { .overlay = "staging" };
	r = cr_manifests_load(&nosuch, NULL, &code);
	ok(!jv_is_valid(r) && code == CR_EXIT_USAGE && strstr(msg_of(jv_copy(r)), "no overlay 'staging'"),
	   "an unknown overlay is a usage error: %s", msg_of(jv_copy(r)));
	jv_free(r);

	FILE *f = fopen(path_of("argv.log"), "r");
	char line[3][512] = { "", "", "" };
	for (int i = 0; f && i < 3 && fgets(line[i], sizeof(line[i]), f); i++)
		;
	if (f)
		fclose(f);
	char want[300];
	snprintf(want, sizeof(want), "kustomize %s/base\n", path_of("k"));
	is_str(line[2], want, "the default is the project's base");
	struct cr_buf all = CR_BUF_INIT;
	cr_read_file(path_of("argv.log"), &all);
	snprintf(want, sizeof(want), "kustomize %s/overlays/dev\n", path_of("k"));
	ok(strstr(cr_buf_str(&all), want) != NULL, "--overlay NAME renders HOME/overlays/NAME");
	cr_buf_free(&all);

	cr_opts.kubectl = path_of("no-kubectl-here");
	r = cr_manifests_load(&k, NULL, &code);
	ok(!jv_is_valid(r) && code == CR_EXIT_KUBECTL, "a missing kubectl is a kubectl error (exit 4)");
	jv_free(r);
	cr_opts.kubectl = NULL;
	free(fake);
	unsetenv("CRUCIBLE_MANIFESTS");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_file();
	test_directory();
	test_bad_input();
	test_kustomize();
	char *argv[] = { "rm", "-rf", dir, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return tap_done();
}
