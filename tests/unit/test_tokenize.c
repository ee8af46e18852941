/*
 * test_tokenize.c — the tokenizer: golden files (tests/golden/tokenize),
 * the language table, limits, hostile input, and invariants checked on a
 * table of strings and on a few thousand deterministic random strings.
 *
 * Golden files: NAME.in is the raw text, optionally preceded by the lines
 * "# mode: document|query|prefix|aux" and "# langs: en,fr"; NAME.out has one
 * line per token, "POS TOKEN START END" plus " colocated", POS counting the
 * non-colocated tokens from 0.  NOTES_GOLDEN_UPDATE=1 rewrites the .out files.
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
#include <time.h>

#include <utf8proc.h>

#include "notes/buf.h"
#include "notes/tokenize.h"
#include "golden.h"

#define GOLDEN_DIR GOLDEN_ROOT "tokenize"

/* ---- collecting tokens -------------------------------------------------- */

struct tok {
	int flags;                     /* NOTES_TOKEN_COLOCATED or 0 */
	char text[NOTES_TOKEN_MAX + 1];
	int len;
	int start, end;
};

struct toks {
	struct tok *v;
	int n, cap;
	int stop_after;   /* return 99 from the callback after this many; 0 = never */
};

static int collect(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct toks *ts = ctx;

	assert_true(ntok > 0);
	assert_true(ntok <= NOTES_TOKEN_MAX);
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->v = realloc(ts->v, (size_t)ts->cap * sizeof *ts->v);
		assert_non_null(ts->v);
	}
	struct tok *t = &ts->v[ts->n++];
	t->flags = tflags;
	memcpy(t->text, tok, (size_t)ntok);
	t->text[ntok] = '\0';
	t->len = ntok;
	t->start = start;
	t->end = end;
	if (ts->stop_after && ts->n == ts->stop_after)
		return 99;
	return 0;
}

static void toks_free(struct toks *ts)
{
	free(ts->v);
	memset(ts, 0, sizeof *ts);
}

static int run(notes_tokenizer *t, int flags, const char *text, int n, struct toks *out)
{
	memset(out, 0, sizeof *out);
	return notes_tokenize(t, flags, text, n, out, collect);
}

/* ---- checks on one token list ------------------------------------------- */

static int is_word_or_cjk_symbol(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_CO:
		return 1;
	case UTF8PROC_CATEGORY_SO:   /* CJK radicals */
		return c >= 0x2E80 && c <= 0x2FDF;
	default:
		return 0;
	}
}

/* First word code point of the normalization of s[0..n), or -1. */
static int32_t first_normalized(const char *s, int n, int stripmark)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_option_t opt = UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
				UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
	int32_t first = -1;

	if (stripmark)
		opt |= UTF8PROC_STRIPMARK;
	utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)s, n, &out, opt);
	for (utf8proc_ssize_t i = 0; m > 0 && i < m;) {
		int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(out + i, m - i, &c);
		if (l <= 0)
			break;
		if (is_word_or_cjk_symbol(c) && utf8proc_category(c) != UTF8PROC_CATEGORY_SO) {
			first = c;
			break;
		}
		i += l;
	}
	free(out);
	return first;
}

/* Structural checks every token list must pass; returns a message or NULL. */
static const char *check_list(const char *text, int n, const struct toks *ts)
{
	int last_start = -1;

	for (int i = 0; i < ts->n; i++) {
		const struct tok *t = &ts->v[i];
		if (t->len < 1 || t->len > NOTES_TOKEN_MAX)
			return "token length out of range";
		if (!utf8proc_iterate((const utf8proc_uint8_t *)t->text, t->len, &(int32_t){0}))
			return "empty token";
		/* A non-English stem carries its namespace: "french:planifi". */
		utf8proc_ssize_t j = 0;
		const char *colon = memchr(t->text, ':', (size_t)t->len);
		if (colon) {
			for (const char *q = t->text; q < colon; q++)
				if (*q < 'a' || *q > 'z')
					return "bad language namespace";
			if (colon == t->text || colon + 1 == t->text + t->len)
				return "empty namespace or stem";
			j = colon + 1 - t->text;
		}
		for (; j < t->len;) {
			int32_t c;
			utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)t->text + j,
							      t->len - j, &c);
			if (l <= 0)
				return "token is not valid UTF-8";
			if (!is_word_or_cjk_symbol(c))
				return "token holds a non-word character";
			j += l;
		}
		if (t->start < 0 || t->start >= t->end || t->end > n)
			return "offsets out of range";
		if (i == 0 && (t->flags & NOTES_TOKEN_COLOCATED))
			return "first token colocated";
		if (!(t->flags & NOTES_TOKEN_COLOCATED)) {
			if (t->start < last_start)
				return "start offsets decrease";
			last_start = t->start;
		}
		/* The slice starts and ends with a word character... */
		const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text + t->start;
		int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(s, t->end - t->start, &c);
		if (l <= 0 || !is_word_or_cjk_symbol(c))
			return "slice does not start with a word character";
		int k = t->end - 1;
		while (k > t->start && ((unsigned char)text[k] & 0xC0) == 0x80)
			k--;
		l = utf8proc_iterate((const utf8proc_uint8_t *)text + k, t->end - k, &c);
		if (l != t->end - k || !is_word_or_cjk_symbol(c))
			return "slice does not end with a word character";
		/* ... and is the word the token came from. */
		int32_t tc;
		const char *stem = memchr(t->text, ':', (size_t)t->len);
		stem = stem ? stem + 1 : t->text;
		utf8proc_iterate((const utf8proc_uint8_t *)stem, t->len - (stem - t->text), &tc);
		if (first_normalized((const char *)s, t->end - t->start, 1) != tc &&
		    first_normalized((const char *)s, t->end - t->start, 0) != tc)
			return "slice does not normalize to the token's first character";
	}
	return NULL;
}

