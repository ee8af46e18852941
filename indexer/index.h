/*
 * index.h — the incremental indexing engine behind notes-index.
 *
 * For each archive root it walks the files (walk.c), skips those whose size
 * and mtime are unchanged (one stat), hashes the rest (XXH3) to skip touched
 * but unchanged files, detects renames by hash, and re-extracts changed notes
 * (frontmatter.c, markdown.c) into the database.  Work is committed in
 * bounded batches, so a killed run loses at most one batch and the next run
 * completes it.  A full rebuild is built beside the live tables and swapped
 * in at the end, so queries keep working on the old index meanwhile.
 *
 * Library code: nothing is printed; warnings and progress reach the caller
 * through the callbacks in notes_index_opts.
 */
#ifndef NOTES_INDEX_H
#define NOTES_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "notes/db.h"
#include "notes/status.h"

typedef struct notes_index_stats {
	uint64_t seen;        /* candidate note files found by the walk */
	uint64_t added;       /* new notes indexed */
	uint64_t updated;     /* changed notes re-indexed */
	uint64_t unchanged;   /* notes found unchanged (stat or hash) */
	uint64_t renamed;     /* notes whose file moved (same content) */
	uint64_t deleted;     /* notes removed because their file is gone */
	uint64_t skipped;     /* files reported skipped (with a warning) */
	uint64_t warnings;    /* warnings reported, skips included */
	uint64_t bytes;       /* bytes of notes read and indexed */
	uint64_t expected;    /* notes the index held for these roots before the run (ETA) */
	double   seconds;     /* wall time so far */
	bool     full;        /* this run is a full rebuild */
} notes_index_stats;

typedef struct notes_index_opts {
	const char *const *exts;   /* note file extensions without dot */
	size_t   nexts;            /* number of exts */
	uint64_t max_size;         /* larger files are skipped with a warning */
	bool     full;             /* rebuild everything */
	bool     bulk;             /* nobody reads db yet (NOTES_DB_BULK): one
				    * transaction, no intermediate commits */
	/* Called for each warning; path is the file (or root), line 0 when the
	 * warning is not tied to a line.  Strings valid during the call. */
	void (*on_warning)(void *ctx, const char *path, int line, const char *msg);
	/* Called after each file with the running totals. */
	void (*on_progress)(void *ctx, const notes_index_stats *st);
	void *ctx;                 /* passed to the callbacks */
} notes_index_opts;

/*
 * Index the given roots (absolute, real paths) into db; they are added to the
 * remembered roots.  With opts->full every remembered root is rebuilt too.
 * *stats receives the totals.  On failure *errmsg (when not NULL) receives a
 * malloc'ed description (caller frees).  Per-file problems are warnings, not
 * failures.
 */
notes_status notes_index_run(notes_db *db, const char *const *roots, size_t nroots,
			     const notes_index_opts *opts, notes_index_stats *stats,
			     char **errmsg);

/* Remembered roots, in the order they were added.  *roots is a malloc'ed
 * array of malloc'ed strings (free with notes_index_roots_free). */
notes_status notes_index_roots(notes_db *db, char ***roots, size_t *n);
void notes_index_roots_free(char **roots, size_t n);

/* The state of an index at a glance (notes-index --status). */
typedef struct notes_index_status_info {
	notes_db_count *roots;         /* remembered roots (name) with their notes
					* (count), in order; owned */
	size_t   nroots;               /* entries in roots */
	uint64_t notes;                /* notes in the index */
	uint64_t notes_warned;         /* of those, notes with warnings at their last index */
	char    *last_run;             /* UTC time of the last completed run
					* ("2026-11-21T03:15:02Z"), NULL if none; owned */
	double   last_seconds;         /* its duration, -1 if unknown */
	int64_t  last_warnings;        /* its warnings, -1 if unknown */
	uint64_t db_bytes;             /* database file plus its -wal */
} notes_index_status_info;

/* Fill *info from db (opened read-only is enough; never waits for a running
 * indexer).  On failure *info holds nothing to free.  Free with
 * notes_index_status_free(). */
notes_status notes_index_status(notes_db *db, notes_index_status_info *info);
void notes_index_status_free(notes_index_status_info *info);

/* How a parsed note got its title and date (notes_index_parse_note). */
enum { NOTES_PARSE_TITLE_FROM_NAME = 1, NOTES_PARSE_DATE_FROM_NAME = 2 };

/*
 * The per-note parse of a run, for tests and fuzz targets: buf[0..len) (the
 * file's bytes, NUL-free; modified in place: invalid UTF-8 is replaced) into
 * d (reset first; d->src points into buf afterwards), with path for the
 * file-name fallbacks of title and date; *flags gets NOTES_PARSE_* bits.
 * NOTES_OK whatever the content, or NOTES_E_NOMEM.  Declared in doc.h's
 * terms; include doc.h to use it.
 */
struct notes_doc;
notes_status notes_index_parse_note(struct notes_doc *d, const char *path, char *buf, size_t len,
				    int *flags);

/* Forget a root and remove its notes from the index. */
notes_status notes_index_forget(notes_db *db, const char *root, uint64_t *removed);

#endif
