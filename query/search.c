/* search.c — run a parsed query and collect ranked results (see search.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "notes/buf.h"
#include "notes/linemap.h"
#include "notes/tokenize.h"
#include "correct.h"
#include "rank.h"
#include "search.h"

/* Column weights: title >> headings, meta (tags) > body, code. */
#define WEIGHTS "10.0, 4.0, 3.0, 1.0, 0.8"
/* Longest source line printed for a hit (vimgrep text, JSON "text"). */
#define LINE_TEXT_MAX 1024
/* Typo suggestions kept per unknown word. */
#define MAX_SUGGEST 3

/* One search: the connection, the results so far, failure detail. */
typedef struct run {
	sqlite3 *h;                 /* the index connection */
	const notes_search_opts *o; /* options */
	const notes_query *q;       /* the parsed query */
	notes_buf filter;           /* SQL of the query's filters over `n` */
	char **binds;               /* their values, bound from ?3 on */
	size_t nbinds;              /* number of binds */
	notes_result *res;          /* results, all tiers; owned */
	size_t n, cap;              /* used, allocated */
	size_t want;                /* offset + limit */
	int quorum;                 /* > 0: phrases a note must match (questions) */
	char *why;                  /* failure detail */
} run;

static notes_status fail(run *r, notes_status st, const char *what)
{
	if (!r->why) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s failed (%s)", what, notes_status_str(st));
		r->why = strdup(buf);
	}
	return st;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return v ? strdup((const char *)v) : NULL;
}

int notes_search_is_key(void *db, const char *key)
{
	sqlite3_stmt *s = NULL;
	int yes = 0;
	if (sqlite3_prepare_v2(notes_db_handle(db), "SELECT 1 FROM fields WHERE key=?1 LIMIT 1",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		yes = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return yes;
}

notes_status notes_source_position(const char *path, uint64_t src, int *line, int *col,
				   char **line_text, struct stat *sb)
{
	*line = *col = 0;
	*line_text = NULL;
	memset(sb, 0, sizeof *sb);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NOTES_E_IO;
	if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
		close(fd);
		return NOTES_E_IO;
	}
	/* Read just past the line holding src: the whole of a small note in
	 * one read (one byte more than its size shows a note that grew). */
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	size_t step = sb->st_size >= 0 && (uint64_t)sb->st_size < 65536 ? (size_t)sb->st_size + 1
									  : 65536;
	for (;;) {
		notes_buf_reserve(&rc, &b, step);
		if (rc != NOTES_OK)
			break;
		ssize_t got = read(fd, b.p + b.n, step);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		b.n += (size_t)got;
		b.p[b.n] = '\0';
		if (b.n > src && memchr(b.p + src, '\n', b.n - src))
			break;
		step = 65536;
	}
	close(fd);
	if (rc != NOTES_OK || b.n < src || (b.n == src && src > 0)) {
		notes_buf_free(&b);
		return rc != NOTES_OK ? rc : NOTES_E_IO;
	}
	size_t ls = src;
	while (ls > 0 && b.p[ls - 1] != '\n')
		ls--;
	int l = 1;
	for (const char *p = b.p; (p = memchr(p, '\n', (size_t)(b.p + ls - p))) != NULL; p++)
		l++;
	size_t le = src;
	while (le < b.n && b.p[le] != '\n')
		le++;
	if (le > ls && b.p[le - 1] == '\r')
		le--;
	*line = l;
	*col = (int)(src - ls) + 1;
	/* A 40 MB one-line note must not print 40 MB: keep at most
	 * LINE_TEXT_MAX bytes of the line, from its start when the hit is
	 * near it, else around the hit; cut on UTF-8 boundaries. */
	if (le - ls > LINE_TEXT_MAX) {
		size_t from = src > ls + LINE_TEXT_MAX / 2 ? src - LINE_TEXT_MAX / 4 : ls;
		while (from > ls && ((unsigned char)b.p[from] & 0xC0) == 0x80)
			from--;
		size_t to = from + LINE_TEXT_MAX < le ? from + LINE_TEXT_MAX : le;
		while (to > from && to < le && ((unsigned char)b.p[to] & 0xC0) == 0x80)
			to--;
		ls = from;
		le = to;
	}
	*line_text = strndup(b.p ? b.p + ls : "", le - ls);
	notes_buf_free(&b);
	return *line_text ? NOTES_OK : NOTES_E_NOMEM;
}

notes_status notes_list(notes_db *db, notes_list_kind kind, notes_db_count **items, size_t *n)
{
	static const char *const sql[] = {
		[NOTES_LIST_TAGS] = "SELECT value, count(DISTINCT note) AS c FROM fields"
				    " WHERE key IN ('tags', 'tag') GROUP BY value ORDER BY c DESC, value",
		[NOTES_LIST_KEYS] = "SELECT key, count(DISTINCT note) AS c FROM fields"
				    " GROUP BY key ORDER BY c DESC, key",
		[NOTES_LIST_ROOTS] = NOTES_DB_ROOTS_SQL,
	};
	*items = NULL;
	*n = 0;
	if ((unsigned)kind > NOTES_LIST_ROOTS)
		return NOTES_E_USAGE;
	return notes_db_counts(db, sql[kind], items, n);
}

static void result_clear(notes_result *x)
{
	free(x->path);
	free(x->title);
	free(x->date);
	free(x->tags);
	free(x->line_text);
	free(x->snippet);
	free(x->heading);
	free(x->terms);
	free(x->explain);
	memset(x, 0, sizeof *x);
}

/* ---- tiers -------------------------------------------------------------------- */

static notes_result *add_result(run *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		notes_result *p = realloc(r->res, cap * sizeof *p);
		if (!p)
			return NULL;
		r->res = p;
		r->cap = cap;
	}
	notes_result *x = &r->res[r->n++];
	memset(x, 0, sizeof *x);
	x->field = -1;
	x->line = x->col = 1;
	return x;
}