static int same_tok(const struct tok *a, const struct tok *b)
{
	return a->flags == b->flags && a->len == b->len && a->start == b->start &&
	       a->end == b->end && memcmp(a->text, b->text, (size_t)a->len) == 0;
}

/* Everything that must hold for any text; fails the test with a message. */
static void check_invariants(notes_tokenizer *t, const char *text, int n, const char *what)
{
	struct toks doc, aux, q, p;
	const char *msg = NULL;

	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, text, n, &doc), 0);
	assert_int_equal(run(t, NOTES_TOKENIZE_AUX, text, n, &aux), 0);
	assert_int_equal(run(t, NOTES_TOKENIZE_QUERY, text, n, &q), 0);
	assert_int_equal(run(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, text, n, &p), 0);

	msg = check_list(text, n, &doc);
	if (!msg)
		msg = check_list(text, n, &q);
	if (!msg)
		msg = check_list(text, n, &p);
	/* AUX runs give the DOCUMENT positions with the same offsets (FTS5
	 * maps snippets and instances through them); their token texts are
	 * the words as written (checked below: the slice itself, or for CJK
	 * a normalized character or bigram). */
	for (int i = 0, last = 0; !msg && i < aux.n; i++) {
		const struct tok *a = &aux.v[i];
		struct tok alone = *a;   /* checked as a list of its own */
		alone.flags = 0;
		if (a->start < 0 || a->start >= a->end || a->end > n)
			msg = "AUX offsets out of range";
		else if (i == 0 && (a->flags & NOTES_TOKEN_COLOCATED))
			msg = "AUX first token colocated";
		else if (!(a->flags & NOTES_TOKEN_COLOCATED) && a->start < last)
			msg = "AUX start offsets decrease";
		else if (!(a->len == a->end - a->start &&
			   memcmp(a->text, text + a->start, (size_t)a->len) == 0) &&
			 check_list(text, n, &(struct toks){.v = &alone, .n = 1}))
			msg = "AUX token is neither its slice nor a valid token";
		if (!(a->flags & NOTES_TOKEN_COLOCATED))
			last = a->start;
	}
	for (int i = 0, j = 0; !msg && i < doc.n; i++) {
		if (doc.v[i].flags & NOTES_TOKEN_COLOCATED)
			continue;
		while (j < aux.n && (aux.v[j].flags & NOTES_TOKEN_COLOCATED))
			j++;
		if (j == aux.n)
			msg = "AUX has fewer positions than DOCUMENT";
		else if (aux.v[j].start != doc.v[i].start || aux.v[j].end != doc.v[i].end)
			msg = "AUX and DOCUMENT offsets differ";
		j++;
	}
	for (int j = 0, npos_aux = 0, npos_doc = 0; !msg && j < 1; j++) {
		for (int i = 0; i < aux.n; i++)
			npos_aux += !(aux.v[i].flags & NOTES_TOKEN_COLOCATED);
		for (int i = 0; i < doc.n; i++)
			npos_doc += !(doc.v[i].flags & NOTES_TOKEN_COLOCATED);
		if (npos_aux != npos_doc)
			msg = "AUX and DOCUMENT differ in positions";
	}
	/* With the document's language as the only query language, the query's
	 * positions are exactly the document's (same first token at each). */
	int j = 0;
	for (int i = 0; !msg && i < doc.n; i++) {
		if (doc.v[i].flags & NOTES_TOKEN_COLOCATED)
			continue;
		while (j < q.n && (q.v[j].flags & NOTES_TOKEN_COLOCATED))
			j++;
		if (j == q.n)
			msg = "QUERY has fewer positions than DOCUMENT";
		else if (!same_tok(&doc.v[i], &q.v[j++]))
			msg = "QUERY token differs from DOCUMENT token at the same position";
	}
	for (; !msg && j < q.n; j++)
		if (!(q.v[j].flags & NOTES_TOKEN_COLOCATED))
			msg = "QUERY has more positions than DOCUMENT";
	/* PREFIX: the same positions; the last token is a prefix of the
	 * normalized word and is alone at its position. */
	/* (QUERY may hold colocated stems of other languages after the last
	 * position's first token; PREFIX has only the one token there.) */
	int qlast = q.n - 1;
	while (qlast > 0 && (q.v[qlast].flags & NOTES_TOKEN_COLOCATED))
		qlast--;
	if (!msg && p.n != qlast + 1 && !(p.n == 0 && q.n == 0))
		msg = "PREFIX and QUERY differ in length";
	for (int i = 0; !msg && i < p.n; i++) {
		if (i < p.n - 1 ? !same_tok(&p.v[i], &q.v[i])
				: p.v[i].start != q.v[i].start || p.v[i].end != q.v[i].end ||
				  p.v[i].flags != 0)
			msg = "PREFIX differs from QUERY";
	}
	if (msg) {
		char hex[400];
		int k = 0;
		for (int i = 0; i < n && k < (int)sizeof hex - 4; i++)
			k += snprintf(hex + k, sizeof hex - (size_t)k, "%02x", (unsigned char)text[i]);
		hex[k] = '\0';
		fail_msg("%s: %s (input hex %s)", what, msg, hex);
	}
	toks_free(&doc);
	toks_free(&aux);
	toks_free(&q);
	toks_free(&p);
}

