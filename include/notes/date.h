/*
 * date.h — calendar dates from the many ways people write them in notes.
 *
 * The index stores one date per note as "YYYY-MM-DD": the calendar date as
 * written, never converted between time zones (a note dated "2015-06-02
 * 23:30 -0700" is a note of June 2nd, whatever UTC says).  Only complete
 * dates are accepted: "2015-06" or "June 2015" are refused rather than
 * guessed, and so are all-numeric day/month orders that differ between
 * countries ("06/02/2015").
 */
#ifndef NOTES_DATE_H
#define NOTES_DATE_H

#include <stddef.h>
#include "notes/status.h"

/* Oldest and newest year a note may carry; anything else is a typo. */
#define NOTES_DATE_YEAR_MIN 1900
#define NOTES_DATE_YEAR_MAX 2999

/*
 * Parse the n bytes at s (not NUL-terminated; never read past s[n-1]) and
 * write the date as "YYYY-MM-DD" plus NUL into out.
 *
 * Accepted, case-insensitively, with surrounding white space and one pair
 * of surrounding quotes (' or ") allowed:
 *   ISO 8601       2015-06-02  2015-6-2  2015/06/02  20150602
 *                  2015-06-02T10:00:00Z  2015-06-02T10:00:00.123+02:00
 *                  2015-06-02 10:00  2015-06-02 10:00:00 -0700
 *                  20150602T100000Z
 *   RFC 2822       Tue, 02 Jun 2015 10:00:00 +0000 (UTC)   2 Jun 2015
 *   written        Saturday, April 17, 2015   April 17th, 2015   May 22 2015
 *                  May 22, 2015 10:00 AM   17 April 2015   Apr 17 2015
 *                  17-Apr-2015   Sept. 5, 2015 at 9pm
 *   date(1)        Tue Jun  2 10:00:00 PDT 2015
 * Month and weekday names are English, full or three letters (also "Sept",
 * "Tues", "Thur", "Thurs"); an ordinal suffix (st, nd, rd, th) may follow
 * the day.  A time, when present, must be well formed (hours 0-23, or 1-12
 * with AM/PM; minutes and seconds 0-59, second 60 allowed), and may carry a
 * zone: Z, +hh, +hhmm, +hh:mm, or a common abbreviation (UTC, GMT, EST, ...).
 * A weekday that contradicts the date is ignored: the date wins.
 *
 * Returns NOTES_OK; NOTES_E_PARSE when the text is not one of the forms
 * above or names an impossible month or day (2015-13-45, 2015-02-29);
 * NOTES_E_RANGE when the date is well formed but its year lies outside
 * NOTES_DATE_YEAR_MIN..NOTES_DATE_YEAR_MAX.  On any error out is "".
 * out must have room for 11 bytes; s may be NULL when n is 0.
 */
notes_status notes_date_parse(const char *s, size_t n, char out[11]);

/*
 * The date at the start of a file's base name (the part after the last
 * '/'), written YYYY-MM-DD or YYYY_MM_DD (one separator, used twice) and
 * followed by the end of the name, '.', '-', '_' or a space:
 * "2015-04-17-hangout.md", "2015-04-17.md", "2015_04_17 notes.md".
 * Validated like notes_date_parse: NOTES_E_PARSE when there is no such
 * prefix or it is not a real day, NOTES_E_RANGE for a year out of range;
 * out is "" on error.  name is NUL-terminated.
 */
notes_status notes_date_from_filename(const char *name, char out[11]);

/* Days in month m (1-12) of year y, leap years counted. */
int notes_date_days_in_month(long y, long m);

/* Write "YYYY-MM-DD" for a validated date (year 1000-9999). */
void notes_date_format(char out[11], long y, long m, long d);

#endif
