/*
 * buf.h — a growable byte buffer with a sticky status.
 *
 * Every append takes `notes_status *rc` first and does nothing once *rc is not
 * NOTES_OK (the FTS5 pattern): a run of appends is checked once at the end.
 * The buffer owns its memory; notes_buf_free() releases it.
 */
#ifndef NOTES_BUF_H
#define NOTES_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "notes/status.h"

typedef struct notes_buf {
	char  *p;    /* bytes, always NUL-terminated when cap > 0; owned */
	size_t n;    /* bytes used, not counting the terminating NUL */
	size_t cap;  /* bytes allocated */
} notes_buf;

#define NOTES_BUF_INIT {NULL, 0, 0}

/* Make room for `extra` more bytes (plus the NUL). */
void notes_buf_reserve(notes_status *rc, notes_buf *b, size_t extra);
void notes_buf_append(notes_status *rc, notes_buf *b, const void *p, size_t n);
void notes_buf_append_str(notes_status *rc, notes_buf *b, const char *s);
void notes_buf_append_char(notes_status *rc, notes_buf *b, char c);
/* Append v in decimal: what "%lld" gives, without printf's cost (lists of
 * ids and offsets are built per result). */
void notes_buf_append_int(notes_status *rc, notes_buf *b, int64_t v);
/* printf-style append. */
void notes_buf_printf(notes_status *rc, notes_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append v as a little-endian base-128 varint (1..10 bytes). */
void notes_buf_put_varint(notes_status *rc, notes_buf *b, uint64_t v);
/* Read a varint at *p (not past end) into *v and advance *p; -1 when the
 * bytes end first or it is longer than 10 bytes. */
int notes_varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v);
/* Room for one more element of `size` bytes in the array p of n used and
 * *cap allocated: p itself while n < *cap, else p moved to twice *cap (256 at
 * first), *cap updated.  NULL when out of memory: p and *cap unchanged. */
void *notes_array_grow(void *p, size_t n, size_t *cap, size_t size);
/* Forget the contents, keep the allocation. */
void notes_buf_clear(notes_buf *b);
void notes_buf_free(notes_buf *b);

#endif
