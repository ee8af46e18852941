/*
 * test_core.c — unit tests of the small shared pieces: buffers, UTF-8
 * sanitizing, the source-position map, status names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "notes/buf.h"
#include "notes/linemap.h"
#include "notes/status.h"
#include "notes/utf8.h"

static void test_buf_sticky(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	notes_buf_append_str(&rc, &b, "abc");
	notes_buf_printf(&rc, &b, "-%d-", 42);
	notes_buf_append_char(&rc, &b, 'z');
	assert_int_equal(rc, NOTES_OK);
	assert_string_equal(b.p, "abc-42-z");
	assert_int_equal(b.n, 8);
	/* Once an error is set, appends do nothing. */
	rc = NOTES_E_NOMEM;
	notes_buf_append_str(&rc, &b, "more");
	assert_string_equal(b.p, "abc-42-z");
	notes_buf_clear(&b);
	assert_int_equal(b.n, 0);
	assert_string_equal(b.p, "");
	notes_buf_free(&b);
	assert_null(b.p);
}

static void test_buf_grows(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		notes_buf_append(&rc, &b, "0123456789", 10);
	assert_int_equal(rc, NOTES_OK);
	assert_int_equal(b.n, 1000000);
	assert_memory_equal(b.p + 999990, "0123456789", 10);
	assert_int_equal(b.p[b.n], '\0');
	notes_buf_free(&b);
}

/* notes_buf_append_int writes what printf's %lld writes, at the edges too. */
static void test_array_grow(void **state)
{
	(void)state;
	size_t cap = 0, n = 0;
	int *a = NULL;
	for (int i = 0; i < 1000; i++) {
		int *g = notes_array_grow(a, n, &cap, sizeof *g);
		assert_non_null(g);
		assert_true(cap > n);
		if (n && n < 256)
			assert_ptr_equal(g, a);   /* room left: no move */
		a = g;
		a[n++] = i;
	}
	assert_int_equal(cap, 1024);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(a[i], i);
	/* full, and too large to allocate: NULL, nothing changed */
	size_t big = (size_t)-1 / 2;
	assert_null(notes_array_grow(a, cap, &cap, big));   /* full */
	assert_int_equal(cap, 1024);
	free(a);
}

static void test_buf_append_int(void **state)
{
	(void)state;
	const int64_t v[] = {0, 7, -7, 10, 99, -100, 123456789, INT32_MAX, INT32_MIN,
			     INT64_MAX, INT64_MIN, INT64_MIN + 1};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		notes_status rc = NOTES_OK;
		notes_buf b = NOTES_BUF_INIT;
		char want[32];
		notes_buf_append_str(&rc, &b, "x");
		notes_buf_append_int(&rc, &b, v[i]);
		snprintf(want, sizeof want, "x%lld", (long long)v[i]);
		assert_int_equal(rc, NOTES_OK);
		assert_string_equal(b.p, want);
		notes_buf_free(&b);
	}
	/* sticky: nothing happens once an error is set */
	notes_status rc = NOTES_E_NOMEM;
	notes_buf b = NOTES_BUF_INIT;
	notes_buf_append_int(&rc, &b, 42);
	assert_int_equal(b.n, 0);
	notes_buf_free(&b);
}

