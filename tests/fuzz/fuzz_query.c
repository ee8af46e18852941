/*
 * fuzz_query.c — the query parser (query/parse.c) on any bytes, and what it
 * builds run against a real index (the schema of lib/db.c):
 *   - a query is either parsed or refused with one line of English (no
 *     newline, no SQL or FTS5 wording);
 *   - every FTS5 expression built (all words, any word, stopwords left out)
 *     and every filter SQL runs without an SQLite error: nothing the user
 *     types reaches SQLite as syntax.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "notes/buf.h"
#include "notes/db.h"
#include "notes/tokenize.h"
#include "parse.h"

static notes_db *db;
static notes_tokenizer *tok;

/* A few front-matter keys exist, so key:value filters are exercised. */
static int is_key(void *ctx, const char *key)
{
	(void)ctx;
	return strcmp(key, "author") == 0 || strcmp(key, "status") == 0;
}

static void setup(void)
{
	char dir[] = "/tmp/notes-fuzz-query-XXXXXX";
	char path[64];
	char *err = NULL;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/index.db", dir);
	if (notes_db_open(path, NOTES_DB_CREATE, &db, &err) != NOTES_OK) {
		fprintf(stderr, "fuzz_query: %s\n", err ? err : "cannot create the index");
		abort();
	}
	/* The files are only a schema; removing them now leaves nothing
	 * behind (the open connection keeps them). */
	unlink(path);
	for (int i = 0; i < 2; i++) {
		char side[80];
		snprintf(side, sizeof side, "%s%s", path, i ? "-shm" : "-wal");
		unlink(side);
	}
	rmdir(dir);
	if (notes_tokenizer_new(&tok) != NOTES_OK)
		abort();
}

static void must_run(const char *sql, const char *match, char **binds, size_t nb, int first)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *h = notes_db_handle(db);
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare: %s\n  %s\n", sqlite3_errmsg(h), sql);
		abort();
	}
	if (match)
		sqlite3_bind_text(s, 1, match, -1, SQLITE_STATIC);
	for (size_t i = 0; i < nb; i++)
		sqlite3_bind_text(s, first + (int)i, binds[i], -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "step: %s\n  %s\n  MATCH %s\n", sqlite3_errmsg(h), sql,
			match ? match : "-");
		abort();
	}
	sqlite3_finalize(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		setup();
	if (size > 4096)
		return 0;
	notes_query *q = NULL;
	char *why = NULL;
	notes_status st = notes_query_parse((const char *)data, size, tok, is_key, NULL, &q, &why);
	if (st == NOTES_E_PARSE) {
		if (q || !why || !*why || strchr(why, '\n'))
			abort();
		/* No wording of SQLite's own, unless the message quotes it
		 * from what was typed. */
		static const char *const theirs[] = {
			"SQL", "sqlite", "fts5", "FTS5", "syntax error", "no such column",
			"unrecognized token", "malformed MATCH",
		};
		for (size_t i = 0; i < sizeof theirs / sizeof theirs[0]; i++)
			if (strstr(why, theirs[i]) && !memmem(data, size, theirs[i], strlen(theirs[i])))
				abort();
		free(why);
		return 0;
	}
	if (st != NOTES_OK || !q || why)
		abort();
	unsigned char skip[64];
	memset(skip, 1, sizeof skip);   /* leave out every word that may be */
	for (int mode = 0; mode < 3; mode++) {
		char *fts = NULL;
		st = mode < 2 ? notes_query_fts(q, mode ? NOTES_QUERY_ANY : NOTES_QUERY_ALL, NULL, &fts)
			      : notes_query_fts_skip(q, NOTES_QUERY_ALL, NULL,
						     notes_query_nterms(q) <= sizeof skip ? skip : NULL,
						     &fts);
		if (st != NOTES_OK)
			abort();
		if (fts)
			must_run("SELECT rowid FROM fts WHERE fts MATCH ?1", fts, NULL, 0, 0);
		free(fts);
	}
	notes_buf sql = NOTES_BUF_INIT;
	char **binds = NULL;
	size_t nb = 0;
	notes_buf_append_str(&st, &sql, "SELECT n.id FROM notes n WHERE ");
	if (notes_query_filter_sql(q, 1, &sql, &binds, &nb) != NOTES_OK || st != NOTES_OK)
		abort();
	must_run(sql.p, NULL, binds, nb, 1);
	notes_query_binds_free(binds, nb);
	notes_buf_free(&sql);
	notes_query_free(q);
	return 0;
}
