/*
 * date.c — calendar dates from free-form text (see date.h).
 *
 * The text is cut into at most DATE_MAX_TOK tokens (digit runs, letter runs,
 * punctuation; white space only separates) and the token list is matched
 * against the accepted shapes by a small hand-written recognizer.  Anything
 * left over after a shape is a refusal, so "2015-06-02 whatever" is not a
 * date: a wrong date is worse than none.
 */
#include <string.h>
#include "notes/date.h"

#define DATE_MAX_LEN 128   /* longer text is not a date (after trimming) */
#define DATE_MAX_TOK 32

enum { TK_NUM, TK_WORD, TK_PUNCT };

typedef struct date_tok {
	int         kind;  /* TK_* */
	const char *p;     /* first byte, inside the caller's text */
	size_t      len;   /* bytes */
	long        val;   /* TK_NUM: value when len <= 9, else -1 */
} date_tok;

typedef struct date_cur {
	const date_tok *t;  /* the tokens */
	size_t n;           /* how many */
	size_t i;           /* next to read */
} date_cur;

static int date_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int date_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Cut s[0..n) into tokens; 0 when it holds a byte no date contains. */
static int date_tokenize(const char *s, size_t n, date_tok *t, size_t *nt)
{
	size_t i = 0, k = 0;
	while (i < n) {
		char c = s[i];
		if (date_is_space(c)) {
			i++;
			continue;
		}
		if (k == DATE_MAX_TOK)
			return 0;
		date_tok *tk = &t[k++];
		tk->p = s + i;
		tk->val = -1;
		if (date_is_digit(c)) {
			size_t j = i;
			long v = 0;
			while (j < n && date_is_digit(s[j])) {
				if (j - i < 9)
					v = v * 10 + (s[j] - '0');
				j++;
			}
			tk->kind = TK_NUM;
			tk->len = j - i;
			tk->val = tk->len <= 9 ? v : -1;
			i = j;
		} else if (date_is_alpha(c)) {
			size_t j = i;
			while (j < n && date_is_alpha(s[j]))
				j++;
			tk->kind = TK_WORD;
			tk->len = j - i;
			i = j;
		} else if (c != '\0' && strchr(",-/:.+()", c)) {
			tk->kind = TK_PUNCT;
			tk->len = 1;
			i++;
		} else {
			return 0;
		}
	}
	*nt = k;
	return 1;
}

static const date_tok *date_peek(const date_cur *c, size_t ahead)
{
	return c->i + ahead < c->n ? &c->t[c->i + ahead] : NULL;
}

static int date_at_end(const date_cur *c)
{
	return c->i >= c->n;
}