/* ---- golden files --------------------------------------------------------- */

static int golden_one(const char *name)
{
	char path[512];
	size_t n;
	int flags = NOTES_TOKENIZE_DOCUMENT, failed = 0;
	char langs[64] = "en";

	snprintf(path, sizeof path, "%s/%s.in", GOLDEN_DIR, name);
	char *in = golden_read(path, &n);
	assert_non_null(in);
	char *text = in;
	for (;;) {
		char *nl = memchr(text, '\n', n - (size_t)(text - in));
		if (!nl)
			break;
		if (strncmp(text, "# mode: ", 8) == 0) {
			const char *m = text + 8;
			if (strncmp(m, "query", 5) == 0)
				flags = NOTES_TOKENIZE_QUERY;
			else if (strncmp(m, "prefix", 6) == 0)
				flags = NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX;
			else if (strncmp(m, "aux", 3) == 0)
				flags = NOTES_TOKENIZE_AUX;
		} else if (strncmp(text, "# langs: ", 9) == 0) {
			snprintf(langs, sizeof langs, "%.*s", (int)(nl - text - 9), text + 9);
		} else {
			break;
		}
		text = nl + 1;
	}
	int tn = (int)(n - (size_t)(text - in));

	notes_tokenizer *t;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	assert_int_equal(notes_tokenizer_set_query_langs(t, langs), NOTES_OK);
	struct toks ts;
	assert_int_equal(run(t, flags, text, tn, &ts), 0);
	/* (AUX tokens are slices as written: check_invariants covers them.) */
	const char *msg = flags == NOTES_TOKENIZE_AUX ? NULL : check_list(text, tn, &ts);
	if (msg) {
		print_error("%s: %s\n", name, msg);
		failed = 1;
	}

	notes_buf out = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	int pos = -1;
	for (int i = 0; i < ts.n; i++) {
		if (!(ts.v[i].flags & NOTES_TOKEN_COLOCATED))
			pos++;
		notes_buf_printf(&rc, &out, "%d %s %d %d%s\n", pos, ts.v[i].text,
				 ts.v[i].start, ts.v[i].end,
				 (ts.v[i].flags & NOTES_TOKEN_COLOCATED) ? " colocated" : "");
	}
	notes_buf_append(&rc, &out, "", 0);
	assert_int_equal(rc, NOTES_OK);

	snprintf(path, sizeof path, "%s/%s.out", GOLDEN_DIR, name);
	if (golden_compare(path, out.p, out.n) != 0)
		failed = 1;
	notes_buf_free(&out);
	toks_free(&ts);
	notes_tokenizer_free(t);
	free(in);
	return failed;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void **state)
{
	(void)state;
	DIR *d = opendir(GOLDEN_DIR);
	assert_non_null(d);
	char *names[256];
	int n = 0, failed = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 3 && strcmp(e->d_name + l - 3, ".in") == 0 && n < 256)
			names[n++] = strndup(e->d_name, l - 3);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	assert_true(n >= 20);
	for (int i = 0; i < n; i++) {
		failed += golden_one(names[i]);
		free(names[i]);
	}
	assert_int_equal(failed, 0);
}

/* ---- smaller contracts ---------------------------------------------------- */

static void test_lang_stemmer(void **state)
{
	(void)state;
	assert_string_equal(notes_lang_stemmer("en"), "english");
	assert_string_equal(notes_lang_stemmer("en-US"), "english");
	assert_string_equal(notes_lang_stemmer("english"), "english");
	assert_string_equal(notes_lang_stemmer("fr"), "french");
	assert_string_equal(notes_lang_stemmer("fr-FR"), "french");
	assert_string_equal(notes_lang_stemmer("French"), "french");
	assert_string_equal(notes_lang_stemmer("de"), "german");
	assert_string_equal(notes_lang_stemmer("es"), "spanish");
	assert_string_equal(notes_lang_stemmer("it"), "italian");
	assert_string_equal(notes_lang_stemmer("pt_BR"), "portuguese");
	assert_string_equal(notes_lang_stemmer("nl"), "dutch");
	assert_string_equal(notes_lang_stemmer("sv"), "swedish");
	assert_string_equal(notes_lang_stemmer("no"), "norwegian");
	assert_string_equal(notes_lang_stemmer("nb"), "norwegian");
	assert_string_equal(notes_lang_stemmer("da"), "danish");
	assert_string_equal(notes_lang_stemmer("fi"), "finnish");
	assert_string_equal(notes_lang_stemmer("ru"), "russian");
	assert_string_equal(notes_lang_stemmer("hu"), "hungarian");
	assert_string_equal(notes_lang_stemmer("ro"), "romanian");
	assert_string_equal(notes_lang_stemmer("tr"), "turkish");
	assert_null(notes_lang_stemmer("zh"));
	assert_null(notes_lang_stemmer("zh-Hans"));
	assert_null(notes_lang_stemmer("ja"));
	assert_null(notes_lang_stemmer("ko"));
	assert_null(notes_lang_stemmer("xx"));
	assert_null(notes_lang_stemmer(""));
	assert_null(notes_lang_stemmer(NULL));
	assert_null(notes_lang_stemmer("englishenglishenglishenglish"));
}

