/*
 * secrets generate: Secret manifests for everything the manifests
 * reference, for a pipe (kubeseal, kubectl apply -f -) or a 0600 file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "secrets.h"

/* Keys that stayed empty because only the user can supply them. */
int sec_report_unmade(const struct sec_set *set)
{
	int n = 0;
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].nkeys; j++) {
			const struct sec_key *k = &set->v[i].keys[j];
			if (k->origin != ORIG_NONE)
				continue;
			cr_warn("secret %s: key %s is never generated: give it in --from-env-file as %s/%s=VALUE",
				set->v[i].name, k->name, set->v[i].name, k->name);
			n++;
		}
	return n;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sec_generate(int argc, const char **argv)
{
	(void)argv;
	sec_allow("generate", SEC_OPT_OUTPUT | SEC_OPT_ENV_FILE | SEC_OPT_OUT | SEC_OPT_SHOW | SEC_OPT_SOURCE);
	if (argc)
		cr_usage_error("generate takes no arguments");
	const char *fmt = sec_opts.output ? sec_opts.output : "yaml";
	if (strcmp(fmt, "yaml") && strcmp(fmt, "json"))
		cr_usage_error("generate: -o must be yaml or json, not '%s'", fmt);
	/* Decide before any value exists: a terminal keeps scrollback and recordings. */
	if (!sec_opts.out_file && !sec_opts.show && isatty(STDOUT_FILENO))
		cr_usage_error("refusing to print secret values to a terminal: pipe them "
			       "(| kubeseal -o yaml), use --out FILE, or give --show");

	struct sec_set set = SEC_SET_INIT;
	sec_set_from_manifests(&set);
	if (sec_opts.env_file)
		sec_envfile_apply(&set, sec_opts.env_file);
	sec_fill(&set, false);
	sec_report_unmade(&set);

	struct cr_buf out = CR_BUF_INIT;
	if (!strcmp(fmt, "json"))
		sec_emit_json(&set, false, &out);
	else
		sec_emit_yaml(&set, false, &out);
	sec_set_free(&set);

	int rc = CR_EXIT_OK;
	if (sec_opts.out_file) {
		if (cr_write_file_atomic(sec_opts.out_file, out.data, out.len, 0600) < 0) {
			cr_error("%s: %s", sec_opts.out_file, strerror(errno));
			rc = CR_EXIT_FAILED;
		}
	} else if (write_all(STDOUT_FILENO, cr_buf_str(&out), out.len) < 0) {
		cr_error("standard output: %s", strerror(errno));
		rc = CR_EXIT_FAILED;
	}
	cr_buf_wipe(&out);
	return rc;
}
