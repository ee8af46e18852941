/*
 * doc.h — one note as the indexer sees it, built in phases:
 *   source bytes -> front matter (frontmatter.c) -> Markdown text (markdown.c)
 *   -> database rows (index.c).
 *
 * The doc owns every buffer in it.  notes_doc_reset() empties it for the next
 * file while keeping allocations, so memory is bounded by the largest note.
 */
#ifndef NOTES_DOC_H
#define NOTES_DOC_H

#include <stddef.h>
#include <stdint.h>
#include "notes/buf.h"
#include "notes/linemap.h"
#include "notes/status.h"

/* One front-matter value.  Lists become one entry per item, same key. */
typedef struct notes_kv {
	char    *key;     /* lowercased key, NUL-terminated; owned */
	char    *value;   /* scalar text, NUL-terminated; owned */
	uint32_t src;     /* byte offset of the value in the source file */
	int      line;    /* 1-based source line of the value */
} notes_kv;

/* A warning about this note, reported as "path:line: message". */
typedef struct notes_warning {
	int   line;       /* 1-based source line, 0 when not tied to a line */
	char *msg;        /* owned */
} notes_warning;

typedef struct notes_doc {
	const char *src;        /* source bytes (not owned; valid while indexing this file) */
	size_t      src_len;    /* bytes in src */
	const char *path;       /* file path, for the file-name fallbacks (not owned) */

	notes_buf   field[NOTES_FIELD_COUNT];   /* FTS5 column texts */
	notes_linemap map;                      /* field offset -> source offset */

	notes_kv   *kv;         /* front-matter values, in document order; owned */
	size_t      nkv, kvcap;

	size_t      body_off;   /* source offset where the Markdown body begins */
	int         body_line;  /* 1-based line of body_off */

	notes_buf   title;      /* chosen title (see NOTES_FIELD_TITLE) */
	char        date[11];   /* "YYYY-MM-DD" or "" when unknown */
	char        lang[16];   /* lowercased front-matter lang, "" when none */
	notes_buf   first_h1;   /* text of the first level-1 heading ("" if none) */
	uint32_t    first_h1_src; /* its source offset */

	notes_warning *warn;    /* owned */
	size_t      nwarn, warncap;
} notes_doc;

void notes_doc_init(notes_doc *d);
/* Empty every part for the next note; keeps allocations. */
void notes_doc_reset(notes_doc *d);
void notes_doc_free(notes_doc *d);

/* Append text copied verbatim from src[src_off..src_off+n) to field f,
 * recording the segment.  Sticky status. */
void notes_doc_append(notes_status *rc, notes_doc *d, notes_field f,
		      const char *text, size_t n, uint32_t src_off);
/* Append a separator (newline) to field f unless it is empty or already ends
 * with one.  Separators map to no source. */
void notes_doc_break(notes_status *rc, notes_doc *d, notes_field f);
/* Record a front-matter value (copies key and value). */
void notes_doc_add_kv(notes_status *rc, notes_doc *d, const char *key,
		      const char *value, size_t vlen, uint32_t src, int line);
/* Record a warning (printf-style).  Sticky status. */
void notes_doc_warn(notes_status *rc, notes_doc *d, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* First value of a front-matter key, or NULL. */
const notes_kv *notes_doc_kv(const notes_doc *d, const char *key);
/* 1-based line number of source offset off (counts '\n' before it). */
int notes_doc_line_of(const notes_doc *d, size_t off);

#endif
