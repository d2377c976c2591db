/*
 * secrets check: plain-text secrets in manifests, reported as
 * "file:line: Kind/name key: reason" and never with the value.
 * PATH arguments are read as files (directories recursively), not rendered,
 * so lines point at what a commit would add; -k renders a kustomization.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/json.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/opts.h"
#include "crucible/yaml.h"
#include "secrets.h"

struct scan {
	int findings, files, errors;
};

/* "/spec/x/0": the line of the nearest node the map knows, else the object's. */
static int line_of(jv origin, const char *pointer)
{
	jv lines = jv_object_get(jv_copy(origin), jv_string("lines"));
	struct cr_buf p = CR_BUF_INIT;
	cr_buf_adds(&p, pointer);
	int line = -1;
	while (line < 0) {
		jv l = jv_get_kind(lines) == JV_KIND_OBJECT ? jv_object_get(jv_copy(lines), jv_string(p.data)) : jv_invalid();
		if (jv_get_kind(l) == JV_KIND_NUMBER)
			line = (int)jv_number_value(l);
		jv_free(l);
		char *slash = strrchr(cr_buf_str(&p), '/');
		if (line >= 0 || !slash)
			break;
		*slash = '\0';
		p.len = (size_t)(slash - p.data);
	}
	if (line < 0) {
		jv l = jv_object_get(jv_copy(origin), jv_string("line"));
		line = jv_get_kind(l) == JV_KIND_NUMBER ? (int)jv_number_value(l) : 1;
		jv_free(l);
	}
	cr_buf_free(&p);
	jv_free(lines);
	return line;
}

/* JSON pointer of a jq path: ["spec", 0, "a/b"] → "/spec/0/a~1b". */
static void pointer_of(jv path, struct cr_buf *out)
{
	jv_array_foreach(path, i, part) {
		cr_buf_add(out, "/", 1);
		if (jv_get_kind(part) == JV_KIND_NUMBER) {
			cr_buf_addf(out, "%d", (int)jv_number_value(part));
		} else {
			for (const char *c = jv_string_value(part); *c; c++)
				cr_buf_adds(out, *c == '~' ? "~0" : *c == '/' ? "~1" : (char[]){ *c, 0 });
		}
		jv_free(part);
	}
	jv_free(path);
	if (!out->data)
		cr_buf_add(out, "", 0);
}

static int print_findings(jv findings, jv origins, FILE *out)
{
	int n = 0;
	jv_array_foreach(findings, i, f) {
		jv index = jv_object_get(jv_copy(f), jv_string("index"));
		jv origin = jv_array_get(jv_copy(origins), (int)jv_number_value(index));
		struct cr_buf ptr = CR_BUF_INIT;
		pointer_of(jv_object_get(jv_copy(f), jv_string("path")), &ptr);
		fprintf(out, "%s:%d: %s %s: %s\n", cr_json_str_or(origin, "file", "?"), line_of(origin, ptr.data),
		       cr_json_str_or(f, "object", "?"), cr_json_str_or(f, "key", "?"), cr_json_str_or(f, "reason", "?"));
		cr_buf_free(&ptr);
		jv_free(origin);
		jv_free(index);
		jv_free(f);
		n++;
	}
	jv_free(findings);
	jv_free(origins);
	return n;
}

int sec_check_docs(jv docs, jv origins, FILE *out)
{
	jv findings = cr_jq_collect(cr_jq_named("secrets-check"), docs);
	if (!jv_is_valid(findings)) {
		jv msg = jv_invalid_get_msg(findings);
		cr_die(CR_EXIT_FAILED, "internal error in secrets-check.jq: %s",
		       jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "no message");
	}
	return print_findings(findings, origins, out);
}

/* Scans one set of documents with its origins (both consumed). */
static void scan_docs(struct scan *sc, jv docs, jv origins)
{
	sc->files++;
	sc->findings += sec_check_docs(docs, origins, stdout);
}

/* One file of a PATH argument: an unreadable or malformed one is reported, the others still scanned. */
static int scan_file(const char *file, jv docs, jv origins, void *ctx)
{
	struct scan *sc = ctx;
	(void)file;
	if (!jv_is_valid(docs)) {
		jv msg = jv_invalid_get_msg(docs);
		cr_error("%s", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : file);
		jv_free(msg);
		jv_free(origins);
		sc->errors++;
		return 0;
	}
	scan_docs(sc, docs, origins);
	return 0;
}

/* -f, -k, --overlay or the project's manifests, through the shared loader. */
static void scan_source(struct scan *sc)
{
	int code = CR_EXIT_INPUT;
	jv origins = jv_invalid();
	jv objects = cr_manifests_load(&cr_source, &origins, &code);
	if (!jv_is_valid(objects)) {
		jv msg = jv_invalid_get_msg(objects);
		cr_error("%s", jv_string_value(msg));
		jv_free(msg);
		jv_free(origins);
		exit(code);
	}
	scan_docs(sc, objects, origins);
}

int sec_check(int argc, const char **argv)
{
	sec_allow("check", SEC_OPT_SOURCE);
	if (argc && (cr_source.file || cr_source.kustomize || cr_source.overlay))
		cr_usage_error("check takes PATH arguments or -f/-k/--overlay, not both");
	struct scan sc = { 0, 0, 0 };
	if (argc)
		for (int i = 0; i < argc; i++)
			cr_manifests_walk(argv[i], true, scan_file, &sc);
	else
		scan_source(&sc);
	fflush(stdout);
	if (sc.errors)
		return CR_EXIT_INPUT;
	if (sc.findings) {
		cr_info("%d plain-text secret%s found", sc.findings, sc.findings == 1 ? "" : "s");
		return CR_EXIT_FAILED;
	}
	cr_info("no plain-text secrets found");
	return CR_EXIT_OK;
}
