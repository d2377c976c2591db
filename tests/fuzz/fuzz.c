/* Helpers linked into every fuzz target (not a target itself). */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static int fd = -1;

const char *fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	fuzz_file_close();
	fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	FUZZ_ASSERT(fd >= 0);
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);
		FUZZ_ASSERT(n > 0);
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
}

void fuzz_file_close(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
}
