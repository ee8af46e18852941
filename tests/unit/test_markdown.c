/*
 * test_markdown.c — Markdown extraction (indexer/markdown.c).
 *
 * Golden tests: tests/golden/markdown/NAME.md is extracted and rendered as
 * one line per text run, "FIELD LINE:COL text", where a run is a piece of a
 * field line with one source mapping and LINE:COL (1-based, COL in bytes)
 * is where its first byte comes from; the result must equal NAME.out byte
 * for byte.  A run whose bytes differ from the source there is marked "~"
 * after COL and is accepted only when the source holds an entity reference
 * at the first differing byte (a "!" marks a wrong run; the test fails).
 * Independently, every word of every field (a run of letters, digits or
 * non-ASCII bytes within one segment: text of adjacent inline nodes is
 * joined, "**a**b" gives "ab", and each part keeps its own position) must be
 * found verbatim in the source at its mapped offset, the same entity
 * exception aside: that is what the query binary relies on when it prints
 * path:line:col.  The first level-1 heading is shown as "h1 LINE:COL text".
 *
 * A note starting with "---" has front matter: the body starts after the
 * closing "---" line, as the front-matter module would set it.
 *
 * NOTES_GOLDEN_UPDATE=1 rewrites the .out files (review them by hand).
 *
 * Pathological inputs are generated in code, at full size: 200,000 nested
 * '>', a list 5,000 levels deep (on one line; written one item per indented
 * line it is 25 MB, so that form is 1,500 levels), 100,000 headings, a 40 MB
 * single line, 4 MB of dense inline markup, emphasis and bracket bombs,
 * unclosed shortcode and comment openers, and a body cut into pieces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "markdown.h"

#ifdef NOTES_SRCDIR
#define GOLDEN_DIR NOTES_SRCDIR "/tests/golden/markdown/"
#else
#define GOLDEN_DIR "tests/golden/markdown/"
#endif

static const notes_field shown[] = {
	NOTES_FIELD_HEADINGS, NOTES_FIELD_BODY, NOTES_FIELD_CODE
};

/* ------------------------------------------------------------------------ */
/* Helpers. */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		}
		if (p) {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

/* Body offset: after the closing "---" line of front matter, else 0. */
static size_t body_offset(const char *s, size_t n)
{
	size_t i;
	if (n < 4 || memcmp(s, "---", 3) != 0 || (s[3] != '\n' && s[3] != '\r'))
		return 0;
	i = s[3] == '\r' ? 5 : 4;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n, k = e;
		if (k > i && s[k - 1] == '\r')
			k--;
		if (k - i == 3 && memcmp(s + i, "---", 3) == 0)
			return nl ? e + 1 : n;
		i = nl ? e + 1 : n;
	}
	return 0;
}

static bool is_word(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

/* Does the source hold an entity reference at off? */
static bool entity_at(const notes_doc *d, size_t off)
{
	size_t i = off + 1;
	if (off >= d->src_len || d->src[off] != '&')
		return false;
	while (i < d->src_len && i - off <= 33 && (is_word((unsigned char)d->src[i]) ||
						    d->src[i] == '#') &&
	       (unsigned char)d->src[i] < 0x80)
		i++;
	return i > off + 1 && i < d->src_len && d->src[i] == ';';
}

/* 0: t[0..n) is at src verbatim; 1: differs first at an entity; -1: wrong. */
static int check_at(const notes_doc *d, const char *t, size_t n, int64_t src)
{
	if (src < (int64_t)d->body_off || (size_t)src >= d->src_len)
		return -1;
	for (size_t k = 0; k < n; k++)
		if ((size_t)src + k >= d->src_len || d->src[src + (int64_t)k] != t[k])
			return entity_at(d, (size_t)src + k) ? 1 : -1;
	return 0;
}

/* Words of every field that are not at their mapped offset.  A word is a
 * run of letters, digits or non-ASCII bytes within one segment: text of
 * adjacent inline nodes is joined ("**a**b" gives "ab"), and each part
 * keeps its own position. */
static size_t bad_words(const notes_doc *d, size_t *nwords)
{
	size_t bad = 0;
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		const notes_buf *b = &d->field[f];
		const notes_segment *seg = d->map.seg[f];
		size_t nseg = d->map.nseg[f], si = 0, i = 0;
		while (i < b->n) {
			size_t j, lim = b->n;
			if (!is_word((unsigned char)b->p[i])) {
				i++;
				continue;
			}
			while (si + 1 < nseg && seg[si + 1].off <= i)
				si++;
			if (si + 1 < nseg)
				lim = seg[si + 1].off;
			for (j = i; j < lim && is_word((unsigned char)b->p[j]); j++)
				;
			int64_t src = notes_linemap_lookup(&d->map, (notes_field)f, (uint32_t)i);
			if (check_at(d, b->p + i, j - i, src) < 0) {
				if (bad < 5)
					print_message("bad word %s@%zu \"%.*s\" -> %lld\n",
						      notes_field_names[f], i, (int)(j - i),
						      b->p + i, (long long)src);
				bad++;
			}
			(*nwords)++;
			i = j;
		}
	}
	return bad;
}

