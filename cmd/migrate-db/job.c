/*
 * The Jobs a run creates, built from the project's template
 * (k8s/jobs/db-migrate.yaml) by jq programs: the manifests go to kubectl's
 * stdin, so no value of the Secret is ever on an argument list.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/manager.h"
#include "crucible/manifests.h"
#include "crucible/yaml.h"
#include "migrate.h"

void mig_name_jobs(struct migrate *m)
{
	time_t now = time(NULL);
	struct tm tm;
	char hash[9];

	gmtime_r(&now, &tm);
	strftime(m->stamp, sizeof(m->stamp), "%Y%m%d-%H%M%S", &tm);
	mig_image_hash(m->image, hash);
	snprintf(m->job_name, sizeof(m->job_name), "db-migrate-%s-%s", m->stamp, hash);
	snprintf(m->backup_name, sizeof(m->backup_name), "db-backup-%s-%s", m->stamp, hash);
}

/* The template, parsed; dies naming the file when it cannot be read. */
static jv load_template(void)
{
	const char *home = cr_manifests_home();
	char path[PATH_MAX];
	struct cr_buf text = CR_BUF_INIT;

	if (!home)
		cr_die(CR_EXIT_INPUT, "no Crucible manifests found for the Job template: set CRUCIBLE_MANIFESTS");
	snprintf(path, sizeof(path), "%s/jobs/db-migrate.yaml", home);
	if (cr_read_file(path, &text) < 0)
		cr_die(CR_EXIT_INPUT, "%s: cannot read the migration Job template", path);
	jv docs = cr_yaml_parse(cr_buf_str(&text), text.len, path, NULL);
	cr_buf_free(&text);
	if (!jv_is_valid(docs)) {
		jv msg = jv_invalid_get_msg(docs);
		cr_die(CR_EXIT_INPUT, "%s", jv_string_value(msg));
	}
	jv job = jv_array_get(docs, 0);
	if (jv_get_kind(job) != JV_KIND_OBJECT)
		cr_die(CR_EXIT_INPUT, "%s: no Job in the template", path);
	return job;
}

static jv run_program(const char *name, jv input)
{
	return cr_jq_named_first(name, input);
}

jv mig_manifests(const struct migrate *m, const char *namespace)
{
	char hash[9];
	mig_image_hash(m->image, hash);
	long long deadline = m->timeout_ms > 0 ? (m->timeout_ms + 999) / 1000 : 0;
	jv labels = JV_OBJECT(jv_string(CR_LABEL_MANAGED_BY), jv_string(CR_LABEL_MANAGED_BY_VALUE),
			      jv_string("crucible.dev/image-hash"), jv_string(hash),
			      jv_string("crucible.dev/lease"), jv_string(MIG_LEASE));
	jv annotations = JV_OBJECT(jv_string("crucible.dev/image"), jv_string(m->image));
	jv out = jv_array();

	if (m->backup) {
		jv pg = cr_jq_first(cr_jq_named("migrate-postgres-image"), jv_copy(m->objects));
		if (jv_get_kind(pg) != JV_KIND_STRING)
			cr_die(CR_EXIT_INPUT, "--backup: the manifests have no postgres StatefulSet to take pg_dump's image from");
		out = jv_array_append(out, run_program("migrate-backup-claim",
			JV_OBJECT(jv_string("namespace"), jv_string(namespace), jv_string("labels"), jv_copy(labels))));
		out = jv_array_append(out, run_program("migrate-backup",
			JV_OBJECT(jv_string("name"), jv_string(m->backup_name), jv_string("namespace"), jv_string(namespace),
				  jv_string("image"), pg,
				  jv_string("config"), cr_jq_named_first("migrate-postgres-config", jv_copy(m->objects)),
				  jv_string("file"), jv_string_fmt("%s.sql.gz", m->stamp),
				  jv_string("deadline"), jv_number((double)deadline),
				  jv_string("labels"), jv_copy(labels), jv_string("annotations"), jv_copy(annotations))));
	}
	out = jv_array_append(out, run_program("migrate-job",
		JV_OBJECT(jv_string("template"), load_template(), jv_string("name"), jv_string(m->job_name),
			  jv_string("namespace"), jv_string(namespace), jv_string("image"), jv_string(m->image),
			  jv_string("retries"), jv_number(m->retries), jv_string("deadline"), jv_number((double)deadline),
			  jv_string("labels"), labels, jv_string("annotations"), annotations)));
	return out;
}