static void test_version(void **state)
{
	(void)state;
	char want[64];
	snprintf(want, sizeof want, "%d/unicode-%s", NOTES_TOKENIZER_VERSION,
		 utf8proc_unicode_version());
	assert_string_equal(notes_tokenizer_version(), want);
	assert_ptr_equal(notes_tokenizer_version(), notes_tokenizer_version());
}

/* Tokens of text in mode flags as "tok tok/c ..." (c: colocated). */
static char *tokens_str(notes_tokenizer *t, int flags, const char *text)
{
	struct toks ts;
	notes_buf b = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;

	assert_int_equal(run(t, flags, text, (int)strlen(text), &ts), 0);
	for (int i = 0; i < ts.n; i++)
		notes_buf_printf(&rc, &b, "%s%s%s", i ? " " : "", ts.v[i].text,
				 (ts.v[i].flags & NOTES_TOKEN_COLOCATED) ? "/c" : "");
	notes_buf_append(&rc, &b, "", 0);
	assert_int_equal(rc, NOTES_OK);
	toks_free(&ts);
	return b.p;
}

#define ASSERT_TOKENS(t, flags, text, want) do { \
		char *got_ = tokens_str((t), (flags), (text)); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)

static void test_query_langs(void **state)
{
	(void)state;
	notes_tokenizer *t;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	/* Default: English. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "déploiements running Häuser",
		      "deploiement run hauser");
	notes_tokenizer_free(t);
}

static void test_query_langs_list(void **state)
{
	(void)state;
	notes_tokenizer *t;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "running", "run");
	assert_int_equal(notes_tokenizer_set_query_langs(t, " fr , de,xx,fr"), NOTES_OK);
	/* English always first, then French, then German, namespaced; the
	 * unknown and repeated names are ignored. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "Häuser planifiés",
		      "hauser french:haus/c german:haus/c planifi french:planifi/c german:planifies/c");
	assert_int_equal(notes_tokenizer_set_query_langs(t, "xx,zh"), NOTES_OK);
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "running", "run");
	assert_int_equal(notes_tokenizer_set_query_langs(t, NULL), NOTES_OK);
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "running", "run");
	/* Documents ignore the query languages. */
	assert_int_equal(notes_tokenizer_set_query_langs(t, "fr"), NOTES_OK);
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "running", "run");
	notes_tokenizer_free(t);
}

static void test_callback_stop(void **state)
{
	(void)state;
	notes_tokenizer *t;
	struct toks ts = {0};
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	ts.stop_after = 2;
	assert_int_equal(notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, "one two three four",
					18, &ts, collect), 99);
	assert_int_equal(ts.n, 2);
	toks_free(&ts);
	/* The object is usable again after a stop. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "kube-proxy", "kube kubeproxi/c proxi");
	/* Stopping inside a buffered compound and a CJK run. */
	ts.stop_after = 2;
	assert_int_equal(notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, "a-b-c 容器集群",
					(int)strlen("a-b-c 容器集群"), &ts, collect), 99);
	assert_int_equal(ts.n, 2);
	toks_free(&ts);
	ts.stop_after = 3;
	assert_int_equal(notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, "容器集群",
					(int)strlen("容器集群"), &ts, collect), 99);
	assert_int_equal(ts.n, 3);
	toks_free(&ts);
	notes_tokenizer_free(t);
}

static void test_null_and_lengths(void **state)
{
	(void)state;
	notes_tokenizer *t;
	struct toks ts;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, NULL, 0, &ts), 0);
	assert_int_equal(ts.n, 0);
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, "", 0, &ts), 0);
	assert_int_equal(ts.n, 0);
	/* n < 0: NUL-terminated. */
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, "alpha beta", -1, &ts), 0);
	assert_int_equal(ts.n, 2);
	assert_string_equal(ts.v[1].text, "beta");
	toks_free(&ts);
	/* Only the first n bytes are read. */
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, "alpha beta", 3, &ts), 0);
	assert_int_equal(ts.n, 1);
	assert_string_equal(ts.v[0].text, "alp");
	toks_free(&ts);
	assert_int_equal(notes_tokenize(t, 0, "x", 1, NULL, NULL), -NOTES_E_USAGE);
	assert_int_equal(notes_tokenize(NULL, 0, "x", 1, NULL, collect), -NOTES_E_USAGE);
	notes_tokenizer_free(NULL);
	notes_tokenizer_free(t);
}

