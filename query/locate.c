/* locate.c — the notes_locate() FTS5 auxiliary function (see locate.h). */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "notes/linemap.h"
#include "notes/tokenize.h"
#include "locate.h"

typedef struct find_ctx {
	int target;   /* token position wanted */
	int pos;      /* current position (non-colocated tokens) */
	int start;    /* byte start of the target, -1 until found */
	int end;      /* byte end of the target */
} find_ctx;

static int find_cb(void *p, int tflags, const char *tok, int ntok, int start, int end)
{
	find_ctx *c = p;
	(void)tok;
	(void)ntok;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if (c->pos == c->target) {
		c->start = start;
		c->end = end;
		return SQLITE_DONE;
	}
	c->pos++;
	return SQLITE_OK;
}

/* Column of the best hit: the first phrase instance in the body, else in
 * headings, title, meta, code.  -1 without instances.  *off receives its
 * token offset. */
static int best_hit(const Fts5ExtensionApi *api, Fts5Context *fts, int *off)
{
	static const int pref[] = {NOTES_FIELD_BODY, NOTES_FIELD_HEADINGS, NOTES_FIELD_TITLE,
				   NOTES_FIELD_META, NOTES_FIELD_CODE};
	int ninst = 0;
	if (api->xInstCount(fts, &ninst) != SQLITE_OK || ninst == 0)
		return -1;
	int best_col = -1, best_rank = 99;
	*off = 0;
	for (int i = 0; i < ninst; i++) {
		int phrase, col, o;
		if (api->xInst(fts, i, &phrase, &col, &o) != SQLITE_OK)
			continue;
		int rank = 0;
		while (rank < 5 && pref[rank] != col)
			rank++;
		if (rank < best_rank || (rank == best_rank && o < *off)) {
			best_rank = rank;
			best_col = col;
			*off = o;
		}
	}
	return best_col;
}

static void hitcol_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		      int nval, sqlite3_value **vals)
{
	(void)nval;
	(void)vals;
	int off;
	sqlite3_result_int(ctx, best_hit(api, fts, &off));
}

static void locate_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		      int nval, sqlite3_value **vals)
{
	(void)nval;
	(void)vals;
	int best_off;
	int best_col = best_hit(api, fts, &best_off);
	if (best_col < 0) {
		sqlite3_result_null(ctx);
		return;
	}
	const char *text;
	int n;
	if (api->xColumnText(fts, best_col, &text, &n) != SQLITE_OK) {
		sqlite3_result_null(ctx);
		return;
	}
	find_ctx c = {best_off, 0, -1, -1};
	int rc = api->xTokenize(fts, text, n, &c, find_cb);
	if ((rc != SQLITE_OK && rc != SQLITE_DONE) || c.start < 0) {
		sqlite3_result_null(ctx);
		return;
	}
	char buf[64];
	snprintf(buf, sizeof buf, "%d %d %d", best_col, c.start, c.end);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

notes_status notes_locate_register(sqlite3 *db)
{
	fts5_api *api = notes_fts5_api(db);
	if (!api)
		return NOTES_E_DB;
	if (api->xCreateFunction(api, "notes_locate", NULL, locate_fn, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "notes_hitcol", NULL, hitcol_fn, NULL) != SQLITE_OK)
		return NOTES_E_DB;
	return NOTES_OK;
}
