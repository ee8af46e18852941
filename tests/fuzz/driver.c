/*
 * driver.c — runs a fuzz target's LLVMFuzzerTestOneInput over stored inputs
 * without libFuzzer, so that `make check` replays every seed and every input
 * that once crashed (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME) under
 * the sanitizers.  Prints TAP: one test per target.
 *
 *   test_fuzz_NAME [FILE|DIR...]   (default: the directories compiled in
 *                                   as FUZZ_DIRS, colon separated)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *p = realloc(buf, cap *= 2);
			if (!p) {
				free(buf);
				buf = NULL;
			} else {
				buf = p;
			}
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	/* A copy of exactly n bytes, so that ASan sees any read past it. */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	printf("# %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int run_path(const char *path, int *count)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return 0;   /* a target may have no regressions yet */
	if (!S_ISDIR(sb.st_mode)) {
		if (run_file(path) != 0)
			return -1;
		++*count;
		return 0;
	}
	struct dirent **names = NULL;
	int k = scandir(path, &names, NULL, alphasort);
	int rc = k < 0 ? -1 : 0;
	for (int i = 0; i < k; i++) {
		char sub[4096];
		if (rc == 0 && names[i]->d_name[0] != '.') {
			snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
			rc = run_path(sub, count);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 0, rc = 0;
	printf("1..1\n");
	if (argc > 1) {
		for (int i = 1; i < argc && rc == 0; i++)
			rc = run_path(argv[i], &count);
	} else {
		char dirs[] = FUZZ_DIRS;
		for (char *d = strtok(dirs, ":"); d && rc == 0; d = strtok(NULL, ":"))
			rc = run_path(d, &count);
	}
	if (rc != 0 || count == 0) {
		printf("not ok 1 - %s: %s\n", FUZZ_NAME, count ? "an input could not be read"
							  : "no inputs found");
		return 1;
	}
	printf("ok 1 - %s: %d stored inputs keep their invariants\n", FUZZ_NAME, count);
	return 0;
}
