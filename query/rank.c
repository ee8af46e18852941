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
#include "rank.h"

#define BM25_K1 1.2
#define BM25_B  0.75
/* Bonuses, in the units of one bm25 term: a query whose words stand side by
 * side beats one whose words are scattered over a long note. */
#define PROXIMITY_WEIGHT 1.5
#define PHRASE_WEIGHT    2.0
/* Recency: a small bonus halving every RECENCY_HALF_LIFE years, enough to
 * order near-ties newest first, never enough to beat a better match. */
#define RECENCY_WEIGHT    0.3
#define RECENCY_HALF_LIFE 2.0
#define MAX_PHRASES      64
/* Phrase instances looked at per row (ranking and passages). */
#define MAX_HITS         4096

/* Per-query statistics, computed once and kept with xSetAuxdata. */
typedef struct rank_stats {
	int    nphrase;                /* phrases in the query */
	double idf[MAX_PHRASES];       /* inverse document frequency per phrase */
	double avgdl;                  /* average row length in tokens */
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
	double recency;                    /* bonus for recent notes */
	int    matched;                    /* distinct phrases present */
} score;

static int count_row_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)ctx)++;
	return SQLITE_OK;
}

static rank_stats *get_stats(const Fts5ExtensionApi *api, Fts5Context *fts, int *rc)
{
	rank_stats *st = api->xGetAuxdata(fts, 0);
	if (st)
		return st;
	st = calloc(1, sizeof *st);
	if (!st) {
		*rc = SQLITE_NOMEM;
		return NULL;
	}
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
	for (int i = 0; i < st->nphrase && *rc == SQLITE_OK; i++) {
		sqlite3_int64 n = 0;
		*rc = api->xQueryPhrase(fts, i, &n, count_row_cb);
		/* The usual bm25 idf, kept positive for very common words. */
		double idf = log(((double)nrow - (double)n + 0.5) / ((double)n + 0.5));
		st->idf[i] = idf > 1e-6 ? idf : 1e-6;
	}
	if (*rc == SQLITE_OK)
		*rc = api->xSetAuxdata(fts, st, free);
	if (*rc != SQLITE_OK) {
		free(st);
		return NULL;
	}
	return st;
}

