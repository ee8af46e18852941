/* golden.c — golden-file support for the unit tests (see golden.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "golden.h"

char *golden_read(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *p = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *q = realloc(p, cap);
			if (!q) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		size_t k = fread(p + len, 1, 4096, f);
		len += k;
		if (k < 4096)
			break;
	}
	fclose(f);
	/* Exact size, so the sanitizers see any overread. */
	char *exact = malloc(len + 1);
	if (exact) {
		memcpy(exact, p, len);
		exact[len] = '\0';
		*n = len;
	}
	free(p);
	return exact;
}

int golden_compare(const char *path, const char *got, size_t n)
{
	const char *upd = getenv("NOTES_GOLDEN_UPDATE");
	if (upd && strcmp(upd, "1") == 0) {
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(got, 1, n, f) != n) {
			print_error("cannot write %s\n", path);
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
	}
	size_t wn = 0;
	char *want = golden_read(path, &wn);
	if (!want) {
		print_error("missing golden file %s\n", path);
		return -1;
	}
	int rc = 0;
	if (wn != n || memcmp(want, got, n) != 0) {
		size_t k = 0, line = 1;
		while (k < wn && k < n && want[k] == got[k])
			line += want[k++] == '\n';
		size_t ls = k;
		while (ls > 0 && got[ls - 1] != '\n')
			ls--;
		size_t le = k;
		while (le < n && got[le] != '\n')
			le++;
		print_error("%s differs at line %zu; got: %.*s\n", path, line, (int)(le - ls), got + ls);
		rc = -1;
	}
	free(want);
	return rc;
}
