/*
 * test_frontmatter.c — notes_frontmatter_parse.
 *
 * Golden cases: tests/golden/frontmatter/NAME.md is parsed and described in
 * a text report compared byte for byte with NAME.out (NOTES_GOLDEN_UPDATE=1
 * rewrites the .out files).  While writing the report the harness checks
 * every position against the source itself: a kv's line must be the line of
 * its offset, and a value whose bytes differ from the source there is
 * flagged "(approx)"; every word of the META field is looked up through the
 * line map and flagged the same way when it does not land on itself.
 * Further tests build hostile inputs in memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doc.h"
#include "frontmatter.h"
#include "golden.h"

#define GOLDEN_DIR GOLDEN_ROOT "frontmatter"

/* Every fixture; test_all_listed checks that none in the directory is missed. */
static const char *const golden[] = {
	"plain",
	"bom_crlf",
	"tags_flow",
	"tags_block",
	"tags_comma",
	"nested",
	"quoted_escapes",
	"non_ascii",
	"block_scalar",
	"folded_plain",
	"anchors_tags",
	"unclosed",
	"thematic_break",
	"invalid_yaml",
	"invalid_indent",
	"control_char",
	"list_top",
	"scalar_top",
	"empty",
	"comments_only",
	"no_front_matter",
	"bom_only",
	"cr_only",
	"dots_close",
	"fence_spaces",
	"close_at_eof",
	"alias_bomb",
	"date_rfc2822",
	"date_written",
	"date_iso_time",
	"date_created",
	"2015-04-17-date-from-filename",
	"2015-04-18-date-wins-over-filename",
	"date_unrecognized",
	"date_out_of_range",
	"lang",
	"meta_filter",
};

/* Value text with \, newline, CR and tab escaped, so a report line is one line. */
static void put_escaped(notes_status *rc, notes_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': notes_buf_append_str(rc, out, "\\\\"); break;
		case '\n': notes_buf_append_str(rc, out, "\\n"); break;
		case '\r': notes_buf_append_str(rc, out, "\\r"); break;
		case '\t': notes_buf_append_str(rc, out, "\\t"); break;
		default: notes_buf_append_char(rc, out, s[i]); break;
		}
	}
}

/* 1-based byte column of off. */
static size_t col_of(const notes_doc *d, size_t off)
{
	size_t c = 1;
	while (off > 0 && d->src[off - 1] != '\n')
		off--, c++;
	return c;
}

/* The report for one parsed note (see the file comment). */
static void describe(notes_status *rc, const notes_doc *d, notes_buf *out)
{
	assert_int_equal(d->body_line, notes_doc_line_of(d, d->body_off));
	assert_true(d->body_off <= d->src_len);
	notes_buf_printf(rc, out, "body_off %zu\nbody_line %d\nlang %s\ndate %s\n",
			 d->body_off, d->body_line, d->lang[0] ? d->lang : "(none)",
			 d->date[0] ? d->date : "(none)");
	for (size_t i = 0; i < d->nkv; i++) {
		const notes_kv *kv = &d->kv[i];
		size_t n = strlen(kv->value);
		assert_true(kv->src < d->src_len);
		assert_int_equal(kv->line, notes_doc_line_of(d, kv->src));
		int exact = kv->src + n <= d->src_len &&
			    memcmp(d->src + kv->src, kv->value, n) == 0;
		notes_buf_printf(rc, out, "kv %s=", kv->key);
		put_escaped(rc, out, kv->value, n);
		notes_buf_printf(rc, out, " @%d:%zu%s\n", kv->line,
				 col_of(d, kv->src), exact ? "" : " (approx)");
	}
	for (size_t i = 0; i < d->nwarn; i++)
		notes_buf_printf(rc, out, "warning %d: %s\n", d->warn[i].line,
				 d->warn[i].msg);

	/* META, one report line per field line, with the place it maps to. */
	const notes_buf *m = &d->field[NOTES_FIELD_META];
	size_t i = 0;
	while (i < m->n) {
		const char *nl = memchr(m->p + i, '\n', m->n - i);
		size_t e = nl ? (size_t)(nl - m->p) : m->n;
		int64_t at = notes_linemap_lookup(&d->map, NOTES_FIELD_META, (uint32_t)i);
		assert_true(at >= 0 && (uint64_t)at < d->src_len);
		int exact = 1;
		for (size_t w = i; w < e;) {
			while (w < e && (m->p[w] == ' ' || m->p[w] == '\t'))
				w++;
			size_t we = w;
			while (we < e && m->p[we] != ' ' && m->p[we] != '\t')
				we++;
			if (we > w) {
				int64_t ws = notes_linemap_lookup(&d->map, NOTES_FIELD_META,
								  (uint32_t)w);
				if (ws < 0 || (uint64_t)ws + (we - w) > d->src_len ||
				    memcmp(d->src + ws, m->p + w, we - w) != 0)
					exact = 0;
			}
			w = we;
		}
		notes_buf_append_str(rc, out, "meta ");
		put_escaped(rc, out, m->p + i, e - i);
		notes_buf_printf(rc, out, " @%d:%zu%s\n",
				 notes_doc_line_of(d, (size_t)at), col_of(d, (size_t)at),
				 exact ? "" : " (approx)");
		i = e + 1;
	}
}

