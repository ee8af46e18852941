/* test_date.c — notes_date_parse and notes_date_from_filename. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "notes/date.h"

typedef struct date_case {
	const char  *in;      /* text, NUL-terminated for convenience */
	notes_status st;      /* expected status */
	const char  *out;     /* expected date when st == NOTES_OK */
} date_case;

#define OK(in, out) {in, NOTES_OK, out}
#define BAD(in)     {in, NOTES_E_PARSE, ""}
#define FAR(in)     {in, NOTES_E_RANGE, ""}

static const date_case cases[] = {
	/* ISO 8601 dates and date-times */
	OK("2015-06-02", "2015-06-02"),
	OK("2015-6-2", "2015-06-02"),
	OK("2015-06-02T10:00:00Z", "2015-06-02"),
	OK("2015-06-02t10:00:00z", "2015-06-02"),
	OK("2015-06-02T10:00:00.123+02:00", "2015-06-02"),
	OK("2015-06-02T23:59:60-11:30", "2015-06-02"),
	OK("2015-06-02T10:00", "2015-06-02"),
	OK("2015-06-02 10:00", "2015-06-02"),
	OK("2015-06-02 10:00:00 -0700", "2015-06-02"),
	OK("2015-06-02 10:00:00 +01", "2015-06-02"),
	OK("2015-06-02 10:00:00 UTC", "2015-06-02"),
	OK("2015-06-02 10:00:00,5", "2015-06-02"),
	OK("20150602", "2015-06-02"),
	OK("20150602T100000Z", "2015-06-02"),
	OK("20150602T1000", "2015-06-02"),
	OK("2015/06/02", "2015-06-02"),
	OK("2015/6/2 08:15", "2015-06-02"),
	/* white space and quotes */
	OK("  2015-06-02\t\n", "2015-06-02"),
	OK("\"2015-06-02\"", "2015-06-02"),
	OK("' 2015-06-02 '", "2015-06-02"),
	/* RFC 2822 */
	OK("Tue, 02 Jun 2015 10:00:00 +0000", "2015-06-02"),
	OK("Tue, 2 Jun 2015 10:00:00 GMT", "2015-06-02"),
	OK("Tue, 02 Jun 2015 10:00:00 -0700 (PDT)", "2015-06-02"),
	OK("2 Jun 2015", "2015-06-02"),
	OK("02 Jun 2015 10:00 +0100", "2015-06-02"),
	OK("TUE, 02 JUN 2015", "2015-06-02"),
	/* written forms */
	OK("Saturday, April 17, 2015", "2015-04-17"),
	OK("saturday april 17 2015", "2015-04-17"),
	OK("April 17, 2015", "2015-04-17"),
	OK("April 17th, 2015", "2015-04-17"),
	OK("April 1st 2015", "2015-04-01"),
	OK("May 22 2015", "2015-05-22"),
	OK("May 22, 2015 10:00 AM", "2015-05-22"),
	OK("May 22, 2015 at 9pm", "2015-05-22"),
	OK("May 22, 2015, 9:30 p.m.", "2015-05-22"),
	OK("17 April 2015", "2015-04-17"),
	OK("17th April, 2015", "2015-04-17"),
	OK("Apr 17 2015", "2015-04-17"),
	OK("Apr. 17, 2015", "2015-04-17"),
	OK("17-Apr-2015", "2015-04-17"),
	OK("17-apr-2015 10:00", "2015-04-17"),
	OK("Sept 5, 2015", "2015-09-05"),
	OK("Sept. 5, 2015", "2015-09-05"),
	OK("Sep 5 2015", "2015-09-05"),
	OK("September 30, 2015", "2015-09-30"),
	OK("Thurs, Dec 31, 2015", "2015-12-31"),
	OK("Monday, April 17, 2015", "2015-04-17"),   /* wrong weekday: date wins */
	/* date(1) */
	OK("Tue Jun  2 10:00:00 PDT 2015", "2015-06-02"),
	OK("Tue Jun 2 10:00:00 2015", "2015-06-02"),
	/* leap years */
	OK("2016-02-29", "2016-02-29"),
	OK("2000-02-29", "2000-02-29"),
	OK("Feb 29, 2016", "2016-02-29"),
	BAD("2015-02-29"),
	BAD("1900-02-29"),
	BAD("29 Feb 2015"),
	/* impossible dates and times */
	BAD("2015-13-45"),
	BAD("2015-00-10"),
	BAD("2015-04-31"),
	BAD("2015-04-00"),
	BAD("April 31, 2015"),
	BAD("2015-06-02T24:00"),
	BAD("2015-06-02 10:60"),
	BAD("May 22, 2015 13:00 PM"),
	BAD("2015-06-02 10:00 +2400"),
	/* years out of range */
	FAR("1899-12-31"),
	FAR("3000-01-01"),
	FAR("April 17, 0999"),
	OK("1900-01-01", "1900-01-01"),
	OK("2999-12-31", "2999-12-31"),
	/* partial dates are refused */
	BAD("2015-06"),
	BAD("2015"),
	BAD("June 2015"),
	BAD("April 17"),
	BAD("201506"),
	/* junk */
	BAD(""),
	BAD("   "),
	BAD("\"\""),
	BAD("next tuesday"),
	BAD("TBD"),
	BAD("today"),
	BAD("2015-06-02 whatever"),
	BAD("2015-06-02T"),
	BAD("2015-06-02 10"),
	BAD("2015-06/02"),
	BAD("06/02/2015"),
	BAD("02.06.2015"),
	BAD("15-06-02"),
	BAD("2015--06-02"),
	BAD("Apr 17 15"),
	BAD("17-Apr 2015"),
	BAD("Smarch 17, 2015"),
	BAD("2015-06-02 \xc3\xa9"),
	BAD("20150602123"),
	BAD("99999999999999999999-01-01"),
	BAD("2015-06-02\"")
};

