/*
 * linemap.h — the fields of a note and the map from field text back to the
 * source file.
 *
 * A note is indexed as five FTS5 columns (the fields below).  Each field's
 * text is a concatenation of "segments": runs of bytes copied verbatim from
 * the source file.  For every segment we keep (offset in field text, byte
 * offset in source file); a hit at field offset X therefore maps to source
 * offset  seg.src + (X - seg.off)  for the last segment with seg.off <= X.
 * The query binary turns that source offset into path:line:col.
 *
 * The map is stored per note as a compact blob (varints, delta coded).
 */
#ifndef NOTES_LINEMAP_H
#define NOTES_LINEMAP_H

#include <stddef.h>
#include <stdint.h>
#include "notes/status.h"
#include "notes/buf.h"

/* FTS5 column order.  Ranking weights are chosen per field. */
typedef enum notes_field {
	NOTES_FIELD_TITLE = 0,    /* front matter title, else first # heading, else file name */
	NOTES_FIELD_HEADINGS,     /* all headings, one per line */
	NOTES_FIELD_META,         /* tags and other front-matter text values */
	NOTES_FIELD_BODY,         /* paragraphs, lists, quotes, tables, link/alt text, inline code */
	NOTES_FIELD_CODE,         /* fenced/indented code blocks and inline code */
	NOTES_FIELD_COUNT
} notes_field;

/* Column names in the FTS5 table, indexed by notes_field. */
extern const char *const notes_field_names[NOTES_FIELD_COUNT];

typedef struct notes_segment {
	uint32_t off;   /* byte offset in the field text where the segment starts */
	uint32_t src;   /* byte offset in the source file of that first byte */
} notes_segment;

/* Per-field segment lists; arrays owned by the struct. */
typedef struct notes_linemap {
	notes_segment *seg[NOTES_FIELD_COUNT];   /* sorted by off */
	size_t nseg[NOTES_FIELD_COUNT];          /* number used */
	size_t cap[NOTES_FIELD_COUNT];           /* number allocated */
} notes_linemap;

/* Append a segment to field f; merges with the previous one when both field
 * and source offsets continue it.  Sticky status. */
void notes_linemap_add(notes_status *rc, notes_linemap *m, notes_field f,
		       uint32_t off, uint32_t src);
void notes_linemap_free(notes_linemap *m);

/* Serialize to blob (appended to out).  Sticky status. */
void notes_linemap_encode(notes_status *rc, const notes_linemap *m, notes_buf *out);
/* Parse a blob into m (which must be zeroed or freed before).  On failure m
 * is left empty.  Returns NOTES_E_CORRUPT for a malformed blob. */
notes_status notes_linemap_decode(const void *blob, size_t n, notes_linemap *m);

/* Source offset of field offset `off` in field f, or -1 when f has no
 * segment at or before off. */
int64_t notes_linemap_lookup(const notes_linemap *m, notes_field f, uint32_t off);

/* Length of the language marker "\x01LANG\x01" at the start of a field text
 * (see tokenize.h), 0 when there is none.  Field offsets in the linemap do
 * not count the marker: subtract this before notes_linemap_lookup(). */
size_t notes_lang_marker_len(const char *text, size_t n);

#endif