typedef struct lines {
	size_t *start;   /* offset of each source line */
	size_t n;
} lines;

static void lines_init(lines *l, const char *s, size_t n)
{
	l->start = malloc((n + 2) * sizeof *l->start);
	assert_non_null(l->start);
	l->n = 0;
	l->start[l->n++] = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			l->start[l->n++] = i + 1;
}

static void line_col(const lines *l, size_t off, int *line, int *col)
{
	size_t lo = 0, hi = l->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (int)lo + 1;
	*col = (int)(off - l->start[lo]) + 1;
}

/*
 * Render the fields of d as runs (see the top of the file) into out.
 * Returns the number of runs that are not where they claim to be.
 */
static size_t render(const notes_doc *d, notes_buf *out)
{
	notes_status rc = NOTES_OK;
	size_t bad = 0;
	lines l;
	lines_init(&l, d->src, d->src_len);
	for (size_t fi = 0; fi < sizeof shown / sizeof shown[0]; fi++) {
		notes_field f = shown[fi];
		const notes_buf *b = &d->field[f];
		const notes_segment *seg = d->map.seg[f];
		size_t nseg = d->map.nseg[f], si = 0, off = 0;
		while (off < b->n) {
			if (b->p[off] == '\n') {
				off++;
				continue;
			}
			while (si + 1 < nseg && seg[si + 1].off <= off)
				si++;
			const char *nl = memchr(b->p + off, '\n', b->n - off);
			size_t end = nl ? (size_t)(nl - b->p) : b->n;
			if (si + 1 < nseg && seg[si + 1].off < end)
				end = seg[si + 1].off;
			int64_t src = (nseg && seg[si].off <= off) ?
				(int64_t)seg[si].src + (int64_t)(off - seg[si].off) : -1;
			int kind = check_at(d, b->p + off, end - off, src);
			int line = 0, col = 0;
			if (src >= 0 && (size_t)src <= d->src_len)
				line_col(&l, (size_t)src, &line, &col);
			notes_buf_printf(&rc, out, "%s %d:%d%s %.*s\n", notes_field_names[f],
					 line, col, kind == 1 ? "~" : kind < 0 ? "!" : "",
					 (int)(end - off), b->p + off);
			if (kind < 0)
				bad++;
			off = end;
		}
	}
	if (d->first_h1.n > 0) {
		int line, col;
		line_col(&l, d->first_h1_src, &line, &col);
		notes_buf_printf(&rc, out, "h1 %d:%d %s\n", line, col, d->first_h1.p);
	}
	assert_int_equal(rc, NOTES_OK);
	free(l.start);
	return bad;
}

/* Extract src[0..n) with the body after any front matter. */
static void extract(notes_doc *d, const char *src, size_t n, const char *path)
{
	notes_doc_init(d);
	d->src = src;
	d->src_len = n;
	d->path = path;
	d->body_off = body_offset(src, n);
	assert_int_equal(notes_markdown_extract(d), NOTES_OK);
}

