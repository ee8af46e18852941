/*
 * rank.c — ranking, explanation and passage auxiliary functions (see rank.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "notes/buf.h"
#include "notes/linemap.h"
#include "notes/tokenize.h"
#include "notes/zip.h"
#include "rank.h"

#define BM25_K1 1.2
#define BM25_B  0.75
/* Bonuses, in the units of one bm25 term: a query whose words stand side by
 * side beats one whose words are scattered over a long note. */
#define PROXIMITY_WEIGHT 1.5
#define PHRASE_WEIGHT    2.0
/* Recency: the score grows by up to NOTES_RANK_RECENCY_MAX (a fraction of
 * itself), halving every RECENCY_HALF_LIFE years: enough to order near-ties
 * newest first, never enough to beat a clearly better match.  A factor
 * rather than a bonus keeps it in proportion to the query (a common word's
 * scores are small) and lets phase 1 bound a score before knowing the date.
 */
#define RECENCY_HALF_LIFE 2.0
#define MAX_PHRASES      64
/* Phrase instances looked at per row (ranking and passages). */
#define MAX_HITS         4096

/* Per-query statistics, computed once and kept with xSetAuxdata. */
typedef struct rank_stats {
	int    nphrase;                /* phrases in the query */
	double idf[MAX_PHRASES];       /* inverse document frequency per phrase */
	double avgdl;                  /* average row length in tokens */
	double w[NOTES_FIELD_COUNT];   /* column weights: the call's arguments,
					* the same for every row of a statement */
} rank_stats;

/* One phrase instance. */
typedef struct inst {
	int phrase;   /* phrase index */
	int col;      /* column */
	int off;      /* token offset in the column */
} inst;

/* A row's score, broken down. */
typedef struct score {
	double bm25;                       /* total bm25 */
	double field[NOTES_FIELD_COUNT];   /* bm25 share of each column */
	double proximity;                  /* bonus for a small window */
	double phrase;                     /* bonus for adjacent words in order */
	double factor;                     /* recency factor (notes_rank_recency) */
	double recency;                    /* bonus for recent notes: the rest
					    * times the factor */
	int    matched;                    /* distinct phrases present */
} score;

static int count_row_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)ctx)++;
	return SQLITE_OK;
}

double notes_rank_idf(long long nrow, long long n)
{
	/* The usual bm25 idf, kept positive for very common words. */
	double idf = log(((double)nrow - (double)n + 0.5) / ((double)n + 0.5));
	return idf > 1e-6 ? idf : 1e-6;
}

/* The query's statistics, made on the first row with that call's column
 * weights (vals; see notes_rank_prune for pr's deferral). */
