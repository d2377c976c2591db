/*
 * Which image the migration runs. The schema must match the code about to
 * run, so the image is storage-service's in the manifests being deployed
 * (the overlay decides it), or --image; never a tag that can move.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "migrate.h"

bool mig_image_floating(const char *ref)
{
	if (strchr(ref, '@'))
		return false;
	const char *last = strrchr(ref, '/');
	const char *colon = strchr(last ? last : ref, ':');
	return !colon || !strcmp(colon + 1, "latest");
}

void mig_image_hash(const char *ref, char out[9])
{
	const char *at = strchr(ref, '@');
	const char *hex = at ? strchr(at, ':') : NULL;
	if (hex && strlen(hex + 1) >= 8) {
		snprintf(out, 9, "%.8s", hex + 1);
		return;
	}
	uint32_t h = 2166136261u; /* FNV-1a: stable across runs and machines */
	for (const unsigned char *p = (const unsigned char *)ref; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(out, 9, "%08x", (unsigned)h);
}

void mig_choose_image(struct migrate *m)
{
	if (m->image_flag) {
		if (!*m->image_flag)
			cr_usage_error("--image needs an image reference");
		if (mig_image_floating(m->image_flag) && !m->allow_latest)
			cr_die(CR_EXIT_USAGE, "--image %s names no fixed version (:latest or no tag): the schema "
			       "would not be tied to the code; give a tag or digest, or add --allow-latest",
			       m->image_flag);
		m->image = cr_xstrdup(m->image_flag);
		return;
	}
	if (m->allow_latest)
		cr_usage_error("--allow-latest goes with --image");
	jv image = cr_jq_first(cr_jq_named("migrate-image"), jv_copy(m->objects));
	if (jv_get_kind(image) != JV_KIND_STRING) {
		jv_free(image);
		cr_die(CR_EXIT_INPUT, "the manifests have no storage-service Deployment to take the "
		       "migration's image from: give --image");
	}
	if (mig_image_floating(jv_string_value(image))) {
		cr_error("the manifests' storage-service image %s names no fixed version (:latest or no "
			 "tag): set a tag in the overlay, or give --image REF --allow-latest",
			 jv_string_value(image));
		jv_free(image);
		exit(CR_EXIT_FAILED);
	}
	m->image = cr_xstrdup(jv_string_value(image));
	jv_free(image);
}
