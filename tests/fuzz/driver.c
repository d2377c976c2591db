/*
 * Regression driver for the fuzz targets when libFuzzer is not there (gcc):
 * feeds every file named, or every file inside each directory named, to
 * LLVMFuzzerTestOneInput once, as libFuzzer does with a corpus and -runs=0.
 * A crash, a sanitizer report or an abort() in a target fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/buf.h"
#include "crucible/manifests.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	struct cr_buf b = CR_BUF_INIT;
	if (cr_read_file(path, &b) < 0) {
		perror(path);
		return 1;
	}
	/* An exact-size copy, so ASan sees a read past the end. */
	uint8_t *copy = cr_xmalloc(b.len ? b.len : 1);
	memcpy(copy, cr_buf_str(&b), b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	cr_buf_free(&b);
	return 0;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	int bad = 0, n = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]);
			n++;
			continue;
		}
		struct dirent **names;
		int k = scandir(argv[i], &names, not_hidden, alphasort);
		for (int j = 0; j < k; j++) {
			struct cr_buf p = CR_BUF_INIT;
			cr_buf_addf(&p, "%s/%s", argv[i], names[j]->d_name);
			bad |= run_file(p.data);
			n++;
			cr_buf_free(&p);
			free(names[j]);
		}
		free(names);
	}
	printf("%d inputs\n", n);
	return bad;
}