static rank_stats *get_stats(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
			     sqlite3_value **vals, notes_rank_prune *pr, int *rc)
{
	static const double dflt[NOTES_FIELD_COUNT] = {10.0, 4.0, 3.0, 1.0, 0.8};
	rank_stats *st = api->xGetAuxdata(fts, 0);
	if (st)
		return st;
	st = calloc(1, sizeof *st);
	if (!st) {
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	for (int c = 0; c < NOTES_FIELD_COUNT; c++)
		st->w[c] = c < nval ? sqlite3_value_double(vals[c]) : dflt[c];
	sqlite3_int64 nrow = 0, ntok = 0;
	*rc = api->xRowCount(fts, &nrow);
	if (*rc == SQLITE_OK)
		*rc = api->xColumnTotalSize(fts, -1, &ntok);
	st->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	if (st->avgdl < 1.0)
		st->avgdl = 1.0;
	st->nphrase = api->xPhraseCount(fts);
	if (st->nphrase > MAX_PHRASES)
		st->nphrase = MAX_PHRASES;
	if (pr && pr->may_defer && st->nphrase == 1) {
		st->idf[0] = 1.0;
		pr->deferred = 1;
		pr->nrow = nrow;
	}
	for (int i = 0; i < st->nphrase && *rc == SQLITE_OK && !(pr && pr->deferred); i++) {
		sqlite3_int64 n = 0;
		*rc = api->xQueryPhrase(fts, i, &n, count_row_cb);
		st->idf[i] = notes_rank_idf(nrow, n);
	}
	if (*rc != SQLITE_OK) {
		free(st);
		return NULL;
	}
	/* (FTS5 frees st itself when this fails) */
	*rc = api->xSetAuxdata(fts, st, free);
	return *rc == SQLITE_OK ? st : NULL;
}

static int cmp_inst(const void *a, const void *b)
{
	const inst *x = a, *y = b;
	if (x->col != y->col)
		return x->col - y->col;
	return x->off - y->off;
}

/* Sort instances by column, then offset.  FTS5 hands them out in that
 * order already (it merges the phrases' position lists), so this is
 * usually one pass: it runs for every match. */
static void sort_insts(inst *in, int n)
{
	for (int i = 1; i < n; i++)
		if (cmp_inst(&in[i - 1], &in[i]) > 0) {
			qsort(in, (size_t)n, sizeof *in, cmp_inst);
			return;
		}
}

/* Smallest window (in tokens) of one column holding `want` distinct phrases;
 * insts sorted by column then offset.  0 when no column holds them all. */
static int min_window(const inst *in, int n, int want, int *in_order)
{
	int best = 0;
	int cnt[MAX_PHRASES];
	*in_order = 0;
	for (int s = 0; s < n;) {
		int e = s;
		while (e < n && in[e].col == in[s].col)
			e++;
		/* sliding window over in[s, e) */
		memset(cnt, 0, sizeof cnt);
		int have = 0, lo = s;
		for (int hi = s; hi < e; hi++) {
			if (cnt[in[hi].phrase]++ == 0)
				have++;
			while (have == want) {
				int w = in[hi].off - in[lo].off + 1;
				if (!best || w < best)
					best = w;
				if (--cnt[in[lo].phrase] == 0)
					have--;
				lo++;
			}
		}
		/* adjacent in query order: phrase i+1 right after phrase i */
		for (int k = s; k < e && !*in_order; k++) {
			if (in[k].phrase != 0)
				continue;
			/* sorted by offset: only the next offsets can follow */
			int pos = in[k].off, ph = 0;
			for (int m = k + 1; m < e && ph + 1 < want && in[m].off <= pos + 1; m++) {
				if (in[m].off == pos + 1 && in[m].phrase == ph + 1) {
					ph++;
					pos = in[m].off;
				}
			}
			*in_order = ph + 1 == want;
		}
		s = e;
	}
	return best;
}

/* The n digits at d as a number, or -1. */
static int digits_of(const unsigned char *d, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -1;
		v = v * 10 + (d[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of "YYYY-MM-DD" (the form notes.date holds), or -1. */
static long days_of(const unsigned char *d)
{
	int y, m, dd;
	if (!d || (y = digits_of(d, 4)) < 0 || d[4] != '-' || (m = digits_of(d + 5, 2)) < 0 ||
	    d[7] != '-' || (dd = digits_of(d + 8, 2)) < 0 || m < 1 || m > 12)
		return -1;
	/* civil-from-days inverse (proleptic Gregorian) */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

double notes_rank_recency(const char *date)
{
	long d = days_of((const unsigned char *)date);
	if (d < 0)
		return 0.0;
	double age = ((double)time(NULL) / 86400.0 - (double)d) / 365.25;
	if (age < 0)
		age = 0;
	return NOTES_RANK_RECENCY_MAX * pow(0.5, age / RECENCY_HALF_LIFE);
}

static double recency_of(sqlite3_value *date)
{
	return notes_rank_recency((const char *)sqlite3_value_text(date));
}

/* bm25 of a row whose length (tokens, all columns) is len. */
static double bm25_of(const rank_stats *st, const double *tf, double len)
{
	double norm = BM25_K1 * (1 - BM25_B + BM25_B * len / st->avgdl), b = 0;
	for (int p = 0; p < st->nphrase; p++)
		if (tf[p] > 0)
			b += st->idf[p] * (tf[p] * (BM25_K1 + 1) / (tf[p] + norm));
	return b;
}

/* Score the current row of fts into *sc, with the query's statistics st
 * and the note's date (NULL: undated); with pr (see notes_rank_prune), set
 * *pruned instead when the row cannot beat pr->floor. */
static int compute(const Fts5ExtensionApi *api, Fts5Context *fts, const rank_stats *st,
		   sqlite3_value *date, notes_rank_prune *pr, score *sc, int *pruned)
{
	int rc = SQLITE_OK;
	memset(sc, 0, sizeof *sc);
	*pruned = 0;
	const double *w = st->w;

	/* Pass 1, from each phrase's positions (no instance array): weighted
	 * hits per phrase and column, and how far the hits reach in each
	 * column.  Only the query's phrases are cleared: this runs for every
	 * match. */
	double tf[MAX_PHRASES];
	double tfc[MAX_PHRASES][NOTES_FIELD_COUNT];
	memset(tf, 0, (size_t)st->nphrase * sizeof tf[0]);
	memset(tfc, 0, (size_t)st->nphrase * sizeof tfc[0]);
	int last[NOTES_FIELD_COUNT] = {-1, -1, -1, -1, -1};  /* last hit per column */
	for (int p = 0; p < st->nphrase; p++) {
		Fts5PhraseIter it;
		int c, o, k = 0;
		if ((rc = api->xPhraseFirst(fts, p, &it, &c, &o)) != SQLITE_OK)
			return rc;
		/* (at most MAX_HITS per phrase: bounds the work on huge notes) */
		for (; c >= 0 && k < MAX_HITS; api->xPhraseNext(fts, &it, &c, &o), k++) {
			if (c >= NOTES_FIELD_COUNT)
				continue;
			tf[p] += w[c];
			tfc[p][c] += w[c];
			if (o > last[c])
				last[c] = o;
		}
		sc->matched += tf[p] > 0;
	}
	/* bm25 falls as the note grows, and the note is at least as long as
	 * its hits reach in each column: an upper bound without its size. */
	int all = st->nphrase >= 2 && sc->matched == st->nphrase;
	double ub = 0;
	if (pr && pr->floor > 0) {
		int lb = 0;
		for (int c = 0; c < NOTES_FIELD_COUNT; c++)
			lb += last[c] + 1;
		ub = bm25_of(st, tf, lb);
		double most = all ? (PROXIMITY_WEIGHT + PHRASE_WEIGHT) * (st->nphrase - 1) : 0;
		if ((ub + most) * (1 + NOTES_RANK_RECENCY_MAX) * (1 + 1e-9) < pr->floor) {
			*pruned = 1;
			return SQLITE_OK;
		}
	}
	/* Pass 2, when every phrase is there: proximity and order, from the
	 * instances in position order. */
	if (all) {
		int ninst = 0;
		if ((rc = api->xInstCount(fts, &ninst)) != SQLITE_OK)
			return rc;
		if (ninst > MAX_HITS * st->nphrase)
			ninst = MAX_HITS * st->nphrase;
		inst stackbuf[256];
		inst *in = ninst <= 256 ? stackbuf : malloc((size_t)ninst * sizeof *in);
		if (!in)
			return SQLITE_NOMEM;
		int n = 0;
		for (int i = 0; i < ninst; i++) {
			int p, c, o;
			if ((rc = api->xInst(fts, i, &p, &c, &o)) != SQLITE_OK)
				break;
			if (p < st->nphrase && c >= 0 && c < NOTES_FIELD_COUNT)
				in[n++] = (inst){p, c, o};
		}
		if (rc != SQLITE_OK) {
			if (in != stackbuf)
				free(in);
			return rc;
		}
		sort_insts(in, n);
		int in_order = 0;
		int win = min_window(in, n, st->nphrase, &in_order);
		if (in != stackbuf)
			free(in);
		if (win > 0) {
			/* 1.0 when the words stand side by side, falling
			 * with the window's length; never more, even when
			 * several query words are one word of the note
			 * (run, runs, running): the pruning bound counts
			 * on it. */
			double tight = (double)st->nphrase / (double)win;
			if (tight > 1.0)
				tight = 1.0;
			sc->proximity = PROXIMITY_WEIGHT * (st->nphrase - 1) * tight;
		}
		if (in_order)
			sc->phrase = PHRASE_WEIGHT * (st->nphrase - 1);
		if (pr && pr->floor > 0 &&
		    (ub + sc->proximity + sc->phrase) * (1 + NOTES_RANK_RECENCY_MAX) * (1 + 1e-9) <
			    pr->floor) {
			*pruned = 1;
			return SQLITE_OK;
		}
	}
	int len = 0;
	if ((rc = api->xColumnSize(fts, -1, &len)) != SQLITE_OK)
		return rc;
	double norm = BM25_K1 * (1 - BM25_B + BM25_B * (double)len / st->avgdl);
	for (int p = 0; p < st->nphrase; p++) {
		if (tf[p] <= 0)
			continue;
		/* idf last: a deferred idf (notes_rank_prune) multiplies
		 * the very same product later. */
		double t = st->idf[p] * (tf[p] * (BM25_K1 + 1) / (tf[p] + norm));
		sc->bm25 += t;
		for (int c = 0; c < NOTES_FIELD_COUNT; c++)
			sc->field[c] += t * tfc[p][c] / tf[p];
	}
	if (date)
		sc->factor = recency_of(date);
	sc->recency = (sc->bm25 + sc->proximity + sc->phrase) * sc->factor;
	return SQLITE_OK;
}

/* compute() for a call of an auxiliary function with arguments vals. */
static int compute_call(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
			sqlite3_value **vals, notes_rank_prune *pr, score *sc, int *pruned)
{
	int rc = SQLITE_OK;
	rank_stats *st = get_stats(api, fts, nval, vals, pr, &rc);
	if (!st)
		return rc;
	return compute(api, fts, st, nval > NOTES_FIELD_COUNT ? vals[NOTES_FIELD_COUNT] : NULL,
		       pr, sc, pruned);
}

/* A row's score as notes_rank's caller gets it back (rank_fn returns it
 * negated, and negation is exact). */
static double total_of(const score *sc)
{
	return (sc->bm25 + sc->proximity + sc->phrase) * (1 + sc->factor);
}

/* The walk of a one-phrase query's rows (notes_rank_prune.offer). */
typedef struct walk {
	const rank_stats *st;   /* the query's statistics and weights */
	notes_rank_prune *pr;   /* floor, counts, offer */
} walk;

/* xQueryPhrase's callback: fts is a row of the phrase. */
static int walk_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	walk *wk = ctx;
	score sc;
	int pruned = 0;
	wk->pr->rows++;
	int rc = compute(api, fts, wk->st, NULL, wk->pr, &sc, &pruned);
	if (rc != SQLITE_OK)
		return rc;
	if (pruned) {
		wk->pr->pruned++;
		return SQLITE_OK;
	}
	return wk->pr->offer(wk->pr->offer_ctx, api->xRowid(fts), total_of(&sc));
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		    int nval, sqlite3_value **vals)
{
	score sc;
	int pruned = 0, rc = SQLITE_OK;
	notes_rank_prune *pr = nval > NOTES_FIELD_COUNT + 1
		? sqlite3_value_pointer(vals[NOTES_FIELD_COUNT + 1], NOTES_RANK_PRUNE_TYPE) : NULL;
	if (pr && pr->offer && pr->may_defer && api->xPhraseCount(fts) == 1) {
		/* One phrase: its rows are the statement's; walk them all
		 * from here (see notes_rank_prune). */
		walk wk = {.pr = pr};
		if ((wk.st = get_stats(api, fts, nval, vals, pr, &rc)) != NULL) {
			pr->walked = 1;
			rc = api->xQueryPhrase(fts, 0, &wk, walk_row);
		}
		if (rc != SQLITE_OK)
			sqlite3_result_error_code(ctx, rc);
		else
			sqlite3_result_null(ctx);
		return;
	}
	rc = compute_call(api, fts, nval, vals, pr, &sc, &pruned);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	if (pruned) {
		pr->pruned++;
		sqlite3_result_null(ctx);
		return;
	}
	/* The very expression search.c applies to dated candidates, so that
	 * both paths give the same double. */
	sqlite3_result_double(ctx, -total_of(&sc));
}

static void explain_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nval, sqlite3_value **vals)
{
	score sc;
	int pruned;
	int rc = compute_call(api, fts, nval, vals, NULL, &sc, &pruned);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	char buf[512];
	snprintf(buf, sizeof buf,
		 "bm25=%.3f title=%.3f headings=%.3f meta=%.3f body=%.3f code=%.3f "
		 "proximity=%.3f phrase=%.3f recency=%.3f matched=%d",
		 sc.bm25, sc.field[0], sc.field[1], sc.field[2], sc.field[3], sc.field[4],
		 sc.proximity, sc.phrase, sc.recency, sc.matched);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void matched_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nval, sqlite3_value **vals)
{
	(void)nval;
	(void)vals;
	int nphrase = api->xPhraseCount(fts), matched = 0;
	for (int p = 0; p < nphrase; p++) {
		Fts5PhraseIter it;
		int c, o;
		if (api->xPhraseFirst(fts, p, &it, &c, &o) == SQLITE_OK && c >= 0)
			matched++;
	}
	sqlite3_result_int(ctx, matched);
}

/* ---- passages ---------------------------------------------------------------- */

/* Longest passage, in tokens, chosen from positions alone. */
#define PASSAGE_SPAN 32
/* Bytes tokenized past the line of the chosen window, where a line holding
 * more of the words may still be. */
#define PASSAGE_LOOKAHEAD 1024

/* Token offsets -> byte ranges for the wanted offsets of one column, from
 * its start to PASSAGE_LOOKAHEAD bytes past the line holding the chosen
 * window: the rest is never tokenized (a 1 MB note whose best passage is
 * near its top costs what its top costs). */
typedef struct offmap {
	const int *want;   /* sorted token offsets wanted */
	int nwant;         /* entries in want */
	int next;          /* index of the next wanted offset */
	int pos;           /* current token position */
	int *start, *end;  /* byte ranges found, parallel to want */
	int last;          /* index in want of the window's last hit */
	int le;            /* where to stop once known, else -1 */
	const char *text;  /* the column text */
	int ntext;         /* its length */
	int base;          /* offset in text of what is tokenized */
} offmap;

static int offmap_cb(void *p, int tflags, const char *tok, int ntok, int start, int end)
{
	offmap *m = p;
	(void)tok;
	(void)ntok;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	start += m->base;
	end += m->base;
	if (m->le >= 0 && start >= m->le)
		return SQLITE_DONE;
	while (m->next < m->nwant && m->want[m->next] == m->pos) {
		m->start[m->next] = start;
		m->end[m->next] = end;
		m->next++;
	}
	m->pos++;
	if (m->le < 0 && m->next > m->last) {
		int le = m->end[m->last];
		while (le < m->ntext && m->text[le] != '\n')
			le++;
		m->le = le < m->ntext - PASSAGE_LOOKAHEAD ? le + PASSAGE_LOOKAHEAD : m->ntext;
	}
	return m->next < m->nwant ? SQLITE_OK : SQLITE_DONE;
}

/* Column preference for equally good passages: body first. */
static int col_pref(int col)
{
	switch (col) {
	case NOTES_FIELD_BODY:     return 4;
	case NOTES_FIELD_HEADINGS: return 3;
	case NOTES_FIELD_TITLE:    return 2;
	case NOTES_FIELD_META:     return 1;
	default:                   return 0;
	}
}

/* Positions before the window where tokenizing may restart, at least: so
 * that hits earlier on the window's line are still seen. */
#define PASSAGE_MARGIN 64

/* The restart point of column col (see notes_token_rec_checkpoints) last
 * at or before position target: *pos, *byte; 0, 0 when there is none or
 * the points are damaged. */
static void restart_point(const unsigned char *p, size_t n, int col, int target, int *pos,
			  int *byte)
{
	const unsigned char *end = p + n;
	uint64_t cnt, dp, db, at_pos = 0, at_byte = 0;
	*pos = *byte = 0;
	for (int f = 0; p && target > 0 && f <= col; f++) {
		if (notes_varint_get(&p, end, &cnt))
			return;
		for (uint64_t i = 0; i < cnt; i++) {
			if (notes_varint_get(&p, end, &dp) || notes_varint_get(&p, end, &db))
				return;
			if (f < col)
				continue;
			at_pos += dp;
			at_byte += db;
			if (at_pos > (uint64_t)target || at_byte > INT32_MAX)
				return;
			*pos = (int)at_pos;
			*byte = (int)at_byte;
		}
	}
}

/* Snippet: bytes shown before the first hit, and in all. */
#define SNIPPET_BEFORE 80
#define SNIPPET_BYTES  240

/* The best passage of a row (notes_passage): the window of PASSAGE_SPAN
 * tokens holding the most distinct phrases (body first on ties, then the
 * earliest), chosen from the phrase positions FTS5 already has; only then is
 * its column tokenized, up to the end of the window's line, to turn positions
 * into byte offsets.  The result is text:
 *   "COL MK PS PE HS HE WS WE s,e s,e ...\nWINDOW"
 * (column, language-marker length, line, first hit, snippet window, hits on
 * the line; byte offsets into the column text). */
static void passage_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nval, sqlite3_value **vals)
{
	int ninst = 0, rc;
	if (nval < NOTES_FIELD_COUNT || (rc = api->xInstCount(fts, &ninst)) != SQLITE_OK ||
	    ninst == 0) {
		sqlite3_result_null(ctx);
		return;
	}
	if (ninst > MAX_HITS)
		ninst = MAX_HITS;
	int *off = malloc((size_t)ninst * 4 * sizeof(int));
	inst *in = malloc((size_t)ninst * sizeof *in);
	if (!off || !in) {
		free(off);
		free(in);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	int *start = off + ninst, *end = off + 2 * ninst, *phr = off + 3 * ninst;
	int nin = 0;
	for (int i = 0; i < ninst; i++) {
		int p, c, o;
		if (api->xInst(fts, i, &p, &c, &o) == SQLITE_OK && c >= 0 && c < NOTES_FIELD_COUNT)
			in[nin++] = (inst){p, c, o};
	}
	sort_insts(in, nin);

	/* The window, from positions: [wi, wj) of the best column's offsets. */
	int best_col = -1, best_score = -1, wi = 0, wj = 0, n = 0, c0 = 0, cn0 = 0;
	for (int col = 0, k = 0; col < NOTES_FIELD_COUNT; col++) {
		int cn = 0;   /* this column's instances, one per offset */
		int *co = off + n, *cp = phr + n;
		for (; k < nin && in[k].col == col; k++) {
			if (cn > 0 && co[cn - 1] == in[k].off)
				continue;
			co[cn] = in[k].off;
			cp[cn] = in[k].phrase;
			cn++;
		}
		for (int i = 0, j = 0; i < cn; i++) {
			unsigned long long seen = 0;
			int distinct = 0, reach = 0;
			for (j = i; j < cn && co[j] < co[i] + PASSAGE_SPAN; j++) {
				int ph = cp[j] & 63;
				if (!(seen >> ph & 1)) {
					seen |= 1ull << ph;
					distinct++;
					reach = co[j] - co[i];
				}
			}
			/* More phrases first, then body over the other columns,
			 * then the tightest (words side by side are most likely
			 * on one line), then the earliest. */
			int sc = (distinct * 16 + col_pref(col)) * PASSAGE_SPAN +
				 (PASSAGE_SPAN - 1 - reach);
			if (sc > best_score) {
				best_score = sc;
				best_col = col;
				c0 = n;
				cn0 = cn;
				wi = n + i;
				wj = n + j;
			}
		}
		n += cn;
	}
	/* The column's text, from its stored form (the index is contentless). */
	notes_buf col = NOTES_BUF_INIT;
	notes_status zst = best_col < 0 ? NOTES_E_NOTFOUND
		: notes_zip_unpack_with(api->xUserData(fts), sqlite3_value_blob(vals[best_col]),
					(size_t)sqlite3_value_bytes(vals[best_col]), &col);
	if (zst != NOTES_OK || col.n > INT32_MAX) {
		free(off);
		free(in);
		notes_buf_free(&col);
		if (zst == NOTES_E_NOMEM)
			sqlite3_result_error_nomem(ctx);
		else
			sqlite3_result_null(ctx);
		return;
	}
	const char *text = col.p ? col.p : "";
	int ntext = (int)col.n;
	/* Tokenize from the last restart point well before the window (the
	 * top of the column without one): the positions of the offsets
	 * wanted from there on, and where they are. */
	int rpos = 0, rbyte = 0;
	if (nval > NOTES_FIELD_COUNT)
		restart_point(sqlite3_value_blob(vals[NOTES_FIELD_COUNT]),
			      (size_t)sqlite3_value_bytes(vals[NOTES_FIELD_COUNT]), best_col,
			      off[wi] - PASSAGE_MARGIN, &rpos, &rbyte);
	if (rbyte > ntext)
		rpos = rbyte = 0;
	int k0 = c0;
	while (k0 < wi && off[k0] < rpos)
		k0++;
	offmap m = {off + k0, cn0 - (k0 - c0), 0, rpos, start, end, wj - 1 - k0, -1, text, ntext,
		    rbyte};
	rc = api->xTokenize(fts, text + rbyte, ntext - rbyte, &m, offmap_cb);
	free(in);
	if ((rc != SQLITE_OK && rc != SQLITE_DONE) || m.next <= wi - k0) {
		free(off);
		notes_buf_free(&col);
		sqlite3_result_null(ctx);
		return;
	}
	/* Of the lines tokenized (up to the window's end), the one with the
	 * most distinct phrases, the earliest of equals; and its hits. */
	const int *cp = phr + k0;
	int best_ps = 0, best_pe = 0, best_d = -1;
	for (int h = 0; h < m.next;) {
		int ls = start[h], le = end[h];
		while (ls > 0 && text[ls - 1] != '\n')
			ls--;
		while (le < ntext && text[le] != '\n')
			le++;
		unsigned long long seen = 0;
		int d = 0, k = 0;
		while (k < m.next && start[k] < ls)
			k++;
		for (; k < m.next && end[k] <= le; k++)
			if (!(seen >> (cp[k] & 63) & 1)) {
				seen |= 1ull << (cp[k] & 63);
				d++;
			}
		if (d > best_d) {
			best_d = d;
			best_ps = ls;
			best_pe = le;
		}
		while (h < m.next && start[h] < le)
			h++;
	}
	notes_buf out = NOTES_BUF_INIT;
	notes_status bst = NOTES_OK;
	int best_hs = -1, best_he = -1;
	for (int h = 0; best_d > 0 && h < m.next; h++) {
		if (start[h] < best_ps || end[h] > best_pe)
			continue;
		if (best_hs < 0) {
			best_hs = start[h];
			best_he = end[h];
		}
		notes_buf_append_char(&bst, &out, ' ');
		notes_buf_append_int(&bst, &out, start[h]);
		notes_buf_append_char(&bst, &out, ',');
		notes_buf_append_int(&bst, &out, end[h]);
	}
	free(off);
	if (best_hs < 0 || bst != NOTES_OK) {
		notes_buf_free(&out);
		notes_buf_free(&col);
		if (bst != NOTES_OK)
			sqlite3_result_error_nomem(ctx);
		else
			sqlite3_result_null(ctx);
		return;
	}
	/* The window shown as the snippet: the passage around its first hit,
	 * at most SNIPPET_BYTES, cut on UTF-8 boundaries. */
	int mk = (int)notes_lang_marker_len(text, (size_t)ntext);
	if (best_ps < mk)   /* the language marker is not text */
		best_ps = mk;
	int ws = best_hs - SNIPPET_BEFORE > best_ps ? best_hs - SNIPPET_BEFORE : best_ps;
	while (ws > best_ps && ws < ntext && (text[ws] & 0xC0) == 0x80)
		ws--;
	if (ws > best_ps) {   /* start on a word: after the next space */
		const char *sp = memchr(text + ws, ' ', (size_t)(best_hs - ws));
		if (sp)
			ws = (int)(sp - text) + 1;
	}
	int we = ws + SNIPPET_BYTES < best_pe ? ws + SNIPPET_BYTES : best_pe;
	if (we < best_he)
		we = best_he;
	while (we < best_pe && we > ws && (text[we] & 0xC0) == 0x80)
		we--;
	notes_buf res = NOTES_BUF_INIT;
	const int head[] = {best_col, mk, best_ps, best_pe, best_hs, best_he, ws, we};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
		if (i)
			notes_buf_append_char(&bst, &res, ' ');
		notes_buf_append_int(&bst, &res, head[i]);
	}
	notes_buf_append(&bst, &res, out.p ? out.p : "", out.n);
	notes_buf_append_char(&bst, &res, '\n');
	notes_buf_append(&bst, &res, text + ws, (size_t)(we - ws));
	notes_buf_free(&out);
	notes_buf_free(&col);
	if (bst != NOTES_OK) {
		notes_buf_free(&res);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, res.p, (int)res.n, free);
}

notes_status notes_rank_register(sqlite3 *db)
{
	fts5_api *api = notes_fts5_api(db);
	if (!api)
		return NOTES_E_DB;
	struct { const char *name; fts5_extension_function fn; } f[] = {
		{"notes_rank", rank_fn},
		{"notes_explain", explain_fn},
		{"notes_passage", passage_fn},
		{"notes_matched", matched_fn},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i].fn != passage_fn &&
		    api->xCreateFunction(api, f[i].name, NULL, f[i].fn, NULL) != SQLITE_OK)
			return NOTES_E_DB;
	/* Passages unpack one column per result: one decompression context
	 * for the connection, freed with it. */
	notes_zip *z = NULL;
	notes_status st = notes_zip_new(&z);
	if (st != NOTES_OK)
		return st;
	if (api->xCreateFunction(api, "notes_passage", z, passage_fn,
				 (void (*)(void *))notes_zip_free) != SQLITE_OK) {
		notes_zip_free(z);   /* FTS5 keeps it only on success */
		return NOTES_E_DB;
	}
	return NOTES_OK;
}
