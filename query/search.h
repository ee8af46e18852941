/*
 * search.h — run a query against the index and collect ranked results with
 * their exact source positions.
 */
#ifndef NOTES_SEARCH_H
#define NOTES_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "notes/db.h"
#include "notes/status.h"

typedef struct notes_result {
	int64_t id;          /* notes.id */
	char   *path;        /* absolute path; owned */
	char   *title;       /* owned */
	char   *date;        /* "YYYY-MM-DD" or NULL; owned */
	char   *tags;        /* "a, b" or NULL; owned */
	double  score;       /* higher is better */
	int     field;       /* notes_field of the located hit, -1 if none */
	int     line;        /* 1-based source line of the hit, 0 if unknown */
	int     col;         /* 1-based byte column of the hit, 0 if unknown */
	char   *line_text;   /* the source line (no newline), or NULL; owned */
	char   *snippet;     /* passage with hits between \x02 and \x03; owned */
} notes_result;

typedef struct notes_search_opts {
	int limit;           /* results wanted */
	int offset;          /* results skipped */
} notes_search_opts;

/*
 * Run `query` (the user's words, ANDed) on db.  On success *res is a
 * malloc'ed array of *n results (free with notes_results_free).  NOTES_E_PARSE
 * when the query has no searchable word (*why explains, caller frees).
 */
notes_status notes_search_run(notes_db *db, const char *query, const notes_search_opts *o,
			      notes_result **res, size_t *n, char **why);
void notes_results_free(notes_result *res, size_t n);

/* Byte offset src of file path -> 1-based line and byte column, and the text
 * of that line (malloc'ed, caller frees).  NOTES_E_IO when the file cannot be
 * read or is shorter than src. */
notes_status notes_source_position(const char *path, uint64_t src, int *line, int *col,
				   char **line_text);

#endif
