/*
 * overlay's kustomization editor, the round trip of set-image, set-tag,
 * set-replicas and set-registry: the first bytes choose the edit, its image
 * or workload and its value, the rest is kustomization.yaml. An edit is
 * done or refused (exit 3, one line naming the file); what it writes parses
 * again, keeps every other key's bytes and every other entry, and reads back
 * (through the YAML reader the other tools use) with the value it set.
 *
 * The edits die when refused: cr_die is wrapped (-Wl,--wrap, see the
 * Makefile) to jump back here, and so are cr_ydoc_parse/cr_ydoc_free, to
 * free the document that was being edited. The code that dies leaves
 * nothing else allocated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/jq.h"
#include "crucible/yaml.h"
#include "fuzz.h"
#include "overlay/overlay.h"

enum op { OP_NEW_NAME, OP_TAG, OP_DIGEST, OP_TAG_DIGEST, OP_REPLICAS, OP_REGISTRY, OP_N };

static const char *const names[] = { "api-service", "frontend", "executor", "postgres", "new-service",
				     "yes", "0755", "null", "1e3", "on" };
static const char *const new_names[] = { "ecr-registry.invalid/crucible-platform/api-service", "localhost:5000/a/b",
					 "yes", "123", "crucible-platform/frontend" };
static const char *const tags[] = { "v1.2.3", "1.10", "0755", "true", "null", "latest", "1e3", "x_y-z.1" };
static const char *const counts[] = { "0", "1", "3", "2147483647" };
static const char *const registries[] = { "123456789012.dkr.ecr.us-west-2.amazonaws.com", "localhost:5000",
					  "registry.example.com" };
#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PROJECT "crucible-platform"
#define PICK(table, byte) ((table)[(byte) % (sizeof(table) / sizeof((table)[0]))])

/* Refused edits jump back; the documents alive then are freed. */
static jmp_buf refused;
static bool armed;
static const char *input_path;
static struct cr_ydoc *live[8];

struct cr_ydoc *__real_cr_ydoc_parse(const char *data, size_t len, const char *name, char **err);
void __real_cr_ydoc_free(struct cr_ydoc *d);
struct cr_ydoc *__wrap_cr_ydoc_parse(const char *data, size_t len, const char *name, char **err);
void __wrap_cr_ydoc_free(struct cr_ydoc *d);
_Noreturn void __wrap_cr_die(int code, const char *fmt, ...);

struct cr_ydoc *__wrap_cr_ydoc_parse(const char *data, size_t len, const char *name, char **err)
{
	struct cr_ydoc *d = __real_cr_ydoc_parse(data, len, name, err);
	size_t i = 0;
	while (d && live[i])
		i++;
	FUZZ_ASSERT(i < sizeof(live) / sizeof(live[0]));
	live[i] = d;
	return d;
}

void __wrap_cr_ydoc_free(struct cr_ydoc *d)
{
	for (size_t i = 0; d && i < sizeof(live) / sizeof(live[0]); i++)
		if (live[i] == d)
			live[i] = NULL;
	__real_cr_ydoc_free(d);
}

_Noreturn void __wrap_cr_die(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A refusal is bad input, one line naming the file; anything else is a bug. */
	if (!armed || code != CR_EXIT_INPUT || strncmp(msg, input_path, strlen(input_path)) || strchr(msg, '\n')) {
		fprintf(stderr, "overlay died (exit %d): %s\n", code, msg);
		abort();
	}
	longjmp(refused, 1);
}

static bool has_alias(const struct cr_ynode *n)
{
	bool yes = n->kind == CR_YALIAS;
	for (size_t i = 0; !yes && i < n->n; i++)
		yes = has_alias(n->items[i]);
	return yes;
}

/* The same text, but for spaces and line breaks at the end: a block
 * scalar's text runs over the blank lines after it, and an edit at the end
 * of a file without a final newline adds one (so "|-\n " at the end becomes
 * "|-\n" and a blank line). */
static bool same_bytes(const char *a, const struct cr_ynode *x, const char *b, const struct cr_ynode *y)
{
	size_t n = x->end - x->start, m = y->end - y->start;
	while (n && (a[x->start + n - 1] == '\n' || a[x->start + n - 1] == ' '))
		n--;
	while (m && (b[y->start + m - 1] == '\n' || b[y->start + m - 1] == ' '))
		m--;
	return n == m && !memcmp(a + x->start, b + y->start, n);
}

