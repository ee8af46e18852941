/*
 * rank.h — FTS5 auxiliary functions of notes-search, registered on the query
 * connection only (never stored in the table: the sqlite3 CLI must still be
 * able to open the database).
 *
 *   notes_rank(fts, wTitle, wHeadings, wMeta, wBody, wCode [, date])
 *       The score, lower is better (FTS5 sorts ascending):
 *       -(bm25 + proximity + phrase + recency), where bm25 weights each
 *       column's term frequency, proximity rewards the smallest window
 *       holding every phrase of the query in one column, phrase rewards the
 *       query's words side by side in query order, and recency (only when
 *       the note's "YYYY-MM-DD" date is passed) is a small bonus halving
 *       every two years.
 *
 *       The weights are read on a statement's first row and kept for its
 *       others: they must be the same in every row (literals, parameters).
 *
 *   notes_explain(fts, same arguments)
 *       "bm25=… title=… headings=… meta=… body=… code=… proximity=…
 *       phrase=… recency=… matched=…" for --explain.
 *
 *   notes_passage(fts)
 *       The best passage, as
 *         "COL MARK PSTART PEND HSTART HEND WSTART WEND h1s,h1e h2s,h2e …\n"
 *         followed by the bytes WSTART..WEND of the column text:
 *       the column, the length of its language marker, the byte range of
 *       the passage (a line of the stored column text) holding the most
 *       distinct query phrases (body preferred on ties), its first hit, the
 *       snippet window around it, and every hit in the passage (byte ranges
 *       in the column text, marker included).
 *
 *   notes_matched(fts)
 *       Number of distinct query phrases the row matches (to rank widened
 *       "most terms" results).
 */
#ifndef NOTES_RANK_H
#define NOTES_RANK_H

#include "notes/status.h"

typedef struct sqlite3 sqlite3;

notes_status notes_rank_register(sqlite3 *db);

/* The largest recency factor: a note dated today scores (1 + this) times
 * what it would score undated. */
#define NOTES_RANK_RECENCY_MAX 0.05

/* The recency factor notes_rank(fts, ..., date) applies for a note dated
 * `date` (YYYY-MM-DD...; NULL or unparsable: 0): the score is multiplied by
 * 1 + the result, which lies in [0, NOTES_RANK_RECENCY_MAX].  Lets a caller
 * rank without dates, then date a few candidates. */
double notes_rank_recency(const char *date);

/* Pruning for a top-k caller (bound with sqlite3_bind_pointer() under the
 * type name NOTES_RANK_PRUNE_TYPE as notes_rank's 8th argument, after the 5
 * weights and the date): a row whose score, with the largest recency
 * factor, cannot exceed `floor` is not scored exactly and notes_rank returns
 * NULL for it.  The bound needs only the phrase positions FTS5 already holds
 * (the note's length is bounded below by its last hit), so a pruned row
 * costs no read of its size.  The caller raises `floor` as its k-th best
 * exact score rises; it must never lower it during a statement. */
typedef struct notes_rank_prune {
	double floor;       /* undated score to beat; <= 0: prune nothing */
	long long pruned;   /* rows pruned so far (statistics) */
	/* A query of one phrase has its rows' count for document frequency:
	 * with may_defer set, notes_rank skips FTS5's count of the phrase's
	 * notes (a second walk of its whole list) and scores with idf 1,
	 * setting deferred and nrow; the caller counts the rows and multiplies
	 * each score by notes_rank_idf(nrow, rows) before anything else.
	 * Scores, floor and bounds all scale by that one factor, so nothing is
	 * pruned or ordered differently, and the results are bit for bit those
	 * of an undeferred score. */
	int may_defer;      /* in: the statement's rows are exactly the phrase's */
	int deferred;       /* out: scores were made with idf 1 */
	long long nrow;     /* out: rows in the index (when deferred) */
	/* With offer set (and may_defer), a query of one phrase is walked
	 * whole by notes_rank's first call, through FTS5's xQueryPhrase: each
	 * row is counted into `rows`, and each row not pruned is handed to
	 * offer with its score (notes_rank's result, negated); offer may raise
	 * floor.  That call returns NULL and sets walked, and the caller
	 * steps the statement no further.  This spares a step of the
	 * statement and a call of notes_rank per row. */
	int (*offer)(void *ctx, long long id, double score);  /* SQLITE_OK, or an
							   * error that stops
							   * the walk */
	void *offer_ctx;    /* offer's first argument */
	int walked;         /* out: the rows went to offer */
	long long rows;     /* out: rows walked (when walked) */
} notes_rank_prune;

/* The idf notes_rank gives a phrase found in n of nrow notes. */
double notes_rank_idf(long long nrow, long long n);
#define NOTES_RANK_PRUNE_TYPE "notes_rank_prune"

#endif