static void run_golden(void **state)
{
	const char *name = *state;
	char path[512], outpath[512];
	snprintf(path, sizeof path, "%s/%s.md", GOLDEN_DIR, name);
	snprintf(outpath, sizeof outpath, "%s/%s.out", GOLDEN_DIR, name);

	size_t n = 0;
	char *src = golden_read(path, &n);
	if (!src)
		fail_msg("cannot read %s", path);

	notes_doc d;
	notes_doc_init(&d);
	notes_doc_reset(&d);
	d.src = src;
	d.src_len = n;
	d.path = path;
	assert_int_equal(notes_frontmatter_parse(&d), NOTES_OK);

	notes_status rc = NOTES_OK;
	notes_buf got = NOTES_BUF_INIT;
	describe(&rc, &d, &got);
	assert_int_equal(rc, NOTES_OK);

	if (golden_compare(outpath, got.p, got.n) != 0)
		fail();
	notes_buf_free(&got);
	notes_doc_free(&d);
	free(src);
}

/* Every NAME.md in the directory is in the list above. */
static void test_all_listed(void **state)
{
	(void)state;
	DIR *dir = opendir(GOLDEN_DIR);
	assert_non_null(dir);
	struct dirent *e;
	size_t nmd = 0;
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
			continue;
		nmd++;
		int listed = 0;
		for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++)
			if (strlen(golden[i]) == n - 3 &&
			    strncmp(golden[i], e->d_name, n - 3) == 0)
				listed = 1;
		if (!listed)
			fail_msg("%s is not listed in test_frontmatter.c", e->d_name);
	}
	closedir(dir);
	assert_int_equal(nmd, sizeof golden / sizeof golden[0]);
}

/* ---- in-memory cases ---------------------------------------------------- */

typedef struct parsed {
	notes_doc d;     /* the result */
	char *src;       /* owned copy of the input */
} parsed;

static void parse_mem(parsed *p, const char *src, size_t n, const char *path)
{
	p->src = malloc(n ? n : 1);
	assert_non_null(p->src);
	memcpy(p->src, src, n);
	notes_doc_init(&p->d);
	notes_doc_reset(&p->d);
	p->d.src = p->src;
	p->d.src_len = n;
	p->d.path = path;
	assert_int_equal(notes_frontmatter_parse(&p->d), NOTES_OK);
}

static void parsed_free(parsed *p)
{
	notes_doc_free(&p->d);
	free(p->src);
}