static void test_utf8_sanitize(void **state)
{
	(void)state;
	struct { const char *in; const char *out; size_t bad; size_t first; } t[] = {
		{"plain ascii", "plain ascii", 0, 0},
		{"caf\xc3\xa9", "caf\xc3\xa9", 0, 0},
		{"a\xff" "b", "a?b", 1, 1},
		{"\xc3\x28", "?(", 1, 0},                     /* bad continuation */
		{"\xe2\x82", "??", 2, 0},                     /* truncated */
		{"\xc0\xaf", "??", 2, 0},                     /* overlong */
		{"\xed\xa0\x80", "???", 3, 0},                /* surrogate */
		{"\xf4\x90\x80\x80", "????", 4, 0},           /* > U+10FFFF */
		{"\xf0\x9f\x98\x80 ok", "\xf0\x9f\x98\x80 ok", 0, 0},  /* emoji */
		{"\xe5\xae\xb9\xe5\x99\xa8", "\xe5\xae\xb9\xe5\x99\xa8", 0, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char buf[64];
		size_t n = strlen(t[i].in), first = 99;
		memcpy(buf, t[i].in, n + 1);
		size_t bad = notes_utf8_sanitize(buf, n, &first);
		assert_int_equal(bad, t[i].bad);
		assert_string_equal(buf, t[i].out);
		if (bad)
			assert_int_equal(first, t[i].first);
	}
}

static void test_linemap_roundtrip(void **state)
{
	(void)state;
	notes_status rc = NOTES_OK;
	notes_linemap m;
	memset(&m, 0, sizeof m);
	/* body: "hello" from src 100, "world" from src 50 (a title earlier?) */
	notes_linemap_add(&rc, &m, NOTES_FIELD_BODY, 0, 100);
	notes_linemap_add(&rc, &m, NOTES_FIELD_BODY, 3, 103);   /* continues: merged */
	notes_linemap_add(&rc, &m, NOTES_FIELD_BODY, 6, 50);    /* goes backwards */
	notes_linemap_add(&rc, &m, NOTES_FIELD_TITLE, 0, 4);
	notes_linemap_add(&rc, &m, NOTES_FIELD_CODE, 10, 4000000000u);
	assert_int_equal(rc, NOTES_OK);
	assert_int_equal(m.nseg[NOTES_FIELD_BODY], 2);

	notes_buf blob = NOTES_BUF_INIT;
	notes_linemap_encode(&rc, &m, &blob);
	assert_int_equal(rc, NOTES_OK);
	notes_linemap d;
	assert_int_equal(notes_linemap_decode(blob.p, blob.n, &d), NOTES_OK);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		assert_int_equal(d.nseg[f], m.nseg[f]);
		for (size_t i = 0; i < m.nseg[f]; i++) {
			assert_int_equal(d.seg[f][i].off, m.seg[f][i].off);
			assert_int_equal(d.seg[f][i].src, m.seg[f][i].src);
		}
	}
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_BODY, 0), 100);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_BODY, 5), 105);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_BODY, 6), 50);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_BODY, 9), 53);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_TITLE, 2), 6);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_CODE, 9), -1);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_CODE, 12), 4000000002LL);
	assert_int_equal(notes_linemap_lookup(&d, NOTES_FIELD_HEADINGS, 0), -1);
	notes_linemap_free(&d);
	notes_linemap_free(&m);
	notes_buf_free(&blob);
}

static void test_linemap_corrupt(void **state)
{
	(void)state;
	notes_linemap d;
	/* Truncated and absurd blobs are rejected without reading past them. */
	const unsigned char bad1[] = {0x05, 0x01};
	const unsigned char bad2[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	assert_int_equal(notes_linemap_decode(bad1, sizeof bad1, &d), NOTES_E_CORRUPT);
	assert_int_equal(notes_linemap_decode(bad2, sizeof bad2, &d), NOTES_E_CORRUPT);
	assert_int_equal(notes_linemap_decode("", 0, &d), NOTES_E_CORRUPT);
	/* Pseudo-random garbage never crashes. */
	unsigned seed = 12345;
	for (int i = 0; i < 2000; i++) {
		unsigned char buf[32];
		size_t n = (size_t)(i % 32);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[k] = (unsigned char)(seed >> 16);
		}
		if (notes_linemap_decode(buf, n, &d) == NOTES_OK)
			notes_linemap_free(&d);
	}
}

static void test_lang_marker(void **state)
{
	(void)state;
	assert_int_equal(notes_lang_marker_len("\x01" "french\x01" "bonjour", 15), 8);
	assert_int_equal(notes_lang_marker_len("bonjour", 7), 0);
	assert_int_equal(notes_lang_marker_len("\x01\x01x", 3), 0);
	assert_int_equal(notes_lang_marker_len("\x01" "FR\x01", 4), 0);
	assert_int_equal(notes_lang_marker_len("\x01" "french", 7), 0);
}

static void test_status_names(void **state)
{
	(void)state;
	for (int s = NOTES_OK; s <= NOTES_E_RANGE; s++) {
		const char *n = notes_status_str((notes_status)s);
		assert_non_null(n);
		assert_string_not_equal(n, "unknown status");
	}
	assert_string_equal(notes_status_str((notes_status)999), "unknown status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_sticky),
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_append_int),
		cmocka_unit_test(test_array_grow),
		cmocka_unit_test(test_utf8_sanitize),
		cmocka_unit_test(test_linemap_roundtrip),
		cmocka_unit_test(test_linemap_corrupt),
		cmocka_unit_test(test_lang_marker),
		cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