/* Whether entry (an images: or replicas: item) is one the edit may change. */
static bool edited(const struct cr_ynode *entry, enum op op, const char *name, jv platform)
{
	const char *n = cr_ynode_str(cr_ynode_get(entry, "name", NULL));
	if (op == OP_REGISTRY)
		return !n || overlay_is_platform(platform, n);
	return n && !strcmp(n, name);
}

/*
 * Every top-level key keeps its place and, but for the edited list, its
 * bytes; in the list, every entry the edit is not about keeps its bytes.
 */
static void check_bytes(const char *src, const struct cr_ydoc *before, const char *out, const struct cr_ydoc *after,
			const char *list, enum op op, const char *name, jv platform)
{
	const struct cr_ynode *b = cr_ydoc_root(before), *a = cr_ydoc_root(after);
	FUZZ_ASSERT(a->kind == CR_YMAP && (a->n == b->n || a->n == b->n + 2));
	for (size_t i = 0; i + 1 < b->n; i += 2) {
		FUZZ_ASSERT(same_bytes(src, b->items[i], out, a->items[i]));
		if (strcmp(cr_ynode_str(b->items[i]), list) || (op == OP_REGISTRY && b->items[i + 1]->kind != CR_YSEQ))
			FUZZ_ASSERT(same_bytes(src, b->items[i + 1], out, a->items[i + 1]));
	}
	if (a->n > b->n)
		FUZZ_ASSERT(!strcmp(cr_ynode_str(a->items[b->n]), list));
	const struct cr_ynode *bl = cr_ynode_get(b, list, NULL), *al = cr_ynode_get(a, list, NULL);
	FUZZ_ASSERT(al || op == OP_REGISTRY);
	if (!bl || bl->kind != CR_YSEQ)
		return;
	FUZZ_ASSERT(al->kind == CR_YSEQ && (al->n == bl->n || al->n == bl->n + 1));
	for (size_t j = 0; j < bl->n; j++)
		if (!edited(bl->items[j], op, name, platform))
			FUZZ_ASSERT(same_bytes(src, bl->items[j], out, al->items[j]));
}

/*
 * The same through the YAML reader: other keys and entries equal, the edited
 * entry with the fields wanted (null: absent), or for set-registry every
 * changed newName under the registry. Skipped where the two readers need not
 * agree on what an entry is: aliases and merge keys, names that are not strings.
 */
static const char check_program[] =
	".l as $l | .n as $n | .b as $b | .a as $a | .want as $want | .prefix as $prefix"
	" | def ent($x): first($x[$l] | arrays | .[] | objects | select(.name == $n)) // null;"
	"   def others($x): [$x[$l] | arrays | .[] | select(type != \"object\" or .name != $n)];"
	" if ([$b[$l] | arrays | .[] | objects | .name | type != \"string\"] | any) then true"
	" else ($b | del(.[$l])) == ($a | del(.[$l]))"
	"   and (if $prefix then ([$b[$l][]? | .name?]) == ([$a[$l][]? | .name?])"
	"          and ([$b[$l] | arrays | range(length)] | all(. as $i | $a[$l][$i].newName == $b[$l][$i].newName"
	"                or ($a[$l][$i].newName | type == \"string\" and startswith($prefix))))"
	"        else others($b) == others($a) and (ent($a) as $e | $e != null and ($want | to_entries"
	"          | all(.key as $k | .value as $v | if $v == null then ($e | has($k) | not) else $e[$k] == $v end)))"
	"        end) end";

/* Freed at exit: libjq keeps its stack by its end pointer, which LSan would not count as a reference. */
static struct cr_jq *q;
static void free_check(void)
{
	cr_jq_free(q);
}

static void check_json(const char *src, size_t srclen, const struct cr_buf *out, const char *list, const char *name,
		       jv want, const char *prefix)
{
	if (!q) {
		q = cr_jq_compile(check_program, jv_null(), NULL);
		atexit(free_check);
	}
	FUZZ_ASSERT(q);
	jv b = cr_yaml_parse(src, srclen, "in.yaml", NULL);
	if (!jv_is_valid(b) || jv_array_length(jv_copy(b)) != 1 || memmem(src, srclen, "<<", 2)) {
		jv_free(b);
		jv_free(want);
		return;
	}
	jv a = cr_yaml_parse(cr_buf_str(out), out->len, "out.yaml", NULL);
	FUZZ_ASSERT(jv_is_valid(a) && jv_array_length(jv_copy(a)) == 1);
	jv in = JV_OBJECT(jv_string("b"), jv_array_get(b, 0), jv_string("a"), jv_array_get(a, 0),
			  jv_string("l"), jv_string(list), jv_string("n"), jv_string(name), jv_string("want"), want,
			  jv_string("prefix"), prefix ? jv_string(prefix) : jv_null());
	jv ok = cr_jq_first(q, in);
	if (jv_get_kind(ok) != JV_KIND_TRUE) {
		fprintf(stderr, "the edit reads back wrong:\n%s\n", cr_buf_str(out));
		abort();
	}
	jv_free(ok);
}

