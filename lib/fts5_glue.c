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
#include "notes/zip.h"

/* What one registration shares with the tokenizers it creates.  Allocated by
 * notes_fts5_register(), freed by FTS5 through fts5_glue_destroy() when the
 * connection closes (or the name is registered again). */
struct fts5_glue_ctx {
	notes_token_replay *replay; /* records to replay, or NULL (not owned) */
	char langs[1];   /* query languages, NUL-terminated (over-allocated) */
};

/* One tokenizer instance of FTS5: ours, and the registration it came from. */
struct fts5_glue_tok {
	notes_tokenizer *t;             /* owned */
	const struct fts5_glue_ctx *g;  /* the registration (outlives us) */
};

static int fts5_glue_create(void *ctx, const char **argv, int argc,
			    Fts5Tokenizer **out)
{
	struct fts5_glue_ctx *g = ctx;
	struct fts5_glue_tok *gt = calloc(1, sizeof *gt);

	/* tokenize='notes ...' arguments are accepted and ignored. */
	(void)argv;
	(void)argc;
	*out = NULL;
	if (!gt || notes_tokenizer_new(&gt->t) != NOTES_OK) {
		free(gt);
		return SQLITE_NOMEM;
	}
	if (notes_tokenizer_set_query_langs(gt->t, g->langs) != NOTES_OK) {
		notes_tokenizer_free(gt->t);
		free(gt);
		return SQLITE_NOMEM;
	}
	gt->g = g;
	*out = (Fts5Tokenizer *)gt;
	return SQLITE_OK;
}

static void fts5_glue_delete(Fts5Tokenizer *p)
{
	struct fts5_glue_tok *gt = (struct fts5_glue_tok *)p;
	if (gt)
		notes_tokenizer_free(gt->t);
	free(gt);
}

static int fts5_glue_tokenize(Fts5Tokenizer *p, void *ctx, int flags,
			      const char *text, int n,
			      int (*token)(void *, int, const char *, int, int, int))
{
	struct fts5_glue_tok *gt = (struct fts5_glue_tok *)p;
	const notes_token_replay *rp = gt->g->replay;
	int rc = -NOTES_E_NOTFOUND;

	/* FTS5_TOKENIZE_* and FTS5_TOKEN_COLOCATED have the values of their
	 * NOTES_ twins, and xToken has the type of notes_token_cb, so tokens
	 * go straight to FTS5. */
	flags &= NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX | NOTES_TOKENIZE_DOCUMENT |
		 NOTES_TOKENIZE_AUX;
	if (rp && flags == NOTES_TOKENIZE_DOCUMENT)
		for (int i = 0; i < rp->nrec && rc == -NOTES_E_NOTFOUND; i++)
			rc = notes_token_rec_replay(rp->rec[i], text, n, ctx, token);
	if (rc == -NOTES_E_NOTFOUND)
		rc = notes_tokenize(gt->t, flags, text, n, ctx, token);
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

/* notes_unzip(stored [, lenient]): the text of a stored column
 * (notes/zip.h), so that SQL (deletes, the sqlite3 shell) can read what the
 * index keeps.  A damaged value is an error, or NULL when lenient is true
 * (for reads that can do without it: typo samples, headings). */
static void unzip_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;   /* NULL */
	notes_buf out = NOTES_BUF_INIT;
	notes_status st = notes_zip_unpack_with(sqlite3_user_data(ctx), sqlite3_value_blob(argv[0]),
						(size_t)sqlite3_value_bytes(argv[0]), &out);
	if (st == NOTES_E_NOMEM) {
		sqlite3_result_error_nomem(ctx);
	} else if (st != NOTES_OK) {
		if (argc < 2 || !sqlite3_value_int(argv[1]))
			sqlite3_result_error(ctx, "notes_unzip: damaged stored text", -1);
	} else {
		sqlite3_result_text(ctx, out.p ? out.p : "", (int)out.n, free);
		return;
	}
	notes_buf_free(&out);
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
	return notes_fts5_register_replay(db, query_langs, NULL);
}

notes_status notes_fts5_register_replay(sqlite3 *db, const char *query_langs,
					notes_token_replay *replay)
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
	g->replay = replay;
	int rc = api->xCreateTokenizer(api, "notes", g, &tok, fts5_glue_destroy);
	if (rc != SQLITE_OK) {
		free(g);   /* FTS5 calls xDestroy only once registered */
		return rc == SQLITE_NOMEM ? NOTES_E_NOMEM : NOTES_E_DB;
	}
	/* Each form keeps a decompression context for the connection
	 * (setting one up costs more than unpacking a short note); SQLite
	 * frees it with the connection, or at once if registering fails. */
	for (int nargs = 1; nargs <= 2 && rc == SQLITE_OK; nargs++) {
		notes_zip *z = NULL;
		if (notes_zip_new(&z) != NOTES_OK)
			return NOTES_E_NOMEM;
		rc = sqlite3_create_function_v2(db, "notes_unzip", nargs,
						SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
						z, unzip_fn, NULL, NULL,
						(void (*)(void *))notes_zip_free);
	}
	if (rc != SQLITE_OK)
		return rc == SQLITE_NOMEM ? NOTES_E_NOMEM : NOTES_E_DB;
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