static void test_limits(void **state)
{
	(void)state;
	notes_tokenizer *t;
	struct toks ts;
	char buf[2048];
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);

	/* 256 bytes kept, 257 dropped without taking a position. */
	memset(buf, 'q', 256);
	memcpy(buf + 256, " ok ", 4);
	memset(buf + 260, 'q', 257);
	memcpy(buf + 517, " end", 4);
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, buf, 521, &ts), 0);
	assert_int_equal(ts.n, 3);
	assert_int_equal(ts.v[0].len, 256);
	assert_string_equal(ts.v[1].text, "ok");
	assert_string_equal(ts.v[2].text, "end");
	assert_int_equal(ts.v[2].flags, 0);
	toks_free(&ts);

	/* 128 two-byte letters: 256 bytes normalized; 129: dropped. */
	int k = 0;
	for (int i = 0; i < 128; i++)
		k += snprintf(buf + k, sizeof buf - (size_t)k, "\xc3\xa9");   /* é -> e */
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, buf, k, &ts), 0);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.v[0].len, 128);   /* accents stripped: 128 x "e" */
	toks_free(&ts);
	k = 0;
	for (int i = 0; i < 257; i++)
		k += snprintf(buf + k, sizeof buf - (size_t)k, "\xc3\xbc");   /* ü -> u */
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, buf, k, &ts), 0);
	assert_int_equal(ts.n, 0);
	toks_free(&ts);

	/* The joined form exists up to 256 bytes: 2 x 128 digits... */
	memset(buf, '1', 128);
	buf[128] = '-';
	memset(buf + 129, '2', 128);
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, buf, 257, &ts), 0);
	assert_int_equal(ts.n, 3);
	assert_int_equal(ts.v[1].flags, NOTES_TOKEN_COLOCATED);
	assert_int_equal(ts.v[1].len, 256);
	assert_int_equal(ts.v[1].start, 0);
	assert_int_equal(ts.v[1].end, 257);
	toks_free(&ts);
	/* ... and not at 257 (the pieces stay). */
	buf[257] = '3';
	assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, buf, 258, &ts), 0);
	assert_int_equal(ts.n, 2);
	assert_int_equal(ts.v[0].flags, 0);
	assert_int_equal(ts.v[1].flags, 0);
	assert_int_equal(ts.v[1].len, 129);
	toks_free(&ts);
	notes_tokenizer_free(t);
}

static void test_modes(void **state)
{
	(void)state;
	notes_tokenizer *t;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	/* CJK: documents get bigrams + unigrams; queries bigrams only. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "容器集", "容器 容/c 器集 器/c 集/c");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "容器集", "容器 器集");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "容", "容");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, "容", "容");
	/* No joined forms in queries. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "PodDisruptionBudget", "pod disrupt budget");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "PodDisruptionBudget",
		      "pod poddisruptionbudget/c disrupt budget");
	/* Prefix: the last word is not stemmed, the others are. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, "scheduled schedul",
		      "schedul schedul");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, "schedules sched",
		      "schedul sched");
	/* ... except that a complete word keeps what its stem shares with it. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, "kubernetes",
		      "kubernet");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, "policy", "polic");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX, "2789", "2789");
	/* Marker in a query: English and that language. */
	assert_int_equal(notes_tokenizer_set_query_langs(t, "en,de"), NOTES_OK);
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "\001fr\001running", "run french:running/c");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "\001zh\001running", "run");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_QUERY, "running", "run german:running/c");
	/* English strips accents before stemming (loan words are typed without
	 * them); French stems first, as its stemmer needs the accents. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "résumés resumes naïvely", "resum resum naiv");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "\001fr\001planifiée planifiés planifié",
		      "planifie french:planifi/c planifi french:planifi/c planifi french:planifi/c");
	/* Document marker: English stems plus the language's, namespaced;
	 * unknown languages are English only. */
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "\001de\001Häuser running",
		      "hauser german:haus/c run german:running/c");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "\001ja\001running", "run");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "\001\001running", "run");
	ASSERT_TOKENS(t, NOTES_TOKENIZE_DOCUMENT, "x\001fr\001running", "x fr run");
	notes_tokenizer_free(t);
}

/* ---- hostile input ---------------------------------------------------------- */

static int count_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	long *n = ctx;
	(void)tflags; (void)tok; (void)ntok; (void)start; (void)end;
	n[tflags & NOTES_TOKEN_COLOCATED]++;
	return 0;
}

static void hostile(notes_tokenizer *t, const char *unit, int reps, long want_pos,
		    long want_coloc)
{
	size_t ul = strlen(unit);
	char *s = malloc(ul * (size_t)reps);
	assert_non_null(s);
	for (int i = 0; i < reps; i++)
		memcpy(s + (size_t)i * ul, unit, ul);
	long n[2] = {0, 0};
	clock_t c0 = clock();
	assert_int_equal(notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, s, (int)(ul * (size_t)reps),
					n, count_cb), 0);
	double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	if (n[0] != want_pos || n[1] != want_coloc)
		fail_msg("\"%s\" x %d: %ld positions, %ld colocated; want %ld, %ld",
			 unit, reps, n[0], n[1], want_pos, want_coloc);
	/* Linear: a few MB take well under a second even with sanitizers. */
	if (secs > 20)
		fail_msg("\"%s\" x %d took %.1f s", unit, reps, secs);
	free(s);
}

static void test_hostile(void **state)
{
	(void)state;
	notes_tokenizer *t;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	int m = 1 << 20;
	hostile(t, "a-", m, m, 0);             /* 1M-piece compound */
	hostile(t, "aB", m, m + 1, 0);         /* a, then m-1 x "ba", then b */
	hostile(t, "x", 4 * m, 0, 0);          /* one 4 MB word: dropped */
	hostile(t, "a'", 2 * m, 0, 0);         /* one 2M-letter word: dropped */
	hostile(t, "\xc3\xa9", m, 0, 0);       /* one 2 MB non-ASCII word */
	hostile(t, "e\xcc\x81", m, 0, 0);      /* 1M letters + 1M marks */
	hostile(t, "\xcc\x81", m, 0, 0);       /* marks only: nothing */
	hostile(t, "\xe9\x9b\x86", m, m - 1, m - 1); /* 1M x the same CJK char (last one
							 * is a duplicate at its position) */
	hostile(t, "\xe9\x9b\x86\xe7\xbe\xa4", m, 2 * m - 1, 2 * m);
	hostile(t, "\xff", 4 * m, 0, 0);       /* invalid bytes */
	hostile(t, "1.", m, m, 0);             /* version-like */
	hostile(t, "ab12_", m, m, 0);
	hostile(t, "Ab ", m, m, 0);
	notes_tokenizer_free(t);
}

