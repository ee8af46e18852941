/*
 * test_parse.c — the query language (query/parse.c): golden renderings,
 * what the filters and expressions find in a real FTS5 table, hostile input
 * and a deterministic fuzz loop whose every accepted query must run in
 * SQLite without an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "golden.h"
#include "notes/buf.h"
#include "notes/tokenize.h"
#include "notes/utf8.h"
#include "parse.h"

/* ---- fixtures ------------------------------------------------------------ */

/* The front-matter keys of the test index. */
static int test_is_key(void *ctx, const char *key)
{
	(void)ctx;
	return strcmp(key, "author") == 0 || strcmp(key, "status") == 0 ||
	       strcmp(key, "lang") == 0 || strcmp(key, "draft") == 0;
}

typedef struct fixture {
	sqlite3 *db;            /* in-memory index with the notes below */
	notes_tokenizer *tok;   /* shared by every parse */
} fixture;

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
}

/* A small index: ids, dates, paths, tags and keys chosen so that every kind
 * of filter has notes on both sides of it. */
static const char *const index_sql =
	"CREATE TABLE notes(id INTEGER PRIMARY KEY, path TEXT NOT NULL, date TEXT);"
	"CREATE TABLE fields(note INTEGER NOT NULL, key TEXT NOT NULL,"
	"  value TEXT NOT NULL COLLATE NOCASE);"
	"CREATE VIRTUAL TABLE fts USING fts5(title, headings, meta, body, code, tokenize='notes');"
	"INSERT INTO notes VALUES"
	" (1, '/notes/meetings/2015-06-02-standup.md', '2015-06-02'),"
	" (2, '/notes/k8s/kube-proxy.md', '2016-01-15'),"
	" (3, '/notes/cpp/templates.md', NULL),"
	" (4, '/notes/journal/2020-12-31.md', '2020-12-31'),"
	" (5, '/notes/journal/2021-01-01.md', '2021-01-01'),"
	" (6, '/notes/Work/Report.md', '2015-05-20'),"
	" (7, '/notes/misc/containers.md', '2015-07-01');"
	"INSERT INTO fields VALUES"
	" (1, 'tags', 'kubernetes'), (1, 'tags', 'meeting'), (1, 'author', 'Alice Smith'),"
	" (1, 'status', 'draft'),"
	" (2, 'tags', 'kubernetes'), (2, 'tags', 'networking'), (2, 'author', 'Bob'),"
	" (3, 'tags', 'cpp'), (3, 'status', 'published'),"
	" (4, 'tags', 'journal'),"
	" (5, 'tags', 'journal'), (5, 'tags', 'Draft'),"
	" (6, 'tag', 'work'), (6, 'author', 'alice'), (6, 'status', '50%_off'),"
	" (7, 'tags', 'cjk');"
	"INSERT INTO fts(rowid, title, headings, meta, body, code) VALUES"
	" (1, 'Standup', 'Notes', 'kubernetes meeting', 'graceful termination of pods discussed', ''),"
	" (2, 'kube-proxy modes', 'Modes', 'kubernetes networking',"
	"     'iptables versus ipvs; the kube proxy routes traffic', ''),"
	" (3, 'C++ templates', 'SFINAE', 'cpp', 'node.js is not c++', 'template<typename T>'),"
	" (4, 'Year end', '', 'journal', 'graceful shutdown of the year', ''),"
	" (5, 'New year', '', 'journal Draft', 'termination of contracts', ''),"
	" (6, 'Quarterly report', '', 'work', 'e-mail the résumé to the team', ''),"
	" (7, '容器运行时', '', 'cjk', '容器运行时和集群管理', '');";

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(sqlite3_open(":memory:", &f->db), SQLITE_OK);
	assert_int_equal(notes_fts5_register(f->db, "en"), NOTES_OK);
	exec_ok(f->db, index_sql);
	assert_int_equal(notes_tokenizer_new(&f->tok), NOTES_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	assert_int_equal(sqlite3_close(f->db), SQLITE_OK);
	notes_tokenizer_free(f->tok);
	free(f);
	return 0;
}

/* ---- running a query ----------------------------------------------------- */

/* Run the rendering `fts` (NULL: no text part) with q's filters; returns the
 * matching note ids ascending as "1,2,3" (caller frees), or fails the test
 * on any SQLite error. */
static char *run_ids(sqlite3 *db, const notes_query *q, const char *fts, const char *what)
{
	notes_status rc = NOTES_OK;
	notes_buf sql = NOTES_BUF_INIT, out = NOTES_BUF_INIT;
	char **binds = NULL;
	size_t nbinds = 0;
	int first = fts ? 2 : 1;
	notes_buf_append_str(&rc, &sql, fts ? "SELECT n.id FROM fts JOIN notes n ON n.id = fts.rowid"
					      " WHERE fts MATCH ?1 AND ("
					    : "SELECT n.id FROM notes n WHERE (");
	assert_int_equal(rc, NOTES_OK);
	assert_int_equal(notes_query_filter_sql(q, first, &sql, &binds, &nbinds), NOTES_OK);
	notes_buf_append_str(&rc, &sql, ") ORDER BY n.id");
	assert_int_equal(rc, NOTES_OK);
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db, sql.p, -1, &st, NULL);
	if (src != SQLITE_OK)
		fail_msg("[%s] prepare %s: %s", what, sql.p, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_bind_parameter_count(st), (int)nbinds + first - 1);
	if (fts)
		sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
	for (size_t i = 0; i < nbinds; i++)
		sqlite3_bind_text(st, first + (int)i, binds[i], -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		notes_buf_printf(&rc, &out, "%s%d", out.n ? "," : "", sqlite3_column_int(st, 0));
	if (src != SQLITE_DONE)
		fail_msg("[%s] MATCH %s / %s: %s", what, fts ? fts : "(none)", sql.p,
			 sqlite3_errmsg(db));
	sqlite3_finalize(st);
	notes_buf_append(&rc, &out, "", 0);
	assert_int_equal(rc, NOTES_OK);
	notes_query_binds_free(binds, nbinds);
	notes_buf_free(&sql);
	return out.p;
}

