/* What the fuzz targets share: a name for bytes that the library reads as a file. */
#ifndef CRUCIBLE_FUZZ_H
#define CRUCIBLE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A target's property failed: abort, so libFuzzer (or the driver) keeps the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); abort(); } } while (0)

/*
 * Writes data to an anonymous in-memory file and returns its /proc/self/fd
 * path (static buffer), for code that opens a path. fuzz_file_close ends it.
 */
const char *fuzz_file(const uint8_t *data, size_t size);
void fuzz_file_close(void);

#endif