/* "id,id,...)" of the results from `from` on: the end of an IN list. */
static void ids_sql(notes_status *rc, const run *r, size_t from, notes_buf *sql)
{
	for (size_t i = from; i < r->n; i++) {
		if (i > from)
			notes_buf_append_char(rc, sql, ',');
		notes_buf_append_int(rc, sql, r->res[i].id);
	}
	notes_buf_append_char(rc, sql, ')');
}

/* " AND rowid NOT IN (...)" for the notes already found. */
static void exclusion_sql(notes_status *rc, const run *r, const char *col, notes_buf *sql)
{
	if (r->n == 0)
		return;
	notes_buf_printf(rc, sql, " AND %s NOT IN (", col);
	ids_sql(rc, r, 0, sql);
}

static void bind_filters(const run *r, sqlite3_stmt *s)
{
	for (size_t i = 0; i < r->nbinds; i++)
		sqlite3_bind_text(s, 3 + (int)i, r->binds[i], -1, SQLITE_STATIC);
}

/* ORDER BY of a sort by date (by rank, phase 1 keeps its own top k). */
static const char *order_sql(const run *r)
{
	return r->o->sort == NOTES_SORT_DATE ? "n.date IS NULL, n.date, n.id"
					     : "n.date IS NULL, n.date DESC, n.id";
}

/* Prepare the SQL built in *sql (freed here; rc is the status of building
 * it), binding the FTS5 expression as ?1 when there is one. */
static notes_status prepare_built(run *r, notes_buf *sql, notes_status rc, const char *expr,
				  sqlite3_stmt **s)
{
	*s = NULL;
	if (rc == NOTES_OK) {
		int src = sqlite3_prepare_v2(r->h, sql->p, (int)sql->n, s, NULL);
		if (src != SQLITE_OK)
			rc = fail(r, notes_db_status(src), "search");
		else if (expr)
			sqlite3_bind_text(*s, 1, expr, -1, SQLITE_STATIC);
	}
	notes_buf_free(sql);
	return rc;
}

/* One candidate of phase 1. */
typedef struct cand {
	int64_t id;      /* notes.id */
	double score;    /* notes_rank */
	int matched;     /* distinct phrases (widened tier), else 0 */
} cand;

/* Whether a ranks before b: more words matched (widened tier only, else
 * all 0), then the higher score, then the smaller id. */
static int cand_before(const cand *a, const cand *b)
{
	if (a->matched != b->matched)
		return a->matched > b->matched;
	if (a->score != b->score)
		return a->score > b->score;
	return a->id < b->id;
}

static int cmp_cand(const void *a, const void *b)
{
	return cand_before(a, b) ? -1 : cand_before(b, a) ? 1 : 0;
}

/* Append c[0..n) to the results, in that order, as of `tier`. */
static notes_status add_cands(run *r, const cand *c, size_t n, notes_tier tier)
{
	for (size_t i = 0; i < n; i++) {
		notes_result *x = add_result(r);
		if (!x)
			return NOTES_E_NOMEM;
		x->id = c[i].id;
		x->score = c[i].score;
		x->tier = tier;
	}
	return NOTES_OK;
}

/* The k best candidates as a heap whose root is the worst kept, so that a
 * row is compared with one element and the whole match list is read once:
 * the total comes with it, and no SQL sorter holds every match. */
static void heap_offer(cand *h, size_t *n, size_t k, const cand *c)
{
	size_t i;
	if (*n < k) {
		i = (*n)++;
		while (i > 0 && cand_before(&h[(i - 1) / 2], c)) {
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i] = *c;
		return;
	}
	if (k == 0 || !cand_before(c, &h[0]))
		return;
	i = 0;
	for (;;) {   /* sift the new root down: children that rank after it rise */
		size_t l = 2 * i + 1, w = i;
		const cand *wv = c;
		if (l < *n && cand_before(wv, &h[l])) {
			w = l;
			wv = &h[l];
		}
		if (l + 1 < *n && cand_before(wv, &h[l + 1])) {
			w = l + 1;
			wv = &h[l + 1];
		}
		if (w == i)
			break;
		h[i] = h[w];
		i = w;
	}
	h[i] = *c;
}

/* A result's (or candidate's) id and its index in its array, for binary search. */
typedef struct id_index {
	int64_t id;      /* notes.id */
	size_t  index;   /* position in run.res */
} id_index;

static int cmp_id_index(const void *a, const void *b)
{
	int64_t x = ((const id_index *)a)->id, y = ((const id_index *)b)->id;
	return (x > y) - (x < y);
}

/* Whether a word of the query is a prefix (kube*): FTS5 merges the lists of
 * all its words whenever a statement opens it, which costs more than most
 * walks of its matches. */
static bool has_prefix(const run *r)
{
	for (size_t i = 0; i < notes_query_nterms(r->q); i++)
		if (notes_query_term(r->q, i)->prefix)
			return true;
	return false;
}