static int is_valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		int k = notes_utf8_seqlen((const unsigned char *)s + i, n - i);
		if (k == 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

/* The invariants every input must keep: either a query whose renderings
 * (ALL, ANY, with alternatives) all run without an SQLite error, or a
 * one-line message without SQL/FTS5 wording.  Returns the status; *why_out
 * (when not NULL) gets the message (caller frees). */
static notes_status check_input(fixture *f, const char *in, size_t n, char **why_out)
{
	notes_query *q = NULL;
	char *why = NULL;
	notes_status st = notes_query_parse(in, n, f->tok, test_is_key, NULL, &q, &why);
	if (st == NOTES_E_PARSE) {
		assert_null(q);
		assert_non_null(why);
		size_t len = strlen(why);
		if (len == 0 || strchr(why, '\n') || strchr(why, '\r') || !is_valid_utf8(why, len))
			fail_msg("bad message for [%.*s]: [%s]", (int)(n > 80 ? 80 : n), in, why);
		static const char *const banned[] = {"fts5", "syntax error", "sql", "no such column"};
		for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
			if (strcasestr(why, banned[i]))
				fail_msg("message for [%.*s] mentions %s: %s", (int)(n > 80 ? 80 : n), in,
					 banned[i], why);
		if (why_out)
			*why_out = why;
		else
			free(why);
		return st;
	}
	if (st != NOTES_OK)
		fail_msg("[%.*s]: status %d", (int)(n > 80 ? 80 : n), in, st);
	assert_null(why);
	assert_non_null(q);

	/* describe(): one line, valid UTF-8. */
	notes_buf d = NOTES_BUF_INIT;
	assert_int_equal(notes_query_describe(q, &d), NOTES_OK);
	assert_null(strchr(d.p, '\n'));
	assert_true(is_valid_utf8(d.p, d.n));
	notes_buf_free(&d);

	/* Terms: non-empty valid UTF-8. */
	size_t nt = notes_query_nterms(q);
	assert_true(nt <= NOTES_QUERY_MAX_TERMS);
	assert_true(nt > 0 || !notes_query_has_text(q));
	assert_null(notes_query_term(q, nt));
	static const char *const alt[] = {"alt\"x", "", "kubernetes", NULL};
	const char *const **alts = calloc(nt + 1, sizeof *alts);
	assert_non_null(alts);
	for (size_t i = 0; i < nt; i++) {
		const notes_qterm *t = notes_query_term(q, i);
		assert_non_null(t);
		assert_true(t->text[0] != '\0');
		assert_true(is_valid_utf8(t->text, strlen(t->text)));
		assert_true(t->column >= -1 && t->column < NOTES_FIELD_COUNT);
		alts[i] = i % 2 ? NULL : alt;
	}

	for (int mode = 0; mode < 2; mode++)
		for (int a = 0; a < 2; a++) {
			char *fts = NULL;
			assert_int_equal(notes_query_fts(q, mode, a ? alts : NULL, &fts), NOTES_OK);
			assert_true((fts != NULL) == notes_query_has_text(q));
			free(run_ids(f->db, q, fts, in));
			free(fts);
		}
	free(alts);
	notes_query_free(q);
	return NOTES_OK;
}

/* Parse `in` and return the matching ids in mode ALL or ANY. */
static char *ids_of(fixture *f, const char *in, int mode)
{
	notes_query *q = NULL;
	char *why = NULL;
	if (notes_query_parse(in, strlen(in), f->tok, test_is_key, NULL, &q, &why) != NOTES_OK)
		fail_msg("[%s] refused: %s", in, why ? why : "?");
	char *fts = NULL;
	assert_int_equal(notes_query_fts(q, mode, NULL, &fts), NOTES_OK);
	char *r = run_ids(f->db, q, fts, in);
	free(fts);
	notes_query_free(q);
	return r;
}

#define ASSERT_IDS(f, in, mode, want) do { \
		char *got_ = ids_of((f), (in), (mode)); \
		if (strcmp(got_, (want)) != 0) \
			fail_msg("[%s] got [%s], want [%s]", (in), got_, (want)); \
		free(got_); \
	} while (0)

/* describe() of `in`, or "error: MESSAGE"; caller frees. */
static char *describe_of(fixture *f, const char *in, size_t n)
{
	notes_query *q = NULL;
	char *why = NULL;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	notes_status st = notes_query_parse(in, n, f->tok, test_is_key, NULL, &q, &why);
	if (st == NOTES_E_PARSE)
		notes_buf_printf(&rc, &b, "error: %s", why);
	else if (st == NOTES_OK)
		assert_int_equal(notes_query_describe(q, &b), NOTES_OK);
	else
		fail_msg("status %d", st);
	notes_buf_append(&rc, &b, "", 0);
	assert_int_equal(rc, NOTES_OK);
	free(why);
	notes_query_free(q);
	return b.p;
}

/* ---- 1. golden ----------------------------------------------------------- */

static void render_case(fixture *f, const char *in, size_t n, notes_buf *out)
{
	notes_status rc = NOTES_OK;
	notes_query *q = NULL;
	char *why = NULL;
	notes_status st = notes_query_parse(in, n, f->tok, test_is_key, NULL, &q, &why);
	if (st == NOTES_E_PARSE) {
		notes_buf_printf(&rc, out, "error: %s\n", why);
		free(why);
		assert_int_equal(rc, NOTES_OK);
		return;
	}
	assert_int_equal(st, NOTES_OK);
	assert_int_equal(notes_query_describe(q, out), NOTES_OK);
	notes_buf_append_char(&rc, out, '\n');
	char *all = NULL, *any = NULL;
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ALL, NULL, &all), NOTES_OK);
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ANY, NULL, &any), NOTES_OK);
	if (all && strcmp(all, any) != 0)
		notes_buf_printf(&rc, out, "any=%s\n", any);
	free(all);
	free(any);
	if (notes_query_nterms(q)) {
		notes_buf_append_str(&rc, out, "terms=");
		for (size_t i = 0; i < notes_query_nterms(q); i++) {
			const notes_qterm *t = notes_query_term(q, i);
			if (i)
				notes_buf_append_str(&rc, out, " | ");
			if (t->column >= 0)
				notes_buf_printf(&rc, out, "%s:", notes_field_names[t->column]);
			notes_buf_printf(&rc, out, t->phrase ? "\"%s\"%s" : "%s%s", t->text,
					 t->prefix ? "*" : "");
		}
		notes_buf_append_char(&rc, out, '\n');
	}
	if (notes_query_has_filters(q)) {
		char **binds = NULL;
		size_t nb = 0;
		notes_buf_append_str(&rc, out, "sql=");
		assert_int_equal(notes_query_filter_sql(q, 2, out, &binds, &nb), NOTES_OK);
		notes_buf_append_str(&rc, out, "\nbinds=");
		for (size_t i = 0; i < nb; i++)
			notes_buf_printf(&rc, out, "%s%s", i ? " | " : "", binds[i]);
		notes_buf_append_char(&rc, out, '\n');
		notes_query_binds_free(binds, nb);
	}
	assert_int_equal(rc, NOTES_OK);
	notes_query_free(q);
}

