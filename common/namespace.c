/* Choosing the namespace from -n and the manifests (see namespace.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/namespace.h"
#include "crucible/opts.h"
#include "crucible/util.h"

static int fail(char **err, int code, jv msg)
{
	if (err)
		*err = cr_xstrdup(jv_string_value(msg));
	jv_free(msg);
	return code;
}

int cr_namespace_choose(jv objects, const char *advice, char **err)
{
	char *named = NULL;
	int code = CR_EXIT_OK;
	jv_array_foreach(objects, i, o) {
		jv ns = jv_get_kind(o) == JV_KIND_OBJECT
				? jv_getpath(o, JV_ARRAY(jv_string("metadata"), jv_string("namespace")))
				: (jv_free(o), jv_null());
		const char *n = jv_get_kind(ns) == JV_KIND_STRING ? jv_string_value(ns) : "";
		if (!code && *n && cr_opts.namespace_given && strcmp(n, cr_opts.namespace))
			code = fail(err, CR_EXIT_USAGE,
				    jv_string_fmt("the namespace from the provided object \"%s\" does not match the "
						  "namespace \"%s\". You must pass '--namespace=%s' to perform this "
						  "operation.", n, cr_opts.namespace, n));
		if (!code && *n && named && strcmp(named, n))
			code = fail(err, CR_EXIT_INPUT, jv_string_fmt("the objects name two namespaces, \"%s\" and "
								      "\"%s\": %s", named, n, advice));
		if (!code && *n && !named)
			named = cr_xstrdup(n);
		jv_free(ns);
	}
	jv_free(objects);
	if (!code && named && !cr_opts.namespace_given) {
		free(cr_opts.namespace);
		cr_opts.namespace = named;
	} else {
		free(named);
	}
	return code;
}