static int has_warning(const notes_doc *d, int line, const char *prefix)
{
	for (size_t i = 0; i < d->nwarn; i++)
		if (d->warn[i].line == line &&
		    strncmp(d->warn[i].msg, prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/* 40 MB after an opening fence, no closing one: one pass, whole file body. */
static void test_unclosed_huge(void **state)
{
	(void)state;
	size_t n = 40u << 20;
	char *buf = malloc(n);
	assert_non_null(buf);
	memcpy(buf, "---\n", 4);
	memset(buf + 4, 'x', n - 4);   /* one 40 MB line */
	parsed p;
	parse_mem(&p, buf, n, "huge.md");
	assert_int_equal(p.d.body_off, 0);
	assert_int_equal(p.d.body_line, 1);
	assert_int_equal(p.d.nkv, 0);
	assert_int_equal(p.d.nwarn, 1);
	assert_true(has_warning(&p.d, 1, "front matter not closed; indexed as text"));
	parsed_free(&p);

	/* Many short lines, some almost fences. */
	for (size_t i = 4; i + 5 <= n; i += 5)
		memcpy(buf + i, (i / 5) % 2 ? "---x\n" : "...y\n", 5);
	parse_mem(&p, buf, n, "huge.md");
	assert_int_equal(p.d.body_off, 0);
	assert_int_equal(p.d.nwarn, 1);
	parsed_free(&p);
	free(buf);
}

/* A closed block over NOTES_FM_MAX_BYTES is indexed as text. */
static void test_too_large(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	/* 128-byte lines: 8192 fill the block, fewer than the value limit. */
	char line[129];
	memcpy(line, "k: ", 3);
	memset(line + 3, 'v', 124);
	line[127] = '\n';
	line[128] = '\0';
	size_t nlines = 0;
	notes_buf_append_str(&rc, &b, "---\n");
	while (b.n - 4 <= NOTES_FM_MAX_BYTES)
		notes_buf_append_str(&rc, &b, line);
	notes_buf_append_str(&rc, &b, "---\nbody\n");
	assert_int_equal(rc, NOTES_OK);
	parsed p;
	parse_mem(&p, b.p, b.n, "big.md");
	assert_int_equal(p.d.body_off, 0);
	assert_int_equal(p.d.nkv, 0);
	assert_int_equal(p.d.nwarn, 1);
	assert_true(has_warning(&p.d, 1, "front matter too large; indexed as text"));
	parsed_free(&p);

	/* Just under the limit is read. */
	notes_buf_clear(&b);
	notes_buf_append_str(&rc, &b, "---\n");
	while (b.n - 4 + 128 <= NOTES_FM_MAX_BYTES) {
		notes_buf_append_str(&rc, &b, line);
		nlines++;
	}
	notes_buf_append_str(&rc, &b, "---\nbody\n");
	assert_int_equal(rc, NOTES_OK);
	parse_mem(&p, b.p, b.n, "big.md");
	assert_int_equal(p.d.body_off, b.n - 5);
	assert_int_equal(p.d.body_line, (int)nlines + 3);
	assert_int_equal(p.d.nwarn, 0);
	assert_int_equal(p.d.nkv, nlines);
	parsed_free(&p);
	notes_buf_free(&b);
}

/* More than NOTES_FM_MAX_VALUES values: one warning, the first ones kept. */
static void test_too_many_values(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	notes_buf_append_str(&rc, &b, "---\ntags:\n");
	for (int i = 0; i < NOTES_FM_MAX_VALUES + 50; i++)
		notes_buf_printf(&rc, &b, "- t%d\n", i);
	notes_buf_append_str(&rc, &b, "title: never read\n---\n");
	assert_int_equal(rc, NOTES_OK);
	parsed p;
	parse_mem(&p, b.p, b.n, "many.md");
	assert_int_equal(p.d.nkv, NOTES_FM_MAX_VALUES);
	assert_string_equal(p.d.kv[NOTES_FM_MAX_VALUES - 1].value, "t9999");
	assert_int_equal(p.d.kv[NOTES_FM_MAX_VALUES - 1].line, 3 + NOTES_FM_MAX_VALUES - 1);
	assert_int_equal(p.d.nwarn, 1);
	assert_true(has_warning(&p.d, 3 + NOTES_FM_MAX_VALUES,
				"front matter has more than 10000 values"));
	assert_null(notes_doc_kv(&p.d, "title"));
	assert_int_equal(p.d.body_off, b.n);
	parsed_free(&p);
	notes_buf_free(&b);
}

/* Deep nesting: one warning at the level that is too deep, no recursion. */
static void test_too_deep(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	notes_buf_append_str(&rc, &b, "---\nfirst: kept\nx: ");
	for (int i = 0; i < 5000; i++)
		notes_buf_append_char(&rc, &b, '[');
	notes_buf_append_str(&rc, &b, "deep");
	for (int i = 0; i < 5000; i++)
		notes_buf_append_char(&rc, &b, ']');
	notes_buf_append_str(&rc, &b, "\nlast: lost\n---\n");
	assert_int_equal(rc, NOTES_OK);
	parsed p;
	parse_mem(&p, b.p, b.n, "deep.md");
	assert_int_equal(p.d.nkv, 1);
	assert_string_equal(p.d.kv[0].value, "kept");
	assert_int_equal(p.d.nwarn, 1);
	assert_true(has_warning(&p.d, 3, "front matter nested deeper than 64 levels"));
	parsed_free(&p);

	/* Exactly at the limit: top mapping + 62 sequences + the value's list. */
	notes_buf_clear(&b);
	notes_buf_append_str(&rc, &b, "---\nx: ");
	for (int i = 0; i < NOTES_FM_MAX_DEPTH - 1; i++)
		notes_buf_append_char(&rc, &b, '[');
	notes_buf_append_str(&rc, &b, "deep");
	for (int i = 0; i < NOTES_FM_MAX_DEPTH - 1; i++)
		notes_buf_append_char(&rc, &b, ']');
	notes_buf_append_str(&rc, &b, "\n---\n");
	parse_mem(&p, b.p, b.n, "deep.md");
	assert_int_equal(p.d.nwarn, 0);
	assert_int_equal(p.d.nkv, 1);
	assert_string_equal(p.d.kv[0].key, "x");
	assert_string_equal(p.d.kv[0].value, "deep");
	assert_int_equal(p.d.kv[0].src, 7 + NOTES_FM_MAX_DEPTH - 1);
	parsed_free(&p);
	notes_buf_free(&b);
}

/* Long values are cut at 64 KiB on a UTF-8 boundary; long keys at 255 bytes. */
static void test_long_value_and_key(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	notes_buf_append_str(&rc, &b, "---\nsummary: a");
	for (int i = 0; i < 40000; i++)
		notes_buf_append_str(&rc, &b, "\xc3\xa9");   /* é: 2 bytes */
	notes_buf_append_str(&rc, &b, "\nnote: b");
	for (int i = 0; i < 70000; i++)
		notes_buf_append_char(&rc, &b, 'z');
	notes_buf_append_char(&rc, &b, '\n');
	for (int i = 0; i < 300; i++)
		notes_buf_append_char(&rc, &b, 'K');
	notes_buf_append_str(&rc, &b, ": v\n---\n");
	assert_int_equal(rc, NOTES_OK);
	parsed p;
	parse_mem(&p, b.p, b.n, "long.md");
	assert_int_equal(p.d.nkv, 3);
	/* "a" + 32767 x "é" = 65535 bytes: the next é would cross 65536. */
	assert_int_equal(strlen(p.d.kv[0].value), 65535);
	assert_int_equal(strlen(p.d.kv[1].value), 65536);
	assert_int_equal(strlen(p.d.kv[2].key), NOTES_FM_MAX_KEY);
	assert_int_equal(p.d.kv[2].key[0], 'k');
	assert_int_equal(p.d.nwarn, 1);   /* warned once for both values */
	assert_true(has_warning(&p.d, 2, "front matter value longer than 64 KiB truncated"));
	parsed_free(&p);
	notes_buf_free(&b);
}

/* Arbitrary bytes never crash, and the result is always consistent. */
static void test_noise(void **state)
{
	(void)state;
	static const char *const frags[] = {
		"---\n", "...\n", "a: ", "[", "]", "{", "}", "- ", "&x ", "*x",
		"!!str ", "\"", "'", "\\", "|\n", ">\n", "  ", "\n", "\r\n",
		"\xc3\xa9", "tags: a, b", ",", "#c", "? ", ": ", "\t", "date: ",
		"2015-06-02", "\xe2\x80\xa8", "\xc2\x85", "\r", "%YAML 1.1\n",
	};
	unsigned seed = 12345;
	char buf[256];
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = 0;
		memcpy(buf, "---\n", 4);
		n = 4;
		while (n < 200) {
			seed = seed * 1103515245u + 12345u;
			const char *f = frags[(seed >> 16) % (sizeof frags / sizeof frags[0])];
			size_t k = strlen(f);
			memcpy(buf + n, f, k);
			n += k;
		}
		parsed p;
		parse_mem(&p, buf, n, "noise.md");
		assert_true(p.d.body_off <= n);
		assert_int_equal(p.d.body_line, notes_doc_line_of(&p.d, p.d.body_off));
		for (size_t i = 0; i < p.d.nkv; i++) {
			assert_true(p.d.kv[i].src < n);
			assert_int_equal(p.d.kv[i].line,
					 notes_doc_line_of(&p.d, p.d.kv[i].src));
		}
		parsed_free(&p);
	}
}

/* libyaml also breaks lines at CR, NEL, LS and PS; file lines count LF only. */
static void test_yaml_breaks(void **state)
{
	(void)state;
	static const char src[] =
		"---\n"
		"a: one\rb: two\n"                      /* CR alone */
		"c: x\xe2\x80\xa8  y\n"                /* LS inside a value */
		"d: \xc3\xa9t\xc3\xa9\xc2\x85" "e: five\n"  /* NEL between keys */
		"f: \xe2\x80\xa9  six\n"                /* PS before a value */
		"g: last\n"
		"---\n";
	parsed p;
	parse_mem(&p, src, sizeof src - 1, "breaks.md");
	assert_int_equal(p.d.nwarn, 0);
	static const struct {
		const char *key, *value, *at;   /* at: the text the value starts */
		int line;
	} want[] = {
		{"a", "one", "one\r", 2},
		{"b", "two", "two\n", 2},
		{"c", "x\xe2\x80\xa8y", "x\xe2", 3},   /* LS is kept */
		{"d", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9\xc2", 4},
		{"e", "five", "five", 4},
		{"f", "six", "six", 5},
		{"g", "last", "last", 6},
	};
	assert_int_equal(p.d.nkv, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const notes_kv *kv = &p.d.kv[i];
		const char *at = strstr(src, want[i].at);
		assert_non_null(at);
		assert_string_equal(kv->key, want[i].key);
		assert_string_equal(kv->value, want[i].value);
		assert_int_equal(kv->src, (uint32_t)(at - src));
		assert_int_equal(kv->line, want[i].line);
	}
	assert_int_equal(p.d.body_off, sizeof src - 1);
	assert_int_equal(p.d.body_line, 8);
	parsed_free(&p);
}

/* A reset doc can be parsed again (the indexer reuses one doc). */
static void test_reuse(void **state)
{
	(void)state;
	static const char a[] = "---\ntitle: A\ntags: x, y\n---\nbody\n";
	static const char b[] = "no front matter\n";
	notes_doc d;
	notes_doc_init(&d);
	notes_doc_reset(&d);
	d.src = a;
	d.src_len = sizeof a - 1;
	d.path = "notes/2015-01-02.md";
	assert_int_equal(notes_frontmatter_parse(&d), NOTES_OK);
	assert_int_equal(d.nkv, 3);
	assert_string_equal(d.date, "2015-01-02");
	assert_string_equal(d.field[NOTES_FIELD_META].p, "x\ny\n");
	notes_doc_reset(&d);
	d.src = b;
	d.src_len = sizeof b - 1;
	d.path = "b.md";
	assert_int_equal(notes_frontmatter_parse(&d), NOTES_OK);
	assert_int_equal(d.nkv, 0);
	assert_int_equal(d.body_off, 0);
	assert_string_equal(d.date, "");
	assert_int_equal(d.field[NOTES_FIELD_META].n, 0);
	notes_doc_reset(&d);
	d.src = NULL;
	d.src_len = 0;
	d.path = "";
	assert_int_equal(notes_frontmatter_parse(&d), NOTES_OK);
	assert_int_equal(d.body_off, 0);
	assert_int_equal(d.body_line, 1);
	notes_doc_free(&d);
}

int main(void)
{
	enum { NGOLDEN = sizeof golden / sizeof golden[0] };
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_all_listed),
		cmocka_unit_test(test_unclosed_huge),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_too_many_values),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_long_value_and_key),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_yaml_breaks),
		cmocka_unit_test(test_reuse),
	};
	/* One test per fixture, named after it. */
	struct CMUnitTest tests[NGOLDEN + sizeof fixed / sizeof fixed[0]];
	for (size_t i = 0; i < NGOLDEN; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(run_golden, (void *)golden[i]);
		t.name = golden[i];
		tests[i] = t;
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		tests[NGOLDEN + i] = fixed[i];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
