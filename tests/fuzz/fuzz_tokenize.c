/*
 * fuzz_tokenize.c — the tokenizer (lib/tokenize.c) on any bytes, in every
 * mode, checking its contract (include/notes/tokenize.h):
 *   - [start, end) lies inside the input, start < end;
 *   - starts never go backwards (colocated tokens share their position);
 *   - tokens are non-empty; indexed ones (DOCUMENT, QUERY) at most
 *     NOTES_TOKEN_MAX bytes (an AUX word is its slice of the text, which
 *     may be longer than what it normalizes to);
 *   - DOCUMENT and AUX runs give every position the same offsets
 *     (passages count on it);
 *   - a DOCUMENT run recorded and replayed gives the same tokens.
 * Input: byte 0 picks the mode and the query languages, the rest is text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "notes/tokenize.h"

typedef struct seen {
	int aux;          /* an AUX run */
	int n;           /* text length */
	int last_start;  /* start of the previous token, -1 before the first */
	uint64_t sum;    /* checksum of every token and offset, for replay */
	uint64_t pos_sum; /* checksum of the position-taking tokens' offsets */
	int count;       /* tokens seen */
} seen;

static int check_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	seen *s = ctx;
	if (ntok <= 0 || !tok || (!s->aux && ntok > NOTES_TOKEN_MAX))
		abort();
	if (start < 0 || end > s->n || start >= end)
		abort();
	if (!(tflags & NOTES_TOKEN_COLOCATED))
		s->pos_sum = s->pos_sum * 1000003u + (uint64_t)start * 65537u + (uint64_t)end;
	if (start < s->last_start && !(tflags & NOTES_TOKEN_COLOCATED))
		abort();
	if ((tflags & NOTES_TOKEN_COLOCATED) && s->last_start < 0)
		abort();   /* a synonym of nothing */
	s->last_start = start;
	for (int i = 0; i < ntok; i++)
		s->sum = s->sum * 1099511628211u + (unsigned char)tok[i];
	s->sum = s->sum * 31 + (uint64_t)start * 7 + (uint64_t)end + (uint64_t)tflags;
	s->count++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static notes_tokenizer *t;
	static notes_token_rec *rec;
	if (!t && (notes_tokenizer_new(&t) != NOTES_OK || notes_token_rec_new(&rec) != NOTES_OK))
		abort();
	if (size < 1 || size > (1u << 20))
		return 0;
	static const int modes[] = {
		NOTES_TOKENIZE_DOCUMENT, NOTES_TOKENIZE_AUX, NOTES_TOKENIZE_QUERY,
		NOTES_TOKENIZE_QUERY | NOTES_TOKENIZE_PREFIX,
	};
	static const char *const langs[] = {"en", "en,fr", "fr,de,es", "ja,zh"};
	int mode = modes[data[0] & 3];
	if (notes_tokenizer_set_query_langs(t, langs[(data[0] >> 2) & 3]) != NOTES_OK)
		abort();
	const char *text = (const char *)data + 1;
	int n = (int)size - 1;
	seen s = {mode == NOTES_TOKENIZE_AUX, n, -1, 0, 0, 0};
	if (notes_tokenize(t, mode, text, n, &s, check_cb) != 0)
		abort();
	if (mode == NOTES_TOKENIZE_DOCUMENT || mode == NOTES_TOKENIZE_AUX) {
		int other = mode == NOTES_TOKENIZE_AUX ? NOTES_TOKENIZE_DOCUMENT : NOTES_TOKENIZE_AUX;
		seen o = {other == NOTES_TOKENIZE_AUX, n, -1, 0, 0, 0};
		if (notes_tokenize(t, other, text, n, &o, check_cb) != 0 || o.pos_sum != s.pos_sum)
			abort();
	}
	if (mode == NOTES_TOKENIZE_DOCUMENT && notes_token_rec_record(rec, t, text, n) == 0) {
		seen r = {0, n, -1, 0, 0, 0};
		if (notes_token_rec_replay(rec, text, n, &r, check_cb) != 0 || r.sum != s.sum ||
		    r.count != s.count)
			abort();
	}
	return 0;
}
