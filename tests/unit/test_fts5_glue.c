/*
 * test_fts5_glue.c — the "notes" tokenizer inside a real FTS5 table: what
 * MATCH finds, where highlight()/snippet() put their marks, and that deletes
 * and integrity-check re-tokenize exactly as the inserts did.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "notes/buf.h"
#include "notes/tokenize.h"

static const char *const rows[] = {
	/* 1 */ "Résumé of the cluster upgrade",
	/* 2 */ "The kube-proxy component routes traffic",
	/* 3 */ "Configure a PodDisruptionBudget for the app",
	/* 4 */ "use snake_case names like max_surge",
	/* 5 */ "Fixed in #2789 last week",
	/* 6 */ "容器运行时和集群管理",
	/* 7 */ "コンテナを起動する",
	/* 8 */ "Pods are scheduled by the scheduler",
	/* 9 */ "\001fr\001Les déploiements sont planifiés",
	/* 10 */ "kube proxy written as two words",
	/* 11 */ "RESUME in capitals, and HTTPServer",
	/* 12 */ "do not retry forever",
};

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

/* Open an in-memory database with the tokenizer and the rows above. */
static sqlite3 *open_db(const char *langs)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(notes_fts5_register(db, langs), NOTES_OK);
	/* Arguments after the tokenizer name are ignored. */
	exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='notes x y')");
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES(?, ?)",
					    -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_text(st, 2, rows[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return db;
}

static int setup_en_fr(void **state)
{
	*state = open_db("en,fr");
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(sqlite3_close(*state), SQLITE_OK);
	return 0;
}

/* Rowids matching `query`, ascending, as "1,2,3"; caller frees. */
static char *ids(sqlite3 *db, const char *query)
{
	sqlite3_stmt *st;
	notes_buf b = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;

	int src = sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid",
				     -1, &st, NULL);
	assert_int_equal(src, SQLITE_OK);
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		notes_buf_printf(&rc, &b, "%s%d", b.n ? "," : "", sqlite3_column_int(st, 0));
	if (src != SQLITE_DONE)
		fail_msg("MATCH %s: %s", query, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	notes_buf_append(&rc, &b, "", 0);
	assert_int_equal(rc, NOTES_OK);
	return b.p;
}

#define ASSERT_IDS(db, query, want) do { \
		char *got_ = ids((db), (query)); \
		if (strcmp(got_, (want)) != 0) \
			fail_msg("MATCH '%s': got [%s], want [%s]", (query), got_, (want)); \
		free(got_); \
	} while (0)

/* The single text value of `sql` with `query` bound to ?1; caller frees. */
static char *one_text(sqlite3 *db, const char *sql, const char *query)
{
	sqlite3_stmt *st;
	char *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!out)
		fail_msg("%s [%s]: no row (%s)", sql, query, sqlite3_errmsg(db));
	return out;
}

#define ASSERT_TEXT(db, sql, query, want) do { \
		char *got_ = one_text((db), (sql), (query)); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)

static void integrity_check(sqlite3 *db)
{
	exec_ok(db, "INSERT INTO t(t) VALUES('integrity-check')");
	exec_ok(db, "INSERT INTO t(t, rank) VALUES('integrity-check', 1)");
}

static void test_case_and_accents(void **state)
{
	sqlite3 *db = *state;
	ASSERT_IDS(db, "Résumé", "1,11");
	ASSERT_IDS(db, "RESUME", "1,11");
	ASSERT_IDS(db, "resume", "1,11");
	ASSERT_IDS(db, "résumés", "1,11");
}

static void test_code_words(void **state)
{
	sqlite3 *db = *state;
	ASSERT_IDS(db, "\"kube-proxy\"", "2,10");
	ASSERT_IDS(db, "\"kube proxy\"", "2,10");
	ASSERT_IDS(db, "kubeproxy", "2");
	ASSERT_IDS(db, "\"pod disruption budget\"", "3");
	ASSERT_IDS(db, "PodDisruptionBudget", "3");
	ASSERT_IDS(db, "poddisruptionbudget", "3");
	ASSERT_IDS(db, "disruption", "3");
	ASSERT_IDS(db, "\"snake case\"", "4");
	ASSERT_IDS(db, "\"snake_case\"", "4");
	ASSERT_IDS(db, "snakecase", "4");
	ASSERT_IDS(db, "surge", "4");
	ASSERT_IDS(db, "2789", "5");
	ASSERT_IDS(db, "\"#2789\"", "5");
	ASSERT_IDS(db, "server", "11");
	ASSERT_IDS(db, "httpserver", "11");
}

