/*
 * fts5_glue.c — the "notes" FTS5 tokenizer: notes_tokenize() behind the
 * fts5_tokenizer interface, and (with -DNOTES_EXTENSION) the entry point that
 * lets the sqlite3 shell load it:  sqlite3 index.db '.load build/notes_fts5'
 *
 * In the extension build every sqlite3_* call goes through the routine table
 * the loading program hands over (sqlite3ext.h), so the extension uses the
 * shell's SQLite rather than a second copy.
 */
#ifdef NOTES_EXTENSION
#include <sqlite3ext.h>
static SQLITE_EXTENSION_INIT1
#else
#include <sqlite3.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "notes/tokenize.h"

/* What one registration shares with the tokenizers it creates.  Allocated by
 * notes_fts5_register(), freed by FTS5 through fts5_glue_destroy() when the
 * connection closes (or the name is registered again). */
struct fts5_glue_ctx {
	char langs[1];   /* query languages, NUL-terminated (over-allocated) */
};

static int fts5_glue_create(void *ctx, const char **argv, int argc,
			    Fts5Tokenizer **out)
{
	struct fts5_glue_ctx *g = ctx;
	notes_tokenizer *t;

	/* tokenize='notes ...' arguments are accepted and ignored. */
	(void)argv;
	(void)argc;
	*out = NULL;
	if (notes_tokenizer_new(&t) != NOTES_OK)
		return SQLITE_NOMEM;
	if (notes_tokenizer_set_query_langs(t, g->langs) != NOTES_OK) {
		notes_tokenizer_free(t);
		return SQLITE_NOMEM;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fts5_glue_delete(Fts5Tokenizer *p)
{
	notes_tokenizer_free((notes_tokenizer *)p);
}

static int fts5_glue_tokenize(Fts5Tokenizer *p, void *ctx, int flags,
			      const char *text, int n,
			      int (*token)(void *, int, const char *, int, int, int))
{
	/* FTS5_TOKENIZE_* and FTS5_TOKEN_COLOCATED have the values of their
	 * NOTES_ twins, and xToken has the type of notes_token_cb, so tokens
	 * go straight to FTS5. */
	int rc = notes_tokenize((notes_tokenizer *)p,
				flags & (NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX |
					 NOTES_TOKENIZE_DOCUMENT | NOTES_TOKENIZE_AUX),
				text, n, ctx, token);
	if (rc == -NOTES_E_NOMEM)
		return SQLITE_NOMEM;
	if (rc < 0)
		return SQLITE_ERROR;
	return rc;
}

static void fts5_glue_destroy(void *ctx)
{
	free(ctx);
}

fts5_api *notes_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api && api->iVersion < 2)
		return NULL;
	return api;
}

notes_status notes_fts5_register(sqlite3 *db, const char *query_langs)
{
	/* Copied by FTS5. */
	fts5_tokenizer tok = {
		fts5_glue_create, fts5_glue_delete, fts5_glue_tokenize
	};

	if (!db)
		return NOTES_E_USAGE;
	if (!query_langs)
		query_langs = "en";
	fts5_api *api = notes_fts5_api(db);
	if (!api)
		return NOTES_E_DB;
	size_t n = strlen(query_langs);
	struct fts5_glue_ctx *g = malloc(sizeof *g + n);
	if (!g)
		return NOTES_E_NOMEM;
	memcpy(g->langs, query_langs, n + 1);
	int rc = api->xCreateTokenizer(api, "notes", g, &tok, fts5_glue_destroy);
	if (rc != SQLITE_OK) {
		free(g);   /* FTS5 calls xDestroy only once registered */
		return rc == SQLITE_NOMEM ? NOTES_E_NOMEM : NOTES_E_DB;
	}
	return NOTES_OK;
}

#ifdef NOTES_EXTENSION
/* The shell derives this name from the file name notes_fts5.so: "sqlite3_",
 * the letters of the base name before the first '.', lower-cased, "_init". */
int sqlite3_notesfts_init(sqlite3 *db, char **errmsg,
			  const sqlite3_api_routines *api);

int sqlite3_notesfts_init(sqlite3 *db, char **errmsg,
			  const sqlite3_api_routines *api)
{
	SQLITE_EXTENSION_INIT2(api);
	notes_status st = notes_fts5_register(db, NULL);
	if (st == NOTES_OK)
		return SQLITE_OK;
	if (errmsg)
		*errmsg = sqlite3_mprintf("notes tokenizer: %s", notes_status_str(st));
	return st == NOTES_E_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}
#endif
