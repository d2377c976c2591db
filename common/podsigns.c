/* Judging pods that will not come up (see podsigns.h). */
#include <string.h>

#include "crucible/json.h"
#include "crucible/podsigns.h"
#include "crucible/util.h"

void cr_pod_signs_init(struct cr_pod_signs *s, long long pull_grace_ms, long long unsched_grace_ms)
{
	s->pull_grace_ms = pull_grace_ms;
	s->unsched_grace_ms = unsched_grace_ms;
	s->seen = jv_object();
}

void cr_pod_signs_free(struct cr_pod_signs *s)
{
	jv_free(s->seen);
	s->seen = jv_null();
}

/* How long (ms) this sign of this pod has been seen; starts its clock the first time. */
static long long sign_age(struct cr_pod_signs *s, jv pod, jv sign)
{
	jv md = jv_object_get(jv_copy(pod), jv_string("metadata"));
	jv id = jv_string_fmt("%s/%s/%s", cr_json_str(md, "name"), cr_json_str(sign, "container"), cr_json_str(sign, "sign"));
	jv_free(md);
	long long now = cr_now_ms();
	jv first = jv_object_get(jv_copy(s->seen), jv_copy(id));
	if (jv_get_kind(first) != JV_KIND_NUMBER) {
		s->seen = jv_object_set(s->seen, id, jv_number((double)now));
		jv_free(first);
		return 0;
	}
	jv_free(id);
	long long age = now - (long long)jv_number_value(first);
	jv_free(first);
	return age;
}

bool cr_pod_sign_fatal(struct cr_pod_signs *s, jv pod, jv sign)
{
	const char *name = cr_json_str(sign, "sign");
	if (!strcmp(name, "crashloop") || !strcmp(name, "config") || !strcmp(name, "invalid-image"))
		return true;
	long long age = sign_age(s, pod, sign);
	if (!strcmp(name, "image-pull"))
		return age >= s->pull_grace_ms;
	if (!strcmp(name, "unschedulable"))
		return age >= s->unsched_grace_ms;
	return false;
}

bool cr_pod_signs_timing(const struct cr_pod_signs *s)
{
	return jv_object_length(jv_copy(s->seen)) > 0;
}

jv cr_pods_track(jv pods, const char *type, jv pod)
{
	jv md = jv_object_get(jv_copy(pod), jv_string("metadata"));
	jv name = jv_string(cr_json_str(md, "name"));
	jv_free(md);
	if (!strcmp(type, "DELETED")) {
		jv_free(pod);
		return jv_object_delete(pods, name);
	}
	return jv_object_set(pods, name, pod);
}

jv cr_pods_list(jv pods)
{
	jv out = jv_array();
	jv_object_foreach(pods, k, p) {
		jv_free(k);
		out = jv_array_append(out, p);
	}
	return out;
}
