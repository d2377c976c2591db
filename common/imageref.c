/* Image reference grammar (distribution/reference), without regular expressions. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/imageref.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* over s[0..n). */
static const char *check_component(const char *s, size_t n)
{
	if (!n)
		return "empty path component";
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return "repository name must be lowercase";
	if (!lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return "path components must start and end with a letter or digit";
	for (size_t i = 0; i < n;) {
		if (lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !lower_alnum(s[j]))
			j++;
		size_t len = j - i;
		bool dashes = strspn(s + i, "-") >= len;
		bool ok = dashes || (len == 1 && (s[i] == '.' || s[i] == '_')) ||
			  (len == 2 && s[i] == '_' && s[i + 1] == '_');
		if (!ok)
			return "invalid separator in repository name";
		i = j;
	}
	return NULL;
}

const char *cr_image_check_path(const char *s)
{
	if (!*s)
		return "empty repository path";
	for (const char *p = s;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		const char *why = check_component(p, n);
		if (why)
			return why;
		if (!slash)
			return NULL;
		p = slash + 1;
	}
}

const char *cr_image_check_domain(const char *s)
{
	const char *colon = strrchr(s, ':');
	size_t host = colon ? (size_t)(colon - s) : strlen(s);
	if (!host)
		return "empty registry host";
	if (colon) {
		if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
			return "registry port must be a number";
	}
	size_t start = 0;
	for (size_t i = 0; i <= host; i++) {
		if (i < host && s[i] != '.') {
			if (!alnum(s[i]) && s[i] != '-')
				return "invalid character in registry host";
			continue;
		}
		if (i == start)
			return "empty label in registry host";
		if (s[start] == '-' || s[i - 1] == '-')
			return "registry host labels must not start or end with '-'";
		start = i + 1;
	}
	return NULL;
}

const char *cr_image_check_tag(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return "empty tag";
	if (n > TAG_MAX_LEN)
		return "tag longer than 128 characters";
	if (!alnum(s[0]) && s[0] != '_')
		return "tag must start with a letter, digit or '_'";
	for (size_t i = 1; i < n; i++)
		if (!alnum(s[i]) && !strchr("_.-", s[i]))
			return "invalid character in tag";
	return NULL;
}

const char *cr_image_check_digest(const char *s)
{
	if (strncmp(s, "sha256:", 7))
		return "digest must be sha256:<64 hex digits>";
	const char *hex = s + 7;
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		return "digest must be sha256: followed by 64 lowercase hex digits";
	return NULL;
}

/* The first component is a registry when it looks like a host. */
static bool is_domain(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !memcmp(s, "localhost", 9));
}

const char *cr_image_check_name(const char *s)
{
	if (!*s)
		return "empty image name";
	if (strlen(s) > NAME_MAX_LEN)
		return "repository name longer than 255 characters";
	const char *slash = strchr(s, '/');
	if (slash && is_domain(s, (size_t)(slash - s))) {
		char *domain = cr_xstrdup(s);
		domain[slash - s] = '\0';
		const char *why = cr_image_check_domain(domain);
		free(domain);
		return why ? why : cr_image_check_path(slash + 1);
	}
	return cr_image_check_path(s);
}

void cr_image_ref_free(struct cr_image_ref *ref)
{
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	*ref = (struct cr_image_ref)CR_IMAGE_REF_INIT;
}

int cr_image_ref_parse(const char *s, struct cr_image_ref *ref, const char **why)
{
	*ref = (struct cr_image_ref)CR_IMAGE_REF_INIT;
	char *name = cr_xstrdup(s);
	char *at = strchr(name, '@');
	const char *w = NULL;
	if (at) {
		*at = '\0';
		if (!(w = cr_image_check_digest(at + 1)))
			ref->digest = cr_xstrdup(at + 1);
	}
	/* A ':' after the last '/' starts the tag (before it, a port). */
	char *slash = strrchr(name, '/');
	char *colon = strrchr(slash ? slash : name, ':');
	if (!w && colon) {
		*colon = '\0';
		if (!(w = cr_image_check_tag(colon + 1)))
			ref->tag = cr_xstrdup(colon + 1);
	}
	if (!w)
		w = cr_image_check_name(name);
	if (!w) {
		slash = strchr(name, '/');
		if (slash && is_domain(name, (size_t)(slash - name))) {
			*slash = '\0';
			ref->domain = cr_xstrdup(name);
			ref->path = cr_xstrdup(slash + 1);
		} else {
			ref->path = cr_xstrdup(name);
		}
	}
	free(name);
	if (w) {
		cr_image_ref_free(ref);
		*why = w;
		return -1;
	}
	return 0;
}
