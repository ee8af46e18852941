/* buf.c — growable byte buffer with a sticky status (see buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "notes/buf.h"

void notes_buf_reserve(notes_status *rc, notes_buf *b, size_t extra)
{
	if (*rc != NOTES_OK)
		return;
	if (extra > (size_t)-1 / 2 - b->n) {
		*rc = NOTES_E_NOMEM;
		return;
	}
	size_t need = b->n + extra + 1;
	if (need <= b->cap)
		return;
	int was_empty = b->cap == 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		*rc = NOTES_E_NOMEM;
		return;
	}
	b->p = p;
	b->cap = cap;
	if (was_empty)
		p[0] = '\0';   /* the header promises a terminated buffer */
}

void notes_buf_append(notes_status *rc, notes_buf *b, const void *p, size_t n)
{
	notes_buf_reserve(rc, b, n);
	if (*rc != NOTES_OK)
		return;
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void notes_buf_append_str(notes_status *rc, notes_buf *b, const char *s)
{
	notes_buf_append(rc, b, s, strlen(s));
}

void notes_buf_append_char(notes_status *rc, notes_buf *b, char c)
{
	notes_buf_append(rc, b, &c, 1);
}

void notes_buf_append_int(notes_status *rc, notes_buf *b, int64_t v)
{
	char d[24], *e = d + sizeof d, *q = e;
	/* through the unsigned magnitude: -INT64_MIN does not fit */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		*--q = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--q = '-';
	notes_buf_append(rc, b, q, (size_t)(e - q));
}

void notes_buf_printf(notes_status *rc, notes_buf *b, const char *fmt, ...)
{
	if (*rc != NOTES_OK)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*rc = NOTES_E_USAGE;
		return;
	}
	notes_buf_reserve(rc, b, (size_t)n);
	if (*rc != NOTES_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void notes_buf_clear(notes_buf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

void notes_buf_free(notes_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

void notes_buf_put_varint(notes_status *rc, notes_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	int n = 0;
	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		tmp[n++] = c | (v ? 0x80 : 0);
	} while (v);
	notes_buf_append(rc, b, tmp, (size_t)n);
}

int notes_varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		unsigned char c = *(*p)++;
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

void *notes_array_grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	size_t ncap = *cap ? 2 * *cap : 256;
	if (ncap < *cap || ncap > (size_t)-1 / size)
		return NULL;
	void *np = realloc(p, ncap * size);
	if (np)
		*cap = ncap;
	return np;
}