/* ---- invariants ------------------------------------------------------------- */

static const char *const invariant_inputs[] = {
	"",
	"a",
	"kube-proxy PodDisruptionBudget HTTPServer snake_case node.js don't",
	"#2789 c++ e-mail 50% x:y k8s v1.14.0 __x__ a--b -a- .a.",
	"Résumé RESUME naïve Ça ﬁle ＡＢＣ Straße ½",
	"Kubernetes集群 容 コンテナ・オーケストレーション ｶﾞｲﾄﾞ 쿠버네티스",
	"\001fr\001les déploiements",
	"\001fr\001",
	"\x01",
	"a\xff\xfe b\xc3 \xed\xa0\x80",
	"👍 emoji🎉ok ❤",
	"O'Brien rock'n'roll it’s 'quoted' don''t",
	"容a容 a容a 容-容 a-容 集\xe3\x82\x99 \xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8",
	"\xef\xbe\x9e\xef\xbe\x9e \xe1\x85\xa1 \xcc\x81x x\xcc\x81",
	"ǅungla ǅ Σίσυφος ΣΊΣΥΦΟΣ",
	"aBcDeFgHiJ ABCdef ABC abc1Def 1a2B3c",
	"x\x7fy",
};

static void test_invariants_table(void **state)
{
	(void)state;
	notes_tokenizer *t;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	for (size_t i = 0; i < sizeof invariant_inputs / sizeof invariant_inputs[0]; i++)
		check_invariants(t, invariant_inputs[i], (int)strlen(invariant_inputs[i]),
				 invariant_inputs[i]);
	/* With an embedded NUL. */
	check_invariants(t, "ab\0cd ef", 8, "embedded NUL");
	notes_tokenizer_free(t);
}

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: deterministic across platforms. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static const char *const fuzz_atoms[] = {
	"a", "b", "z", "A", "B", "Z", "0", "7", "9", "-", "_", ".", "'", "\xe2\x80\x99",
	" ", " ", "\n", "#", "+", ":", "/", "%", "\x01", "\001fr\001", "fr",
	"\xc3\xa9", "\xc3\x89", "\xc3\x9f", "\xef\xac\x81", "\xef\xbc\xa1", "\xcc\x81",
	"\xc2\xbd", "\xe2\x91\xa0", "\xce\xa3", "\xcf\x83",
	"\xe9\x9b\x86", "\xe7\xbe\xa4", "\xe3\x82\xab", "\xe3\x83\xbc", "\xe3\x83\xbb",
	"\xef\xbd\xb6", "\xef\xbe\x9e", "\xed\x95\x9c", "\xe1\x84\x80", "\xe1\x85\xa1",
	"\xe1\x86\xa8", "\xe3\x82\x99", "\xe2\xba\x80", "\xe2\xbc\x80",
	"\xf0\x9f\x91\x8d", "\xe2\x80\x8d", "\xef\xb8\x8f", "\xc2\xad", "\xee\x80\x80",
	"\x80", "\xff", "\xc3", "\xe9\x9b", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
	"",
	"Pod", "HTTP", "Server", "ing", "ed", "ies", "kube", "proxy",
};

static void test_fuzz(void **state)
{
	(void)state;
	notes_tokenizer *t;
	char buf[1024];
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	rng_state = 0x9E3779B97F4A7C15ULL;
	const int natoms = (int)(sizeof fuzz_atoms / sizeof fuzz_atoms[0]);
	for (int iter = 0; iter < 4000; iter++) {
		int n = 0, len = (int)(rng() % 60);
		for (int i = 0; i < len; i++) {
			int a = (int)(rng() % (uint32_t)natoms);
			size_t l = strlen(fuzz_atoms[a]);
			if (iter % 7 == 0 && rng() % 3 == 0) {         /* raw random byte */
				buf[n++] = (char)(rng() & 0xFF);
				continue;
			}
			if (rng() % 64 == 0) {                         /* NUL byte */
				buf[n++] = '\0';
				continue;
			}
			memcpy(buf + n, fuzz_atoms[a], l);
			n += (int)l;
		}
		char what[32];
		snprintf(what, sizeof what, "fuzz #%d", iter);
		check_invariants(t, buf, n, what);
	}
	notes_tokenizer_free(t);
}

/* Two tokenizers interleaved do not disturb each other. */
static void test_independent_objects(void **state)
{
	(void)state;
	notes_tokenizer *a, *b;
	assert_int_equal(notes_tokenizer_new(&a), NOTES_OK);
	assert_int_equal(notes_tokenizer_new(&b), NOTES_OK);
	assert_int_equal(notes_tokenizer_set_query_langs(b, "fr"), NOTES_OK);
	ASSERT_TOKENS(a, NOTES_TOKENIZE_QUERY, "running", "run");
	ASSERT_TOKENS(b, NOTES_TOKENIZE_QUERY, "running", "run french:running/c");
	ASSERT_TOKENS(a, NOTES_TOKENIZE_QUERY, "running", "run");
	notes_tokenizer_free(a);
	notes_tokenizer_free(b);
}

