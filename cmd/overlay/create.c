/*
 * overlay create NAME: a new overlay on the base or on another overlay, its
 * images: list naming every platform image the source renders at
 * REGISTRY/PROJECT/<name>. The directory is made, then its kustomization.yaml
 * renamed into it; a failure removes the directory it made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "overlay.h"

/* An RFC 1123 label, as a namespace's name must be. */
static const char *check_namespace(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 63)
		return "a namespace has 1 to 63 characters";
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n || s[0] == '-' || s[n - 1] == '-')
		return "lowercase letters, digits and '-', starting and ending with a letter or digit";
	return NULL;
}

static void entry(struct cr_buf *b, const char *k1, const char *v1, const char *k2, const char *v2)
{
	char *q1 = cr_ydoc_quote(v1), *q2 = v2 ? cr_ydoc_quote(v2) : NULL;
	cr_buf_addf(b, "  - %s: %s\n", k1, q1);
	if (q2)
		cr_buf_addf(b, "    %s: %s\n", k2, q2);
	free(q1);
	free(q2);
}

/* The new kustomization.yaml: resource, images (from the source's rendered platform images), replicas. */
static void compose(struct cr_buf *b, const char *name, const char *from, const char *resource, jv images,
		    const char *registry, const char *project)
{
	cr_buf_addf(b, "# Overlay %s, made by `kubectl crucible overlay create` from %s.\n"
		       "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\n", name, from);
	if (cr_opts.namespace_given) {
		char *ns = cr_ydoc_quote(cr_opts.namespace);
		cr_buf_addf(b, "namespace: %s\n\n", ns);
		free(ns);
	}
	char *q = cr_ydoc_quote(resource);
	cr_buf_addf(b, "resources:\n  - %s\n", q);
	free(q);
	cr_buf_adds(b, "\nimages:\n");
	jv_array_foreach(images, i, img) {
		const char *s = jv_string_value(img), *slash = strrchr(s, '/');
		struct cr_buf to = CR_BUF_INIT;
		cr_buf_addf(&to, "%s%s%s/%s", registry ? registry : "", registry ? "/" : "", project, slash ? slash + 1 : s);
		entry(b, "name", s, "newName", to.data);
		if (overlay_opts.tag) {
			q = cr_ydoc_quote(overlay_opts.tag);
			cr_buf_addf(b, "    newTag: %s\n", q);
			free(q);
		}
		cr_buf_free(&to);
		jv_free(img);
	}
	jv_free(images);
	for (size_t i = 0; overlay_opts.replicas && overlay_opts.replicas[i]; i++) {
		char *svc, *count;
		overlay_replicas_arg(overlay_opts.replicas[i], &svc, &count);
		if (!i)
			cr_buf_adds(b, "\nreplicas:\n");
		entry(b, "name", svc, NULL, NULL);
		cr_buf_addf(b, "    count: %s\n", count);
		free(svc);
		free(count);
	}
}

int overlay_create(int argc, const char **argv)
{
	if (argc != 1)
		cr_usage_error("create takes NAME");
	const char *name = argv[0], *from = overlay_opts.from ? overlay_opts.from : "production", *why;
	const char *registry = overlay_opts.registry ? overlay_opts.registry : overlay_env_or("ECR_REGISTRY", NULL);
	const char *project = overlay_opts.project ? overlay_opts.project : overlay_env_or("PROJECT_NAME", "crucible-platform");
	if (!strcmp(from, name))
		cr_usage_error("an overlay cannot be made from itself ('%s')", name);
	if (registry && (why = cr_image_check_domain(registry)))
		cr_die(CR_EXIT_INPUT, "invalid registry '%s': %s", registry, why);
	if ((why = cr_image_check_path(project)))
		cr_die(CR_EXIT_INPUT, "invalid project '%s': %s", project, why);
	if (overlay_opts.tag && (why = cr_image_check_tag(overlay_opts.tag)))
		cr_die(CR_EXIT_INPUT, "invalid tag '%s': %s", overlay_opts.tag, why);
	if (cr_opts.namespace_given && (why = check_namespace(cr_opts.namespace)))
		cr_die(CR_EXIT_INPUT, "invalid namespace '%s': %s", cr_opts.namespace, why);
	for (size_t i = 0; overlay_opts.replicas && overlay_opts.replicas[i]; i++) {
		char *svc, *count; /* checked before anything renders */
		overlay_replicas_arg(overlay_opts.replicas[i], &svc, &count);
		free(svc);
		free(count);
	}

	struct cr_buf dir = CR_BUF_INIT, base = CR_BUF_INIT, src = CR_BUF_INIT, res = CR_BUF_INIT, file = CR_BUF_INIT;
	struct cr_buf data = CR_BUF_INIT, out = CR_BUF_INIT;
	struct stat st;
	overlay_path(name, "", &dir);
	overlay_root(&base);
	cr_buf_adds(&base, "/../base");
	bool on_base = !strcmp(from, "base");
	if (on_base) {
		cr_buf_adds(&src, base.data);
		cr_buf_adds(&res, "../../base");
	} else {
		overlay_path(from, "", &src);
		cr_buf_addf(&res, "../%s", from);
		cr_buf_addf(&file, "%s/kustomization.yaml", src.data);
		cr_ydoc_free(overlay_load(file.data, &data)); /* readable and a kustomization */
		cr_buf_reset(&file);
	}
	if (stat(dir.data, &st) == 0 && !overlay_opts.force)
		cr_die(CR_EXIT_FAILED, "overlay %s exists (%s): --force writes its kustomization.yaml anew", name, dir.data);
	jv objects = overlay_objects(src.data);
	for (size_t i = 0; overlay_opts.replicas && overlay_opts.replicas[i]; i++) {
		char *svc, *count;
		overlay_replicas_arg(overlay_opts.replicas[i], &svc, &count);
		if (!overlay_has_workload(objects, svc))
			cr_die(CR_EXIT_INPUT, "%s: %s has no workload '%s' (a Deployment, StatefulSet, ReplicaSet or "
			       "ReplicationController)", overlay_opts.replicas[i], from, svc);
		free(svc);
		free(count);
	}
	jv images = overlay_platform_images(overlay_platform_names(), objects);
	if (!jv_array_length(jv_copy(images)))
		cr_die(CR_EXIT_INPUT, "%s renders none of the base's platform images", src.data);
	compose(&out, name, from, res.data, images, registry, project);

	cr_buf_addf(&file, "%s/kustomization.yaml", dir.data);
	bool made = !overlay_opts.dry_run && mkdir(dir.data, 0755) == 0;
	if (!overlay_opts.dry_run && !made && !(errno == EEXIST && overlay_opts.force))
		cr_die(CR_EXIT_FAILED, "cannot make %s: %s", dir.data, strerror(errno));
	if (!made) { /* --dry-run, or --force over an overlay: its file's mode kept */
		overlay_write(file.data, &out);
	} else if (cr_write_file_atomic(file.data, out.data, out.len, 0644) < 0) {
		int e = errno;
		rmdir(dir.data);
		cr_die(CR_EXIT_FAILED, "cannot write %s: %s (nothing was made)", file.data, strerror(e));
	}
	if (!overlay_opts.dry_run)
		cr_info("overlay %s made from %s: %s", name, from, file.data);
	cr_buf_free(&dir);
	cr_buf_free(&base);
	cr_buf_free(&src);
	cr_buf_free(&res);
	cr_buf_free(&file);
	cr_buf_free(&data);
	cr_buf_free(&out);
	return CR_EXIT_OK;
}
