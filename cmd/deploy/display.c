/*
 * deploy's progress while it waits, on stderr: on a terminal one line per
 * workload redrawn in place; piped, one plain line whenever a workload's
 * state changes (what CI logs keep).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/json.h"
#include "crucible/log.h"
#include "deploy.h"

jv deploy_row_of(jv rows, jv item)
{
	jv row = jv_object_get(jv_copy(rows), jv_string(cr_json_str(item, "key")));
	if (!jv_is_valid(row))
		row = JV_OBJECT(jv_string("ref"), jv_string(cr_json_str(item, "ref")), jv_string("ready"), jv_string("-"),
				jv_string("status"), jv_string("InProgress"), jv_string("message"),
				jv_string("not seen yet"));
	jv_free(item);
	return row;
}

static void format_row(FILE *out, jv row, struct cr_buf *b)
{
	bool cur = !strcmp(cr_json_str(row, "status"), "Current");
	cr_buf_addf(b, "  %-40s %-8s %s%s%s", cr_json_str(row, "ref"), cr_json_str(row, "ready"),
		    cr_color(out, cur ? CR_GREEN : !strcmp(cr_json_str(row, "status"), "Failed") ? CR_RED : CR_YELLOW),
		    cur ? "ready" : cr_json_str(row, "message"), cr_color(out, CR_RESET));
}

/* stderr a TTY: redraw one line per workload in place, when a line changed (most pod events change none). */
static void draw_live(struct deploy_display *w, jv items, jv rows)
{
	FILE *out = w->out;
	struct cr_buf frame = CR_BUF_INIT;
	int lines = 0;
	jv_array_foreach(items, i, it) {
		jv row = deploy_row_of(rows, it);
		cr_buf_adds(&frame, "\033[2K");
		format_row(out, row, &frame);
		cr_buf_adds(&frame, "\n");
		jv_free(row);
		lines++;
	}
	if (w->drawn == lines && w->frame.len == frame.len && (!frame.len || !memcmp(w->frame.data, frame.data, frame.len))) {
		cr_buf_free(&frame);
		return;
	}
	if (w->drawn)
		fprintf(out, "\033[%dA", w->drawn);
	fwrite(frame.data, 1, frame.len, out);
	fflush(out);
	w->drawn = lines;
	cr_buf_free(&w->frame);
	w->frame = frame;
}

/* Piped: one plain line whenever a workload's state changes. */
static void print_changes(struct deploy_display *w, jv items, jv rows)
{
	jv *last = &w->last;
	jv_array_foreach(items, i, it) {
		jv key = jv_string(cr_json_str(it, "key"));
		jv row = deploy_row_of(rows, it);
		jv line = jv_string_fmt("%s %s %s", cr_json_str(row, "ready"), cr_json_str(row, "status"), cr_json_str(row, "message"));
		jv before = jv_object_get(jv_copy(*last), jv_copy(key));
		if (!jv_equal(before, jv_copy(line)) && strcmp(cr_json_str(row, "ready"), "-")) {
			bool cur = !strcmp(cr_json_str(row, "status"), "Current");
			fprintf(w->out, "%s: %s %s\n", cr_json_str(row, "ref"), cr_json_str(row, "ready"),
				cur ? "ready" : cr_json_str(row, "message"));
		}
		*last = jv_object_set(*last, key, line);
		jv_free(row);
	}
	fflush(w->out);
}

void deploy_display_init(struct deploy_display *v, FILE *out)
{
	memset(v, 0, sizeof(*v));
	v->out = out;
	v->tty = isatty(fileno(out)) && !cr_quiet && !getenv("CRUCIBLE_NO_LIVE");
	v->frame = (struct cr_buf)CR_BUF_INIT;
	v->last = jv_object();
}

void deploy_display_update(struct deploy_display *v, jv items, jv rows)
{
	if (v->tty)
		draw_live(v, items, rows);
	else
		print_changes(v, items, rows);
}

void deploy_display_end(struct deploy_display *v, jv items, jv rows)
{
	if (v->tty && v->drawn)
		draw_live(v, items, rows);
	v->drawn = 0;
	cr_buf_free(&v->frame);
}

void deploy_display_free(struct deploy_display *v)
{
	cr_buf_free(&v->frame);
	jv_free(v->last);
	v->last = jv_null();
}