/* A recorded tokenization replays exactly what tokenizing gives, only for
 * the same bytes, and stops when the callback says so. */
static void test_record_replay(void **state)
{
	(void)state;
	static const char *texts[] = {
		"kube-proxy PodDisruptionBudget don't 容器运行时 Résumé", "",
		"\x01" "fr\x01" "les notes planifiées", "x", "snake_case v1.14.0 #2789",
	};
	notes_tokenizer *t;
	notes_token_rec *r;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	assert_int_equal(notes_token_rec_new(&r), NOTES_OK);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *x = texts[i];
		int n = (int)strlen(x);
		struct toks want, got;
		assert_int_equal(run(t, NOTES_TOKENIZE_DOCUMENT, x, n, &want), 0);
		assert_int_equal(notes_token_rec_record(r, t, x, n), 0);
		memset(&got, 0, sizeof got);
		assert_int_equal(notes_token_rec_replay(r, x, n, &got, collect), 0);
		assert_int_equal(got.n, want.n);
		for (int k = 0; k < want.n; k++)
			assert_true(same_tok(&got.v[k], &want.v[k]));
		/* The same bytes elsewhere match; other bytes never do. */
		char *copy = strdup(x);
		struct toks again;
		memset(&again, 0, sizeof again);
		assert_int_equal(notes_token_rec_replay(r, copy, n, &again, collect), 0);
		assert_int_equal(again.n, want.n);
		if (n > 0) {
			copy[n - 1] ^= 1;
			assert_int_equal(notes_token_rec_replay(r, copy, n, &again, collect),
					 -NOTES_E_NOTFOUND);
			assert_int_equal(notes_token_rec_replay(r, x, n - 1, &again, collect),
					 -NOTES_E_NOTFOUND);
		}
		free(copy);
		toks_free(&want);
		toks_free(&got);
		toks_free(&again);
	}
	/* A callback that stops: its value comes back, nothing after it. */
	const char *x = "one two three four";
	assert_int_equal(notes_token_rec_record(r, t, x, (int)strlen(x)), 0);
	struct toks some;
	memset(&some, 0, sizeof some);
	some.stop_after = 2;
	assert_int_equal(notes_token_rec_replay(r, x, (int)strlen(x), &some, collect), 99);
	assert_int_equal(some.n, 2);
	toks_free(&some);
	/* An empty record matches nothing. */
	notes_token_rec *empty;
	assert_int_equal(notes_token_rec_new(&empty), NOTES_OK);
	assert_int_equal(notes_token_rec_replay(empty, "", 0, &some, collect), -NOTES_E_NOTFOUND);
	notes_token_rec_free(empty);
	notes_token_rec_free(r);
	notes_token_rec_free(NULL);
	notes_tokenizer_free(t);
}

/* Words of every kind the tokenizer splits, joins or drops. */
static const char *const mixed_words[] = {
	"kube-proxy", "PodDisruptionBudget", "don't", "容器运行时", "Résumé", "x",
	"snake_case", "#2789", "e\xcc\x81t\xc3\xa9", "HTTPServer", "v1.14.0", "ﾃｽﾄ",
	"a.b-c_d", "IPv6Address", "--", "...", "\xff", "k8s",
};

/* Append to text a deterministic mix of mixed_words (from seed) separated
 * by spaces, tabs and newlines, until it holds at least `bytes`. */
static void mixed_text(notes_buf *text, uint32_t seed, size_t bytes)
{
	notes_status rc = NOTES_OK;
	uint32_t x = seed;
	while (text->n < bytes) {
		x = x * 1103515245u + 12345u;
		notes_buf_append_str(&rc, text,
				     mixed_words[(x >> 16) % (sizeof mixed_words / sizeof mixed_words[0])]);
		notes_buf_append_str(&rc, text, (x >> 8) % 7 == 0 ? "\n" : (x >> 8) % 5 == 0 ? "\t" : " ");
	}
	assert_int_equal(rc, NOTES_OK);
}

/* Tokenizing from a restart point gives the rest of the whole text's
 * tokens: same offsets (shifted), same positions (shifted), DOCUMENT and
 * AUX alike. */