/* Every word of every field is at its mapped offset; returns the count. */
static size_t assert_words_ok(const notes_doc *d)
{
	size_t nwords = 0;
	assert_int_equal(bad_words(d, &nwords), 0);
	return nwords;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Number of occurrences of needle in field f (one pass: memmem would be
 * quadratic here under ASan, which checks the whole haystack per call). */
static size_t count_in(const notes_doc *d, notes_field f, const char *needle)
{
	size_t k = 0, nl = strlen(needle);
	const notes_buf *b = &d->field[f];
	for (size_t i = 0; i + nl <= b->n; i++)
		if (b->p[i] == needle[0] && memcmp(b->p + i, needle, nl) == 0)
			k++;
	return k;
}

/* ------------------------------------------------------------------------ */
/* Golden files. */

static void test_golden(void **state)
{
	const char *name = *state;
	char path[512], outpath[512];
	size_t n = 0, en = 0;
	notes_doc d;
	notes_buf out = NOTES_BUF_INIT;

	snprintf(path, sizeof path, GOLDEN_DIR "%s.md", name);
	snprintf(outpath, sizeof outpath, GOLDEN_DIR "%s.out", name);
	char *src = slurp(path, &n);
	assert_non_null(src);
	extract(&d, src, n, path);
	size_t bad = render(&d, &out);

	const char *upd = getenv("NOTES_GOLDEN_UPDATE");
	if (upd && strcmp(upd, "1") == 0) {
		FILE *f = fopen(outpath, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(out.p, 1, out.n, f), out.n);
		fclose(f);
	}
	char *exp = slurp(outpath, &en);
	if (!exp || en != out.n || memcmp(exp, out.p, en) != 0)
		print_message("--- %s: got\n%s", outpath, out.p ? out.p : "");
	assert_non_null(exp);
	assert_int_equal(out.n, en);
	assert_memory_equal(out.p, exp, en);
	assert_int_equal(bad, 0);
	assert_words_ok(&d);

	free(exp);
	notes_buf_free(&out);
	notes_doc_free(&d);
	free(src);
}

/* One test per fixture, named after it; the state is the fixture name. */
#define GOLDEN(name) {"golden_" name, test_golden, NULL, NULL, (void *)(name)}

/* ------------------------------------------------------------------------ */
/* Behaviour not visible in a golden file. */

static void test_empty_and_body_only(void **state)
{
	(void)state;
	notes_doc d;
	const char *s = "---\ntitle: x\n---\n";
	extract(&d, s, strlen(s), "empty.md");
	assert_int_equal(d.body_off, strlen(s));
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		assert_int_equal(d.field[f].n, 0);
	assert_int_equal(d.first_h1.n, 0);
	notes_doc_free(&d);

	/* The front matter itself is never parsed as Markdown. */
	const char *t = "---\ntitle: Heading Text\n---\nbody words\n";
	extract(&d, t, strlen(t), "fm.md");
	assert_string_equal(d.field[NOTES_FIELD_BODY].p, "body words\n");
	assert_int_equal(d.field[NOTES_FIELD_HEADINGS].n, 0);
	assert_int_equal(notes_linemap_lookup(&d.map, NOTES_FIELD_BODY, 0),
			 (int64_t)(strstr(t, "body") - t));
	notes_doc_free(&d);
}

static void test_first_h1(void **state)
{
	(void)state;
	notes_doc d;
	const char *s = "## Two\n\n#\n\nSetext *one*\n============\n\n# Later\n";
	extract(&d, s, strlen(s), "h1.md");
	assert_string_equal(d.first_h1.p, "Setext one");
	assert_int_equal(d.first_h1_src, (uint32_t)(strstr(s, "Setext") - s));
	assert_string_equal(d.field[NOTES_FIELD_HEADINGS].p, "Two\nSetext one\nLater\n");
	notes_doc_free(&d);
}

static void test_appends_after_existing(void **state)
{
	(void)state;
	notes_doc d;
	notes_status rc = NOTES_OK;
	const char *s = "intro words\n";
	notes_doc_init(&d);
	d.src = s;
	d.src_len = strlen(s);
	d.path = "x.md";
	notes_doc_append(&rc, &d, NOTES_FIELD_BODY, s, 5, 0);
	notes_doc_break(&rc, &d, NOTES_FIELD_BODY);
	assert_int_equal(notes_markdown_extract(&d), NOTES_OK);
	assert_string_equal(d.field[NOTES_FIELD_BODY].p, "intro\nintro words\n");
	assert_int_equal(notes_linemap_lookup(&d.map, NOTES_FIELD_BODY, 6), 0);
	notes_doc_free(&d);
}

/* The text of a comment never leaks, however cmark splits it. */
static void test_comment_never_leaks(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"<!--\nSECRET one\n\n* SECRET list\n\n```\nSECRET code\n```\n-->\nshown\n",
		"- item shown\n  <!-- SECRET\nSECRET lazy\n\n# SECRET heading\n  -->\n\nshown\n",
		"> <!-- SECRET\n> SECRET\nSECRET outside\n\n-->shown\n",
		"<div>\n<!-- SECRET\n\nSECRET para\n-->\n</div>\n\nshown\n",
		"Text <!-- SECRET\nSECRET --> shown\n",
		"<!-- SECRET never closed\n\nSECRET\n\n    SECRET code\n",
		"<style>\nSECRET { color: red }\n</style>\n<script>\nSECRET()\n\nSECRET()\n</script>\nshown\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		notes_doc d;
		extract(&d, cases[i], strlen(cases[i]), "c.md");
		for (int f = 0; f < NOTES_FIELD_COUNT; f++)
			if (d.field[f].n && strstr(d.field[f].p, "SECRET")) {
				print_message("case %zu leaks into %s: %s\n", i,
					      notes_field_names[f], d.field[f].p);
				fail();
			}
		if (strstr(cases[i], "shown"))
			assert_non_null(strstr(d.field[NOTES_FIELD_BODY].p, "shown"));
		assert_words_ok(&d);
		notes_doc_free(&d);
	}
}