/* Is the token the word w (lowercase ASCII), ignoring case? */
static int date_word_is(const date_tok *t, const char *w)
{
	size_t n = strlen(w);
	if (!t || t->kind != TK_WORD || t->len != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = t->p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return 1;
}

static int date_punct_is(const date_tok *t, char p)
{
	return t && t->kind == TK_PUNCT && t->p[0] == p;
}

/* A run of exactly `len` digits (len 0: 1 or 2 digits). */
static int date_num_is(const date_tok *t, size_t len)
{
	if (!t || t->kind != TK_NUM)
		return 0;
	return len ? t->len == len : (t->len == 1 || t->len == 2);
}

/* Take the punctuation p if it comes next. */
static int date_eat(date_cur *c, char p)
{
	if (date_punct_is(date_peek(c, 0), p)) {
		c->i++;
		return 1;
	}
	return 0;
}

static const char *const date_months[12][3] = {
	{"january", "jan", NULL}, {"february", "feb", NULL},
	{"march", "mar", NULL}, {"april", "apr", NULL}, {"may", NULL, NULL},
	{"june", "jun", NULL}, {"july", "jul", NULL}, {"august", "aug", NULL},
	{"september", "sep", "sept"}, {"october", "oct", NULL},
	{"november", "nov", NULL}, {"december", "dec", NULL},
};

/* 1..12 when the token names a month, else 0. */
static int date_month_of(const date_tok *t)
{
	for (int m = 0; m < 12; m++)
		for (int k = 0; k < 3 && date_months[m][k]; k++)
			if (date_word_is(t, date_months[m][k]))
				return m + 1;
	return 0;
}

static int date_is_weekday(const date_tok *t)
{
	static const char *const w[] = {
		"monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed",
		"thursday", "thu", "thur", "thurs", "friday", "fri",
		"saturday", "sat", "sunday", "sun", NULL,
	};
	for (int k = 0; w[k]; k++)
		if (date_word_is(t, w[k]))
			return 1;
	return 0;
}

static int date_is_ordinal(const date_tok *t)
{
	return date_word_is(t, "st") || date_word_is(t, "nd") ||
	       date_word_is(t, "rd") || date_word_is(t, "th");
}

static int date_is_zone_name(const date_tok *t)
{
	static const char *const z[] = {
		"z", "ut", "utc", "gmt", "est", "edt", "cst", "cdt", "mst",
		"mdt", "pst", "pdt", "akst", "akdt", "hst", "wet", "west",
		"cet", "cest", "eet", "eest", "bst", "ist", "msk", "jst",
		"kst", "hkt", "sgt", "awst", "acst", "aest", "aedt", "nzst",
		"nzdt", NULL,
	};
	for (int k = 0; z[k]; k++)
		if (date_word_is(t, z[k]))
			return 1;
	return 0;
}

/* An optional ":NN" (two digits) at the cursor: 1 with *v set when there,
 * 0 when there is no ':', -1 when a ':' is not followed by two digits. */
static int date_colon_pair(date_cur *c, long *v)
{
	if (!date_punct_is(date_peek(c, 0), ':'))
		return 0;
	const date_tok *n = date_peek(c, 1);
	if (!date_num_is(n, 2))
		return -1;
	*v = n->val;
	c->i += 2;
	return 1;
}

/* Optional zone: a name, or +hh, +hhmm, +hh:mm (also with '-'). */
static int date_zone(date_cur *c)
{
	const date_tok *t = date_peek(c, 0);
	if (date_is_zone_name(t)) {
		c->i++;
	} else if (date_punct_is(t, '+') || date_punct_is(t, '-')) {
		const date_tok *h = date_peek(c, 1);
		long hh, mm = 0;
		if (date_num_is(h, 2)) {
			hh = h->val;
			c->i += 2;
			if (date_colon_pair(c, &mm) < 0)
				return 0;
		} else if (date_num_is(h, 4)) {
			hh = h->val / 100;
			mm = h->val % 100;
			c->i += 2;
		} else {
			return 0;
		}
		if (hh > 23 || mm > 59)
			return 0;
	} else {
		return 1;   /* no zone */
	}
	/* RFC 2822 comment after the zone: "(UTC)". */
	if (date_punct_is(date_peek(c, 0), '(')) {
		const date_tok *w = date_peek(c, 1);
		if (!w || w->kind != TK_WORD || !date_punct_is(date_peek(c, 2), ')'))
			return 0;
		c->i += 3;
	}
	return 1;
}

/*
 * A time of day plus optional AM/PM and zone.  `compact` allows the ISO
 * basic forms hhmm and hhmmss as one digit run.
 */
static int date_time(date_cur *c, int compact)
{
	const date_tok *t = date_peek(c, 0);
	long hh, mm = 0, ss = 0;
	int colon = 0;
	if (compact && (date_num_is(t, 4) || date_num_is(t, 6))) {
		if (t->len == 4) {
			hh = t->val / 100;
			mm = t->val % 100;
		} else {
			hh = t->val / 10000;
			mm = t->val / 100 % 100;
			ss = t->val % 100;
		}
		colon = 1;
		c->i++;
	} else if (date_num_is(t, 0)) {
		hh = t->val;
		c->i++;
		int r = date_colon_pair(c, &mm);
		if (r < 0)
			return 0;
		if (r > 0) {
			colon = 1;
			if (date_colon_pair(c, &ss) < 0)
				return 0;
		}
	} else {
		return 0;
	}
	/* Fraction of a second: ".123" or ",123" after the seconds. */
	if (colon && (date_punct_is(date_peek(c, 0), '.') ||
		      date_punct_is(date_peek(c, 0), ','))) {
		const date_tok *f = date_peek(c, 1);
		if (f && f->kind == TK_NUM && f->len <= 9)
			c->i += 2;
	}
	/* AM/PM, also written a.m. / p.m. */
	int ampm = 0;
	t = date_peek(c, 0);
	if (date_word_is(t, "am") || date_word_is(t, "pm")) {
		ampm = 1;
		c->i++;
	} else if ((date_word_is(t, "a") || date_word_is(t, "p")) &&
		   date_punct_is(date_peek(c, 1), '.') &&
		   date_word_is(date_peek(c, 2), "m")) {
		ampm = 1;
		c->i += 3;
		date_eat(c, '.');
	}
	if (!colon && !ampm)
		return 0;   /* a bare number is not a time */
	if (ampm ? (hh < 1 || hh > 12) : hh > 23)
		return 0;
	if (mm > 59 || ss > 60)
		return 0;
	return date_zone(c);
}

/* What may follow a complete date: nothing, or a time. */
static int date_tail(date_cur *c, int iso, int compact)
{
	if (date_at_end(c))
		return 1;
	if (iso && date_word_is(date_peek(c, 0), "t")) {
		c->i++;
	} else if (!iso && date_eat(c, ',')) {
		if (date_word_is(date_peek(c, 0), "at"))
			c->i++;
	} else if (!iso && date_word_is(date_peek(c, 0), "at")) {
		c->i++;
	}
	return date_time(c, compact) && date_at_end(c);
}

int notes_date_days_in_month(long y, long m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* "YYYY-MM-DD"; the caller has validated the parts. */
void notes_date_format(char out[11], long y, long m, long d)
{
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* Match the token list; 1 and y/m/d set when it is a date shape. */
static int date_match(date_cur *c, long *y, long *m, long *d)
{
	const date_tok *t = date_peek(c, 0);
	if (date_is_weekday(t)) {
		c->i++;
		if (!date_eat(c, ','))
			date_eat(c, '.');
		t = date_peek(c, 0);
	}
	if (!t)
		return 0;

	if (date_num_is(t, 4)) {
		/* ISO: 2015-06-02, 2015-6-2, 2015/06/02 */
		const date_tok *s1 = date_peek(c, 1), *mt = date_peek(c, 2),
			       *s2 = date_peek(c, 3), *dt = date_peek(c, 4);
		if (!(date_punct_is(s1, '-') || date_punct_is(s1, '/')))
			return 0;
		if (!date_num_is(mt, 0) || !date_punct_is(s2, s1->p[0]) ||
		    !date_num_is(dt, 0))
			return 0;
		*y = t->val;
		*m = mt->val;
		*d = dt->val;
		c->i += 5;
		return date_tail(c, 1, 0);
	}
	if (date_num_is(t, 8)) {
		/* ISO basic: 20150602 */
		*y = t->val / 10000;
		*m = t->val / 100 % 100;
		*d = t->val % 100;
		c->i++;
		return date_tail(c, 1, 1);
	}
	if (date_num_is(t, 0)) {
		/* 17 April 2015, 2 Jun 2015, 17-Apr-2015, 17th April, 2015 */
		*d = t->val;
		c->i++;
		if (date_is_ordinal(date_peek(c, 0)))
			c->i++;
		int dash = date_eat(c, '-');
		*m = date_month_of(date_peek(c, 0));
		if (!*m)
			return 0;
		c->i++;
		if (!dash)
			date_eat(c, '.');
		if (dash ? !date_eat(c, '-') : date_eat(c, '-'))
			return 0;
		if (!dash)
			date_eat(c, ',');
		if (!date_num_is(date_peek(c, 0), 4))
			return 0;
		*y = date_peek(c, 0)->val;
		c->i++;
		return date_tail(c, 0, 0);
	}
	*m = date_month_of(t);
	if (*m) {
		/* April 17, 2015; May 22 2015; Sept. 5th 2015; Jun 2 10:00 2015 */
		c->i++;
		date_eat(c, '.');
		if (!date_num_is(date_peek(c, 0), 0))
			return 0;
		*d = date_peek(c, 0)->val;
		c->i++;
		if (date_is_ordinal(date_peek(c, 0)))
			c->i++;
		if (date_eat(c, ',')) {
			if (!date_num_is(date_peek(c, 0), 4))
				return 0;
		} else if (!date_num_is(date_peek(c, 0), 4) ||
			   date_punct_is(date_peek(c, 1), ':')) {
			/* date(1) order: the time comes before the year. */
			if (!date_time(c, 0) || !date_num_is(date_peek(c, 0), 4))
				return 0;
			*y = date_peek(c, 0)->val;
			c->i++;
			return date_at_end(c);
		}
		*y = date_peek(c, 0)->val;
		c->i++;
		return date_tail(c, 0, 0);
	}
	return 0;
}

/* A parsed day as YYYY-MM-DD in out, if it exists and is in range. */
static notes_status date_finish(long y, long m, long d, char out[11])
{
	if (m < 1 || m > 12 || d < 1 || d > notes_date_days_in_month(y, m))
		return NOTES_E_PARSE;
	if (y < NOTES_DATE_YEAR_MIN || y > NOTES_DATE_YEAR_MAX)
		return NOTES_E_RANGE;
	notes_date_format(out, y, m, d);
	return NOTES_OK;
}

notes_status notes_date_parse(const char *s, size_t n, char out[11])
{
	date_tok tok[DATE_MAX_TOK];
	size_t nt = 0;
	long y = 0, m = 0, d = 0;

	out[0] = '\0';
	if (!s)
		return NOTES_E_PARSE;
	while (n && date_is_space(s[0]))
		s++, n--;
	while (n && date_is_space(s[n - 1]))
		n--;
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
		while (n && date_is_space(s[0]))
			s++, n--;
		while (n && date_is_space(s[n - 1]))
			n--;
	}
	if (n == 0 || n > DATE_MAX_LEN || !date_tokenize(s, n, tok, &nt))
		return NOTES_E_PARSE;

	date_cur c = {tok, nt, 0};
	if (!date_match(&c, &y, &m, &d))
		return NOTES_E_PARSE;
	return date_finish(y, m, d, out);
}

notes_status notes_date_from_filename(const char *name, char out[11])
{
	out[0] = '\0';
	if (!name)
		return NOTES_E_PARSE;
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	/* YYYY s MM s DD, then a boundary; stops at the first mismatch, so
	 * never reads past the NUL of a short name. */
	static const char shape[] = "dddd-dd-dd";
	char sep = 0;
	for (int i = 0; i < 10; i++) {
		if (shape[i] == 'd') {
			if (!date_is_digit(b[i]))
				return NOTES_E_PARSE;
		} else {
			if (!sep && (b[i] == '-' || b[i] == '_'))
				sep = b[i];
			else if (!sep || b[i] != sep)
				return NOTES_E_PARSE;
		}
	}
	if (b[10] != '\0' && !strchr(".-_ ", b[10]))
		return NOTES_E_PARSE;
	long y = (b[0] - '0') * 1000 + (b[1] - '0') * 100 + (b[2] - '0') * 10 + (b[3] - '0');
	long m = (b[5] - '0') * 10 + (b[6] - '0');
	long d = (b[8] - '0') * 10 + (b[9] - '0');
	return date_finish(y, m, d, out);
}
