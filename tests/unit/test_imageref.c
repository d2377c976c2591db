/* Image references: what kubelet and kustomize accept, and what they refuse. */
#include <string.h>

#include "crucible/imageref.h"
#include "tap.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

static void parses(const char *s, const char *domain, const char *path, const char *tag, const char *digest)
{
	struct cr_image_ref r;
	const char *why = NULL;
	int rc = cr_image_ref_parse(s, &r, &why);
	ok(rc == 0 && !strcmp(str(r.domain), str(domain)) && !strcmp(str(r.path), str(path)) &&
	   !strcmp(str(r.tag), str(tag)) && !strcmp(str(r.digest), str(digest)),
	   "%s: domain %s, path %s, tag %s, digest %s", s, str(domain), str(path), str(tag),
	   digest ? "set" : "(null)");
	if (rc)
		printf("#   refused: %s\n", why);
	cr_image_ref_free(&r);
}

static void refused(const char *s, const char *reason)
{
	struct cr_image_ref r;
	const char *why = NULL;
	int rc = cr_image_ref_parse(s, &r, &why);
	ok(rc == -1 && why && strstr(why, reason) && !r.path, "'%s' refused: %s", s, reason);
	if (rc == -1 && why && !strstr(why, reason))
		printf("#   reason: %s\n", why);
	cr_image_ref_free(&r);
}

int main(void)
{
	parses("api-service", NULL, "api-service", NULL, NULL);
	parses("postgres:15.8-alpine", NULL, "postgres", "15.8-alpine", NULL);
	parses("mher/flower:2.0.1", NULL, "mher/flower", "2.0.1", NULL);
	parses("registry.example:5000/crucible-platform/api-service:0.1.0", "registry.example:5000",
	       "crucible-platform/api-service", "0.1.0", NULL);
	parses("123456789012.dkr.ecr.us-west-2.amazonaws.com/crucible-platform/frontend",
	       "123456789012.dkr.ecr.us-west-2.amazonaws.com", "crucible-platform/frontend", NULL, NULL);
	parses("localhost/x", "localhost", "x", NULL, NULL);
	parses("x@" DIGEST, NULL, "x", NULL, DIGEST);
	parses("r.example/x:1@" DIGEST, "r.example", "x", "1", DIGEST);
	parses("a__b/c-d/e.f--g", NULL, "a__b/c-d/e.f--g", NULL, NULL);

	refused("UPPER/x", "lowercase");
	refused("a:b:c", "invalid separator");
	refused("x@sha256:abc", "64");
	refused("x@md5:0123", "sha256");
	refused("x@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "64");
	refused("r.example:port/x", "port must be a number");
	refused("r.example/x:-bad", "tag must start");
	refused("x/", "empty path component");
	refused("", "empty");
	refused("-x", "start and end");
	refused("a___b", "separator");
	refused("r-.example/x", "must not start or end");

	ok(cr_image_check_tag("0.1.0") == NULL, "tag 0.1.0");
	ok(cr_image_check_tag("v1+x") != NULL, "tag with '+' refused");
	ok(cr_image_check_domain("registry.example") == NULL, "registry.example is a registry");
	ok(cr_image_check_domain("bad_host.example") != NULL, "'_' in a host refused");
	ok(cr_image_check_path("crucible-platform") == NULL, "a project is a path");
	ok(cr_image_check_path("Crucible") != NULL, "uppercase project refused");
	return tap_failed ? 1 : 0;
}