/* Phase 1's undated candidates (pick_unfiltered). */
typedef struct pick {
	notes_rank_prune pr;     /* floor: heap[0]'s score once the heap is full */
	cand            *heap;   /* the best k so far (owned) */
	size_t           k;      /* scores wanted */
	size_t           nh;     /* in heap */
	cand            *cs;     /* every score that may still make the page (owned) */
	size_t           nc;     /* in cs */
	size_t           ccap;   /* capacity of cs */
} pick;

/* A scored row (notes_rank_prune.offer): kept while it may make the page. */
static int pick_offer(void *ctx, long long id, double score)
{
	pick *pk = ctx;
	cand c = {id, score, 0};
	if (c.score * (1 + NOTES_RANK_RECENCY_MAX) < pk->pr.floor)
		return SQLITE_OK;
	cand *cs = notes_array_grow(pk->cs, pk->nc, &pk->ccap, sizeof *cs);
	if (!cs)
		return SQLITE_NOMEM;
	pk->cs = cs;
	cs[pk->nc++] = c;
	heap_offer(pk->heap, &pk->nh, pk->k, &c);
	if (pk->nh == pk->k && pk->heap[0].score > pk->pr.floor)
		pk->pr.floor = pk->heap[0].score;
	return SQLITE_OK;
}

/* Phase 1 of the exact tier of a query without filters, by rank.  Matches
 * are scored without their dates, so FTS5 alone answers and no row of
 * `notes` is read per match; notes_rank skips the exact score of any match
 * that cannot reach the page (notes_rank_prune: k-th best undated score so
 * far), which spares its size lookup, most of the cost of a common word.
 * A query of one phrase is walked by notes_rank itself, the statement
 * stepped once (pick_offer; a third less work for a common word at 200k
 * notes).  Then the survivors that may still make the page once dated
 * (the recency factor is at most 1 + NOTES_RANK_RECENCY_MAX) are dated and
 * ranked again: the result is the one the joined query with dates gives.
 * Counts every match into *total. */
static notes_status pick_unfiltered(run *r, const char *expr, int64_t *total)
{
	notes_status rc = NOTES_OK;
	notes_buf sql = NOTES_BUF_INIT;
	notes_buf_append_str(&rc, &sql,
		"SELECT rowid, -notes_rank(fts, " WEIGHTS ", NULL, ?2) FROM fts WHERE fts MATCH ?1");
	if (r->quorum > 0)
		notes_buf_printf(&rc, &sql, " AND notes_matched(fts) >= %d", r->quorum);
	sqlite3_stmt *s = NULL;
	if ((rc = prepare_built(r, &sql, rc, expr, &s)) != NOTES_OK)
		return rc;
	/* Without a quorum the rows are exactly the expression's: with one
	 * phrase, their count is its document frequency, and notes_rank
	 * walks them itself (pick_offer), unless the phrase is a prefix,
	 * whose merged lists the walk would build a second time (kube* at
	 * 200k notes: 0.45 s, 0.60 s walked). */
	size_t k = r->want - r->n;
	pick pk = {.pr = {.may_defer = r->quorum == 0}, .k = k};
	if (!has_prefix(r))
		pk.pr.offer = pick_offer;
	pk.pr.offer_ctx = &pk;
	pk.heap = malloc(k * sizeof *pk.heap);
	sqlite3_bind_pointer(s, 2, &pk.pr, NOTES_RANK_PRUNE_TYPE, NULL);
	int64_t seen = 0;
	int src = SQLITE_DONE;
	while (pk.heap && rc == NOTES_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
		if (pk.pr.walked) {
			seen = pk.pr.rows;
			src = SQLITE_DONE;
			break;
		}
		seen++;
		if (sqlite3_column_type(s, 1) == SQLITE_NULL)
			continue;   /* pruned: cannot make the page */
		if (pick_offer(&pk, sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1)) !=
		    SQLITE_OK)
			rc = NOTES_E_NOMEM;
	}
	if (!pk.heap)
		rc = NOTES_E_NOMEM;
	if (rc == NOTES_OK && src != SQLITE_DONE)
		rc = fail(r, notes_db_status(src), "search");
	sqlite3_finalize(s);
	free(pk.heap);
	notes_rank_prune pr = pk.pr;
	cand *heap = NULL, *cs = pk.cs;
	size_t nc = pk.nc;
	/* The survivors of the final floor, after the deferred idf (the same
	 * order of operations as an undeferred score). */
	size_t keep = 0;
	double idf = pr.deferred ? notes_rank_idf(pr.nrow, seen) : 1.0;
	for (size_t i = 0; rc == NOTES_OK && i < nc; i++)
		if (cs[i].score * (1 + NOTES_RANK_RECENCY_MAX) >= pr.floor) {
			cs[keep] = cs[i];
			if (pr.deferred)
				cs[keep].score *= idf;
			keep++;
		}
	/* Dated best first, until the next one could not reach the page even
	 * with the largest recency factor: a common word keeps thousands of
	 * survivors at 200k notes, and the page needs the dates of a few. */
	size_t nd = 0;
	if (rc == NOTES_OK && keep > 0 && k > 0) {
		qsort(cs, keep, sizeof *cs, cmp_cand);
		heap = malloc(k * sizeof *heap);
		if (!heap)
			rc = NOTES_E_NOMEM;
		notes_buf_append_str(&rc, &sql, "SELECT date FROM notes WHERE id=?1");
		if ((rc = prepare_built(r, &sql, rc, NULL, &s)) == NOTES_OK) {
			for (size_t i = 0; i < keep; i++) {
				/* Exact: (1 + f) <= (1 + max) and a positive
				 * score times either keeps that order. */
				if (nd == k && cs[i].score * (1 + NOTES_RANK_RECENCY_MAX) < heap[0].score)
					break;
				sqlite3_bind_int64(s, 1, cs[i].id);
				src = sqlite3_step(s);
				if (src == SQLITE_ROW)
					cs[i].score *= 1 + notes_rank_recency(
						(const char *)sqlite3_column_text(s, 0));
				else if (src != SQLITE_DONE) {
					rc = fail(r, notes_db_status(src), "search");
					break;
				}
				sqlite3_reset(s);
				heap_offer(heap, &nd, k, &cs[i]);
			}
			sqlite3_finalize(s);
		}
		if (rc == NOTES_OK)
			qsort(heap, nd, sizeof *heap, cmp_cand);
	}
	if (rc == NOTES_OK)
		rc = add_cands(r, heap, nd, NOTES_TIER_EXACT);
	free(heap);
	free(cs);
	if (rc == NOTES_OK)
		*total = seen;
	return rc;
}