/* The image or workload to edit: one of the list's entries, or a name of the table. */
static const char *target(const struct cr_ydoc *d, const char *list, uint8_t byte)
{
	const struct cr_ynode *seq = cr_ynode_get(cr_ydoc_root(d), list, NULL);
	size_t n = seq && seq->kind == CR_YSEQ ? seq->n : 0;
	size_t table = sizeof(names) / sizeof(names[0]), i = byte % (n + table);
	if (i >= n)
		return names[i - n];
	return cr_ynode_str(cr_ynode_get(seq->items[i], "name", NULL));
}

/* What one input holds, static so that it survives the jump back (setjmp). */
static struct {
	struct cr_buf buf, prefix;
	jv want, platform;
} st;

static void cleanup(void)
{
	armed = false;
	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		if (live[i])
			cr_ydoc_free(live[i]);
	cr_buf_free(&st.buf);
	cr_buf_free(&st.prefix);
	jv_free(st.want);
	jv_free(st.platform);
	fuzz_file_close();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	enum op op = (enum op)(data[0] % OP_N);
	uint8_t v = data[2];
	const char *src = (const char *)data + 3;
	size_t len = size - 3;
	const char *list = op == OP_REPLICAS ? "replicas" : "images";
	st.want = jv_object();
	st.platform = JV_ARRAY(jv_string("api-service"), jv_string("storage-service"), jv_string("storage-worker"),
			       jv_string("celery-worker"), jv_string("executor"), jv_string("frontend"));
	input_path = fuzz_file((const uint8_t *)src, len);
	if (setjmp(refused)) {
		cleanup();
		return 0;
	}
	/* YAML that does not parse is overlay_load's refusal too, but its message would be lost here. */
	char *err = NULL;
	struct cr_ydoc *before = cr_ydoc_parse(src, len, "in.yaml", &err);
	if (!before) {
		FUZZ_ASSERT(err && !strncmp(err, "in.yaml:", 8) && !strchr(err, '\n'));
		free(err);
		cleanup();
		return 0;
	}
	armed = true;
	struct cr_ydoc *d = overlay_load(input_path, &st.buf);
	const char *name = target(before, list, data[1]);
	if (!name || (op == OP_REPLICAS ? !*name || strchr(name, '=') : cr_image_check_name(name) != NULL)) {
		cleanup();
		return 0;
	}
	struct overlay_image_arg a = { .name = (char *)name };
	switch (op) {
	case OP_NEW_NAME:
		a.new_name = (char *)PICK(new_names, v);
		st.want = jv_object_set(st.want, jv_string("newName"), jv_string(a.new_name));
		d = overlay_image_set(input_path, &st.buf, d, &a);
		break;
	case OP_TAG:
	case OP_DIGEST:
	case OP_TAG_DIGEST:
		a.tag = op != OP_DIGEST ? (char *)PICK(tags, v) : NULL;
		a.digest = op != OP_TAG ? DIGEST : NULL;
		st.want = jv_object_set(st.want, jv_string("newTag"), a.tag ? jv_string(a.tag) : jv_null());
		st.want = jv_object_set(st.want, jv_string("digest"), a.digest ? jv_string(a.digest) : jv_null());
		d = overlay_image_set(input_path, &st.buf, d, &a);
		break;
	case OP_REPLICAS:
		st.want = jv_object_set(st.want, jv_string("count"), jv_number(strtod(PICK(counts, v), NULL)));
		d = overlay_replicas_set(input_path, &st.buf, d, name, PICK(counts, v));
		break;
	case OP_REGISTRY:
		cr_buf_addf(&st.prefix, "%s/%s/", PICK(registries, v), PROJECT);
		overlay_registry_set(input_path, d, st.platform, PICK(registries, v), PROJECT);
		d = overlay_reparse(input_path, &st.buf, d);
		break;
	case OP_N:
		abort();
	}
	armed = false;
	check_bytes(src, before, cr_buf_str(&st.buf), d, list, op, name, st.platform);
	if (!has_alias(cr_ydoc_root(before)))
		check_json(src, len, &st.buf, list, name, jv_copy(st.want), op == OP_REGISTRY ? st.prefix.data : NULL);
	cleanup();
	return 0;
}