static int cmp_inst(const void *a, const void *b)
{
	const inst *x = a, *y = b;
	if (x->col != y->col)
		return x->col - y->col;
	return x->off - y->off;
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

/* Days since 1970-01-01 of "YYYY-MM-DD", or -1. */
static long days_of(const unsigned char *d)
{
	int y, m, dd;
	if (!d || sscanf((const char *)d, "%4d-%2d-%2d", &y, &m, &dd) != 3 || m < 1 || m > 12)
		return -1;
	/* civil-from-days inverse (proleptic Gregorian) */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static double recency_of(sqlite3_value *date)
{
	long d = days_of(sqlite3_value_text(date));
	if (d < 0)
		return 0.0;
	double age = ((double)time(NULL) / 86400.0 - (double)d) / 365.25;
	if (age < 0)
		age = 0;
	return RECENCY_WEIGHT * pow(0.5, age / RECENCY_HALF_LIFE);
}

static int compute(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
		   sqlite3_value **vals, score *sc)
{
	int rc = SQLITE_OK;
	memset(sc, 0, sizeof *sc);
	rank_stats *st = get_stats(api, fts, &rc);
	if (!st)
		return rc;
	double w[NOTES_FIELD_COUNT] = {10.0, 4.0, 3.0, 1.0, 0.8};
	for (int c = 0; c < NOTES_FIELD_COUNT && c < nval; c++)
		w[c] = sqlite3_value_double(vals[c]);

	int ninst = 0;
	if ((rc = api->xInstCount(fts, &ninst)) != SQLITE_OK)
		return rc;
	if (ninst > MAX_HITS)   /* bounds the proximity work on huge notes */
		ninst = MAX_HITS;
	double tf[MAX_PHRASES] = {0};
	double tfc[MAX_PHRASES][NOTES_FIELD_COUNT];
	memset(tfc, 0, sizeof tfc);
	inst stackbuf[256];
	inst *in = ninst <= 256 ? stackbuf : malloc((size_t)ninst * sizeof *in);
	if (!in)
		return SQLITE_NOMEM;
	int n = 0;
	for (int i = 0; i < ninst; i++) {
		int p, c, o;
		if ((rc = api->xInst(fts, i, &p, &c, &o)) != SQLITE_OK)
			break;
		if (p >= st->nphrase || c < 0 || c >= NOTES_FIELD_COUNT)
			continue;
		tf[p] += w[c];
		tfc[p][c] += w[c];
		in[n++] = (inst){p, c, o};
	}
	if (rc == SQLITE_OK) {
		int len = 0;
		rc = api->xColumnSize(fts, -1, &len);
		double norm = BM25_K1 * (1 - BM25_B + BM25_B * (double)len / st->avgdl);
		for (int p = 0; p < st->nphrase; p++) {
			if (tf[p] <= 0)
				continue;
			sc->matched++;
			double t = st->idf[p] * tf[p] * (BM25_K1 + 1) / (tf[p] + norm);
			sc->bm25 += t;
			for (int c = 0; c < NOTES_FIELD_COUNT; c++)
				sc->field[c] += t * tfc[p][c] / tf[p];
		}
		if (st->nphrase >= 2 && sc->matched == st->nphrase) {
			qsort(in, (size_t)n, sizeof *in, cmp_inst);
			int in_order = 0;
			int win = min_window(in, n, st->nphrase, &in_order);
			if (win > 0) {
				/* 1.0 when the words stand side by side, falling
				 * with the window's length. */
				double tight = (double)st->nphrase / (double)win;
				sc->proximity = PROXIMITY_WEIGHT * (st->nphrase - 1) * tight;
			}
			if (in_order)
				sc->phrase = PHRASE_WEIGHT * (st->nphrase - 1);
		}
	}
	if (in != stackbuf)
		free(in);
	if (nval > NOTES_FIELD_COUNT)
		sc->recency = recency_of(vals[NOTES_FIELD_COUNT]);
	return rc;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		    int nval, sqlite3_value **vals)
{
	score sc;
	int rc = compute(api, fts, nval, vals, &sc);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	sqlite3_result_double(ctx, -(sc.bm25 + sc.proximity + sc.phrase + sc.recency));
}

static void explain_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nval, sqlite3_value **vals)
{
	score sc;
	int rc = compute(api, fts, nval, vals, &sc);
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

/* Token offsets -> byte ranges for the wanted offsets of one column. */
typedef struct offmap {
	const int *want;   /* sorted token offsets wanted */
	int nwant;         /* entries in want */
	int next;          /* index of the next wanted offset */
	int pos;           /* current token position */
	int *start, *end;  /* byte ranges found, parallel to want */
} offmap;

static int offmap_cb(void *p, int tflags, const char *tok, int ntok, int start, int end)
{
	offmap *m = p;
	(void)tok;
	(void)ntok;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	while (m->next < m->nwant && m->want[m->next] == m->pos) {
		m->start[m->next] = start;
		m->end[m->next] = end;
		m->next++;
	}
	m->pos++;
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

/* Snippet window: bytes shown before the first hit, and in all. */
#define SNIPPET_BEFORE 80
#define SNIPPET_BYTES  240

static void passage_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nval, sqlite3_value **vals)
{
	(void)nval;
	(void)vals;
	int ninst = 0, rc;
	if ((rc = api->xInstCount(fts, &ninst)) != SQLITE_OK || ninst == 0) {
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
	qsort(in, (size_t)nin, sizeof *in, cmp_inst);

	int best_col = -1, best_score = -1;
	int best_ps = 0, best_pe = 0, best_hs = 0, best_he = 0;
	notes_buf out = NOTES_BUF_INIT;
	notes_status bst = NOTES_OK;

	for (int col = 0; col < NOTES_FIELD_COUNT; col++) {
		/* The column's instances, by offset, one per offset. */
		int n = 0;
		for (int i = 0; i < nin; i++) {
			if (in[i].col != col || (n > 0 && off[n - 1] == in[i].off))
				continue;
			off[n] = in[i].off;
			phr[n] = in[i].phrase;
			n++;
		}
		if (n == 0)
			continue;
		const char *text;
		int ntext;
		if (api->xColumnText(fts, col, &text, &ntext) != SQLITE_OK)
			continue;
		offmap m = {off, n, 0, 0, start, end};
		rc = api->xTokenize(fts, text, ntext, &m, offmap_cb);
		if (rc != SQLITE_OK && rc != SQLITE_DONE)
			continue;
		/* Lines of the column text, scored by distinct phrases. */
		for (int i = 0; i < m.next;) {
			int ls = start[i];
			while (ls > 0 && text[ls - 1] != '\n')
				ls--;
			int le = end[i];
			while (le < ntext && text[le] != '\n')
				le++;
			unsigned long long seen = 0;
			int j = i, distinct = 0;
			for (; j < m.next && start[j] < le; j++) {
				int p = phr[j] & 63;
				if (!(seen >> p & 1)) {
					seen |= 1ull << p;
					distinct++;
				}
			}
			int sc = distinct * 16 + col_pref(col);
			if (sc > best_score) {
				best_score = sc;
				best_col = col;
				best_ps = ls;
				best_pe = le;
				best_hs = start[i];
				best_he = end[i];
				notes_buf_clear(&out);
				for (int h = i; h < j; h++)
					notes_buf_printf(&bst, &out, " %d,%d", start[h], end[h]);
			}
			i = j;
		}
	}
	free(off);
	free(in);
	if (best_col < 0 || bst != NOTES_OK) {
		notes_buf_free(&out);
		if (bst != NOTES_OK)
			sqlite3_result_error_nomem(ctx);
		else
			sqlite3_result_null(ctx);
		return;
	}
	/* The window shown as the snippet: the passage around its first hit,
	 * at most SNIPPET_BYTES, cut on UTF-8 boundaries. */
	const char *text = NULL;
	int ntext = 0;
	api->xColumnText(fts, best_col, &text, &ntext);
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
	char head[160];
	snprintf(head, sizeof head, "%d %d %d %d %d %d %d %d", best_col, mk, best_ps, best_pe,
		 best_hs, best_he, ws, we);
	notes_buf res = NOTES_BUF_INIT;
	notes_buf_append_str(&bst, &res, head);
	notes_buf_append(&bst, &res, out.p ? out.p : "", out.n);
	notes_buf_append_char(&bst, &res, '\n');
	notes_buf_append(&bst, &res, text + ws, (size_t)(we - ws));
	notes_buf_free(&out);
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
		if (api->xCreateFunction(api, f[i].name, NULL, f[i].fn, NULL) != SQLITE_OK)
			return NOTES_E_DB;
	return NOTES_OK;
}
