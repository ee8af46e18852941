/*
 * search.h — run a parsed query against the index and collect ranked
 * results with snippets and exact source positions.
 *
 * Results come in tiers, each ranked below the one before and never
 * repeating a note:
 *   1. exact: every term matches (the query as written);
 *   2. corrected: terms unknown to the index replaced by their nearest
 *      vocabulary words (typo tolerance), when tier 1 is short;
 *   3. widened: notes matching most of the terms, when still short.
 */
#ifndef NOTES_SEARCH_H
#define NOTES_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "notes/buf.h"
#include "notes/db.h"
#include "notes/status.h"
#include "parse.h"

typedef enum notes_tier {
	NOTES_TIER_EXACT = 0,   /* all terms, as typed */
	NOTES_TIER_CORRECTED,   /* all terms, after typo correction */
	NOTES_TIER_WIDENED      /* most terms */
} notes_tier;

typedef enum notes_sort {
	NOTES_SORT_RANK = 0,    /* best first */
	NOTES_SORT_DATE,        /* oldest first (undated last) */
	NOTES_SORT_DATE_DESC    /* newest first (undated last) */
} notes_sort;

typedef struct notes_result {
	int64_t id;          /* notes.id */
	char   *path;        /* absolute path; owned */
	char   *title;       /* owned */
	char   *date;        /* "YYYY-MM-DD" or NULL; owned */
	char   *tags;        /* "a, b" or NULL; owned */
	double  score;       /* higher is better (within a tier) */
	notes_tier tier;     /* which tier found it */
	int     matched;     /* distinct query phrases matched */
	int     field;       /* notes_field of the passage, -1 if none */
	int     line;        /* 1-based source line of the best hit (1 if unknown) */
	int     col;         /* 1-based byte column of the best hit (1 if unknown) */
	char   *line_text;   /* that source line, no newline; NULL if unreadable; owned */
	char   *snippet;     /* passage window, hits between \x02 and \x03; owned */
	char   *heading;     /* heading the passage sits under, or NULL; owned */
	char   *terms;       /* distinct matched words, '\n'-separated; owned */
	char   *explain;     /* score breakdown with --explain, else NULL; owned */
	bool    stale;       /* the file changed since it was indexed */
} notes_result;

typedef struct notes_search_opts {
	int  limit;          /* results wanted */
	int  offset;         /* results skipped */
	notes_sort sort;     /* order */
	bool explain;        /* fill notes_result.explain */
	bool no_correct;     /* disable typo correction */
	bool no_widen;       /* disable widening */
	bool no_passages;    /* paths only: no snippet, position or heading */
} notes_search_opts;

typedef struct notes_search_info {
	int64_t total;       /* notes matching the query as written (tier 1) */
	char   *corrected;   /* "showing results for" text, or NULL; owned */
	double  ms;          /* time spent, milliseconds */
} notes_search_info;

/*
 * Run q on db.  On success *res is a malloc'ed array of *n results (free with
 * notes_results_free) and *info is filled (free with notes_search_info_free).
 * Failures: NOTES_E_DB etc., with *why a malloc'ed one-line description that
 * never quotes SQLite (caller frees).
 */
notes_status notes_search_run(notes_db *db, const notes_query *q, const notes_search_opts *o,
			      notes_result **res, size_t *n, notes_search_info *info, char **why);
void notes_results_free(notes_result *res, size_t n);
void notes_search_info_free(notes_search_info *info);

/* What --list lists, with the number of notes for each. */
typedef enum notes_list_kind {
	NOTES_LIST_TAGS = 0,   /* tag values (keys tags and tag), most used first */
	NOTES_LIST_KEYS,       /* front-matter keys, most used first */
	NOTES_LIST_ROOTS       /* archive roots, in the order they were added */
} notes_list_kind;

/* The items of kind (ties by name).  *items is malloc'ed (free with
 * notes_db_counts_free); NULL when there are none. */
notes_status notes_list(notes_db *db, notes_list_kind kind, notes_db_count **items, size_t *n);

/* 1 when key is a front-matter key present in the index (for the parser). */
int notes_search_is_key(void *db, const char *key);

/* Byte offset src of file path -> 1-based line and byte column, and the text
 * of that line (malloc'ed, caller frees; at most 1 KiB of it, around src,
 * for very long lines); *sb gets the status of the file read (its size and
 * time tell whether the index is stale).  NOTES_E_IO when the file cannot be
 * read or is shorter than src (*sb is then set only if the file opened). */
notes_status notes_source_position(const char *path, uint64_t src, int *line, int *col,
				   char **line_text, struct stat *sb);

#endif
