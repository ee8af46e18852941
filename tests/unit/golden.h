/*
 * golden.h — golden-file support shared by the unit tests: inputs and
 * expected outputs live in tests/golden/<module>/, compared byte for byte.
 * NOTES_GOLDEN_UPDATE=1 rewrites the expected files instead (review them by
 * hand before committing: they must be what is right, not what the code
 * happens to do).
 */
#ifndef NOTES_TEST_GOLDEN_H
#define NOTES_TEST_GOLDEN_H

#include <stddef.h>

/* Golden files are found from the repository root (tests run there), or
 * below NOTES_SRCDIR when the build defines it. */
#ifdef NOTES_SRCDIR
#define GOLDEN_ROOT NOTES_SRCDIR "/tests/golden/"
#else
#define GOLDEN_ROOT "tests/golden/"
#endif

/*
 * Read a whole file into an exact-size allocation plus one NUL byte (so
 * ASan catches reads past *n + 1).  NULL when it cannot be read.  Caller
 * frees.
 */
char *golden_read(const char *path, size_t *n);

/*
 * Compare got[0..n) with the file at path (rewriting it first when
 * NOTES_GOLDEN_UPDATE=1).  Returns 0 when equal; otherwise reports the first
 * differing line with cmocka's print_error and returns -1.
 */
int golden_compare(const char *path, const char *got, size_t n);

#endif
