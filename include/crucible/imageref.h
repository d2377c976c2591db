/*
 * Container image references, by the grammar of the distribution project
 * (github.com/distribution/reference), which kubelet and kustomize use:
 *
 *   [domain[:port]/]path-component[/path-component...][:tag][@sha256:digest]
 *
 * The first component is a domain only when it has a '.' or ':' or is
 * "localhost"; path components are lowercase; digests are sha256 with 64
 * lowercase hex digits (the only algorithm registries serve).
 */
#ifndef CRUCIBLE_IMAGEREF_H
#define CRUCIBLE_IMAGEREF_H

struct cr_image_ref {
	char *domain; /* "registry.example:5000", or NULL (Docker Hub) */
	char *path;   /* "crucible-platform/api-service" */
	char *tag;    /* NULL when none */
	char *digest; /* "sha256:<64 hex>", NULL when none */
};
#define CR_IMAGE_REF_INIT { NULL, NULL, NULL, NULL }

/*
 * Parses s into ref (fields malloc'd). Returns 0, or -1 with *why set to a
 * static reason ("repository name must be lowercase") and ref left empty.
 */
int cr_image_ref_parse(const char *s, struct cr_image_ref *ref, const char **why);
void cr_image_ref_free(struct cr_image_ref *ref);

/* Each returns NULL when s is valid, else the static reason. */
const char *cr_image_check_name(const char *s);   /* domain/path, no tag or digest */
const char *cr_image_check_domain(const char *s); /* host[:port] */
const char *cr_image_check_path(const char *s);   /* path components, e.g. a project */
const char *cr_image_check_tag(const char *s);
const char *cr_image_check_digest(const char *s); /* "sha256:<64 hex>" */

#endif