/* Shortcode syntax never leaks, whatever the shape. */
static void test_shortcodes_never_leak(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"{{< note >}}\nshown\n{{< /note >}}\n",
		"a {{< glossary_tooltip text=\"shown\" term_id=\"xpod\" >}} b\n",
		"{{< glossary_tooltip\n  term_id=\"xpod\"\n  text=\"shown\" >}}s here\n",
		"{{% xcaution title=\"xtitle\" %}}\nshown\n{{% /xcaution %}}\n",
		"Use {{</* xfigure src=\"x.png\" */>}} and {{%/* xnote */%}}: shown\n",
		"- item\n  {{< xtab name=\"xname\" >}}\n  shown\n  {{< /xtab >}}\n",
		"```\n{{< xcodenew file=\"x.yaml\" >}}\nshown\n```\n",
		"{{< xnote >}}    shown\n",
		"# Title {{< xbadge >}} shown\n",
		"Old {% xliquid text=\"shown\" term_id=\"xpod\" %} tag\n",
		/* Syntax spelled with entities is page text (the name stays),
		 * but the delimiters never reach a field. */
		"&#123;&#123;&lt; spelled &gt;&#125;&#125; shown\n",
		"<p>&#123;&#123;% spelled %&#125;&#125; shown</p>\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		notes_doc d;
		extract(&d, cases[i], strlen(cases[i]), "s.md");
		for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
			const char *p = d.field[f].p;
			if (p && (strstr(p, "{{") || strstr(p, "}}") || strstr(p, "term_id") ||
				  strstr(p, "xpod") || strstr(p, "xtitle") || strstr(p, "xname") ||
				  strstr(p, "xnote") || strstr(p, "xfigure") || strstr(p, "xcaution") ||
				  strstr(p, "xcodenew") || strstr(p, "xbadge") || strstr(p, "xtab") ||
				  strstr(p, "xliquid") || strstr(p, "{%") || strstr(p, "%}"))) {
				print_message("case %zu leaks into %s: %s\n", i,
					      notes_field_names[f], p);
				fail();
			}
		}
		size_t shown_n = 0;
		for (int f = 0; f < NOTES_FIELD_COUNT; f++)
			shown_n += count_in(&d, (notes_field)f, "shown");
		assert_true(shown_n >= 1);
		assert_words_ok(&d);
		notes_doc_free(&d);
	}
	/* The indented text after a removed tag is not turned into code. */
	notes_doc d;
	const char *s = "{{< xnote >}}    shown\n";
	extract(&d, s, strlen(s), "s.md");
	assert_int_equal(d.field[NOTES_FIELD_CODE].n, 0);
	assert_string_equal(d.field[NOTES_FIELD_BODY].p, "shown\n");
	notes_doc_free(&d);
}

/* ------------------------------------------------------------------------ */
/* Pathological inputs. */

static char *repeat(const char *unit, size_t times, const char *tail, size_t *len)
{
	size_t u = strlen(unit), t = strlen(tail);
	char *p = malloc(u * times + t + 1);
	assert_non_null(p);
	for (size_t i = 0; i < times; i++)
		memcpy(p + i * u, unit, u);
	memcpy(p + u * times, tail, t + 1);
	*len = u * times + t;
	return p;
}

