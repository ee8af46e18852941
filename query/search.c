/* search.c — run a query and collect ranked results (see search.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "notes/buf.h"
#include "notes/linemap.h"
#include "notes/tokenize.h"
#include "locate.h"
#include "search.h"

/* bm25 weights per column: title >> headings, meta (tags) > body, code. */
#define RANK_SPEC "bm25(10.0, 4.0, 3.0, 1.0, 0.8)"

static int count_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	(void)tflags; (void)tok; (void)ntok; (void)start; (void)end;
	(*(int *)ctx)++;
	return 0;
}

/* Words ANDed, each quoted as an FTS5 string so no character of the user's
 * text is ever parsed as FTS5 syntax.  Words without any token are dropped. */
static notes_status build_expr(const char *q, notes_buf *out, char **why)
{
	notes_status rc = NOTES_OK;
	notes_tokenizer *tok = NULL;
	if ((rc = notes_tokenizer_new(&tok)) != NOTES_OK)
		return rc;
	const char *p = q;
	int words = 0;
	while (*p && rc == NOTES_OK) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (p == w)
			break;
		int ntok = 0;
		notes_tokenize(tok, NOTES_TOKENIZE_QUERY, w, (int)(p - w), &ntok, count_cb);
		if (ntok == 0)
			continue;
		if (words++)
			notes_buf_append_char(&rc, out, ' ');
		notes_buf_append_char(&rc, out, '"');
		for (const char *c = w; c < p; c++) {
			if (*c == '"')
				notes_buf_append_char(&rc, out, '"');
			notes_buf_append_char(&rc, out, *c);
		}
		notes_buf_append_char(&rc, out, '"');
	}
	notes_tokenizer_free(tok);
	if (rc == NOTES_OK && words == 0) {
		*why = strdup("the query has no searchable words");
		return NOTES_E_PARSE;
	}
	return rc;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return v ? strdup((const char *)v) : NULL;
}

notes_status notes_source_position(const char *path, uint64_t src, int *line, int *col,
				   char **line_text)
{
	*line = *col = 0;
	*line_text = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NOTES_E_IO;
	/* Read just past the line holding src. */
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	int eol = 0;
	while (!eol) {
		notes_buf_reserve(&rc, &b, 65536);
		if (rc != NOTES_OK)
			break;
		ssize_t got = read(fd, b.p + b.n, 65536);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		b.n += (size_t)got;
		b.p[b.n] = '\0';
		if (b.n > src && memchr(b.p + src, '\n', b.n - src))
			eol = 1;
	}
	close(fd);
	if (rc != NOTES_OK || b.n < src) {
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
	*line_text = strndup(b.p + ls, le - ls);
	notes_buf_free(&b);
	return *line_text ? NOTES_OK : NOTES_E_NOMEM;
}

/* Fill r->line/col/line_text from the located hit. */
static void position_result(notes_result *r, const char *loc, const void *blob, int nblob,
			    const char *coltext, int ncoltext)
{
	int f, start, end;
	r->field = -1;
	if (!loc || sscanf(loc, "%d %d %d", &f, &start, &end) != 3 || f < 0 ||
	    f >= NOTES_FIELD_COUNT)
		return;
	r->field = f;
	notes_linemap m;
	if (notes_linemap_decode(blob, (size_t)(nblob > 0 ? nblob : 0), &m) != NOTES_OK)
		return;
	size_t mark = coltext ? notes_lang_marker_len(coltext, (size_t)ncoltext) : 0;
	int64_t src = (size_t)start >= mark ? notes_linemap_lookup(&m, (notes_field)f,
								  (uint32_t)((size_t)start - mark)) : -1;
	notes_linemap_free(&m);
	if (src < 0) {
		/* e.g. a title taken from the file name: point at the top. */
		r->line = 1;
		r->col = 1;
		return;
	}
	notes_source_position(r->path, (uint64_t)src, &r->line, &r->col, &r->line_text);
}

notes_status notes_search_run(notes_db *db, const char *query, const notes_search_opts *o,
			      notes_result **res, size_t *n, char **why)
{
	*res = NULL;
	*n = 0;
	*why = NULL;
	sqlite3 *h = notes_db_handle(db);
	notes_buf expr = NOTES_BUF_INIT;
	notes_status rc = build_expr(query, &expr, why);
	if (rc != NOTES_OK) {
		notes_buf_free(&expr);
		return rc;
	}
	if ((rc = notes_locate_register(h)) != NOTES_OK) {
		notes_buf_free(&expr);
		return rc;
	}
	static const char *sql =
		"SELECT n.id, n.path, n.title, n.date, f.score, f.loc, f.snip, n.linemap,"
		"  (SELECT group_concat(value, ', ') FROM fields WHERE note = n.id AND key IN ('tags','tag')),"
		"  f.loctext"
		" FROM (SELECT rowid AS id, -rank AS score, notes_locate(fts) AS loc,"
		"        snippet(fts, notes_hitcol(fts), char(2), char(3), '…', 24) AS snip,"
		"        CASE notes_hitcol(fts)"
		"          WHEN 0 THEN title WHEN 1 THEN headings WHEN 2 THEN meta"
		"          WHEN 3 THEN body ELSE code END AS loctext"
		"      FROM fts WHERE fts MATCH ?1 AND rank MATCH '" RANK_SPEC "'"
		"      ORDER BY rank LIMIT ?2 OFFSET ?3) f"
		" JOIN notes n ON n.id = f.id ORDER BY f.score DESC";
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(h, sql, -1, &s, NULL);
	if (src != SQLITE_OK) {
		*why = strdup(sqlite3_errmsg(h));
		notes_buf_free(&expr);
		return NOTES_E_DB;
	}
	sqlite3_bind_text(s, 1, expr.p, (int)expr.n, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, o->limit);
	sqlite3_bind_int(s, 3, o->offset);
	size_t cap = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			notes_result *p = realloc(*res, cap * sizeof *p);
			if (!p) {
				rc = NOTES_E_NOMEM;
				break;
			}
			*res = p;
		}
		notes_result *r = &(*res)[*n];
		memset(r, 0, sizeof *r);
		(*n)++;
		r->id = sqlite3_column_int64(s, 0);
		r->path = col_dup(s, 1);
		r->title = col_dup(s, 2);
		r->date = col_dup(s, 3);
		r->score = sqlite3_column_double(s, 4);
		r->snippet = col_dup(s, 6);
		r->tags = col_dup(s, 8);
		if (!r->path || !r->title) {
			rc = NOTES_E_NOMEM;
			break;
		}
		position_result(r, (const char *)sqlite3_column_text(s, 5), sqlite3_column_blob(s, 7),
				sqlite3_column_bytes(s, 7), (const char *)sqlite3_column_text(s, 9),
				sqlite3_column_bytes(s, 9));
	}
	if (rc == NOTES_OK && src != SQLITE_DONE) {
		*why = strdup(sqlite3_errmsg(h));
		rc = NOTES_E_DB;
	}
	sqlite3_finalize(s);
	notes_buf_free(&expr);
	if (rc != NOTES_OK) {
		notes_results_free(*res, *n);
		*res = NULL;
		*n = 0;
	}
	return rc;
}

void notes_results_free(notes_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(res[i].path);
		free(res[i].title);
		free(res[i].date);
		free(res[i].tags);
		free(res[i].line_text);
		free(res[i].snippet);
	}
	free(res);
}
