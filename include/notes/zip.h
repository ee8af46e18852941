#ifndef NOTES_ZIP_H
#define NOTES_ZIP_H
/*
 * zip.h — the stored form of note texts (lib/zip.c).
 *
 * The index keeps each note's column texts compressed (zstd) in its own
 * table: FTS5 holds only the inverted index (a contentless table), and the
 * texts come back for passages and for deleting a note's old postings.
 *
 * Stored form: one tag byte, then the payload.  Tag 0: the text itself
 * (short or incompressible texts).  Tag 1: one zstd frame that records the
 * text's size.  Anything else is damaged.
 */
#include <stddef.h>
#include "notes/buf.h"
#include "notes/status.h"

/* Largest text notes_zip_unpack() restores: a damaged or hostile stored
 * value cannot make it allocate more. */
#define NOTES_ZIP_MAX ((size_t)1 << 30)

typedef struct notes_zip notes_zip;

/* A compressor and decompressor (their state is reused between calls:
 * zstd's contexts are large to set up).  On failure *out is NULL.  Caller
 * frees with notes_zip_free() (NULL is fine).  One per thread. */
notes_status notes_zip_new(notes_zip **out);
void notes_zip_free(notes_zip *z);

/* Append the stored form of text[0..n) to out.  Sticky: does nothing once
 * *rc is not NOTES_OK; sets it to NOTES_E_NOMEM on allocation failure. */
void notes_zip_pack(notes_status *rc, notes_zip *z, const char *text, size_t n, notes_buf *out);

/* Append the text of the stored form p[0..n) to out (NUL-terminated, the
 * NUL not counted).  Returns NOTES_E_CORRUPT for a damaged stored form (out
 * unchanged), NOTES_E_NOMEM.  Thread-safe. */
notes_status notes_zip_unpack(const void *p, size_t n, notes_buf *out);
/* The same with z's decompression context (made on first use and kept), z
 * used by one thread at a time; NULL is notes_zip_unpack(). */
notes_status notes_zip_unpack_with(notes_zip *z, const void *p, size_t n, notes_buf *out);

#endif