static void test_table(void **state)
{
	(void)state;
	size_t ncases = sizeof cases / sizeof cases[0];
	assert_true(ncases >= 60);
	for (size_t i = 0; i < ncases; i++) {
		const date_case *c = &cases[i];
		/* A heap copy without NUL, so ASan catches any over-read. */
		size_t n = strlen(c->in);
		char *buf = malloc(n ? n : 1);
		assert_non_null(buf);
		memcpy(buf, c->in, n);
		char out[11] = "junk";
		notes_status st = notes_date_parse(buf, n, out);
		if (st != c->st || strcmp(out, c->out) != 0)
			fail_msg("'%s': got %d '%s', want %d '%s'", c->in, st, out,
				 c->st, c->out);
		free(buf);
	}
}

/* n smaller than the text: only the first n bytes count. */
static void test_truncated(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		notes_status st;
		const char *out;
	} t[] = {
		{"2015-06-02T10:00:00Z", 10, NOTES_OK, "2015-06-02"},
		{"2015-06-02T10:00:00Z", 11, NOTES_E_PARSE, ""},
		{"2015-06-02", 9, NOTES_E_PARSE, ""},        /* "2015-06-0" */
		{"2015-06-02", 8, NOTES_E_PARSE, ""},        /* "2015-06-" */
		{"2015-06-02", 7, NOTES_E_PARSE, ""},
		{"2015-06-02", 0, NOTES_E_PARSE, ""},
		{"Saturday, April 17, 2015", 23, NOTES_E_PARSE, ""},
		{"Saturday, April 17, 2015", 24, NOTES_OK, "2015-04-17"},
		{"May 22 2015 junk", 11, NOTES_OK, "2015-05-22"},
		{"\"2015-06-02\"", 11, NOTES_E_PARSE, ""},   /* opening quote only */
		{"Tue, 02 Jun 2015 10:00:00 +0000", 16, NOTES_OK, "2015-06-02"},
		{"Tue, 02 Jun 2015 10:00:00 +0000", 22, NOTES_OK, "2015-06-02"},
		{"Tue, 02 Jun 2015 10:00:00 +0000", 21, NOTES_E_PARSE, ""},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *buf = malloc(t[i].n ? t[i].n : 1);
		assert_non_null(buf);
		memcpy(buf, t[i].in, t[i].n);
		char out[11] = "junk";
		notes_status st = notes_date_parse(buf, t[i].n, out);
		if (st != t[i].st || strcmp(out, t[i].out) != 0)
			fail_msg("'%.*s': got %d '%s', want %d '%s'", (int)t[i].n,
				 t[i].in, st, out, t[i].st, t[i].out);
		free(buf);
	}
	char out[11] = "junk";
	assert_int_equal(notes_date_parse(NULL, 0, out), NOTES_E_PARSE);
	assert_string_equal(out, "");
}