static void run_big(const char *what, char *src, size_t n, double max_s, notes_doc *d)
{
	double t0 = now();
	extract(d, src, n, what);
	double dt = now() - t0;
	print_message("# %s: %zu bytes in %.2f s\n", what, n, dt);
	assert_true(dt < max_s);
}

static void test_nested_quotes(void **state)
{
	(void)state;
	size_t n;
	notes_doc d;
	char *s = repeat(">", 200000, " deep quoted text\n", &n);
	run_big("200000 nested >", s, n, 20, &d);
	assert_string_equal(d.field[NOTES_FIELD_BODY].p, "deep quoted text\n");
	assert_int_equal(notes_linemap_lookup(&d.map, NOTES_FIELD_BODY, 0), 200001);
	assert_words_ok(&d);
	notes_doc_free(&d);
	free(s);
}

static void test_deep_list(void **state)
{
	(void)state;
	size_t n;
	notes_doc d;
	char *s = repeat("- ", 5000, "deepest item\n", &n);
	run_big("5000-deep list", s, n, 20, &d);
	assert_string_equal(d.field[NOTES_FIELD_BODY].p, "deepest item\n");
	assert_int_equal(notes_linemap_lookup(&d.map, NOTES_FIELD_BODY, 0), 10000);
	notes_doc_free(&d);
	free(s);

	/* The same depth written one item per line, each indented 2 more:
	 * 25 MB would be too slow under sanitizers, so 1,500 levels (2 MB). */
	notes_buf b = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	for (int i = 0; i < 1500; i++)
		notes_buf_printf(&rc, &b, "%*s- item%d\n", 2 * i, "", i);
	assert_int_equal(rc, NOTES_OK);
	run_big("1500-deep indented list", b.p, b.n, 20, &d);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "item"), 1500);
	assert_non_null(strstr(d.field[NOTES_FIELD_BODY].p, "item1499\n"));
	assert_words_ok(&d);
	notes_doc_free(&d);
	notes_buf_free(&b);
}

static void test_many_headings(void **state)
{
	(void)state;
	notes_buf b = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	notes_doc d;
	for (int i = 0; i < 100000; i++)
		notes_buf_printf(&rc, &b, "# Heading %d\n\ntext %d\n", i, i);
	assert_int_equal(rc, NOTES_OK);
	run_big("100000 headings", b.p, b.n, 20, &d);
	assert_int_equal(count_in(&d, NOTES_FIELD_HEADINGS, "\n"), 100000);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "\n"), 100000);
	assert_non_null(strstr(d.field[NOTES_FIELD_HEADINGS].p, "\nHeading 99999\n"));
	assert_string_equal(d.first_h1.p, "Heading 0");
	assert_int_equal(d.first_h1_src, 2);
	assert_int_equal(assert_words_ok(&d), 400000);
	notes_doc_free(&d);
	notes_buf_free(&b);
}

static void test_long_line(void **state)
{
	(void)state;
	size_t n;
	notes_doc d;
	/* 40 MB of prose on one line. */
	char *s = repeat("lorem ipsum dolor ", 40u * 1024 * 1024 / 18, "end\n", &n);
	run_big("40 MB line", s, n, 20, &d);
	assert_int_equal(d.field[NOTES_FIELD_BODY].n > n - 1000, 1);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "dolor"), 40u * 1024 * 1024 / 18);
	size_t nw = 0;
	assert_int_equal(bad_words(&d, &nw), 0);
	notes_doc_free(&d);
	free(s);

	/* 4 MB of dense inline markup on one line (cmark builds a node per
	 * few bytes here; the body is parsed in pieces). */
	s = repeat("a *b* `c` [d](e) &amp; ", 4u * 1024 * 1024 / 23, "\n", &n);
	run_big("4 MB dense markup line", s, n, 20, &d);
	assert_int_equal(count_in(&d, NOTES_FIELD_CODE, "c\n"), 4u * 1024 * 1024 / 23);
	assert_null(strstr(d.field[NOTES_FIELD_BODY].p, "(e)"));
	assert_words_ok(&d);
	notes_doc_free(&d);
	free(s);
}