static void test_golden(void **state)
{
	fixture *f = *state;
	size_t n = 0;
	char *in = golden_read(GOLDEN_ROOT "parse/cases.in", &n);
	assert_non_null(in);
	notes_status rc = NOTES_OK;
	notes_buf out = NOTES_BUF_INIT;
	int cases = 0;
	for (char *line = in; line < in + n;) {
		char *nl = memchr(line, '\n', (size_t)(in + n - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(in + n - line);
		notes_buf_append(&rc, &out, line, len);
		notes_buf_append_char(&rc, &out, '\n');
		if (len >= 1 && line[0] == '>') {
			const char *q = len >= 2 ? line + 2 : line + 1;
			render_case(f, q, len >= 2 ? len - 2 : 0, &out);
			/* Every golden case keeps the invariants (accepted ones run). */
			check_input(f, q, len >= 2 ? len - 2 : 0, NULL);
			cases++;
		}
		line += len + 1;
	}
	assert_int_equal(rc, NOTES_OK);
	assert_true(cases >= 80);
	assert_int_equal(golden_compare(GOLDEN_ROOT "parse/cases.out", out.p, out.n), 0);
	notes_buf_free(&out);
	free(in);
}

/* ---- 2. what queries find ------------------------------------------------ */

static void test_semantics(void **state)
{
	fixture *f = *state;
	const int ALL = NOTES_QUERY_ALL, ANY = NOTES_QUERY_ANY;
	/* words, operators, phrases, prefixes */
	ASSERT_IDS(f, "graceful termination", ALL, "1");
	ASSERT_IDS(f, "graceful AND termination", ALL, "1");
	ASSERT_IDS(f, "graceful OR termination", ALL, "1,4,5");
	ASSERT_IDS(f, "graceful OR termination pods", ALL, "1");
	ASSERT_IDS(f, "graceful -shutdown", ALL, "1");
	ASSERT_IDS(f, "graceful NOT shutdown", ALL, "1");
	ASSERT_IDS(f, "year -(graceful OR contracts)", ALL, "");
	ASSERT_IDS(f, "year -graceful -contracts", ALL, "");
	ASSERT_IDS(f, "year -graceful", ALL, "5");
	ASSERT_IDS(f, "\"kube proxy\"", ALL, "2");
	ASSERT_IDS(f, "\"proxy kube\"", ALL, "");
	ASSERT_IDS(f, "kube*", ALL, "1,2");   /* also "kubernetes" in meta */
	ASSERT_IDS(f, "\"graceful term\"*", ALL, "1");
	ASSERT_IDS(f, "termin*", ALL, "1,5");
	/* punctuation is text */
	ASSERT_IDS(f, "c++", ALL, "3");
	ASSERT_IDS(f, "node.js", ALL, "3");
	ASSERT_IDS(f, "e-mail", ALL, "6");
	ASSERT_IDS(f, "RESUME", ALL, "6");
	ASSERT_IDS(f, "résumé", ALL, "6");
	ASSERT_IDS(f, "容器", ALL, "7");
	ASSERT_IDS(f, "^graceful +termination", ALL, "1");
	/* columns */
	ASSERT_IDS(f, "title:kube*", ALL, "2");
	ASSERT_IDS(f, "heading:sfinae", ALL, "3");
	ASSERT_IDS(f, "body:sfinae", ALL, "");
	ASSERT_IDS(f, "code:template", ALL, "3");
	ASSERT_IDS(f, "title:(year OR standup)", ALL, "1,4,5");
	ASSERT_IDS(f, "year -title:new", ALL, "4");
	ASSERT_IDS(f, "year title:(-new)", ALL, "4");
	/* tags */
	ASSERT_IDS(f, "tag:kubernetes", ALL, "1,2");
	ASSERT_IDS(f, "tags:KUBERNETES", ALL, "1,2");
	ASSERT_IDS(f, "tag:work", ALL, "6");   /* key "tag" */
	ASSERT_IDS(f, "-tag:kubernetes", ALL, "3,4,5,6,7");
	ASSERT_IDS(f, "tag:journal -tag:draft", ALL, "4");
	ASSERT_IDS(f, "tag:kubernetes OR tag:cpp", ALL, "1,2,3");
	ASSERT_IDS(f, "tag:(kubernetes OR cpp) -tag:networking", ALL, "1,3");
	ASSERT_IDS(f, "-(tag:journal OR tag:kubernetes)", ALL, "3,6,7");
	ASSERT_IDS(f, "tag:kube", ALL, "");
	/* dates; note 3 has none and matches no date filter */
	ASSERT_IDS(f, "date:2015", ALL, "1,6,7");
	ASSERT_IDS(f, "date:2015-06", ALL, "1");
	ASSERT_IDS(f, "date:2015-06-02", ALL, "1");
	ASSERT_IDS(f, "date:\"2 Jun 2015\"", ALL, "1");
	ASSERT_IDS(f, "date:2015-05..2015-06", ALL, "1,6");
	ASSERT_IDS(f, "date:2015..2016", ALL, "1,2,6,7");
	ASSERT_IDS(f, "date:2016..", ALL, "2,4,5");
	ASSERT_IDS(f, "date:..2015-05", ALL, "6");
	ASSERT_IDS(f, "date:>2020", ALL, "5");
	ASSERT_IDS(f, "date:>=2020-12-31", ALL, "4,5");
	ASSERT_IDS(f, "date:>2020-12-30", ALL, "4,5");
	ASSERT_IDS(f, "date:<2016", ALL, "1,6,7");
	ASSERT_IDS(f, "date:<=2016-01", ALL, "1,2,6,7");
	ASSERT_IDS(f, "-date:2015", ALL, "2,4,5");
	ASSERT_IDS(f, "-date:>2016", ALL, "1,2,6,7");
	ASSERT_IDS(f, "-(date:2015 OR date:2016)", ALL, "4,5");
	ASSERT_IDS(f, "date:2015 OR tag:cpp", ALL, "1,3,6,7");
	/* paths */
	ASSERT_IDS(f, "path:journal", ALL, "4,5");
	ASSERT_IDS(f, "path:journal/*", ALL, "4,5");
	ASSERT_IDS(f, "path:/notes/k8s/*", ALL, "2");
	ASSERT_IDS(f, "path:k8s/*", ALL, "2");
	ASSERT_IDS(f, "path:work", ALL, "");   /* case-sensitive */
	ASSERT_IDS(f, "path:Work", ALL, "6");
	ASSERT_IDS(f, "path:2015-0?-*", ALL, "1");
	ASSERT_IDS(f, "-path:journal date:>2015", ALL, "2");
	/* front-matter keys: equal or contained, case-insensitively, LIKE
	 * wildcards literal */
	ASSERT_IDS(f, "author:alice", ALL, "1,6");
	ASSERT_IDS(f, "author:ALICE", ALL, "1,6");
	ASSERT_IDS(f, "author:\"alice smith\"", ALL, "1");
	ASSERT_IDS(f, "author:smi", ALL, "1");
	ASSERT_IDS(f, "author:a_ice", ALL, "");
	ASSERT_IDS(f, "author:%", ALL, "");
	ASSERT_IDS(f, "status:%_", ALL, "6");
	ASSERT_IDS(f, "status:draft", ALL, "1");
	ASSERT_IDS(f, "-status:draft", ALL, "2,3,4,5,6,7");
	/* words and filters together */
	ASSERT_IDS(f, "graceful date:2015", ALL, "1");
	ASSERT_IDS(f, "termination tag:journal", ALL, "5");
	ASSERT_IDS(f, "year -tag:draft", ALL, "4");
	/* mode ANY widens but keeps exclusions and filters */
	ASSERT_IDS(f, "graceful termination shutdown", ALL, "");
	ASSERT_IDS(f, "graceful termination shutdown", ANY, "1,4,5");
	ASSERT_IDS(f, "graceful termination -shutdown", ANY, "1,5");
	ASSERT_IDS(f, "graceful termination date:2020..", ANY, "4,5");
	ASSERT_IDS(f, "title:year contracts", ANY, "4,5");
}

/* ---- 3. hostile input ---------------------------------------------------- */

enum { H_OK, H_ERR, H_EITHER };

typedef struct hostile {
	const char *in;     /* the input */
	size_t len;         /* its length; 0: strlen */
	int expect;         /* H_* */
	const char *want;   /* H_OK: describe(); H_ERR: the message; NULL: any */
} hostile;

#define NO_WORDS "the query has no searchable words"
#define QUOTE "unbalanced quote: add a closing \""
#define OPEN "unbalanced parenthesis: a ( is never closed"
#define CLOSE "unbalanced parenthesis: a ) has no matching ("
#define NOFILT " filters=(none)"
#define DATE_MSG ": expected a year, month or day (2015, 2015-06, 2015-06-02), " \
	"a range (2015-05..2015-06) or a comparison (>2020-01-01)"

static const hostile hostile_inputs[] = {
	{"\"", 0, H_ERR, QUOTE},
	{"\"\"", 0, H_ERR, NO_WORDS},
	{"\"\"\"", 0, H_ERR, QUOTE},
	{"*", 0, H_ERR, NO_WORDS},
	{"**", 0, H_ERR, NO_WORDS},
	{"AND", 0, H_ERR, "AND needs a word on each side"},
	{"OR", 0, H_ERR, "OR needs a word on each side"},
	{"NOT", 0, H_ERR, "NOT needs a word after it"},
	{"AND AND", 0, H_ERR, "AND needs a word on each side"},
	{"a AND", 0, H_ERR, "AND needs a word on each side"},
	{"OR b", 0, H_ERR, "OR needs a word on each side"},
	{"a OR", 0, H_ERR, "OR needs a word on each side"},
	{"AND OR NOT", 0, H_ERR, "AND needs a word on each side"},
	{"a AND OR b", 0, H_ERR, "OR needs a word on each side"},
	{"(", 0, H_ERR, OPEN},
	{")", 0, H_ERR, CLOSE},
	{"()", 0, H_ERR, "empty parentheses: put a word between ( and )"},
	{"(a", 0, H_ERR, OPEN},
	{"a)", 0, H_ERR, CLOSE},
	{")(", 0, H_ERR, CLOSE},
	{"((((a))))", 0, H_OK, "fts=\"a\"" NOFILT},
	{"^", 0, H_ERR, NO_WORDS},
	{"^a", 0, H_OK, "fts=\"^a\"" NOFILT},
	{"+a", 0, H_OK, "fts=\"+a\"" NOFILT},
	{"NEAR(a b)", 0, H_OK, "fts=\"NEAR\" AND \"a\" AND \"b\"" NOFILT},
	{"near(", 0, H_ERR, OPEN},
	{"NEAR", 0, H_OK, "fts=\"NEAR\"" NOFILT},
	{"title:", 0, H_ERR, "title: needs a word after the colon"},
	{"title:(", 0, H_ERR, OPEN},
	{"title:\"", 0, H_ERR, QUOTE},
	{"-title:", 0, H_ERR, "title: needs a word after the colon"},
	{":", 0, H_ERR, NO_WORDS},
	{"::", 0, H_ERR, NO_WORDS},
	{"a:", 0, H_OK, "fts=\"a:\"" NOFILT},
	{":a", 0, H_OK, "fts=\":a\"" NOFILT},
	{"title::x", 0, H_OK, "fts={title} : \":x\"" NOFILT},
	{"-", 0, H_ERR, NO_WORDS},
	{"--a", 0, H_OK, "fts=\"--a\"" NOFILT},
	{"-\"", 0, H_ERR, QUOTE},
	{"- a", 0, H_OK, "fts=\"a\"" NOFILT},
	{"a -", 0, H_OK, "fts=\"a\"" NOFILT},
	{"-(", 0, H_ERR, OPEN},
	{"NOT (", 0, H_ERR, OPEN},
	{"tag:", 0, H_ERR, "tag: needs a word after the colon"},
	{"tag:(a", 0, H_ERR, OPEN},
	{"date:", 0, H_ERR, "date: needs a word after the colon"},
	{"date:2015-13", 0, H_ERR, "date:2015-13" DATE_MSG},
	{"date:..", 0, H_ERR, "date:.." DATE_MSG},
	{"date:>", 0, H_ERR, "date:>" DATE_MSG},
	{"date:<=", 0, H_ERR, "date:<=" DATE_MSG},
	{"date:>>2015", 0, H_ERR, "date:>>2015" DATE_MSG},
	{"date:2015..2016..2017", 0, H_ERR, "date:2015..2016..2017" DATE_MSG},
	{"date:(", 0, H_ERR, OPEN},
	{"path:", 0, H_ERR, "path: needs a word after the colon"},
	{"path:[", 0, H_OK, "fts=(none) filters=path GLOB \"*[\""},
	{"path:*", 0, H_OK, "fts=(none) filters=path GLOB \"*\""},
	{"author:\\", 0, H_OK, "fts=(none) filters=author~\"\\\""},
	{"author:'", 0, H_OK, "fts=(none) filters=author~\"'\""},
	{"a\x01" "b\x1f" "c\x7f" "d", 0, H_OK, "fts=\"a\" AND \"b\" AND \"c\" AND \"d\"" NOFILT},
	{"x\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"
	 "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7fy", 0, H_OK,
	 "fts=\"x\" AND \"y\"" NOFILT},
	{"\"a\x01" "b\"", 0, H_OK, "fts=\"a b\"" NOFILT},
	{"\xff\xfe", 0, H_ERR, NO_WORDS},
	{"a\xff" "b", 0, H_OK, "fts=\"a?b\"" NOFILT},
	{"\"\xff" "abc\xc3\"", 0, H_OK, "fts=\"?abc?\"" NOFILT},
	{"a\0b", 3, H_OK, "fts=\"a\" AND \"b\"" NOFILT},
	{"\0", 1, H_ERR, "empty query"},
	{"\xed\xa0\x80x", 0, H_OK, "fts=\"???x\"" NOFILT},
	{"\xed\xb0\x80", 0, H_ERR, NO_WORDS},
	{"\xc0\xaf" "etc", 0, H_OK, "fts=\"??etc\"" NOFILT},
	{"\xf4\x90\x80\x80", 0, H_ERR, NO_WORDS},
	{"'; DROP TABLE notes; --", 0, H_OK, "fts=\"DROP\" AND \"TABLE\" AND \"notes;\"" NOFILT},
	{"\" OR 1=1 --", 0, H_ERR, QUOTE},
	{"\" OR 1=1 --\"", 0, H_OK, "fts=\"OR 1=1 --\"" NOFILT},
	{"x\" OR \"1\"=\"1", 0, H_OK, NULL},
	{"{title}: x", 0, H_OK, "fts=\"{title}:\" AND \"x\"" NOFILT},
	{"title : x", 0, H_OK, "fts=\"title\" AND \"x\"" NOFILT},
	{"x:y", 0, H_OK, "fts=\"x:y\"" NOFILT},
	{"http://a.b/c?d=e#f", 0, H_OK, "fts=\"http://a.b/c?d=e#f\"" NOFILT},
	{"c++", 0, H_OK, "fts=\"c++\"" NOFILT},
	{"node.js", 0, H_OK, "fts=\"node.js\"" NOFILT},
	{"don't", 0, H_OK, "fts=\"don't\"" NOFILT},
	{"e-mail", 0, H_OK, "fts=\"e-mail\"" NOFILT},
	{"50%", 0, H_OK, "fts=\"50%\"" NOFILT},
	{"#2789", 0, H_OK, "fts=\"#2789\"" NOFILT},
	{"a=b", 0, H_OK, "fts=\"a=b\"" NOFILT},
	{"why?", 0, H_OK, "fts=\"why?\"" NOFILT},
	{"the of and", 0, H_OK, "fts=\"the\" AND \"of\" AND \"and\"" NOFILT},
	{"!!! ??? ...", 0, H_ERR, NO_WORDS},
	{"\xf0\x9f\x99\x82 \xf0\x9f\x9a\x80", 0, H_ERR, NO_WORDS},   /* emoji */
	{"\xe5\xae\xb9\xe5\x99\xa8", 0, H_OK, "fts=\"\xe5\xae\xb9\xe5\x99\xa8\"" NOFILT},
	{"R\xc3\xa9sum\xc3\xa9", 0, H_OK, "fts=\"R\xc3\xa9sum\xc3\xa9\"" NOFILT},
	{"\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", 0, H_OK,
	 "fts=\"\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\"" NOFILT},
	{"x\xc2\xa0OR\xc2\xa0y", 0, H_OK, "fts=\"x\" OR \"y\"" NOFILT},      /* NBSP */
	{"a\xe3\x80\x80" "b", 0, H_OK, "fts=\"a\" AND \"b\"" NOFILT},        /* U+3000 */
	{"a\xe2\x80\xa8" "b\xc2\x85" "c", 0, H_OK, "fts=\"a\" AND \"b\" AND \"c\"" NOFILT},
	{"\xef\xbb\xbf", 0, H_ERR, NO_WORDS},                                /* BOM */
	{"-a", 0, H_ERR, "nothing to search for: the query only excludes (-word)"},
	{"-a -b", 0, H_ERR, "nothing to search for: the query only excludes (-word)"},
	{"a OR -b", 0, H_ERR, "cannot OR an excluded term: put the -word outside the OR"},
	{"tag:a OR b", 0, H_ERR, "tag: can only be ORed with other filters, not with words"},
	{"\"a\"*", 0, H_OK, "fts=\"a\"*" NOFILT},
	{"\"\"*", 0, H_ERR, NO_WORDS},
	{"*\"a\"", 0, H_OK, "fts=\"a\"" NOFILT},
	{"a ) (", 0, H_ERR, CLOSE},
	{"((", 0, H_ERR, OPEN},
	{"))", 0, H_ERR, CLOSE},
	{"OR OR", 0, H_ERR, "OR needs a word on each side"},
	{"title:-", 0, H_ERR, NO_WORDS},
	{"-tag:", 0, H_ERR, "tag: needs a word after the colon"},
	{"{title} : x", 0, H_OK, "fts=\"{title}\" AND \"x\"" NOFILT},
	{"a:b:c:d:e:f", 0, H_OK, "fts=\"a:b:c:d:e:f\"" NOFILT},
	{"NEAR/2", 0, H_OK, "fts=\"NEAR/2\"" NOFILT},
	{"a + b", 0, H_OK, "fts=\"a\" AND \"b\"" NOFILT},
	{"{a b}", 0, H_OK, "fts=\"{a\" AND \"b}\"" NOFILT},
};

static void expect_hostile(fixture *f, const hostile *h)
{
	size_t n = h->len ? h->len : strlen(h->in);
	char *why = NULL;
	notes_status st = check_input(f, h->in, n, &why);
	if (h->expect == H_OK && st != NOTES_OK)
		fail_msg("[%s] refused: %s", h->in, why);
	if (h->expect == H_ERR && st != NOTES_E_PARSE)
		fail_msg("[%s] accepted", h->in);
	if (h->want && h->expect == H_ERR)
		assert_string_equal(why, h->want);
	if (h->want && h->expect == H_OK) {
		char *d = describe_of(f, h->in, n);
		assert_string_equal(d, h->want);
		free(d);
	}
	free(why);
}

static char *repeat(const char *unit, size_t total)
{
	size_t k = strlen(unit);
	char *s = malloc(total + 1);
	assert_non_null(s);
	for (size_t i = 0; i < total; i++)
		s[i] = unit[i % k];
	s[total] = '\0';
	return s;
}

static void expect_generated(fixture *f, const char *in, int expect, const char *want)
{
	hostile h = {in, strlen(in), expect, want};
	expect_hostile(f, &h);
}

static void test_hostile(void **state)
{
	fixture *f = *state;
	size_t count = 0;
	for (size_t i = 0; i < sizeof hostile_inputs / sizeof hostile_inputs[0]; i++, count++)
		expect_hostile(f, &hostile_inputs[i]);

	/* generated ones */
	char *s = repeat("(", 65);
	expect_generated(f, s, H_ERR, "too deeply nested: at most 64 levels of parentheses");
	free(s);
	/* 64 levels are fine, 65 balanced ones are not */
	char deep[2 * 65 + 2];
	memset(deep, '(', 64);
	deep[64] = 'a';
	memset(deep + 65, ')', 64);
	deep[129] = '\0';
	expect_generated(f, deep, H_OK, "fts=\"a\"" NOFILT);
	memset(deep, '(', 65);
	deep[65] = 'a';
	memset(deep + 66, ')', 65);
	deep[131] = '\0';
	expect_generated(f, deep, H_ERR, "too deeply nested: at most 64 levels of parentheses");
	count += 3;

	/* 100 KB of short words: too many terms; exactly 100 KB is not too long */
	s = repeat("word ", NOTES_QUERY_MAX_BYTES);
	expect_generated(f, s, H_ERR, "too many terms: at most 256 words, phrases and filter values");
	free(s);
	s = repeat("word ", NOTES_QUERY_MAX_BYTES + 1);
	expect_generated(f, s, H_ERR, "query too long: at most 100 KB");
	free(s);
	/* a 100 KB single word: its token is too long, so nothing to search */
	s = repeat("x", NOTES_QUERY_MAX_BYTES);
	expect_generated(f, s, H_ERR, NO_WORDS);
	free(s);
	/* 100 KB in 250 long compound words: accepted and run */
	s = repeat("kube-", NOTES_QUERY_MAX_BYTES);
	for (size_t i = 400; i < NOTES_QUERY_MAX_BYTES; i += 401)
		s[i] = ' ';
	expect_generated(f, s, H_OK, NULL);
	free(s);
	/* a long bad date is quoted shortened, on a character boundary */
	notes_buf lb = NOTES_BUF_INIT;
	notes_status lrc = NOTES_OK;
	notes_buf_append_str(&lrc, &lb, "date:");
	for (int i = 0; i < 100; i++)
		notes_buf_append_str(&lrc, &lb, "\xc3\xa9");
	assert_int_equal(lrc, NOTES_OK);
	s = repeat("\xc3\xa9", 60);
	char want[256];
	snprintf(want, sizeof want, "date:%s..." DATE_MSG, s);
	expect_generated(f, lb.p, H_ERR, want);
	free(s);
	notes_buf_free(&lb);
	/* 300 words, 256 words, 257 words */
	s = repeat("w ", 600);
	expect_generated(f, s, H_ERR, "too many terms: at most 256 words, phrases and filter values");
	s[512] = '\0';
	expect_generated(f, s, H_OK, NULL);
	s[512] = 'w';
	s[514] = '\0';
	expect_generated(f, s, H_ERR, "too many terms: at most 256 words, phrases and filter values");
	free(s);
	/* 255 exclusions stay one flat NOT */
	notes_buf b = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	notes_buf_append_str(&rc, &b, "a");
	for (int i = 0; i < 255; i++)
		notes_buf_printf(&rc, &b, " -b%d", i);
	assert_int_equal(rc, NOTES_OK);
	expect_generated(f, b.p, H_OK, NULL);
	/* NOT repeated 20,000 times: no recursion per NOT */
	notes_buf_clear(&b);
	for (int i = 0; i < 20000; i++)
		notes_buf_append_str(&rc, &b, "NOT ");
	notes_buf_append_str(&rc, &b, "a b");
	assert_int_equal(rc, NOTES_OK);
	expect_generated(f, b.p, H_OK, "fts=\"a\" AND \"b\"" NOFILT);
	notes_buf_free(&b);
	count += 10;
	print_message("hostile inputs: %zu\n", count);
	assert_true(count >= 70);
}

/* Nesting that would overflow the FTS5 parser stack is refused with a
 * message; anything accepted runs (check_input renders with alternatives). */
static void test_depth(void **state)
{
	fixture *f = *state;
	static const char *const shapes[][2] = {
		{"w%d (", "w%d OR ("},       /* alternating AND / OR */
		{"w%d -(", "w%d -("},        /* nested exclusions */
		{"w%d OR (", "w%d -("},
		{"x%d OR y%d (", "x%d OR y%d ("},
	};
	for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
		int accepted = 0;
		for (int k = 1; k <= NOTES_QUERY_MAX_DEPTH; k++) {
			notes_buf b = NOTES_BUF_INIT;
			notes_status rc = NOTES_OK;
			for (int i = 0; i < k; i++)
				notes_buf_printf(&rc, &b, shapes[sh][i % 2], i, i);
			notes_buf_append_str(&rc, &b, "z y");
			for (int i = 0; i < k; i++)
				notes_buf_append_char(&rc, &b, ')');
			assert_int_equal(rc, NOTES_OK);
			char *why = NULL;
			notes_status st = check_input(f, b.p, b.n, &why);
			if (st == NOTES_OK)
				accepted = k;
			else if (strncmp(why, "too complex", 11) != 0)
				fail_msg("shape %zu depth %d: %s", sh, k, why);
			free(why);
			notes_buf_free(&b);
		}
		/* Realistic depths pass. */
		assert_true(accepted >= 10);
	}
}

/* ---- 4. fuzz ------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void test_fuzz(void **state)
{
	fixture *f = *state;
	static const char *const alphabet[] = {
		"\"", "(", ")", "*", "-", ":", "^", "+", " ", " ", " ", " OR ", " AND ", " NOT ",
		"OR", "AND", "NOT", "NEAR", "title:", "tag:", "date:", "path:", "author:", "body:",
		"a", "b", "a", "b", "é", "容", "容器", "2015", "2015-06", "..", ">", "<=", "{",
		"}", ",", "\x01", "\xff", "\xe2\x80", "c++", "x:y", "'", "\\", "%", "_", "/",
	};
	const size_t na = sizeof alphabet / sizeof alphabet[0];
	size_t ok = 0, refused = 0;
	char buf[512];
	rng_state = 0x9e3779b97f4a7c15u;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 0, k = 1 + rng() % 14;
		for (size_t i = 0; i < k; i++) {
			const char *t = alphabet[rng() % na];
			size_t tl = strlen(t);
			memcpy(buf + n, t, tl);
			n += tl;
		}
		if (check_input(f, buf, n, NULL) == NOTES_OK)
			ok++;
		else
			refused++;
	}
	print_message("fuzz: %zu accepted, %zu refused\n", ok, refused);
	/* The alphabet must exercise both sides. */
	assert_true(ok > 2000);
	assert_true(refused > 2000);
}