/* Hostile sizes: long inputs are refused quickly, never overrun. */
static void test_long_input(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *buf = malloc(n);
	assert_non_null(buf);
	memset(buf, '1', n);
	char out[11];
	assert_int_equal(notes_date_parse(buf, n, out), NOTES_E_PARSE);
	memset(buf, ' ', n);
	memcpy(buf + n / 2, "2015-06-02", 10);
	assert_int_equal(notes_date_parse(buf, n, out), NOTES_OK);
	assert_string_equal(out, "2015-06-02");
	/* More tokens than any date has, within the length limit. */
	for (size_t i = 0; i < n; i++)
		buf[i] = (i % 2) ? '-' : '1';
	assert_int_equal(notes_date_parse(buf, 99, out), NOTES_E_PARSE);
	free(buf);
}

static void test_filename(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		notes_status st;
		const char *out;
	} t[] = {
		{"2015-04-17-hangout.md", NOTES_OK, "2015-04-17"},
		{"2015-04-17.md", NOTES_OK, "2015-04-17"},
		{"2015-04-17", NOTES_OK, "2015-04-17"},
		{"2015_04_17 notes.md", NOTES_OK, "2015-04-17"},
		{"2015_04_17_notes.md", NOTES_OK, "2015-04-17"},
		{"notes/2015/2016-02-29 leap.md", NOTES_OK, "2016-02-29"},
		{"2014-01-01/2015-04-17.md", NOTES_OK, "2015-04-17"},
		{"2014-01-01/notes.md", NOTES_E_PARSE, ""},
		{"2015-02-29.md", NOTES_E_PARSE, ""},
		{"2015-13-01.md", NOTES_E_PARSE, ""},
		{"1850-01-01.md", NOTES_E_RANGE, ""},
		{"2015-04_17.md", NOTES_E_PARSE, ""},
		{"2015.04.17.md", NOTES_E_PARSE, ""},
		{"2015-4-17.md", NOTES_E_PARSE, ""},
		{"2015-04-170.md", NOTES_E_PARSE, ""},
		{"2015-04-17x.md", NOTES_E_PARSE, ""},
		{"x2015-04-17.md", NOTES_E_PARSE, ""},
		{"notes.md", NOTES_E_PARSE, ""},
		{"2015", NOTES_E_PARSE, ""},
		{"2015-", NOTES_E_PARSE, ""},
		{"2015-04-1", NOTES_E_PARSE, ""},
		{"dir/", NOTES_E_PARSE, ""},
		{"", NOTES_E_PARSE, ""},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		/* Exact-size heap copy so ASan sees reads past the NUL. */
		size_t n = strlen(t[i].name) + 1;
		char *name = malloc(n);
		assert_non_null(name);
		memcpy(name, t[i].name, n);
		char out[11] = "junk";
		notes_status st = notes_date_from_filename(name, out);
		if (st != t[i].st || strcmp(out, t[i].out) != 0)
			fail_msg("'%s': got %d '%s', want %d '%s'", t[i].name, st,
				 out, t[i].st, t[i].out);
		free(name);
	}
	char out[11] = "junk";
	assert_int_equal(notes_date_from_filename(NULL, out), NOTES_E_PARSE);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_filename),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
