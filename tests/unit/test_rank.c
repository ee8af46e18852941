/*
 * test_rank.c — notes_rank_recency: the recency factor of a stored date.
 * (Scores themselves are checked end to end: 40-search.bats compares the
 * pruned ranking with the joined one.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <time.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recency_by_age),
		cmocka_unit_test(test_recency_unparsable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