/* ---- 5. API details ------------------------------------------------------ */

static void test_terms_and_alts(void **state)
{
	fixture *f = *state;
	notes_query *q = NULL;
	char *why = NULL;
	const char *in = "kube* \"pod budget\" -old title:(proxy OR ipvs) tag:k8s";
	assert_int_equal(notes_query_parse(in, strlen(in), f->tok, test_is_key, NULL, &q, &why),
			 NOTES_OK);
	assert_int_equal(notes_query_nterms(q), 4);
	const notes_qterm *t = notes_query_term(q, 0);
	assert_string_equal(t->text, "kube");
	assert_int_equal(t->prefix, 1);
	assert_int_equal(t->phrase, 0);
	assert_int_equal(t->column, -1);
	t = notes_query_term(q, 1);
	assert_string_equal(t->text, "pod budget");
	assert_int_equal(t->phrase, 1);
	assert_int_equal(t->prefix, 0);
	t = notes_query_term(q, 2);
	assert_string_equal(t->text, "proxy");
	assert_int_equal(t->column, NOTES_FIELD_TITLE);
	assert_string_equal(notes_query_term(q, 3)->text, "ipvs");
	assert_null(notes_query_term(q, 4));

	static const char *const a0[] = {"kubernetes", "kubectl", NULL};
	static const char *const a2[] = {"", "pro\"xy", NULL};
	static const char *const a3[] = {"", NULL};
	const char *const *alts[4] = {a0, NULL, a2, a3};
	char *s = NULL;
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ALL, alts, &s), NOTES_OK);
	assert_string_equal(s, "((\"kube\"* OR \"kubernetes\" OR \"kubectl\") AND \"pod budget\" AND "
			       "({title} : ((\"proxy\" OR "
			       "\"pro\"\"xy\") OR \"ipvs\"))) NOT \"old\"");
	free(s);
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ANY, alts, &s), NOTES_OK);
	assert_string_equal(s, "((\"kube\"* OR \"kubernetes\" OR \"kubectl\") OR \"pod budget\" OR "
			       "({title} : (\"proxy\" OR \"pro\"\"xy\")) OR ({title} : \"ipvs\")) "
			       "NOT \"old\"");
	free(s);
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ANY, NULL, &s), NOTES_OK);
	assert_string_equal(s, "(\"kube\"* OR \"pod budget\" OR ({title} : \"proxy\") OR "
			       "({title} : \"ipvs\")) NOT \"old\"");
	free(s);
	assert_int_equal(notes_query_fts(q, 7, NULL, &s), NOTES_E_USAGE);
	assert_null(s);

	/* Placeholders start where the caller says. */
	notes_buf b = NOTES_BUF_INIT;
	char **binds = NULL;
	size_t nb = 0;
	assert_int_equal(notes_query_filter_sql(q, 5, &b, &binds, &nb), NOTES_OK);
	assert_string_equal(b.p, "EXISTS(SELECT 1 FROM fields AS qf WHERE qf.note = n.id AND "
				 "qf.key IN ('tags', 'tag') AND qf.value = ?5)");
	assert_int_equal(nb, 1);
	assert_string_equal(binds[0], "k8s");
	notes_query_binds_free(binds, nb);
	assert_int_equal(notes_query_filter_sql(q, 0, &b, &binds, &nb), NOTES_E_USAGE);
	notes_buf_free(&b);
	notes_query_free(q);

	/* A private tokenizer when none is given; the same result. */
	assert_int_equal(notes_query_parse("a -b", 4, NULL, NULL, NULL, &q, &why), NOTES_OK);
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ALL, NULL, &s), NOTES_OK);
	assert_string_equal(s, "\"a\" NOT \"b\"");
	free(s);
	notes_query_free(q);
	/* Without a key callback, author:x is text. */
	assert_int_equal(notes_query_parse("author:x", 8, f->tok, NULL, NULL, &q, &why), NOTES_OK);
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ALL, NULL, &s), NOTES_OK);
	assert_string_equal(s, "\"author:x\"");
	free(s);
	notes_query_free(q);
	/* NULL text of length 0 is the empty query; NULL with a length is misuse. */
	assert_int_equal(notes_query_parse(NULL, 0, f->tok, NULL, NULL, &q, &why), NOTES_E_PARSE);
	assert_null(q);
	assert_string_equal(why, "empty query");
	free(why);
	assert_int_equal(notes_query_parse(NULL, 3, f->tok, NULL, NULL, &q, &why), NOTES_E_USAGE);
	assert_null(q);
	assert_null(why);
	notes_query_free(NULL);
}

