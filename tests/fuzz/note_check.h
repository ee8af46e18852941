/*
 * note_check.h — invariants of a parsed note, shared by the note fuzz
 * targets (fuzz_frontmatter.c, fuzz_markdown.c) and their regression runs.
 */
#ifndef NOTE_CHECK_H
#define NOTE_CHECK_H

#include <stdlib.h>
#include <string.h>
#include "doc.h"
#include "index.h"
#include "notes/date.h"

/* A date written by the library: empty, or a real YYYY-MM-DD day. */
static inline void check_date(const char *d)
{
	if (!d[0])
		return;
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		abort();
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			abort();
	long y = strtol(d, NULL, 10), m = strtol(d + 5, NULL, 10), day = strtol(d + 8, NULL, 10);
	if (y < NOTES_DATE_YEAR_MIN || y > NOTES_DATE_YEAR_MAX || m < 1 || m > 12 || day < 1 ||
	    day > notes_date_days_in_month(y, m))
		abort();
}

/*
 * Parse data[0..size) as the note "fuzz/2015-04-17-note.md" (NUL bytes made
 * spaces, as a reader never passes them) and check what comes out:
 *   - every front-matter value and warning points inside the source;
 *   - each field's segments are in order, inside the field and the source,
 *     and survive encoding; every field offset maps inside the source;
 *   - the title is never empty; dates are real days.
 */
static inline void check_note(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		abort();
	for (size_t i = 0; i < size; i++)
		buf[i] = data[i] ? (char)data[i] : ' ';
	buf[size] = '\0';
	notes_doc d;
	notes_doc_init(&d);
	int flags = 0;
	if (notes_index_parse_note(&d, "fuzz/2015-04-17-note.md", buf, size, &flags) != NOTES_OK)
		abort();
	int lines = notes_doc_line_of(&d, size);
	for (size_t i = 0; i < d.nkv; i++) {
		if (!d.kv[i].key || !d.kv[i].value || d.kv[i].src > size || d.kv[i].line < 1 ||
		    d.kv[i].line > lines)
			abort();
		for (const char *k = d.kv[i].key; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				abort();
	}
	for (size_t i = 0; i < d.nwarn; i++)
		if (!d.warn[i].msg || d.warn[i].line < 0 || d.warn[i].line > lines)
			abort();
	if (d.title.n == 0 || d.field[NOTES_FIELD_TITLE].n == 0)
		abort();
	check_date(d.date);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		const notes_segment *sg = d.map.seg[f];
		size_t flen = d.field[f].n;
		for (size_t i = 0; i < d.map.nseg[f]; i++) {
			if (sg[i].off > flen || (size > 0 && sg[i].src >= size) ||
			    (size == 0 && sg[i].src > 0))
				abort();
			if (i > 0 && sg[i].off <= sg[i - 1].off)
				abort();
		}
		for (size_t off = 0; off < flen; off += 1 + off / 8) {
			int64_t at = notes_linemap_lookup(&d.map, (notes_field)f, (uint32_t)off);
			if (at < -1 || at > (int64_t)size)
				abort();
		}
	}
	notes_status rc = NOTES_OK;
	notes_buf blob = NOTES_BUF_INIT;
	notes_linemap back;
	memset(&back, 0, sizeof back);
	notes_linemap_encode(&rc, &d.map, &blob);
	if (rc != NOTES_OK || notes_linemap_decode(blob.p ? blob.p : "", blob.n, &back) != NOTES_OK)
		abort();
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		if (back.nseg[f] != d.map.nseg[f] ||
		    (back.nseg[f] &&
		     memcmp(back.seg[f], d.map.seg[f], back.nseg[f] * sizeof *back.seg[f]) != 0))
			abort();
	notes_linemap_free(&back);
	notes_buf_free(&blob);
	notes_doc_free(&d);
	free(buf);
}

#endif
