/*
 * test_rank.c — notes_rank_recency: the recency factor of a stored date;
 * notes_rank's walk of a one-phrase query (notes_rank_prune.offer) against
 * its row-by-row scores.  (Rankings themselves are checked end to end:
 * 40-search.bats compares the pruned ranking with the joined one.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "rank.h"

/* The date `days` days from now, as notes.date holds it. */
static void date_in(char *out, size_t n, long days)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

static void test_recency_by_age(void **state)
{
	(void)state;
	char d[32];
	date_in(d, sizeof d, 0);   /* today: the largest factor */
	assert_true(notes_rank_recency(d) > NOTES_RANK_RECENCY_MAX * 0.999);
	assert_true(notes_rank_recency(d) <= NOTES_RANK_RECENCY_MAX);
	date_in(d, sizeof d, 30);   /* the future counts as today */
	assert_true(notes_rank_recency(d) > NOTES_RANK_RECENCY_MAX * 0.999);
	date_in(d, sizeof d, -731);   /* two years: half of it */
	double f = notes_rank_recency(d);
	assert_true(f > NOTES_RANK_RECENCY_MAX * 0.49 && f < NOTES_RANK_RECENCY_MAX * 0.51);
	/* a time of day after the date is allowed */
	char dt[48];
	snprintf(dt, sizeof dt, "%sT10:00:00Z", d);
	assert_true(notes_rank_recency(dt) == f);
	/* older is smaller, never below 0 */
	assert_true(notes_rank_recency("1970-01-01") < notes_rank_recency("2000-01-01"));
	assert_true(notes_rank_recency("0001-01-01") >= 0.0);
}

static void test_recency_unparsable(void **state)
{
	(void)state;
	const char *bad[] = {NULL, "", "2015", "2015-06", "2015-13-01", "2015-00-10",
			     "20x5-06-02", "2015/06/02", "2015-6-02", "2015-06-2", " 2015-06-02",
			     "-015-06-02", "2015-06-0x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_true(notes_rank_recency(bad[i]) == 0.0);
}

/* Scores by rowid, as notes_rank hands them out. */
typedef struct scores {
	double v[64];   /* score of rowid i (1-based), 0 when none */
	int    n;       /* scores given */
} scores;

static int collect(void *ctx, long long id, double score)
{
	scores *sc = ctx;
	if (id < 1 || id >= 64)
		return SQLITE_ERROR;
	sc->v[id] = score;
	sc->n++;
	return SQLITE_OK;
}

static int fail_offer(void *ctx, long long id, double score)
{
	(void)ctx;
	(void)id;
	(void)score;
	return SQLITE_NOMEM;
}

#define RANK_SQL "SELECT rowid, -notes_rank(fts, 10.0, 4.0, 3.0, 1.0, 0.8, NULL, ?2)" \
		 " FROM fts WHERE fts MATCH ?1"

/* Run RANK_SQL for query with pr; row-by-row results go to *rows.  The
 * statement's steps. */
static int run_rank(sqlite3 *db, const char *query, notes_rank_prune *pr, scores *rows)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, RANK_SQL, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, pr, NOTES_RANK_PRUNE_TYPE, NULL);
	int steps = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		steps++;
		if (pr->walked)
			break;
		if (sqlite3_column_type(s, 1) != SQLITE_NULL)
			assert_int_equal(collect(rows, sqlite3_column_int64(s, 0),
						 sqlite3_column_double(s, 1)), SQLITE_OK);
	}
	assert_true(rc == SQLITE_ROW || rc == SQLITE_DONE);
	sqlite3_finalize(s);
	return steps;
}

static void test_walk_equals_rows(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(notes_rank_register(db), NOTES_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, headings, meta,"
				      " body, code, content='')", NULL, NULL, NULL), SQLITE_OK);
	/* 40 notes: the word in different columns, counts and lengths, and
	 * 'pod drain' next to each other or apart. */
	sqlite3_stmt *ins = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, title, headings, meta, body,"
					    " code) VALUES(?1, ?2, ?3, '', ?4, ?5)", -1, &ins, NULL),
			 SQLITE_OK);
	for (int i = 1; i <= 40; i++) {
		char title[64], head[64], body[512], code[64];
		snprintf(title, sizeof title, "%s note %d", i % 7 == 0 ? "pod" : "plain", i);
		snprintf(head, sizeof head, "%s", i % 5 == 0 ? "drain the pod" : "section");
		body[0] = '\0';
		for (int k = 0; k < i % 9; k++)
			strcat(body, "pod and some filler words ");
		strcat(body, i % 3 ? "drain then pod" : "pod drain");
		snprintf(code, sizeof code, "%s", i % 4 == 0 ? "kubectl drain pod" : "ls");
		sqlite3_bind_int(ins, 1, i);
		sqlite3_bind_text(ins, 2, title, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, head, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, body, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, code, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);

	/* One phrase (a word, a phrase, a column filter): the walk offers
	 * exactly the scores the rows give, bit for bit, in one step. */
	const char *one[] = {"pod", "\"pod drain\"", "title:pod", "drain"};
	for (size_t q = 0; q < sizeof one / sizeof one[0]; q++) {
		scores byrow, walked;
		memset(&byrow, 0, sizeof byrow);
		memset(&walked, 0, sizeof walked);
		notes_rank_prune a = {.may_defer = 1};
		notes_rank_prune b = {.may_defer = 1, .offer = collect, .offer_ctx = &walked};
		int na = run_rank(db, one[q], &a, &byrow);
		assert_int_equal(run_rank(db, one[q], &b, &walked), 1);
		assert_true(b.walked);
		assert_true(na > 0);
		assert_int_equal(b.rows, na);
		assert_int_equal(walked.n, byrow.n);
		assert_int_equal(a.deferred, b.deferred);
		assert_int_equal(a.nrow, b.nrow);
		for (int i = 0; i < 64; i++)
			assert_memory_equal(&walked.v[i], &byrow.v[i], sizeof(double));
	}
	/* Two phrases, or a quorum's rows: never walked. */
	scores got;
	memset(&got, 0, sizeof got);
	notes_rank_prune c = {.may_defer = 1, .offer = collect, .offer_ctx = &got};
	assert_true(run_rank(db, "pod drain", &c, &got) > 1);
	assert_false(c.walked);
	notes_rank_prune d = {.may_defer = 0, .offer = collect, .offer_ctx = &got};
	run_rank(db, "pod", &d, &got);
	assert_false(d.walked);
	/* An error of offer stops the walk and fails the statement. */
	sqlite3_stmt *s = NULL;
	notes_rank_prune e = {.may_defer = 1, .offer = fail_offer};
	assert_int_equal(sqlite3_prepare_v2(db, RANK_SQL, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, "pod", -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, &e, NOTES_RANK_PRUNE_TYPE, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_NOMEM);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recency_by_age),
		cmocka_unit_test(test_recency_unparsable),
		cmocka_unit_test(test_walk_equals_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
