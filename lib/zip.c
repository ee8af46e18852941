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

/* A frame declaring more than TRUST_RATIO times its own size, plus
 * TRUST_SLACK, is decompressed step by step (see notes_zip_unpack). */
#define ZIP_TRUST_RATIO 16
#define ZIP_TRUST_SLACK (64u << 10)

enum { ZIP_RAW = 0, ZIP_ZSTD = 1 };

struct notes_zip {
	ZSTD_CCtx *cctx;   /* owned; made on the first notes_zip_pack() */
	ZSTD_DCtx *dctx;   /* owned; made on the first notes_zip_unpack_with() */
};

notes_status notes_zip_new(notes_zip **out)
{
	notes_zip *z = calloc(1, sizeof *z);
	*out = NULL;
	if (!z)
		return NOTES_E_NOMEM;
	*out = z;
	return NOTES_OK;
}

void notes_zip_free(notes_zip *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	ZSTD_freeDCtx(z->dctx);
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
	if (!z->cctx && !(z->cctx = ZSTD_createCCtx())) {
		*rc = NOTES_E_NOMEM;
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

/* Decompress the frame src[0..n), which declares `size` bytes, growing out
 * only as output really comes: memory follows what the frame holds, not
 * what its header claims. */
static notes_status zip_unpack_stream(ZSTD_DCtx *dctx, const unsigned char *src, size_t n,
				      size_t size, notes_buf *out)
{
	notes_status rc = NOTES_OK;
	size_t start = out->n, step = ZIP_TRUST_SLACK;
	/* A kept context may be mid-way through a frame refused earlier. */
	if (ZSTD_isError(ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only)))
		return NOTES_E_CORRUPT;
	ZSTD_inBuffer in = {src, n, 0};
	for (;;) {
		size_t room = size - (out->n - start) < step ? size - (out->n - start) : step;
		notes_buf_reserve(&rc, out, room + 1);   /* +1: a byte past size shows excess */
		if (rc != NOTES_OK)
			break;
		ZSTD_outBuffer o = {out->p + out->n, room + 1, 0};
		size_t r = ZSTD_decompressStream(dctx, &o, &in);
		out->n += o.pos;
		if (ZSTD_isError(r) || out->n - start > size) {
			rc = NOTES_E_CORRUPT;
			break;
		}
		if (r == 0)   /* the frame is complete */
			break;
		if (in.pos == in.size && o.pos < o.size) {   /* input ends first */
			rc = NOTES_E_CORRUPT;
			break;
		}
		step *= 2;
	}
	if (rc == NOTES_OK && out->n - start != size)
		rc = NOTES_E_CORRUPT;
	if (rc != NOTES_OK)
		out->n = start;
	if (out->p)
		out->p[out->n] = '\0';
	return rc;
}

notes_status notes_zip_unpack_with(notes_zip *z, const void *p, size_t n, notes_buf *out)
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
	/* The size comes from the frame header, which a damaged value
	 * controls: allocate it at once only when the frame could plausibly
	 * hold it (text rarely packs beyond 10:1), else grow as zstd really
	 * produces bytes. */
	ZSTD_DCtx *own = NULL, *dctx = z ? z->dctx : NULL;
	if (!dctx && !(dctx = own = ZSTD_createDCtx()))
		return NOTES_E_NOMEM;
	if (z && !z->dctx)
		z->dctx = dctx, own = NULL;   /* kept for the next call */
	if (size > ZIP_TRUST_RATIO * (unsigned long long)n + ZIP_TRUST_SLACK) {
		rc = zip_unpack_stream(dctx, b + 1, n - 1, (size_t)size, out);
	} else {
		notes_buf_reserve(&rc, out, (size_t)size);
		size_t got = rc == NOTES_OK
			? ZSTD_decompressDCtx(dctx, out->p + out->n, (size_t)size, b + 1, n - 1)
			: 0;
		if (rc == NOTES_OK && (ZSTD_isError(got) || got != size))
			rc = NOTES_E_CORRUPT;
		if (rc == NOTES_OK)
			out->n += got;
		if (out->p)
			out->p[out->n] = '\0';
	}
	ZSTD_freeDCtx(own);
	return rc;
}

notes_status notes_zip_unpack(const void *p, size_t n, notes_buf *out)
{
	return notes_zip_unpack_with(NULL, p, n, out);
}