static void test_cjk(void **state)
{
	sqlite3 *db = *state;
	ASSERT_IDS(db, "容器", "6");
	ASSERT_IDS(db, "容", "6");
	ASSERT_IDS(db, "管理", "6");
	ASSERT_IDS(db, "理", "6");            /* last character of the run */
	ASSERT_IDS(db, "集群管理", "6");
	ASSERT_IDS(db, "容器管理", "");        /* not adjacent */
	ASSERT_IDS(db, "コンテナ", "7");
	ASSERT_IDS(db, "ｺﾝﾃﾅ", "7");          /* half-width */
	ASSERT_IDS(db, "起動", "7");
	ASSERT_IDS(db, "\"コンテナを起動\"", "7");
}

static void test_stems_and_prefix(void **state)
{
	sqlite3 *db = *state;
	ASSERT_IDS(db, "scheduling", "8");
	ASSERT_IDS(db, "schedul*", "8");
	ASSERT_IDS(db, "sched*", "8");
	ASSERT_IDS(db, "schedule*", "8");
	ASSERT_IDS(db, "scheduler*", "8");
	ASSERT_IDS(db, "pod*", "3,8");
	ASSERT_IDS(db, "\"kube prox\"*", "2,10");
}

static void test_french(void **state)
{
	sqlite3 *db = *state;
	/* Indexed with the French stemmer (marker); found through the
	 * connection's second query language. */
	ASSERT_IDS(db, "déploiement", "9");
	ASSERT_IDS(db, "planifié", "9");
	ASSERT_IDS(db, "fr", "");   /* the marker is no word */
	/* French stems are namespaced: "note" is "not" in French, yet an
	 * English note saying "not" is no answer to "note". */
	ASSERT_IDS(db, "note", "");
	ASSERT_IDS(db, "not", "12");
	/* ...while French inflections still meet through the French stem. */
	ASSERT_IDS(db, "planifiées", "9");

	/* English only: every note carries English forms, so the word itself
	 * is found; the French stem is not produced. */
	sqlite3 *en = open_db(NULL);
	ASSERT_IDS(en, "déploiement", "9");
	ASSERT_IDS(en, "note", "");
	ASSERT_IDS(en, "scheduling", "8");
	integrity_check(en);
	assert_int_equal(sqlite3_close(en), SQLITE_OK);
}

static void test_highlight_snippet(void **state)
{
	sqlite3 *db = *state;
	const char *hl = "SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?1 ORDER BY rowid";
	ASSERT_TEXT(db, hl, "resume", "[Résumé] of the cluster upgrade");
	ASSERT_TEXT(db, hl, "\"kube proxy\"", "The [kube-proxy] component routes traffic");
	ASSERT_TEXT(db, hl, "\"pod disruption budget\"",
		    "Configure a [PodDisruptionBudget] for the app");
	ASSERT_TEXT(db, hl, "budget", "Configure a PodDisruption[Budget] for the app");
	ASSERT_TEXT(db, hl, "2789", "Fixed in #[2789] last week");
	ASSERT_TEXT(db, hl, "集群", "容器运行时和[集群]管理");
	/* A single character is indexed at the position of the bigram that
	 * starts with it (the last one: of the last bigram), and highlight()
	 * marks the first token of a position: the bigram. */
	ASSERT_TEXT(db, hl, "理", "容器运行时和集群[管理]");
	ASSERT_TEXT(db, hl, "容", "[容器]运行时和集群管理");
	ASSERT_TEXT(db, hl, "planifié", "\001fr\001Les déploiements sont [planifiés]");
	ASSERT_TEXT(db, "SELECT snippet(t, 0, '[', ']', '...', 3) FROM t WHERE t MATCH ?1",
		    "traffic", "...component routes [traffic]");
	ASSERT_TEXT(db, "SELECT snippet(t, 0, '[', ']', '...', 2) FROM t WHERE t MATCH ?1",
		    "scheduled", "...[scheduled] by...");
}

