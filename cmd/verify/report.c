/*
 * The report: --only/--skip applied, then text (grouped by area, colour on a
 * terminal only), JSON (every check) or JUnit XML on stdout; the exit code
 * says whether anything reached the --fail-on level.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/json.h"
#include "verify.h"

jv verify_jq(const char *program, jv input)
{
	return cr_jq_named_first(program, input);
}

static int count(jv checks, const char *level)
{
	int n = 0;
	jv_array_foreach(checks, i, c) {
		n += !strcmp(cr_json_str(c, "level"), level);
		jv_free(c);
	}
	jv_free(checks); /* jv_array_foreach borrows */
	return n;
}

int verify_report(struct verify *v)
{
	jv checks = jv_copy(v->checks);
	int fails = count(jv_copy(checks), "FAIL"), warns = count(jv_copy(checks), "WARN");
	int passes = count(jv_copy(checks), "PASS");
	const char *fail_on = v->fail_on_warn ? "warn" : "fail";

	if (v->format == FORMAT_JSON) {
		jv out = JV_OBJECT(jv_string("namespace"), jv_string(v->namespace),
				   jv_string("failOn"), jv_string(fail_on),
				   jv_string("summary"), JV_OBJECT(jv_string("pass"), jv_number(passes),
								   jv_string("warn"), jv_number(warns),
								   jv_string("fail"), jv_number(fails)),
				   jv_string("checks"), jv_copy(checks));
		jv s = jv_dump_string(out, JV_PRINT_INDENT_FLAGS(2));
		printf("%s\n", jv_string_value(s));
		jv_free(s);
	} else {
		jv in = JV_OBJECT(jv_string("checks"), jv_copy(checks), jv_string("namespace"), jv_string(v->namespace),
				  jv_string("failOn"), jv_string(fail_on),
				  jv_string("color"), jv_bool(cr_color_stdout), jv_string("quiet"), jv_bool(cr_quiet),
				  jv_string("verbose"), jv_bool(cr_verbose > 0));
		jv s = verify_jq(v->format == FORMAT_JUNIT ? "verify-junit" : "verify-text", in);
		fputs(jv_string_value(s), stdout);
		jv_free(s);
	}
	fflush(stdout);
	jv_free(checks);
	return fails || (v->fail_on_warn && warns) ? CR_EXIT_FAILED : CR_EXIT_OK;
}
