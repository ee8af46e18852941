/* test_zip.c — the stored form of note texts (lib/zip.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "notes/zip.h"

static void round_trip(notes_zip *z, const char *text, size_t n, int want_tag)
{
	notes_status rc = NOTES_OK;
	notes_buf packed = NOTES_BUF_INIT, back = NOTES_BUF_INIT;
	notes_zip_pack(&rc, z, text, n, &packed);
	assert_int_equal(rc, NOTES_OK);
	assert_true(packed.n >= 1);
	assert_int_equal((unsigned char)packed.p[0], want_tag);
	assert_int_equal(notes_zip_unpack(packed.p, packed.n, &back), NOTES_OK);
	assert_int_equal(back.n, n);
	assert_memory_equal(back.p, text, n);
	assert_int_equal(back.p[back.n], '\0');
	/* the same through z's kept decompression context */
	back.n = 0;
	assert_int_equal(notes_zip_unpack_with(z, packed.p, packed.n, &back), NOTES_OK);
	assert_int_equal(back.n, n);
	assert_memory_equal(back.p, text, n);
	notes_buf_free(&packed);
	notes_buf_free(&back);
}

static void test_round_trips(void **state)
{
	(void)state;
	notes_zip *z;
	assert_int_equal(notes_zip_new(&z), NOTES_OK);
	round_trip(z, "", 0, 0);
	round_trip(z, "short title", 11, 0);
	/* text that repeats compresses, and is smaller stored */
	size_t n = 100000;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = "graceful termination of pods\n"[i % 29];
	round_trip(z, big, n, 1);
	notes_status rc = NOTES_OK;
	notes_buf packed = NOTES_BUF_INIT;
	notes_zip_pack(&rc, z, big, n, &packed);
	assert_true(packed.n < n / 10);
	notes_buf_free(&packed);
	/* noise does not: stored as it is */
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (char)(x >> 24);
	}
	round_trip(z, big, n, 0);
	/* embedded NULs survive */
	round_trip(z, "a\0b\0c", 5, 0);
	free(big);
	notes_zip_free(z);
	notes_zip_free(NULL);
}

static void test_damaged(void **state)
{
	(void)state;
	notes_buf out = NOTES_BUF_INIT;
	assert_int_equal(notes_zip_unpack("", 0, &out), NOTES_E_CORRUPT);
	assert_int_equal(notes_zip_unpack(NULL, 3, &out), NOTES_E_CORRUPT);
	assert_int_equal(notes_zip_unpack("\x07zzz", 4, &out), NOTES_E_CORRUPT);
	assert_int_equal(notes_zip_unpack("\x01not a frame", 12, &out), NOTES_E_CORRUPT);

	/* a real frame, truncated or with its bytes flipped */
	notes_zip *z;
	assert_int_equal(notes_zip_new(&z), NOTES_OK);
	char text[4000];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = "kubelet restarts the container "[i % 31];
	notes_status rc = NOTES_OK;
	notes_buf packed = NOTES_BUF_INIT;
	notes_zip_pack(&rc, z, text, sizeof text, &packed);
	assert_int_equal(rc, NOTES_OK);
	assert_int_equal(packed.p[0], 1);
	for (size_t cut = 1; cut < packed.n; cut++) {
		assert_int_equal(notes_zip_unpack(packed.p, cut, &out), NOTES_E_CORRUPT);
		/* a kept context is not left half-way by a refused frame */
		assert_int_equal(notes_zip_unpack_with(z, packed.p, cut, &out), NOTES_E_CORRUPT);
		assert_int_equal(out.n, 0);
		assert_int_equal(notes_zip_unpack_with(z, packed.p, packed.n, &out), NOTES_OK);
		assert_int_equal(out.n, sizeof text);
		assert_memory_equal(out.p, text, sizeof text);
		out.n = 0;
	}
	for (size_t i = 1; i < packed.n; i++) {
		char *bad = malloc(packed.n);
		memcpy(bad, packed.p, packed.n);
		bad[i] ^= 0x55;
		notes_buf got = NOTES_BUF_INIT;
		notes_status st = notes_zip_unpack(bad, packed.n, &got);
		/* either refused, or (a flip zstd cannot see) some text of the
		 * declared size: never a crash, never more than declared */
		assert_true(st == NOTES_E_CORRUPT || (st == NOTES_OK && got.n <= 1u << 20));
		notes_buf_free(&got);
		free(bad);
	}
	/* a damaged header claiming 1 GB in a 16-byte frame: refused without
	 * reserving the gigabyte (it is decompressed step by step) */
	unsigned char liar[] = {1, 0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 1,
				0, 0};
	notes_buf small = NOTES_BUF_INIT;
	assert_int_equal(notes_zip_unpack(liar, sizeof liar, &small), NOTES_E_CORRUPT);
	assert_true(small.cap < (1u << 20));
	notes_buf_free(&small);
	/* a frame that really expands a lot (1 MB of one byte) still comes
	 * back whole through the same path */
	size_t bn = 1u << 20;
	char *same = malloc(bn);
	memset(same, 'x', bn);
	notes_buf bomb = NOTES_BUF_INIT, back = NOTES_BUF_INIT;
	notes_zip_pack(&rc, z, same, bn, &bomb);
	assert_int_equal(rc, NOTES_OK);
	assert_true(bomb.n < 1000);   /* way past the trusted ratio */
	assert_int_equal(notes_zip_unpack(bomb.p, bomb.n, &back), NOTES_OK);
	assert_int_equal(back.n, bn);
	assert_memory_equal(back.p, same, bn);
	back.n = 0;
	assert_int_equal(notes_zip_unpack_with(z, liar, sizeof liar, &back), NOTES_E_CORRUPT);
	assert_int_equal(notes_zip_unpack_with(z, bomb.p, bomb.n, &back), NOTES_OK);
	assert_int_equal(back.n, bn);
	assert_memory_equal(back.p, same, bn);
	notes_buf_free(&bomb);
	notes_buf_free(&back);
	free(same);
	/* a frame header claiming more than NOTES_ZIP_MAX */
	unsigned char huge[] = {1, 0x28, 0xB5, 0x2F, 0xFD, 0xE4, 0, 0, 0, 0, 0, 0, 0, 0x10};
	assert_int_equal(notes_zip_unpack(huge, sizeof huge, &out), NOTES_E_CORRUPT);
	notes_buf_free(&packed);
	notes_buf_free(&out);
	notes_zip_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
