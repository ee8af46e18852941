/*
 * zip.c — stored form of note texts (see notes/zip.h).
 *
 * Must not include sqlite3.h: compiled the same way into the programs and
 * into the loadable extension.
 */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "notes/zip.h"

/* zstd level: 1 is the fastest; higher levels gained little on notes and
 * cost the indexer's parsing thread more than the bytes saved. */
#define ZIP_LEVEL 1
/* Texts shorter than this are stored as they are: a frame costs ~10 bytes. */
#define ZIP_MIN 64

enum { ZIP_RAW = 0, ZIP_ZSTD = 1 };

struct notes_zip {
	ZSTD_CCtx *cctx;   /* owned */
};

notes_status notes_zip_new(notes_zip **out)
{
	notes_zip *z = calloc(1, sizeof *z);
	*out = NULL;
	if (!z || !(z->cctx = ZSTD_createCCtx())) {
		free(z);
		return NOTES_E_NOMEM;
	}
	*out = z;
	return NOTES_OK;
}

void notes_zip_free(notes_zip *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z);
}

static void zip_raw(notes_status *rc, const char *text, size_t n, notes_buf *out)
{
	notes_buf_append_char(rc, out, ZIP_RAW);
	notes_buf_append(rc, out, text, n);
}

void notes_zip_pack(notes_status *rc, notes_zip *z, const char *text, size_t n, notes_buf *out)
{
	if (*rc != NOTES_OK)
		return;
	if (n < ZIP_MIN) {
		zip_raw(rc, text, n, out);
		return;
	}
	size_t bound = ZSTD_compressBound(n);
	notes_buf_reserve(rc, out, 1 + bound);
	if (*rc != NOTES_OK)
		return;
	size_t at = out->n;
	size_t got = ZSTD_compressCCtx(z->cctx, out->p + at + 1, bound, text, n, ZIP_LEVEL);
	if (ZSTD_isError(got) || got >= n) {   /* incompressible: keep it plain */
		zip_raw(rc, text, n, out);
		return;
	}
	out->p[at] = ZIP_ZSTD;
	out->n = at + 1 + got;
	out->p[out->n] = '\0';
}

notes_status notes_zip_unpack(const void *p, size_t n, notes_buf *out)
{
	const unsigned char *b = p;
	notes_status rc = NOTES_OK;
	if (n == 0 || !b)
		return NOTES_E_CORRUPT;
	if (b[0] == ZIP_RAW) {
		notes_buf_append(&rc, out, (const char *)b + 1, n - 1);
		return rc;
	}
	if (b[0] != ZIP_ZSTD)
		return NOTES_E_CORRUPT;
	unsigned long long size = ZSTD_getFrameContentSize(b + 1, n - 1);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    size > NOTES_ZIP_MAX)
		return NOTES_E_CORRUPT;
	notes_buf_reserve(&rc, out, (size_t)size);
	if (rc != NOTES_OK)
		return rc;
	size_t got = ZSTD_decompress(out->p + out->n, (size_t)size, b + 1, n - 1);
	if (ZSTD_isError(got) || got != size) {
		out->p[out->n] = '\0';
		return NOTES_E_CORRUPT;
	}
	out->n += got;
	out->p[out->n] = '\0';
	return NOTES_OK;
}