static void test_bombs(void **state)
{
	(void)state;
	static const struct {
		const char *unit, *tail;
		size_t times;
	} bombs[] = {
		{"*a **a ", "\n", 100000},
		{"[", "a\n", 200000},
		{"[a](", "\n", 200000},
		{"![[", "\n", 200000},
		{"{{< ", "\n", 200000},
		{"{{% x ", "\n", 200000},
		{"<!-- ", "\n", 200000},
		{"<a ", "\n", 200000},
		{"&amp", "\n", 200000},
		{"`", "\n", 200000},
		{"\\", "\n", 200000},
		{"a\n", "", 500000},
		{"> a\n", "", 200000},
		{"- a\n  ", "", 200000},
		{"<div>\n<!--\n\n", "", 100000},
		{"```\n", "", 100000},
		{"x &eacute;&#x4E2D;\\*", "\n", 200000},
	};
	for (size_t i = 0; i < sizeof bombs / sizeof bombs[0]; i++) {
		size_t n;
		notes_doc d;
		char *s = repeat(bombs[i].unit, bombs[i].times, bombs[i].tail, &n);
		char what[64];
		snprintf(what, sizeof what, "bomb %zu", i);
		run_big(what, s, n, 20, &d);
		assert_words_ok(&d);
		notes_doc_free(&d);
		free(s);
	}
}

/* A body larger than one cmark piece: pieces are cut between blocks and
 * never inside fenced code; every word keeps its position. */
static void test_pieces(void **state)
{
	(void)state;
	notes_buf b = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	notes_doc d;
	int i;
	for (i = 0; i < 12000; i++)
		notes_buf_printf(&rc, &b, "Para%d *with* `span%d` and [link%d](http://u/%d).\n\n",
				 i, i, i, i);
	notes_buf_append_str(&rc, &b, "```\n");
	for (i = 0; i < 30000; i++)
		notes_buf_printf(&rc, &b, "codeline%d\n\n", i);
	notes_buf_append_str(&rc, &b, "```\n\n> quote line\n");
	for (i = 0; i < 20000; i++)
		notes_buf_printf(&rc, &b, "> more%d\n", i);
	notes_buf_append_str(&rc, &b, "\n");
	for (i = 0; i < 20000; i++)
		notes_buf_printf(&rc, &b, "lazy%d line of one paragraph\n", i);
	assert_int_equal(rc, NOTES_OK);
	assert_true(b.n > 1500000);
	run_big("pieces", b.p, b.n, 20, &d);
	assert_int_equal(count_in(&d, NOTES_FIELD_CODE, "codeline"), 30000);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "codeline"), 0);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "Para"), 12000);
	assert_int_equal(count_in(&d, NOTES_FIELD_CODE, "span"), 12000);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "http"), 0);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "more"), 20000);
	assert_int_equal(count_in(&d, NOTES_FIELD_BODY, "lazy"), 20000);
	assert_int_equal(count_in(&d, NOTES_FIELD_CODE, "lazy"), 0);
	assert_words_ok(&d);
	notes_doc_free(&d);
	notes_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GOLDEN("headings"),
		GOLDEN("paragraphs"),
		GOLDEN("links"),
		GOLDEN("lists"),
		GOLDEN("blockquotes"),
		GOLDEN("table"),
		GOLDEN("fenced_code"),
		GOLDEN("indented_code"),
		GOLDEN("code_spans"),
		GOLDEN("entities"),
		GOLDEN("html_comment"),
		GOLDEN("html_block"),
		GOLDEN("inline_html"),
		GOLDEN("shortcodes"),
		GOLDEN("front_matter"),
		GOLDEN("crlf"),
		GOLDEN("tabs"),
		GOLDEN("cjk"),
		GOLDEN("long_line"),
		GOLDEN("docs_page"),
		GOLDEN("regressions"),
		cmocka_unit_test(test_empty_and_body_only),
		cmocka_unit_test(test_first_h1),
		cmocka_unit_test(test_appends_after_existing),
		cmocka_unit_test(test_comment_never_leaks),
		cmocka_unit_test(test_shortcodes_never_leak),
		cmocka_unit_test(test_nested_quotes),
		cmocka_unit_test(test_deep_list),
		cmocka_unit_test(test_many_headings),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bombs),
		cmocka_unit_test(test_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
