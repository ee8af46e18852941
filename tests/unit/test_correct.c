/*
 * test_correct.c — typo correction against a small in-memory index built
 * with the real "notes" tokenizer and the index's FTS5 table definition.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "notes/tokenize.h"
#include "notes/zip.h"
#include "notes/linemap.h"
#include "correct.h"

/* title, body.  Document frequencies the tests rely on:
 *   node/nodes 6 (rows 2 5 7 8 9 13), note/notes 2 (rows 5 10),
 *   termination/terminal ("termin") 3 (rows 1 11 15). */
static const char *const rows[][2] = {
	/* 1 */ {"Graceful termination of pods",
		 "When a pod is deleted, Kubernetes sends SIGTERM and waits for "
		 "graceful termination before the kill."},
	/* 2 */ {"Scheduler basics",
		 "The scheduler assigns pods to nodes. The kube-scheduler watches "
		 "for new pods."},
	/* 3 */ {"Deployment strategies",
		 "A Deployment manages ReplicaSets; a rolling deployment replaces "
		 "pods gradually."},
	/* 4 */ {"PodDisruptionBudget",
		 "Configure a PodDisruptionBudget so voluntary disruptions keep "
		 "enough pods running."},
	/* 5 */ {"Résumé", "Résumé of the cluster upgrade, with notes on each node."},
	/* 6 */ {"容器运行时", "容器运行时和集群管理"},
	/* 7 */ {"Kubernetes networking",
		 "Kubernetes services route traffic through kube-proxy on every node."},
	/* 8 */ {"Node maintenance", "Drain nodes before maintenance; cordon the node first."},
	/* 9 */ {"Node pools", "Node pools group nodes with the same machine type."},
	/* 10 */ {"Upgrade log", "Write notes before each upgrade; notes help later."},
	/* 11 */ {"Terminal tricks", "Open a terminal and run kubectl."},
	/* 12 */ {"Graceful shutdown", "Graceful shutdown gives containers time to finish."},
	/* 13 */ {"Scheduling", "The scheduler scores nodes; scheduling happens once per pod."},
	/* 14 */ {"Rollbacks", "Roll back a deployment with kubectl rollout undo."},
	/* 15 */ {"Timeouts", "The grace period sets the termination timeout."},
	/* 16 */ {"Kubernetes API", "The Kubernetes API server validates requests."},
	/* 17 */ {"Volumes", "A volume outlives its containers."},
	/* 18 */ {"Images", "A container image is immutable."},
	/* 19 */ {"Releases", "Released in 2019, version 1.14 had 3 fixes."},
	/* 20 */ {"Mail", "Words like receive and believe are often misspelled."},
};

struct fixture {
	sqlite3 *db;
	notes_tokenizer *tok;
	notes_corrector *c;
};

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

/* The index's shape (notes/db.h): a contentless FTS5 table and the texts,
 * stored, in `content`. */
static void create_index(sqlite3 *db)
{
	exec_ok(db, "CREATE VIRTUAL TABLE fts USING fts5(title, headings, meta, body, code, "
		"content='', tokenize='notes')");
	exec_ok(db, "CREATE TABLE content(id INTEGER PRIMARY KEY, title, headings, meta, body,"
		" code, ckpt)");
}