static void test_checkpoints(void **state)
{
	(void)state;
	notes_buf text = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	notes_buf_append_str(&rc, &text, "\x01" "fr\x01");
	mixed_text(&text, 7, 30000);
	notes_tokenizer *t;
	notes_token_rec *r;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	assert_int_equal(notes_token_rec_new(&r), NOTES_OK);
	assert_int_equal(notes_token_rec_record(r, t, text.p, (int)text.n), 0);
	notes_buf ck = NOTES_BUF_INIT;
	notes_token_rec_checkpoints(&rc, r, 100, &ck);
	assert_int_equal(rc, NOTES_OK);

	for (int mode = 0; mode < 2; mode++) {
		int flags = mode ? NOTES_TOKENIZE_AUX : NOTES_TOKENIZE_DOCUMENT;
		struct toks all;
		assert_int_equal(run(t, flags, text.p, (int)text.n, &all), 0);
		const unsigned char *p = (const unsigned char *)ck.p, *end = p + ck.n;
		uint64_t n, dp, db, pos = 0, byte = 0;
		assert_int_equal(notes_varint_get(&p, end, &n), 0);
		assert_true(n >= 20);   /* ~4,000 positions, one point per 100 at least */
		for (uint64_t i = 0; i < n; i++) {
			assert_int_equal(notes_varint_get(&p, end, &dp), 0);
			assert_int_equal(notes_varint_get(&p, end, &db), 0);
			pos += dp;
			byte += db;
			assert_true(dp >= 100 || i == 0);
			char before = text.p[byte - 1];
			assert_true(before == ' ' || before == '\t' || before == '\n');
			struct toks rest;
			assert_int_equal(run(t, flags, text.p + byte, (int)(text.n - byte), &rest), 0);
			/* the whole run's tokens from position pos on */
			int k = 0;
			for (uint64_t at = 0; k < all.n; k++)
				if (!(all.v[k].flags & NOTES_TOKEN_COLOCATED) && at++ == pos)
					break;
			/* AUX: every token alike.  DOCUMENT: the position-taking
			 * tokens alike (a restart does not see the language
			 * marker, so the colocated stems of that language are
			 * missing). */
			int j = 0;
			for (; k < all.n; k++) {
				const struct tok *a = &all.v[k];
				if (!mode && (a->flags & NOTES_TOKEN_COLOCATED))
					continue;
				while (!mode && j < rest.n && (rest.v[j].flags & NOTES_TOKEN_COLOCATED))
					j++;
				assert_true(j < rest.n);
				const struct tok *b = &rest.v[j++];
				assert_int_equal(a->flags, b->flags);
				assert_int_equal(a->start, b->start + (int)byte);
				assert_int_equal(a->end, b->end + (int)byte);
				if (mode)
					assert_true(a->len == b->len && !memcmp(a->text, b->text, (size_t)a->len));
			}
			while (!mode && j < rest.n && (rest.v[j].flags & NOTES_TOKEN_COLOCATED))
				j++;
			assert_int_equal(j, rest.n);
			toks_free(&rest);
		}
		assert_true(p == end);
		toks_free(&all);
	}
	notes_buf_free(&ck);
	notes_buf_free(&text);
	notes_token_rec_free(r);
	notes_tokenizer_free(t);
}

/* Starts of the position-taking tokens of a run, one per position. */
struct starts {
	int *v;        /* v[pos]: byte offset of the token at pos */
	int n, cap;
};

static int collect_start(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct starts *s = ctx;
	(void)tok;
	(void)ntok;
	(void)end;
	if (tflags & NOTES_TOKEN_COLOCATED)
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, (size_t)s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	s->v[s->n++] = start;
	return 0;
}

/* A text over 4 MiB is recorded sparse: never replayed, and its restart
 * points (fewer, at least 64 positions apart) are as valid as dense ones:
 * tokenizing from one gives the whole text's positions from there on. */
static void test_checkpoints_sparse(void **state)
{
	(void)state;
	notes_buf text = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	mixed_text(&text, 11, 5u << 20);
	notes_tokenizer *t;
	notes_token_rec *r;
	assert_int_equal(notes_tokenizer_new(&t), NOTES_OK);
	assert_int_equal(notes_token_rec_new(&r), NOTES_OK);
	assert_int_equal(notes_token_rec_record(r, t, text.p, (int)text.n), 0);
	struct toks none = {0};
	assert_int_equal(notes_token_rec_replay(r, text.p, (int)text.n, &none, collect),
			 -NOTES_E_NOTFOUND);
	assert_int_equal(none.n, 0);
	notes_buf ck = NOTES_BUF_INIT;
	notes_token_rec_checkpoints(&rc, r, 256, &ck);
	assert_int_equal(rc, NOTES_OK);

	struct starts all = {0};
	assert_int_equal(notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, text.p, (int)text.n, &all,
					collect_start), 0);
	const unsigned char *p = (const unsigned char *)ck.p, *end = p + ck.n;
	uint64_t n, dp, db, pos = 0, byte = 0;
	assert_int_equal(notes_varint_get(&p, end, &n), 0);
	assert_true(n >= (uint64_t)all.n / 512);   /* one per 256 positions, give or take */
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(notes_varint_get(&p, end, &dp), 0);
		assert_int_equal(notes_varint_get(&p, end, &db), 0);
		pos += dp;
		byte += db;
		assert_true(dp >= 256 || i == 0);
		assert_true(pos < (uint64_t)all.n);
		assert_int_equal(all.v[pos], (int)byte);
		if (i % 37)
			continue;
		/* From here, a few KiB: the same positions as the whole run. */
		struct starts rest = {0};
		int len = text.n - byte < 4096 ? (int)(text.n - byte) : 4096;
		assert_int_equal(notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, text.p + byte, len, &rest,
						collect_start), 0);
		assert_true(rest.n > 10 || len < 4096);
		for (int j = 0; j + 1 < rest.n && j < 200; j++)
			assert_int_equal(rest.v[j] + (int)byte, all.v[pos + (uint64_t)j]);
		free(rest.v);
	}
	assert_true(p == end);
	free(all.v);
	notes_buf_free(&ck);
	notes_buf_free(&text);
	notes_token_rec_free(r);
	notes_tokenizer_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_lang_stemmer),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_query_langs),
		cmocka_unit_test(test_query_langs_list),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_null_and_lengths),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_invariants_table),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_independent_objects),
		cmocka_unit_test(test_record_replay),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_checkpoints_sparse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