/* Phase 1 of a tier: the ids (and scores) of the next notes, in order.  By
 * rank, every match is scored once and the best kept here, counting them
 * into *total (when not NULL); by date, SQLite sorts and *total is left. */
static notes_status pick_ids(run *r, const char *expr, notes_tier tier, int64_t *total)
{
	notes_status rc = NOTES_OK;
	notes_buf sql = NOTES_BUF_INIT;
	int widened = tier == NOTES_TIER_WIDENED;
	int by_rank = expr && r->o->sort == NOTES_SORT_RANK;
	if (expr) {
		/* The note's date rides along for the recency bonus, so the
		 * score is computed here rather than by rank MATCH. */
		notes_buf_printf(&rc, &sql,
			"SELECT f.rowid, -notes_rank(fts, " WEIGHTS ", n.date) AS score, %s AS matched"
			" FROM fts f JOIN notes n ON n.id = f.rowid WHERE fts MATCH ?1 AND (",
			widened ? "notes_matched(fts)" : "0");
		notes_buf_append(&rc, &sql, r->filter.p, r->filter.n);
		notes_buf_append_char(&rc, &sql, ')');
		if (tier == NOTES_TIER_EXACT && r->quorum > 0)
			notes_buf_printf(&rc, &sql, " AND notes_matched(fts) >= %d", r->quorum);
		exclusion_sql(&rc, r, "f.rowid", &sql);
		if (!by_rank)
			notes_buf_printf(&rc, &sql, " ORDER BY %s LIMIT ?2", order_sql(r));
	} else {   /* filters only */
		notes_buf_append_str(&rc, &sql, "SELECT n.id, 0, 0 FROM notes n WHERE (");
		notes_buf_append(&rc, &sql, r->filter.p, r->filter.n);
		notes_buf_append_char(&rc, &sql, ')');
		exclusion_sql(&rc, r, "n.id", &sql);
		notes_buf_printf(&rc, &sql, " ORDER BY %s LIMIT ?2", order_sql(r));
	}
	sqlite3_stmt *s = NULL;
	if ((rc = prepare_built(r, &sql, rc, expr, &s)) != NOTES_OK)
		return rc;
	size_t k = r->want - r->n, nh = 0;
	cand *heap = NULL;
	if (by_rank && !(heap = malloc((k ? k : 1) * sizeof *heap))) {
		sqlite3_finalize(s);
		return NOTES_E_NOMEM;
	}
	int src = SQLITE_DONE;
	int64_t seen = 0;
	if (!by_rank)
		sqlite3_bind_int64(s, 2, (sqlite3_int64)k);
	bind_filters(r, s);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		cand c = {sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1),
			  sqlite3_column_int(s, 2)};
		seen++;
		if (by_rank) {
			heap_offer(heap, &nh, k, &c);
			continue;
		}
		/* (ids found by earlier tiers are excluded in the SQL) */
		notes_result *x = add_result(r);
		if (!x) {
			rc = NOTES_E_NOMEM;
			break;
		}
		x->id = c.id;
		x->score = c.score;
		x->tier = tier;
	}
	if (rc == NOTES_OK && src != SQLITE_DONE)
		rc = fail(r, notes_db_status(src), "search");
	sqlite3_finalize(s);
	if (by_rank && rc == NOTES_OK) {
		qsort(heap, nh, sizeof *heap, cmp_cand);
		rc = add_cands(r, heap, nh, tier);
		if (total)
			*total = seen;
	}
	free(heap);
	return rc;
}

/* ---- details ------------------------------------------------------------------- */

/* Insert \x02 \x03 around each hit of the window. */
/* Append note text to a snippet: its own \x02 and \x03 bytes would read
 * as the snippet's hit markers, so they become U+FFFD. */
static void snippet_text(notes_status *rc, notes_buf *sn, const char *p, size_t n)
{
	for (size_t i = 0; i < n && *rc == NOTES_OK;) {
		size_t k = strcspn(p + i, "\x02\x03");
		if (k > n - i)
			k = n - i;
		notes_buf_append(rc, sn, p + i, k);
		i += k;
		if (i < n) {
			notes_buf_append_str(rc, sn, "\xef\xbf\xbd");
			i++;
		}
	}
}