/* Index a note with this title and body, as notes-index stores it. */
static void add_note(sqlite3 *db, int id, const char *title, const char *body)
{
	const char *text[NOTES_FIELD_COUNT] = {title, "", "", body, ""};
	notes_zip *z;
	sqlite3_stmt *st;
	assert_int_equal(notes_zip_new(&z), NOTES_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, title, headings, meta, "
					    "body, code) VALUES(?, ?, ?, ?, ?, ?)", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int(st, 1, id);
	for (int c = 0; c < NOTES_FIELD_COUNT; c++)
		sqlite3_bind_text(st, 2 + c, text[c], -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO content VALUES(?, ?, ?, ?, ?, ?, x'')",
					    -1, &st, NULL), SQLITE_OK);
	notes_buf packed[NOTES_FIELD_COUNT];
	notes_status rc = NOTES_OK;
	sqlite3_bind_int(st, 1, id);
	for (int c = 0; c < NOTES_FIELD_COUNT; c++) {
		packed[c] = (notes_buf)NOTES_BUF_INIT;
		notes_zip_pack(&rc, z, text[c], strlen(text[c]), &packed[c]);
		sqlite3_bind_blob(st, 2 + c, packed[c].p, (int)packed[c].n, SQLITE_STATIC);
	}
	assert_int_equal(rc, NOTES_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	for (int c = 0; c < NOTES_FIELD_COUNT; c++)
		notes_buf_free(&packed[c]);
	notes_zip_free(z);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_int_equal(sqlite3_open(":memory:", &f->db), SQLITE_OK);
	assert_int_equal(notes_fts5_register(f->db, "en"), NOTES_OK);
	create_index(f->db);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		add_note(f->db, (int)i + 1, rows[i][0], rows[i][1]);
	assert_int_equal(notes_tokenizer_new(&f->tok), NOTES_OK);
	assert_int_equal(notes_corrector_new(f->db, f->tok, &f->c), NOTES_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	notes_corrector_free(f->c);
	notes_tokenizer_free(f->tok);
	assert_int_equal(sqlite3_close(f->db), SQLITE_OK);
	free(f);
	return 0;
}

/* Documents matching `word` searched as the caller will: one FTS5 string. */
static long long match_count(sqlite3 *db, const char *word)
{
	sqlite3_stmt *st;
	long long n = -1;
	char *q = sqlite3_mprintf("\"%w\"", word);

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, sqlite3_free);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Suggestions for `word` as "w1/d/df w2/d/df"; "" for none.  Also checks
 * that every suggestion, searched, finds exactly df notes. */
static char *suggest(struct fixture *f, const char *word, size_t len, size_t max)
{
	notes_suggestion *s = (notes_suggestion *)1;
	size_t n = 99;
	static char out[1024];

	assert_int_equal(notes_corrector_suggest(f->c, word, len, max, &s, &n), NOTES_OK);
	assert_true(n <= max);
	out[0] = '\0';
	if (n == 0)
		assert_null(s);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(out);
		assert_true(s[i].distance == 1 || s[i].distance == 2);
		assert_true(s[i].df > 0);
		assert_int_equal(match_count(f->db, s[i].word), s[i].df);
		snprintf(out + k, sizeof out - k, "%s%s/%d/%lld", i ? " " : "", s[i].word,
			 s[i].distance, s[i].df);
	}
	notes_suggestions_free(s, n);
	return out;
}

#define SUGGEST(f, w, max) suggest((f), (w), strlen(w), (max))

static int temp_vocab_exists(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_temp_master "
					    "WHERE name = 'notes_vocab'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_known_words(void **state)
{
	struct fixture *f = *state;
	static const char *const known[] = {
		"termination", "Termination", "TERMINATION", "graceful", "kubernetes",
		"Kubernetes", "scheduler", "scheduling", "deployment", "deployments",
		"PodDisruptionBudget", "résumé", "resume", "kube-proxy",
		/* real words of the archive close to more frequent ones */
		"terminal", "notes", "believe",
		/* stems to an indexed term: the search finds Kubernetes already */
		"kubernets",
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		assert_string_equal(SUGGEST(f, known[i], 5), "");
}

static void test_distance1(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(SUGGEST(f, "termnation", 5), "termination/1/3");
	assert_string_equal(SUGGEST(f, "Termnation", 5), "termination/1/3");
	assert_string_equal(SUGGEST(f, "gracefull", 5), "graceful/1/3");
	assert_string_equal(SUGGEST(f, "kuberntes", 5), "kubernetes/1/3");
	/* transposition: shown as the notes spell it, not "kubernets" */
	assert_string_equal(SUGGEST(f, "kubernetse", 5), "kubernetes/1/3");
	assert_string_equal(SUGGEST(f, "schedular", 5), "scheduler/1/2");
	assert_string_equal(SUGGEST(f, "deploymnet", 5), "deployment/1/2");
	assert_string_equal(SUGGEST(f, "recieve", 5), "receive/1/1");
	/* compounds: the joined form is indexed */
	assert_string_equal(SUGGEST(f, "PodDisruptionBudjet", 5), "poddisruptionbudget/1/1");
	assert_string_equal(SUGGEST(f, "kube-proxxy", 5), "kube-proxy/1/1");
	/* accents: the word's own characters are part of the alphabet */
	assert_string_equal(SUGGEST(f, "rezume", 5), "resume/1/1");
	assert_string_equal(SUGGEST(f, "résme", 5), "résume/1/1");
}

static void test_distance2(void **state)
{
	struct fixture *f = *state;
	/* 8+ characters: two edits (insertion + substitution) */
	assert_string_equal(SUGGEST(f, "kubrnetis", 5), "kubernetes/2/3");
	assert_string_equal(SUGGEST(f, "terminnatoin", 5), "termination/2/3");
	/* 4-7 characters: one edit only */
	assert_string_equal(SUGGEST(f, "grcful", 5), "");
	assert_string_equal(SUGGEST(f, "volmne", 5), "");
}

static void test_no_correction(void **state)
{
	struct fixture *f = *state;
	static const char *const none[] = {
		"pdo", "xyz", "nde",                  /* shorter than 4 */
		"2020", "3.14159", "#2789", "12345678", /* numbers */
		"容器", "容噐", "kubernetes容器", "コンテナ", "컨테이너", /* CJK */
		"", "---", "!!!!",                    /* no word */
		"zzzzqqqq",                           /* nothing close */
	};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		assert_string_equal(SUGGEST(f, none[i], 5), "");
}

static void test_ranking_and_max(void **state)
{
	struct fixture *f = *state;
	/* nodes (6 notes) before notes (2): same distance, higher df first */
	assert_string_equal(SUGGEST(f, "nobes", 5), "nodes/1/6 notes/1/2");
	assert_string_equal(SUGGEST(f, "nobes", 1), "nodes/1/6");
	assert_string_equal(SUGGEST(f, "nobes", 0), "");
	/* keeping the first character wins over a higher df: pod (5), and
	 * node (6) is not even tried */
	assert_string_equal(SUGGEST(f, "pode", 5), "pod/1/5");
	assert_string_equal(SUGGEST(f, "vode", 5), "node/1/6");
	/* first two characters transposed */
	assert_string_equal(SUGGEST(f, "ndoes", 5), "nodes/1/6");
}

static void test_lazy_temp_table(void **state)
{
	struct fixture *f = *state;
	notes_corrector *c;

	/* A fresh connection: nothing exists until a word needs the vocabulary. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(notes_fts5_register(db, "en"), NOTES_OK);
	create_index(db);
	add_note(db, 1, "Graceful termination", "pods");
	assert_int_equal(notes_corrector_new(db, f->tok, &c), NOTES_OK);
	assert_int_equal(temp_vocab_exists(db), 0);
	const char *cheap[] = {"pdo", "2020", "容器", "", "3.14"};
	for (size_t i = 0; i < 5; i++) {
		notes_suggestion *s;
		size_t n;
		assert_int_equal(notes_corrector_suggest(c, cheap[i], strlen(cheap[i]), 5,
							 &s, &n), NOTES_OK);
		assert_int_equal(n, 0);
	}
	assert_int_equal(temp_vocab_exists(db), 0);
	notes_suggestion *s;
	size_t n;
	assert_int_equal(notes_corrector_suggest(c, "termnation", 10, 5, &s, &n), NOTES_OK);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].word, "termination");
	notes_suggestions_free(s, n);
	assert_int_equal(temp_vocab_exists(db), 1);
	/* Nothing persistent. */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master "
					    "WHERE name LIKE '%vocab%'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	notes_corrector_free(c);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_hostile_input(void **state)
{
	struct fixture *f = *state;
	char big[301];
	double t0;

	/* Invalid UTF-8 and control characters separate words, as in the
	 * tokenizer; the rest is still corrected. */
	assert_string_equal(suggest(f, "termn\xff" "ation", 11, 5), "termination/1/3");
	assert_string_equal(suggest(f, "term\0nation", 11, 5), "termination/1/3");
	assert_string_equal(SUGGEST(f, "termn\x01\x7f" "ation", 5), "termination/1/3");
	assert_string_equal(SUGGEST(f, "\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc", 5), "");
	assert_string_equal(SUGGEST(f, "\x01" "fr" "\x01" "termnation", 5), "");
	/* Long words: no suggestion, at once. */
	memset(big, 'k', 300);
	big[300] = '\0';
	t0 = now_ms();
	assert_string_equal(SUGGEST(f, big, 5), "");
	for (int i = 0; i < 300; i++)
		big[i] = (char)('a' + i % 26);
	assert_string_equal(SUGGEST(f, big, 5), "");
	assert_string_equal(suggest(f, big, 41, 5), "");
	assert_true(now_ms() - t0 < 100);
	/* The longest word corrected still takes little time (generous bound:
	 * sanitizers slow it down ~10x). */
	t0 = now_ms();
	assert_string_equal(suggest(f, big, NOTES_CORRECT_MAX_CHARS, 5), "");
	assert_true(now_ms() - t0 < 2000);
	/* Many words through one corrector: the cache stays consistent. */
	for (int i = 0; i < 50; i++) {
		char w[16];
		snprintf(w, sizeof w, "%cermnation", 'a' + i % 26);
		notes_suggestion *s;
		size_t n;
		assert_int_equal(notes_corrector_suggest(f->c, w, strlen(w), 3, &s, &n), NOTES_OK);
		notes_suggestions_free(s, n);
	}
	assert_string_equal(SUGGEST(f, "termnation", 5), "termination/1/3");
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	notes_corrector *c = (notes_corrector *)1;
	notes_suggestion *s = (notes_suggestion *)1;
	size_t n = 7;

	assert_int_equal(notes_corrector_new(NULL, f->tok, &c), NOTES_E_USAGE);
	assert_null(c);
	assert_int_equal(notes_corrector_new(f->db, NULL, &c), NOTES_E_USAGE);
	assert_int_equal(notes_corrector_new(f->db, f->tok, NULL), NOTES_E_USAGE);
	assert_int_equal(notes_corrector_suggest(NULL, "abcd", 4, 5, &s, &n), NOTES_E_USAGE);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_int_equal(notes_corrector_suggest(f->c, NULL, 4, 5, &s, &n), NOTES_E_USAGE);
	assert_int_equal(notes_corrector_suggest(f->c, NULL, 0, 5, &s, &n), NOTES_OK);
	assert_int_equal(n, 0);
	notes_corrector_free(NULL);
	notes_suggestions_free(NULL, 0);

	/* No index table: a database error with SQLite's message. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(notes_fts5_register(db, "en"), NOTES_OK);
	assert_int_equal(notes_corrector_new(db, f->tok, &c), NOTES_OK);
	assert_string_equal(notes_corrector_errmsg(c), "");
	assert_int_equal(notes_corrector_suggest(c, "termnation", 10, 5, &s, &n), NOTES_E_DB);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_true(strlen(notes_corrector_errmsg(c)) > 0);
	notes_corrector_free(c);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_distance1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_distance2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_correction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranking_and_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_temp_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
