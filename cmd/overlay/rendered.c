/* What an overlay's rendered manifests hold: image repositories and workloads. */
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/imageref.h"
#include "crucible/jq.h"
#include "crucible/util.h"
#include "overlay.h"

/* "host/path" of an image reference, without tag or digest; NULL when it is not a reference. */
char *overlay_image_repo(const char *image)
{
	struct cr_image_ref r = CR_IMAGE_REF_INIT;
	const char *why;
	if (cr_image_ref_parse(image, &r, &why) < 0)
		return NULL;
	struct cr_buf b = CR_BUF_INIT;
	cr_buf_addf(&b, "%s%s%s", r.domain ? r.domain : "", r.domain ? "/" : "", r.path);
	cr_image_ref_free(&r);
	return b.data;
}

/* The repositories of every container's and init container's image, once each. */
jv overlay_image_repos(jv objects)
{
	jv images = cr_jq_eval("[.[] | .. | objects | (.containers?, .initContainers?) | arrays | .[].image "
			       "| strings] | unique | .[]", objects, jv_null());
	jv repos = jv_array();
	jv_array_foreach(images, i, img) {
		char *repo = overlay_image_repo(jv_string_value(img));
		bool seen = false;
		jv_array_foreach(repos, j, r) { 
			seen |= repo && !strcmp(jv_string_value(r), repo);
			jv_free(r);
		}
		if (repo && !seen)
			repos = jv_array_append(repos, jv_string(repo));
		free(repo);
		jv_free(img);
	}
	jv_free(images);
	return repos;
}

/* The base's own images: the registry-neutral names of its images: list ("api-service"). */
jv overlay_platform_names(void)
{
	struct cr_buf path = CR_BUF_INIT, data = CR_BUF_INIT;
	overlay_root(&path);
	cr_buf_adds(&path, "/../base/kustomization.yaml");
	struct cr_ydoc *d = overlay_load(path.data, &data);
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	jv names = jv_array();
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n; i++) {
		const char *n = cr_ynode_str(cr_ynode_get(images->items[i], "name", NULL));
		if (n)
			names = jv_array_append(names, jv_string(n));
	}
	cr_ydoc_free(d);
	cr_buf_free(&path);
	cr_buf_free(&data);
	return names;
}

/* Whether image (a repo, or an images: entry's name) is one of names by its last component. */
bool overlay_is_platform(jv names, const char *image)
{
	const char *slash = strrchr(image, '/');
	bool yes = false;
	jv_array_foreach(names, i, name) {
		yes |= !strcmp(slash ? slash + 1 : image, jv_string_value(name));
		jv_free(name);
	}
	return yes;
}

/* The repos in objects that are the platform's images. */
jv overlay_platform_images(jv names, jv objects)
{
	jv repos = overlay_image_repos(objects), out = jv_array();
	jv_array_foreach(repos, i, repo)
		out = overlay_is_platform(names, jv_string_value(repo)) ? jv_array_append(out, repo) :
									   (jv_free(repo), out);
	jv_free(repos);
	jv_free(names);
	return out;
}

/* A workload `replicas:` can scale (kustomize's replica transformer: these four kinds), so named. */
bool overlay_has_workload(jv objects, const char *name)
{
	jv found = cr_jq_eval(".[] | select(.metadata.name == $name and (.kind | IN(\"Deployment\", "
			      "\"StatefulSet\", \"ReplicaSet\", \"ReplicationController\")))",
			      jv_copy(objects), JV_OBJECT(jv_string("name"), jv_string(name)));
	bool yes = jv_is_valid(found) ? jv_array_length(found) > 0 : (jv_free(found), false);
	return yes;
}