/* Leaving out terms (stopwords of a question) from AND lists and from the
 * ORed terms, never down to an empty list. */
static void test_skip(void **state)
{
	fixture *f = *state;
	notes_query *q = NULL;
	char *why = NULL;
	const char *in = "how do i drain a node -old";
	assert_int_equal(notes_query_parse(in, strlen(in), f->tok, test_is_key, NULL, &q, &why),
			 NOTES_OK);
	assert_int_equal(notes_query_nterms(q), 6);
	const unsigned char skip[6] = {1, 1, 1, 0, 1, 0};
	char *s = NULL;
	assert_int_equal(notes_query_fts_skip(q, NOTES_QUERY_ALL, NULL, skip, &s), NOTES_OK);
	assert_string_equal(s, "(\"drain\" AND \"node\") NOT \"old\"");
	free(s);
	assert_int_equal(notes_query_fts_skip(q, NOTES_QUERY_ANY, NULL, skip, &s), NOTES_OK);
	assert_string_equal(s, "(\"drain\" OR \"node\") NOT \"old\"");
	free(s);
	/* Everything skipped: nothing is left out. */
	const unsigned char all[6] = {1, 1, 1, 1, 1, 1};
	assert_int_equal(notes_query_fts_skip(q, NOTES_QUERY_ALL, NULL, all, &s), NOTES_OK);
	assert_string_equal(s, "(\"how\" AND \"do\" AND \"i\" AND \"drain\" AND \"a\" AND "
			       "\"node\") NOT \"old\"");
	free(s);
	/* No mask: as notes_query_fts. */
	char *t = NULL;
	assert_int_equal(notes_query_fts_skip(q, NOTES_QUERY_ALL, NULL, NULL, &s), NOTES_OK);
	assert_int_equal(notes_query_fts(q, NOTES_QUERY_ALL, NULL, &t), NOTES_OK);
	assert_string_equal(s, t);
	free(s);
	free(t);
	notes_query_free(q);

	/* Inside OR, terms stay: "a OR b" keeps both. */
	in = "the OR drain";
	assert_int_equal(notes_query_parse(in, strlen(in), f->tok, test_is_key, NULL, &q, &why),
			 NOTES_OK);
	const unsigned char sk2[2] = {1, 0};
	assert_int_equal(notes_query_fts_skip(q, NOTES_QUERY_ALL, NULL, sk2, &s), NOTES_OK);
	assert_string_equal(s, "\"the\" OR \"drain\"");
	free(s);
	notes_query_free(q);
}

