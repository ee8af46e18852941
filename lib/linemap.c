/* linemap.c — field-offset to source-offset map (see linemap.h). */
#include <stdlib.h>
#include <string.h>
#include "notes/linemap.h"

const char *const notes_field_names[NOTES_FIELD_COUNT] = {
	"title", "headings", "meta", "body", "code"
};

void notes_linemap_add(notes_status *rc, notes_linemap *m, notes_field f,
		       uint32_t off, uint32_t src)
{
	if (*rc != NOTES_OK)
		return;
	size_t n = m->nseg[f];
	if (n > 0) {
		notes_segment *last = &m->seg[f][n - 1];
		/* Same run continued: nothing to record. */
		if (off >= last->off && src >= last->src &&
		    off - last->off == src - last->src)
			return;
		if (off == last->off) {   /* empty previous segment: replace it */
			last->src = src;
			return;
		}
	}
	if (n == m->cap[f]) {
		size_t cap = m->cap[f] ? m->cap[f] * 2 : 16;
		notes_segment *p = realloc(m->seg[f], cap * sizeof *p);
		if (!p) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		m->seg[f] = p;
		m->cap[f] = cap;
	}
	m->seg[f][n].off = off;
	m->seg[f][n].src = src;
	m->nseg[f] = n + 1;
}

void notes_linemap_free(notes_linemap *m)
{
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		free(m->seg[f]);
	memset(m, 0, sizeof *m);
}

/* Zig-zag so that small negative source deltas stay small. */
static uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

void notes_linemap_encode(notes_status *rc, const notes_linemap *m, notes_buf *out)
{
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		notes_buf_put_varint(rc, out, m->nseg[f]);
		int64_t po = 0, ps = 0;
		for (size_t i = 0; i < m->nseg[f]; i++) {
			notes_buf_put_varint(rc, out, (uint64_t)(m->seg[f][i].off - po));
			notes_buf_put_varint(rc, out, zz((int64_t)m->seg[f][i].src - ps));
			po = m->seg[f][i].off;
			ps = m->seg[f][i].src;
		}
	}
}

notes_status notes_linemap_decode(const void *blob, size_t n, notes_linemap *m)
{
	const unsigned char *p = blob, *end = p + n;
	memset(m, 0, sizeof *m);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		uint64_t cnt;
		if (notes_varint_get(&p, end, &cnt) || cnt > n)
			goto corrupt;
		if (cnt) {
			m->seg[f] = malloc(cnt * sizeof(notes_segment));
			if (!m->seg[f]) {
				notes_linemap_free(m);
				return NOTES_E_NOMEM;
			}
			m->cap[f] = cnt;
		}
		int64_t po = 0, ps = 0;
		for (uint64_t i = 0; i < cnt; i++) {
			uint64_t d, s;
			if (notes_varint_get(&p, end, &d) || notes_varint_get(&p, end, &s))
				goto corrupt;
			po += (int64_t)d;
			ps += unzz(s);
			if (po < 0 || po > UINT32_MAX || ps < 0 || ps > UINT32_MAX)
				goto corrupt;
			m->seg[f][i].off = (uint32_t)po;
			m->seg[f][i].src = (uint32_t)ps;
			m->nseg[f] = i + 1;
		}
	}
	return NOTES_OK;
corrupt:
	notes_linemap_free(m);
	return NOTES_E_CORRUPT;
}

int64_t notes_linemap_lookup(const notes_linemap *m, notes_field f, uint32_t off)
{
	size_t lo = 0, hi = m->nseg[f];
	if (hi == 0 || m->seg[f][0].off > off)
		return -1;
	while (hi - lo > 1) {   /* last segment with seg.off <= off */
		size_t mid = lo + (hi - lo) / 2;
		if (m->seg[f][mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (int64_t)m->seg[f][lo].src + (off - m->seg[f][lo].off);
}

size_t notes_lang_marker_len(const char *text, size_t n)
{
	if (n < 3 || text[0] != '\x01')
		return 0;
	for (size_t i = 1; i < n && i <= 16; i++) {
		char c = text[i];
		if (c == '\x01')
			return i > 1 ? i + 1 : 0;
		if (!((c >= 'a' && c <= 'z') || c == '_' || c == '-'))
			return 0;
	}
	return 0;
}
