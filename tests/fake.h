/*
 * For unit tests that run a fake kubectl script (fake_path, in a
 * temporary directory of its own): the script appends a line to
 * fake_count on each run.
 */
#ifndef CRUCIBLE_TESTS_FAKE_H
#define CRUCIBLE_TESTS_FAKE_H

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/opts.h"

static char fake_dir[] = "/tmp/crucible-fake.XXXXXX";
static char fake_path[PATH_MAX], fake_count[PATH_MAX];

/* Creates the directory; returns -1 (after perror) when it cannot. */
static inline int fake_init(void)
{
	if (!mkdtemp(fake_dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(fake_path, sizeof(fake_path), "%s/kubectl", fake_dir);
	snprintf(fake_count, sizeof(fake_count), "%s/count", fake_dir);
	return 0;
}

/* After the script was written: makes it executable, forgets earlier runs, points --kubectl at it. */
static inline void fake_install(void)
{
	chmod(fake_path, 0755);
	remove(fake_count);
	memset(&cr_opts, 0, sizeof(cr_opts));
	cr_opts.kubectl = fake_path;
}

/* How many times the fake ran: the count file's lines. */
static inline int fake_runs(void)
{
	int n = 0, ch;
	FILE *f = fopen(fake_count, "r");
	if (!f)
		return 0;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static inline void fake_cleanup(void)
{
	remove(fake_path);
	remove(fake_count);
	rmdir(fake_dir);
}

#endif
