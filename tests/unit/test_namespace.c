/* The namespace rule: -n against the namespace the manifests name. */
#include <stdlib.h>

#include "crucible/exit.h"
#include "crucible/namespace.h"
#include "crucible/opts.h"
#include "tap.h"

static jv obj(const char *ns)
{
	jv md = JV_OBJECT(jv_string("name"), jv_string("x"));
	if (ns)
		md = jv_object_set(md, jv_string("namespace"), jv_string(ns));
	return JV_OBJECT(jv_string("kind"), jv_string("ConfigMap"), jv_string("metadata"), md);
}

/* Runs the rule with -n given or not; returns its code, the namespace in *ns. */
static int choose(const char *n, bool given, jv objects, const char **ns, char **err)
{
	free(cr_opts.namespace);
	cr_opts.namespace = strdup(n);
	cr_opts.namespace_given = given;
	*err = NULL;
	int code = cr_namespace_choose(objects, "one at a time", err);
	*ns = cr_opts.namespace;
	return code;
}

int main(void)
{
	const char *ns;
	char *err;

	is_int(choose("crucible", false, JV_ARRAY(obj("shop"), obj(NULL)), &ns, &err), CR_EXIT_OK,
	       "without -n the manifests' namespace is taken");
	is_str(ns, "shop", "... and becomes the namespace");
	is_int(choose("crucible", false, JV_ARRAY(obj(NULL)), &ns, &err), CR_EXIT_OK, "no namespace named: ok");
	is_str(ns, "crucible", "... the default stays");
	is_int(choose("dev", true, JV_ARRAY(obj(NULL)), &ns, &err), CR_EXIT_OK, "-n with unnamed objects: ok");
	is_str(ns, "dev", "... -n is the namespace");
	is_int(choose("shop", true, JV_ARRAY(obj("shop")), &ns, &err), CR_EXIT_OK, "-n agreeing with the objects");
	is_int(choose("dev", true, JV_ARRAY(obj(NULL), obj("shop")), &ns, &err), CR_EXIT_USAGE,
	       "-n disagreeing with an object is a usage error");
	is_str(err ? err : "", "the namespace from the provided object \"shop\" does not match the namespace "
	       "\"dev\". You must pass '--namespace=shop' to perform this operation.", "... in kubectl's words");
	is_str(ns, "dev", "... and the namespace is left alone");
	free(err);
	is_int(choose("crucible", false, JV_ARRAY(obj("a"), obj("b")), &ns, &err), CR_EXIT_INPUT,
	       "two namespaces named is bad input");
	is_str(err ? err : "", "the objects name two namespaces, \"a\" and \"b\": one at a time",
	       "... naming both, with the caller's advice");
	is_str(ns, "crucible", "... and the namespace is left alone");
	free(err);
	is_int(choose("crucible", false, JV_ARRAY(jv_string("junk"), jv_null(), obj("shop")), &ns, &err),
	       CR_EXIT_OK, "entries that are not objects are skipped");
	is_str(ns, "shop", "... and the object's namespace is taken");
	is_int(choose("crucible", false, JV_ARRAY(obj("")), &ns, &err), CR_EXIT_OK, "an empty namespace names none");
	is_str(ns, "crucible", "... the default stays");
	free(cr_opts.namespace);
	cr_opts.namespace = NULL;
	return tap_done();
}