static void test_delete_and_integrity(void **state)
{
	sqlite3 *db = *state;
	integrity_check(db);
	exec_ok(db, "DELETE FROM t WHERE rowid IN (2, 6, 9)");
	integrity_check(db);
	ASSERT_IDS(db, "kubeproxy", "");
	ASSERT_IDS(db, "\"kube proxy\"", "10");
	ASSERT_IDS(db, "容", "");
	ASSERT_IDS(db, "déploiement", "");
	exec_ok(db, "UPDATE t SET body = '\001fr\001planifiée kube-proxy' WHERE rowid = 1");
	integrity_check(db);
	ASSERT_IDS(db, "planifié", "1");
	ASSERT_IDS(db, "kubeproxy", "1");
	exec_ok(db, "INSERT INTO t(t) VALUES('optimize')");
	exec_ok(db, "INSERT INTO t(t) VALUES('rebuild')");
	integrity_check(db);
	ASSERT_IDS(db, "resume", "11");
}

static void test_register_errors(void **state)
{
	(void)state;
	assert_int_equal(notes_fts5_register(NULL, "en"), NOTES_E_USAGE);
	/* Registering twice is harmless (the newer wins, both are freed). */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(notes_fts5_register(db, "en"), NOTES_OK);
	assert_int_equal(notes_fts5_register(db, "fr"), NOTES_OK);
	exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='notes')");
	exec_ok(db, "INSERT INTO t VALUES('planifiés')");
	ASSERT_IDS(db, "planifié", "1");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	/* Without registration the table cannot be created. */
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(b, tokenize='notes')",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Rows inserted with recorded tokens replayed give the index tokenizing
 * them gives (integrity-check re-tokenizes everything and compares), and a
 * record of other text is never used. */
static void test_replay(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	notes_token_replay rp = {NULL, 0};
	notes_tokenizer *t;
	notes_token_rec *rec[2];
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(notes_fts5_register_replay(db, "en,fr", &rp), NOTES_OK);
	exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='notes')");
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	assert_int_equal(notes_token_rec_new(&rec[0]), NOTES_OK);
	assert_int_equal(notes_token_rec_new(&rec[1]), NOTES_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, a, b) VALUES(?, ?, ?)",
					    -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i + 1 < sizeof rows / sizeof rows[0]; i++) {
		const char *a = rows[i], *b = rows[i + 1];
		assert_int_equal(notes_token_rec_record(rec[0], t, a, (int)strlen(a)), 0);
		/* the second column's record is of other text: not replayed */
		assert_int_equal(notes_token_rec_record(rec[1], t, "zzstale", 7), 0);
		rp.rec = rec;
		rp.nrec = 2;
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
		rp.rec = NULL;
		rp.nrec = 0;
	}
	sqlite3_finalize(st);
	exec_ok(db, "INSERT INTO t(t) VALUES('integrity-check')");
	ASSERT_IDS(db, "zzstale", "");
	/* row i holds rows[i-1] in a and rows[i] in b */
	ASSERT_IDS(db, "a:kubeproxy", "2");
	ASSERT_IDS(db, "b:kubeproxy", "1");
	ASSERT_IDS(db, "a:scheduling", "8");
	ASSERT_IDS(db, "容器", "5,6");
	notes_token_rec_free(rec[0]);
	notes_token_rec_free(rec[1]);
	notes_tokenizer_free(t);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_case_and_accents, setup_en_fr, teardown),
		cmocka_unit_test_setup_teardown(test_code_words, setup_en_fr, teardown),
		cmocka_unit_test_setup_teardown(test_cjk, setup_en_fr, teardown),
		cmocka_unit_test_setup_teardown(test_stems_and_prefix, setup_en_fr, teardown),
		cmocka_unit_test_setup_teardown(test_french, setup_en_fr, teardown),
		cmocka_unit_test_setup_teardown(test_highlight_snippet, setup_en_fr, teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_integrity, setup_en_fr, teardown),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