/* An int in decimal at *p after blanks, as sscanf's " %d" reads it (the
 * passage function's numbers; sscanf costs ~2,000 instructions a call):
 * advances *p; -1 without a number or when it does not fit. */
static int read_int(const char **p, int *v)
{
	const char *q = *p;
	while (*q == ' ')
		q++;
	int neg = *q == '-';
	q += neg;
	if (*q < '0' || *q > '9')
		return -1;
	long long x = 0;
	for (; *q >= '0' && *q <= '9'; q++)
		if ((x = x * 10 + (*q - '0')) > (long long)INT_MAX + 1)
			return -1;
	x = neg ? -x : x;
	if (x > INT_MAX || x < INT_MIN)
		return -1;
	*v = (int)x;
	*p = q;
	return 0;
}

static void build_snippet(notes_status *rc, notes_result *x, const char *win, int ws, int we,
			  const char *hits)
{
	notes_buf sn = NOTES_BUF_INIT, terms = NOTES_BUF_INIT;
	int pos = ws;
	const char *h = hits;
	while (*rc == NOTES_OK && h && *h) {
		int s, e;
		if (read_int(&h, &s) || *h++ != ',' || read_int(&h, &e))
			break;
		if (s < pos || e > we || s >= e)
			continue;
		snippet_text(rc, &sn, win + (pos - ws), (size_t)(s - pos));
		notes_buf_append_char(rc, &sn, '\x02');
		snippet_text(rc, &sn, win + (s - ws), (size_t)(e - s));
		notes_buf_append_char(rc, &sn, '\x03');
		/* matched words, lowercased ASCII, distinct */
		char w[128];
		int wl = e - s < (int)sizeof w - 1 ? e - s : (int)sizeof w - 1;
		for (int i = 0; i < wl; i++) {
			char c = win[s - ws + i];
			w[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		w[wl] = '\0';
		char pat[132];
		snprintf(pat, sizeof pat, "\n%s\n", w);
		notes_buf tmp = NOTES_BUF_INIT;
		notes_buf_printf(rc, &tmp, "\n%s\n", terms.p ? terms.p : "");
		if (!tmp.p || !strstr(tmp.p, pat))
			notes_buf_printf(rc, &terms, "%s%s", terms.n ? "\n" : "", w);
		notes_buf_free(&tmp);
		pos = e;
	}
	snippet_text(rc, &sn, win + (pos - ws), (size_t)(we - pos));
	if (*rc == NOTES_OK) {
		x->snippet = sn.p ? sn.p : strdup("");
		x->terms = terms.p ? terms.p : strdup("");
	} else {
		notes_buf_free(&sn);
		notes_buf_free(&terms);
	}
}

/* The heading (a line of the headings text) above source offset src. */
static char *heading_above(const notes_linemap *m, const char *htext, size_t hn, int64_t src)
{
	size_t mk = notes_lang_marker_len(htext, hn);
	int64_t best = -1;
	for (size_t i = 0; i < m->nseg[NOTES_FIELD_HEADINGS]; i++) {
		const notes_segment *sg = &m->seg[NOTES_FIELD_HEADINGS][i];
		if ((int64_t)sg->src <= src)
			best = sg->off;
	}
	if (best < 0 || (size_t)best + mk >= hn)
		return NULL;
	size_t s = (size_t)best + mk;
	while (s > mk && htext[s - 1] != '\n')
		s--;
	size_t e = s;
	while (e < hn && htext[e] != '\n')
		e++;
	return e > s ? strndup(htext + s, e - s) : NULL;
}

/* Matches up to which fill_details() scans them all rather than look each
 * result up: a lookup is a query of its own, which opens every index
 * segment for every word (measured on the corpus: ~200,000 instructions per
 * lookup, ~200 per scanned match). */
#define SCAN_MAX 2000

/* Phase 2: paths, titles, passages of r->res[from..n), found by `expr`,
 * which `matches` notes match. */
/* Whether the file (sb; st_mode 0 when it is gone) differs from what row s
 * of fill_details indexed (size, modification time). */
static bool stale(sqlite3_stmt *s, const struct stat *sb)
{
	return sb->st_mode == 0 ||
	       (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec !=
		       sqlite3_column_int64(s, 5) ||
	       (int64_t)sb->st_size != sqlite3_column_int64(s, 4);
}

static notes_status fill_details(run *r, const char *expr, size_t from, int64_t matches)
{
	if (from >= r->n)
		return NOTES_OK;
	notes_status rc = NOTES_OK;
	notes_buf sql = NOTES_BUF_INIT;
	if (expr)
		notes_buf_printf(&rc, &sql,
			"SELECT f.rowid, n.path, n.title, n.date, n.size, n.mtime_ns, n.linemap,"
			" (SELECT group_concat(value, ', ') FROM fields WHERE note = n.id AND key IN ('tags','tag')),"
			" %s, %s, notes_matched(fts), notes_unzip(c.headings, 1)"
			" FROM fts f JOIN notes n ON n.id = f.rowid JOIN content c ON c.id = f.rowid"
			" WHERE fts MATCH ?1",
			r->o->no_passages ? "NULL"
				: "notes_passage(fts, c.title, c.headings, c.meta, c.body, c.code, c.ckpt)",
			r->o->explain ? "notes_explain(fts, " WEIGHTS ", n.date)" : "NULL");
	if (expr && !has_prefix(r) && matches > SCAN_MAX) {
		/* FTS5 seeks each id of the list: one query per id. */
		notes_buf_append_str(&rc, &sql, " AND f.rowid IN (");
	} else if (expr) {
		/* One pass of FTS5 over the ids' range: each query FTS5 runs
		 * opens every segment for every word, and a prefix word costs
		 * its whole expansion, so with few matches (or a prefix) one
		 * scan beats a query per id.  (The unary + keeps the list
		 * from FTS5.) */
		int64_t lo = r->res[from].id, hi = lo;
		for (size_t i = from; i < r->n; i++) {
			lo = r->res[i].id < lo ? r->res[i].id : lo;
			hi = r->res[i].id > hi ? r->res[i].id : hi;
		}
		notes_buf_printf(&rc, &sql, " AND f.rowid BETWEEN %lld AND %lld AND +f.rowid IN (",
				 (long long)lo, (long long)hi);
	}
	else
		notes_buf_append_str(&rc, &sql,
			"SELECT n.id, n.path, n.title, n.date, n.size, n.mtime_ns, n.linemap,"
			" (SELECT group_concat(value, ', ') FROM fields WHERE note = n.id AND key IN ('tags','tag')),"
			" NULL, NULL, 0, NULL FROM notes n WHERE n.id IN (");
	ids_sql(&rc, r, from, &sql);
	sqlite3_stmt *s = NULL;
	if ((rc = prepare_built(r, &sql, rc, expr, &s)) != NOTES_OK)
		return rc;
	int src = SQLITE_DONE;
	/* Rows come back in rowid order: find each result by binary search
	 * over (id, index) pairs, not by a scan (--limit may be 100,000). */
	size_t nby = r->n - from;
	id_index *by = malloc((nby ? nby : 1) * sizeof *by);
	if (!by) {
		sqlite3_finalize(s);
		return NOTES_E_NOMEM;
	}
	for (size_t i = 0; i < nby; i++)
		by[i] = (id_index){r->res[from + i].id, from + i};
	qsort(by, nby, sizeof *by, cmp_id_index);
	while (rc == NOTES_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
		id_index key = {sqlite3_column_int64(s, 0), 0};
		const id_index *hit = bsearch(&key, by, nby, sizeof *by, cmp_id_index);
		if (!hit)
			continue;
		notes_result *x = &r->res[hit->index];
		x->path = col_dup(s, 1);
		x->title = col_dup(s, 2);
		x->date = col_dup(s, 3);
		x->tags = col_dup(s, 7);
		x->explain = col_dup(s, 9);
		x->matched = sqlite3_column_int(s, 10);
		if (!x->path || !x->title) {
			rc = NOTES_E_NOMEM;
			break;
		}
		const char *pass = (const char *)sqlite3_column_text(s, 8), *after = pass;
		int col = -1, mk, ps, pe, hs, he, ws, we;
		int *head[] = {&col, &mk, &ps, &pe, &hs, &he, &ws, &we};
		for (size_t i = 0; after && i < sizeof head / sizeof head[0]; i++)
			if (read_int(&after, head[i]))
				after = NULL;
		if (!after || col < 0 || col >= NOTES_FIELD_COUNT) {
			/* No passage (filters only, or not wanted): the top. */
			struct stat sb;
			if ((r->o->no_passages || notes_source_position(x->path, 0, &x->line, &x->col,
									&x->line_text, &sb) != NOTES_OK) &&
			    stat(x->path, &sb) != 0)
				sb.st_mode = 0;
			x->stale = stale(s, &sb);
			x->line = x->col = 1;
			x->snippet = strdup("");
			x->terms = strdup("");
			continue;
		}
		x->field = col;
		const char *nl = strchr(after, '\n');
		const char *win = nl ? nl + 1 : "";
		size_t hits_len = nl ? (size_t)(nl - after) : 0;
		char *hits = strndup(after, hits_len);
		build_snippet(&rc, x, win, ws, we, hits);
		free(hits);

		notes_linemap m;
		const void *blob = sqlite3_column_blob(s, 6);
		int nblob = sqlite3_column_bytes(s, 6);
		int64_t at = -1;
		if (notes_linemap_decode(blob ? blob : "", (size_t)nblob, &m) == NOTES_OK) {
			if (hs >= mk)
				at = notes_linemap_lookup(&m, (notes_field)col, (uint32_t)(hs - mk));
			const char *ht = (const char *)sqlite3_column_text(s, 11);
			size_t hn = (size_t)sqlite3_column_bytes(s, 11);
			int hs0 = ps > mk ? ps : mk;   /* never the language marker */
			if (ht && col == NOTES_FIELD_HEADINGS && (size_t)pe <= hn && pe >= hs0)
				x->heading = strndup(ht + hs0, (size_t)(pe - hs0));
			else if (ht && at >= 0 && col != NOTES_FIELD_TITLE)
				x->heading = heading_above(&m, ht, hn, at);
			notes_linemap_free(&m);
		}
		/* The file is opened once, for its line and its status. */
		struct stat sb;
		if (at >= 0 && notes_source_position(x->path, (uint64_t)at, &x->line, &x->col,
						     &x->line_text, &sb) != NOTES_OK) {
			x->line = x->col = 1;
			x->stale = true;
		} else {
			if (at < 0 && stat(x->path, &sb) != 0)
				sb.st_mode = 0;
			x->stale = stale(s, &sb);
		}
	}
	free(by);
	if (rc == NOTES_OK && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = fail(r, notes_db_status(src), "search");
	sqlite3_finalize(s);
	return rc;
}

static notes_status count_total(run *r, const char *expr, int64_t *total)
{
	notes_status rc = NOTES_OK;
	notes_buf sql = NOTES_BUF_INIT;
	if (expr)
		notes_buf_append_str(&rc, &sql, "SELECT count(*) FROM fts f JOIN notes n ON n.id = f.rowid"
				     " WHERE fts MATCH ?1 AND (");
	else
		notes_buf_append_str(&rc, &sql, "SELECT count(*) FROM notes n WHERE (");
	notes_buf_append(&rc, &sql, r->filter.p, r->filter.n);
	notes_buf_append_char(&rc, &sql, ')');
	/* the notes phase 1 may return: a question's quorum too (the total is
	 * the same whatever the sort) */
	if (expr && r->quorum > 0)
		notes_buf_printf(&rc, &sql, " AND notes_matched(fts) >= %d", r->quorum);
	sqlite3_stmt *s = NULL;
	if ((rc = prepare_built(r, &sql, rc, expr, &s)) != NOTES_OK)
		return rc;
	int src = SQLITE_DONE;
	bind_filters(r, s);
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return src == SQLITE_ROW ? NOTES_OK : fail(r, notes_db_status(src), "search");
}

/* Typo correction: alternatives for each unknown single word.  *alts is an
 * nterms array (NULL entries for words left alone); *shown the query as it
 * is searched ("graceful termination").  Returns whether anything changed. */
static int correct_terms(run *r, notes_db *db, notes_status *rc, char ****alts, char **shown)
{
	size_t nt = notes_query_nterms(r->q);
	*alts = NULL;
	*shown = NULL;
	if (nt == 0)
		return 0;
	notes_tokenizer *tok = NULL;
	notes_corrector *c = NULL;
	if ((*rc = notes_tokenizer_new(&tok)) != NOTES_OK)
		return 0;
	/* Stem like the index's own query tokenizer: English plus the
	 * languages of the notes. */
	char *langs = NULL;
	if (notes_db_meta_get(db, "langs", &langs) == NOTES_OK && langs)
		notes_tokenizer_set_query_langs(tok, langs);
	free(langs);
	if ((*rc = notes_corrector_new(r->h, tok, &c)) != NOTES_OK) {
		notes_tokenizer_free(tok);
		return 0;
	}
	char ***a = calloc(nt, sizeof *a);
	int changed = 0;
	notes_buf show = NOTES_BUF_INIT;
	for (size_t i = 0; a && i < nt && *rc == NOTES_OK; i++) {
		const notes_qterm *t = notes_query_term(r->q, i);
		notes_suggestion *sg = NULL;
		size_t ns = 0;
		if (!t->phrase && !t->prefix)
			*rc = notes_corrector_suggest(c, t->text, strlen(t->text), MAX_SUGGEST, &sg, &ns);
		if (ns > 0) {
			a[i] = calloc(ns + 1, sizeof *a[i]);
			for (size_t k = 0; a[i] && k < ns; k++)
				a[i][k] = strdup(sg[k].word);
			changed = 1;
		}
		notes_buf_printf(rc, &show, "%s%s%s%s", i ? " " : "", t->phrase ? "\"" : "",
				 ns ? sg[0].word : t->text, t->phrase ? "\"" : "");
		notes_suggestions_free(sg, ns);
	}
	if (!a)
		*rc = NOTES_E_NOMEM;
	notes_corrector_free(c);
	notes_tokenizer_free(tok);
	*alts = a;
	if (changed && *rc == NOTES_OK)
		*shown = show.p;
	else
		notes_buf_free(&show);
	return changed && *rc == NOTES_OK;
}

static void free_alts(char ***a, size_t nt)
{
	for (size_t i = 0; a && i < nt; i++) {
		for (size_t k = 0; a[i] && a[i][k]; k++)
			free(a[i][k]);
		free(a[i]);
	}
	free(a);
}

/* Function words of questions ("how do i drain a node"): a note need not
 * contain them.  Left out of AND lists only when the query also has other
 * words (notes_query_fts_skip), so "the who" still searches both. */
static const char *const stopwords[] = {
	"a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do",
	"does", "for", "from", "get", "how", "i", "if", "in", "into", "is", "it", "me",
	"my", "of", "on", "or", "should", "so", "that", "the", "there", "this", "to",
	"was", "we", "what", "when", "where", "which", "who", "why", "will", "with",
	"would", "you", "your",
};

static unsigned char *stopword_mask(const notes_query *q)
{
	size_t nt = notes_query_nterms(q);
	unsigned char *m = calloc(nt ? nt : 1, 1);
	for (size_t i = 0; m && i < nt; i++) {
		const notes_qterm *t = notes_query_term(q, i);
		if (t->phrase || t->prefix || t->column >= 0)
			continue;
		char w[16];
		size_t n = strlen(t->text);
		if (n >= sizeof w)
			continue;
		for (size_t k = 0; k <= n; k++)
			w[k] = (char)((t->text[k] >= 'A' && t->text[k] <= 'Z') ? t->text[k] + 32
									   : t->text[k]);
		for (size_t k = 0; k < sizeof stopwords / sizeof stopwords[0]; k++)
			if (strcmp(w, stopwords[k]) == 0)
				m[i] = 1;
	}
	return m;
}

/* A plain list of words: no phrase, prefix or column, so that "most of the
 * words" keeps the meaning of what was typed. */
static int simple_words(const notes_query *q)
{
	for (size_t i = 0; i < notes_query_nterms(q); i++) {
		const notes_qterm *t = notes_query_term(q, i);
		if (t->phrase || t->prefix || t->column >= 0)
			return 0;
	}
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

notes_status notes_search_run(notes_db *db, const notes_query *q, const notes_search_opts *o,
			      notes_result **res, size_t *n, notes_search_info *info, char **why)
{
	double t0 = now_ms();
	run r;
	memset(&r, 0, sizeof r);
	memset(info, 0, sizeof *info);
	*res = NULL;
	*n = 0;
	*why = NULL;
	r.h = notes_db_handle(db);
	r.o = o;
	r.q = q;
	r.want = (size_t)o->offset + (size_t)o->limit;
	/* One read snapshot for every statement of the search: ids picked in
	 * phase 1 must still exist when phase 2 reads them, whatever the
	 * indexer commits meanwhile. */
	int in_txn = sqlite3_exec(r.h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;

	char *expr = NULL, *expr2 = NULL, *expr3 = NULL;
	char ***alts = NULL;
	size_t nt = notes_query_nterms(q);
	unsigned char *skip = stopword_mask(q);
	notes_status rc = nt && !skip ? NOTES_E_NOMEM : notes_rank_register(r.h);
	if (rc == NOTES_OK)
		rc = notes_query_filter_sql(q, 3, &r.filter, &r.binds, &r.nbinds);
	/* A question ("how do i drain a node without downtime") names more
	 * words than its note needs to hold: with four content words or more,
	 * the first tier is the notes holding most of them (60%), by score. */
	size_t ncontent = 0;
	for (size_t i = 0; skip && i < nt; i++)
		ncontent += !skip[i];
	int question = ncontent >= 4 && ncontent < nt && simple_words(q);
	if (question)
		r.quorum = (int)((ncontent * 6 + 9) / 10);
	if (rc == NOTES_OK)
		rc = notes_query_fts_skip(q, question ? NOTES_QUERY_ANY : NOTES_QUERY_ALL, NULL,
					  skip, &expr);
	/* By rank, phase 1 reads every match anyway and counts them. */
	if (rc == NOTES_OK && !(expr && o->sort == NOTES_SORT_RANK))
		rc = count_total(&r, expr, &info->total);
	if (rc == NOTES_OK && expr && o->sort == NOTES_SORT_RANK && !notes_query_has_filters(q))
		rc = pick_unfiltered(&r, expr, &info->total);
	else if (rc == NOTES_OK)
		rc = pick_ids(&r, expr, NOTES_TIER_EXACT, &info->total);
	if (rc == NOTES_OK)
		rc = fill_details(&r, expr, 0, info->total);

	if (rc == NOTES_OK && expr && r.n < r.want && !o->no_correct &&
	    correct_terms(&r, db, &rc, &alts, &info->corrected)) {
		size_t from = r.n;
		rc = notes_query_fts_skip(q, NOTES_QUERY_ALL, (const char *const *const *)alts,
					  skip, &expr2);
		if (rc == NOTES_OK && expr2)
			rc = pick_ids(&r, expr2, NOTES_TIER_CORRECTED, NULL);
		if (rc == NOTES_OK && expr2)
			rc = fill_details(&r, expr2, from, INT64_MAX);
	}
	if (rc == NOTES_OK && expr && r.n < r.want && !o->no_widen && nt >= 2 &&
	    o->sort == NOTES_SORT_RANK) {
		size_t from = r.n;
		rc = notes_query_fts_skip(q, NOTES_QUERY_ANY, (const char *const *const *)alts,
					  skip, &expr3);
		if (rc == NOTES_OK && expr3)
			rc = pick_ids(&r, expr3, NOTES_TIER_WIDENED, NULL);
		if (rc == NOTES_OK && expr3)
			rc = fill_details(&r, expr3, from, INT64_MAX);
	}
	if (in_txn)
		sqlite3_exec(r.h, "COMMIT", NULL, NULL, NULL);
	free_alts(alts, nt);
	free(skip);
	free(expr);
	free(expr2);
	free(expr3);
	notes_buf_free(&r.filter);
	notes_query_binds_free(r.binds, r.nbinds);

	if (rc != NOTES_OK) {
		notes_results_free(r.res, r.n);
		notes_search_info_free(info);
		*why = r.why ? r.why : strdup(notes_status_str(rc));
		return rc;
	}
	free(r.why);
	/* A result whose row could not be read has no path: drop it. */
	size_t k = 0;
	for (size_t i = 0; i < r.n; i++) {
		if (!r.res[i].path || !r.res[i].title) {
			result_clear(&r.res[i]);
			continue;
		}
		r.res[k++] = r.res[i];
	}
	r.n = k;
	/* The page asked for. */
	size_t off = (size_t)o->offset < r.n ? (size_t)o->offset : r.n;
	for (size_t i = 0; i < off; i++)
		result_clear(&r.res[i]);
	if (off)
		memmove(r.res, r.res + off, (r.n - off) * sizeof *r.res);
	*res = r.res;
	*n = r.n - off;
	info->ms = now_ms() - t0;
	return NOTES_OK;
}

void notes_results_free(notes_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		result_clear(&res[i]);
	free(res);
}

void notes_search_info_free(notes_search_info *info)
{
	free(info->corrected);
	info->corrected = NULL;
}