static void test_add_filter(void **state)
{
	fixture *f = *state;
	notes_query *q = NULL;
	char *why = NULL;
	assert_int_equal(notes_query_new_empty(&q), NOTES_OK);
	assert_false(notes_query_has_text(q));
	assert_false(notes_query_has_filters(q));
	assert_int_equal(notes_query_nterms(q), 0);
	notes_buf b = NOTES_BUF_INIT;
	assert_int_equal(notes_query_describe(q, &b), NOTES_OK);
	assert_string_equal(b.p, "fts=(none) filters=(none)");
	char *ids = run_ids(f->db, q, NULL, "empty");
	assert_string_equal(ids, "1,2,3,4,5,6,7");
	free(ids);

	assert_int_equal(notes_query_add_filter(q, "tag", "Kubernetes", &why), NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "since", "2015-06", &why), NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "until", "2016", &why), NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "path", "notes/*", &why), NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "date", "2015..2016", &why), NOTES_OK);
	notes_buf_clear(&b);
	assert_int_equal(notes_query_describe(q, &b), NOTES_OK);
	assert_string_equal(b.p, "fts=(none) filters=tag=\"Kubernetes\" AND date >= 2015-06-01 AND "
				 "date <= 2016-12-31 AND path GLOB \"*notes/*\" AND "
				 "date in [2015-01-01, 2016-12-31]");
	ids = run_ids(f->db, q, NULL, "cli");
	assert_string_equal(ids, "1,2");
	free(ids);

	/* refused values leave q unchanged */
	assert_int_equal(notes_query_add_filter(q, "since", "banana", &why), NOTES_E_PARSE);
	assert_string_equal(why, "--since banana: expected a year, month or day "
				 "(2015, 2015-06, 2015-06-02)");
	free(why);
	assert_int_equal(notes_query_add_filter(q, "until", "2015..2016", &why), NOTES_E_PARSE);
	free(why);
	assert_int_equal(notes_query_add_filter(q, "since", "1066", &why), NOTES_E_PARSE);
	assert_string_equal(why, "--since 1066: the year must be between 1900 and 2999");
	free(why);
	assert_int_equal(notes_query_add_filter(q, "date", "soon", &why), NOTES_E_PARSE);
	assert_string_equal(why, "--date soon" DATE_MSG);
	free(why);
	assert_int_equal(notes_query_add_filter(q, "tag", " \t", &why), NOTES_E_PARSE);
	assert_string_equal(why, "--tag needs a value");
	free(why);
	assert_int_equal(notes_query_add_filter(q, "color", "red", &why), NOTES_E_USAGE);
	assert_non_null(why);
	free(why);
	why = NULL;
	notes_buf_clear(&b);
	assert_int_equal(notes_query_describe(q, &b), NOTES_OK);
	assert_string_equal(b.p, "fts=(none) filters=tag=\"Kubernetes\" AND date >= 2015-06-01 AND "
				 "date <= 2016-12-31 AND path GLOB \"*notes/*\" AND "
				 "date in [2015-01-01, 2016-12-31]");
	notes_query_free(q);

	/* onto a parsed query with words and filters */
	const char *in = "graceful OR shutdown date:2015..2020";
	assert_int_equal(notes_query_parse(in, strlen(in), f->tok, test_is_key, NULL, &q, &why),
			 NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "until", "2015-06-02", &why), NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "path", "meetings", &why), NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "tag", "a\x01\xff", &why), NOTES_OK);
	notes_buf_clear(&b);
	assert_int_equal(notes_query_describe(q, &b), NOTES_OK);
	assert_string_equal(b.p, "fts=\"graceful\" OR \"shutdown\" filters=date in [2015-01-01, "
				 "2020-12-31] AND date <= 2015-06-02 AND path CONTAINS \"meetings\" "
				 "AND tag=\"a ?\"");
	notes_query_free(q);
	assert_int_equal(notes_query_parse(in, strlen(in), f->tok, test_is_key, NULL, &q, &why),
			 NOTES_OK);
	assert_int_equal(notes_query_add_filter(q, "until", "2015-06-02", &why), NOTES_OK);
	ids = run_ids(f->db, q, "\"graceful\" OR \"shutdown\"", "cli2");
	assert_string_equal(ids, "1");
	free(ids);
	notes_query_free(q);
	notes_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terms_and_alts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_filter, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
