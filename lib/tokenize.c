/*
 * tokenize.c — the one tokenizer of notes-search (contract: notes/tokenize.h).
 *
 * One left-to-right pass over the text, one character at a time, through a
 * small state machine (outside a word, in a word, just after a connector, just
 * after an apostrophe, in a CJK run).  Word pieces are contiguous byte ranges
 * of the original text, so offsets are exact by construction; each piece is
 * normalized on its own when it ends.  Nothing is ever revisited except a
 * bounded amount of state (at most NOTES_TOKEN_MAX bytes of buffered pieces
 * for the joined form, one CJK character, one pending query token), which
 * keeps the pass linear on any input.
 *
 * This file must not include sqlite3.h: it is compiled the same way into the
 * programs and into the loadable extension.
 */
#include "notes/tokenize.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libstemmer.h>
#include <utf8proc.h>

/* A non-ASCII word piece longer than this many bytes of original text is
 * dropped without being normalized (normalizing it would cost memory in
 * proportion to the piece only to find it is longer than NOTES_TOKEN_MAX). */
#define TOK_RAW_MAX (8 * NOTES_TOKEN_MAX)
/* The same limit for one CJK character with its attached marks. */
#define TOK_CJK_RAW_MAX 64
/* Longest normalized CJK character kept, so that a bigram always fits. */
#define TOK_CJK_NORM_MAX (NOTES_TOKEN_MAX / 2)
/* Query languages remembered by notes_tokenizer_set_query_langs(). */
#define TOK_QLANG_MAX 8
/* Tokens remembered per position to drop duplicates (stems that coincide). */
#define TOK_SLOT_MAX 8
/* Snowball stemmers cached per tokenizer (one per algorithm used). */
#define TOK_STEMMER_MAX 32
/* Pieces of one compound buffered while its joined form may still be
 * emitted: each is at least one byte of the <= NOTES_TOKEN_MAX joined form. */
#define TOK_PIECE_MAX NOTES_TOKEN_MAX

/* Character classes seen by the state machine. */
enum tok_class {
	TC_SEP = 0,  /* separator: punctuation, space, symbols, invalid bytes */
	TC_UPPER,    /* Lu, Lt: cased letter that starts a camelCase piece */
	TC_LOWER,    /* Ll */
	TC_LETTER,   /* Lm, Lo outside CJK: letters without case */
	TC_DIGIT,    /* N* */
	TC_MARK,     /* M*: continues whatever precedes it */
	TC_OTHER,    /* Co (private use): a word character without case */
	TC_CONN,     /* '-', '_', '.': joins two pieces of a compound */
	TC_APOS,     /* ' and U+2019: removed between two letters */
	TC_CJK,      /* a Han / kana / Hangul character */
	TC_CJKATT    /* half-width (semi-)voiced mark, Hangul medial/final jamo:
		      * part of the preceding CJK character, if any */
};

/* States of the scanner. */
enum tok_state {
	TS_NONE = 0, /* between words */
	TS_WORD,     /* inside a compound, last character a word character */
	TS_CONN,     /* inside a compound, just after one connector */
	TS_APOS,     /* inside a compound, just after an apostrophe */
	TS_CJK       /* inside a CJK run */
};

/* Kind of the previous base character, for camelCase splitting. */
enum tok_case { CASE_NONE = 0, CASE_UPPER, CASE_LOWER, CASE_DIGIT };

/* What becomes of a word: stemmed and stripped of accents (TOK_STEM), only
 * stripped (TOK_NOSTEM: numbers), or kept as it is (TOK_CJK). */
enum { TOK_NOSTEM = 0, TOK_STEM = 1, TOK_CJK = 2 };

/* ASCII classes, indexed by byte value. */
static const unsigned char tok_ascii_class[128] = {
	['0'] = TC_DIGIT, ['1'] = TC_DIGIT, ['2'] = TC_DIGIT, ['3'] = TC_DIGIT,
	['4'] = TC_DIGIT, ['5'] = TC_DIGIT, ['6'] = TC_DIGIT, ['7'] = TC_DIGIT,
	['8'] = TC_DIGIT, ['9'] = TC_DIGIT,
	['A'] = TC_UPPER, ['B'] = TC_UPPER, ['C'] = TC_UPPER, ['D'] = TC_UPPER,
	['E'] = TC_UPPER, ['F'] = TC_UPPER, ['G'] = TC_UPPER, ['H'] = TC_UPPER,
	['I'] = TC_UPPER, ['J'] = TC_UPPER, ['K'] = TC_UPPER, ['L'] = TC_UPPER,
	['M'] = TC_UPPER, ['N'] = TC_UPPER, ['O'] = TC_UPPER, ['P'] = TC_UPPER,
	['Q'] = TC_UPPER, ['R'] = TC_UPPER, ['S'] = TC_UPPER, ['T'] = TC_UPPER,
	['U'] = TC_UPPER, ['V'] = TC_UPPER, ['W'] = TC_UPPER, ['X'] = TC_UPPER,
	['Y'] = TC_UPPER, ['Z'] = TC_UPPER,
	['a'] = TC_LOWER, ['b'] = TC_LOWER, ['c'] = TC_LOWER, ['d'] = TC_LOWER,
	['e'] = TC_LOWER, ['f'] = TC_LOWER, ['g'] = TC_LOWER, ['h'] = TC_LOWER,
	['i'] = TC_LOWER, ['j'] = TC_LOWER, ['k'] = TC_LOWER, ['l'] = TC_LOWER,
	['m'] = TC_LOWER, ['n'] = TC_LOWER, ['o'] = TC_LOWER, ['p'] = TC_LOWER,
	['q'] = TC_LOWER, ['r'] = TC_LOWER, ['s'] = TC_LOWER, ['t'] = TC_LOWER,
	['u'] = TC_LOWER, ['v'] = TC_LOWER, ['w'] = TC_LOWER, ['x'] = TC_LOWER,
	['y'] = TC_LOWER, ['z'] = TC_LOWER,
	['-'] = TC_CONN, ['_'] = TC_CONN, ['.'] = TC_CONN,
	['\''] = TC_APOS,
};

/* Language tags (primary subtag, lower case) and Snowball algorithm names. */
static const struct tok_lang {
	const char *tag; /* ISO 639-1 / 639-2 code or English name */
	const char *alg; /* Snowball algorithm */
} tok_langs[] = {
	{"en", "english"}, {"eng", "english"}, {"english", "english"},
	{"porter", "porter"},
	{"fr", "french"}, {"fra", "french"}, {"fre", "french"}, {"french", "french"},
	{"de", "german"}, {"deu", "german"}, {"ger", "german"}, {"german", "german"},
	{"es", "spanish"}, {"spa", "spanish"}, {"spanish", "spanish"},
	{"it", "italian"}, {"ita", "italian"}, {"italian", "italian"},
	{"pt", "portuguese"}, {"por", "portuguese"}, {"portuguese", "portuguese"},
	{"nl", "dutch"}, {"nld", "dutch"}, {"dut", "dutch"}, {"dutch", "dutch"},
	{"sv", "swedish"}, {"swe", "swedish"}, {"swedish", "swedish"},
	{"no", "norwegian"}, {"nb", "norwegian"}, {"nn", "norwegian"},
	{"nor", "norwegian"}, {"nob", "norwegian"}, {"nno", "norwegian"},
	{"norwegian", "norwegian"},
	{"da", "danish"}, {"dan", "danish"}, {"danish", "danish"},
	{"fi", "finnish"}, {"fin", "finnish"}, {"finnish", "finnish"},
	{"ru", "russian"}, {"rus", "russian"}, {"russian", "russian"},
	{"hu", "hungarian"}, {"hun", "hungarian"}, {"hungarian", "hungarian"},
	{"ro", "romanian"}, {"ron", "romanian"}, {"rum", "romanian"},
	{"romanian", "romanian"},
	{"tr", "turkish"}, {"tur", "turkish"}, {"turkish", "turkish"},
	{"ar", "arabic"}, {"ara", "arabic"}, {"arabic", "arabic"},
	{"hy", "armenian"}, {"hye", "armenian"}, {"arm", "armenian"},
	{"armenian", "armenian"},
	{"eu", "basque"}, {"eus", "basque"}, {"baq", "basque"}, {"basque", "basque"},
	{"ca", "catalan"}, {"cat", "catalan"}, {"catalan", "catalan"},
	{"el", "greek"}, {"ell", "greek"}, {"gre", "greek"}, {"greek", "greek"},
	{"hi", "hindi"}, {"hin", "hindi"}, {"hindi", "hindi"},
	{"id", "indonesian"}, {"ind", "indonesian"}, {"indonesian", "indonesian"},
	{"ga", "irish"}, {"gle", "irish"}, {"irish", "irish"},
	{"lt", "lithuanian"}, {"lit", "lithuanian"}, {"lithuanian", "lithuanian"},
	{"ne", "nepali"}, {"nep", "nepali"}, {"nepali", "nepali"},
	{"sr", "serbian"}, {"srp", "serbian"}, {"serbian", "serbian"},
	{"ta", "tamil"}, {"tam", "tamil"}, {"tamil", "tamil"},
	{"yi", "yiddish"}, {"yid", "yiddish"}, {"yiddish", "yiddish"},
};

/* Stem cache: Snowball costs two thirds of the time on real text, and word
 * frequencies are skewed, so a direct-mapped cache of short words pays.
 * Indexing 20k generated notes stems 15.3 M words: 4,096 entries missed
 * 25% of them, 16,384 11%, 65,536 4.4%; 32,768 entries (1.8 MB) cut the
 * indexer's CPU time by ~10%. */
#define TOK_CACHE_SIZE 32768  /* entries, a power of two */
#define TOK_CACHE_MAP ((size_t)2 << 20)  /* bytes mapped for them (tok_cache_new) */
/* ... but a query stems a handful of words: mapping, faulting in and
 * unmapping 1.8 MB would cost it more than the stems. */
#define TOK_CACHE_AFTER 256
#define TOK_CACHE_WORD 22     /* longest word (and stem) cached, in bytes */

struct tok_cache_entry {
	const struct tok_stemmer *sm;  /* stemmer the entry belongs to; NULL = empty */
	unsigned char wlen;            /* bytes in word[] */
	unsigned char slen;            /* bytes in stem[] */
	char word[TOK_CACHE_WORD];     /* the normalized word */
	char stem[TOK_CACHE_WORD];     /* its stem */
};

/* A cached Snowball stemmer. */
struct tok_stemmer {
	const char *alg;        /* algorithm name (static storage) */
	struct sb_stemmer *st;  /* owned */
	int strip_first;        /* strip accents before stemming, not after */
};

/* One buffered piece of a compound (DOCUMENT runs only). */
struct tok_piece {
	int off;     /* offset of the normalized piece in joined[] */
	int len;     /* its length in bytes */
	int start;   /* byte offset of the piece in the original text */
	int end;     /* ... and of its end */
	int stem;    /* TOK_STEM or TOK_NOSTEM */
};

/* The tokenizer: configuration, caches and scratch space, plus the state of
 * the call in progress (reset by every notes_tokenize()). */

struct notes_tokenizer {
	/* ---- configuration (kept across calls) ---- */
	const char *qlang[TOK_QLANG_MAX];  /* query stemmers, static names */
	int nqlang;                        /* entries used in qlang[] */
	struct tok_stemmer stemmer[TOK_STEMMER_MAX]; /* cache, owned */
	int nstemmer;                      /* entries used in stemmer[] */
	struct tok_cache_entry *cache;     /* TOK_CACHE_SIZE entries or NULL;
					    * owned, allocated once
					    * TOK_CACHE_AFTER words were stemmed */
	unsigned nstemmed;                 /* words stemmed before the cache */
	utf8proc_int32_t *ubuf;            /* utf8proc scratch, owned */
	size_t ucap;                       /* code points ubuf can hold */

	/* ---- the current call ---- */
	const char *text;       /* input, borrowed for the call */
	int flags;              /* NOTES_TOKENIZE_* */
	int query;              /* flags has NOTES_TOKENIZE_QUERY */
	void *ctx;              /* callback context */
	notes_token_cb cb;      /* callback */
	int rc;                 /* first non-zero callback rc or -status */
	struct tok_stemmer *lang[TOK_QLANG_MAX]; /* stemmers of this call, in
						  * stemmer[]; lang[0] for documents */
	int nlang;              /* entries in lang[] */

	/* scanner */
	int state;              /* enum tok_state */
	int sub_start;          /* start of the current word piece */
	int last_end;           /* end of the last word character seen */
	int last_letter;        /* last base character was a letter */
	int prev_case;          /* enum tok_case of the last base character */
	int prev2_case;         /* ... and of the one before it */
	int prev_letter_start;  /* start offset of the last base character */
	int cand;               /* offset of a pending HTTPServer-style split,
				 * confirmed by a second lower-case letter; -1 */

	/* the current compound */
	char joined[NOTES_TOKEN_MAX];          /* its pieces, concatenated */
	int joined_len;                        /* bytes used in joined[] */
	struct tok_piece piece[TOK_PIECE_MAX]; /* buffered pieces */
	int npiece;                            /* entries used in piece[] */
	int overflow;           /* joined form impossible; pieces stream out */

	/* the current CJK run */
	int unit_start;         /* start of the CJK character being read */
	int unit_end;           /* its end so far (marks extend it) */
	char prev_unit[TOK_CJK_NORM_MAX]; /* previous normalized character */
	int prev_len;           /* bytes in prev_unit[] */
	int prev_start;         /* offset of the previous character */
	int prev_end;           /* ... and of its end */
	int run_len;            /* characters of the run seen so far */

	/* the current position (slot): tokens emitted there, for dedup */
	char slot_tok[TOK_SLOT_MAX][NOTES_TOKEN_MAX]; /* copies of them */
	int slot_len[TOK_SLOT_MAX]; /* their lengths */
	int slot_n;             /* tokens emitted at the current position */

	/* QUERY|PREFIX: the word held back until we know it is not the last */
	char pend[NOTES_TOKEN_MAX]; /* the normalized word */
	int pend_len;           /* its length; -1 when nothing is pending */
	int pend_start;         /* its offsets in the text */
	int pend_end;           /* ... */
	int pend_stem;          /* TOK_STEM, TOK_NOSTEM or TOK_CJK */

	/* scratch */
	char norm[NOTES_TOKEN_MAX];       /* the piece being normalized */
	char stripped[NOTES_TOKEN_MAX];   /* a token without its accents */
	char pair[2 * TOK_CJK_NORM_MAX];  /* a CJK bigram */
};

/* ---- character classification ------------------------------------------ */

/* Han, kana and Hangul, as listed in the contract. */
static int tok_is_cjk_range(int32_t c)
{
	if (c < 0x1100)
		return 0;
	if (c <= 0x11FF)
		return 1;                                  /* Hangul Jamo */
	if (c < 0x2E80)
		return 0;
	return (c <= 0x2FDF) ||                            /* radicals */
	       c == 0x3005 || c == 0x3007 ||
	       (c >= 0x3021 && c <= 0x3029) ||
	       (c >= 0x3038 && c <= 0x303B) ||
	       (c >= 0x3040 && c <= 0x30FF) ||             /* kana */
	       (c >= 0x3130 && c <= 0x318F) ||             /* Hangul compat. */
	       (c >= 0x31F0 && c <= 0x31FF) ||
	       (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xAC00 && c <= 0xD7AF) ||             /* Hangul syllables */
	       (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF66 && c <= 0xFF9F) ||             /* half-width kana */
	       (c >= 0x20000 && c <= 0x3FFFF);
}

static int tok_is_word_cat(utf8proc_category_t cat)
{
	switch (cat) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_CO:
		return 1;
	default:
		return 0;
	}
}

static int tok_class_of(int32_t c)
{
	if (c == 0x2019)
		return TC_APOS;
	if (c == 0xFF0D || c == 0xFF3F || c == 0xFF0E)
		return TC_CONN;   /* full-width forms of - _ . */
	utf8proc_category_t cat = utf8proc_category(c);
	if (tok_is_cjk_range(c)) {
		/* Sound marks and medial/final jamo belong to the character
		 * before them, so that NFKC can compose the pair. */
		if (c == 0xFF9E || c == 0xFF9F || (c >= 0x1160 && c <= 0x11FF))
			return TC_CJKATT;
		if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
		    cat == UTF8PROC_CATEGORY_ME)
			return TC_MARK;
		/* Radicals are symbols that NFKC maps to ideographs. */
		if (tok_is_word_cat(cat) || cat == UTF8PROC_CATEGORY_SO)
			return TC_CJK;
		return TC_SEP;     /* e.g. U+30FB katakana middle dot */
	}
	switch (cat) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT:
		return TC_UPPER;
	case UTF8PROC_CATEGORY_LL:
		return TC_LOWER;
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
		return TC_LETTER;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return TC_MARK;
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return TC_DIGIT;
	case UTF8PROC_CATEGORY_CO:
		return TC_OTHER;
	default:
		return TC_SEP;
	}
}

static int tok_is_word_class(int cls)
{
	return cls >= TC_UPPER && cls <= TC_OTHER;
}

static int tok_is_letter_class(int cls)
{
	return cls == TC_UPPER || cls == TC_LOWER || cls == TC_LETTER;
}

/* ---- languages and stemmers -------------------------------------------- */

const char *notes_lang_stemmer(const char *lang)
{
	char tag[16];
	size_t n = 0;

	if (!lang)
		return NULL;
	while (lang[n] && lang[n] != '-' && lang[n] != '_') {
		unsigned char c = (unsigned char)lang[n];
		if (n + 1 >= sizeof tag)
			return NULL;
		tag[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
	}
	tag[n] = '\0';
	for (size_t i = 0; i < sizeof tok_langs / sizeof tok_langs[0]; i++) {
		if (strcmp(tok_langs[i].tag, tag) != 0)
			continue;
		/* Only what this libstemmer build really has. */
		for (const char **l = sb_stemmer_list(); *l; l++)
			if (strcmp(*l, tok_langs[i].alg) == 0)
				return tok_langs[i].alg;
		return NULL;
	}
	return NULL;
}

static pthread_once_t tok_version_once = PTHREAD_ONCE_INIT;
static char tok_version_str[64];

static void tok_version_init(void)
{
	snprintf(tok_version_str, sizeof tok_version_str, "%d/unicode-%s",
		 NOTES_TOKENIZER_VERSION, utf8proc_unicode_version());
}

const char *notes_tokenizer_version(void)
{
	pthread_once(&tok_version_once, tok_version_init);
	return tok_version_str;
}

notes_status notes_tokenizer_new(notes_tokenizer **out)
{
	notes_tokenizer *t = calloc(1, sizeof *t);

	*out = NULL;
	if (!t)
		return NOTES_E_NOMEM;
	t->qlang[0] = "english";
	t->nqlang = 1;
	t->ucap = 4 * NOTES_TOKEN_MAX;
	t->ubuf = malloc(t->ucap * sizeof *t->ubuf + 4);
	if (!t->ubuf) {
		free(t);
		return NOTES_E_NOMEM;
	}
	*out = t;
	return NOTES_OK;
}

void notes_tokenizer_free(notes_tokenizer *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nstemmer; i++)
		sb_stemmer_delete(t->stemmer[i].st);
	if (t->cache)
		munmap(t->cache, TOK_CACHE_MAP);
	free(t->ubuf);
	free(t);
}

notes_status notes_tokenizer_set_query_langs(notes_tokenizer *t, const char *langs)
{
	const char *got[TOK_QLANG_MAX];
	int n = 0;

	if (!t)
		return NOTES_E_USAGE;
	if (!langs)
		langs = "en";
	/* Every document carries English stems, so every query does too,
	 * first; the other languages follow, namespaced. */
	got[n++] = "english";
	for (const char *p = langs; *p;) {
		char name[32];
		size_t k = 0;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ',') {
			if (*p != ' ' && *p != '\t' && k + 1 < sizeof name)
				name[k++] = *p;
			p++;
		}
		name[k] = '\0';
		const char *alg = k ? notes_lang_stemmer(name) : NULL;
		int dup = 0;
		for (int i = 0; alg && i < n; i++)
			dup |= strcmp(got[i], alg) == 0;
		if (alg && !dup && n < TOK_QLANG_MAX)
			got[n++] = alg;
	}
	memcpy(t->qlang, got, (size_t)n * sizeof got[0]);
	t->nqlang = n;
	return NOTES_OK;
}

/* The cached stemmer for algorithm alg, created on first use; NULL when out
 * of memory. */
static struct tok_stemmer *tok_stemmer_get(notes_tokenizer *t, const char *alg)
{
	for (int i = 0; i < t->nstemmer; i++)
		if (strcmp(t->stemmer[i].alg, alg) == 0)
			return &t->stemmer[i];
	if (t->nstemmer == TOK_STEMMER_MAX)
		return NULL;   /* cannot happen: there are fewer algorithms */
	struct sb_stemmer *st = sb_stemmer_new(alg, "UTF_8");
	if (!st)
		return NULL;
	struct tok_stemmer *sm = &t->stemmer[t->nstemmer++];
	sm->alg = alg;
	sm->st = st;
	/* English words carry accents only as loans (résumé, naïve), which
	 * users type without them: strip, then stem.  The other stemmers
	 * expect their language's accents (planifiée -> planifi): stem, then
	 * strip. */
	sm->strip_first = strcmp(alg, "english") == 0 || strcmp(alg, "porter") == 0;
	return sm;
}

/* The stem cache is read at a random entry for every word stemmed: on 4 KB
 * pages most lookups miss the TLB as well as the cache (75% of the time
 * spent in tok_stem, while indexing, was that load).  So it gets a 2 MB
 * block of its own, aligned, which the kernel may back with one huge page
 * (transparent huge pages in "madvise" mode, as here).  Zeroed: every
 * entry empty.  NULL when out of memory. */
_Static_assert(TOK_CACHE_SIZE * sizeof(struct tok_cache_entry) <= TOK_CACHE_MAP,
	       "the stem cache fits its block");

static struct tok_cache_entry *tok_cache_new(void)
{
	char *p = mmap(NULL, 2 * TOK_CACHE_MAP, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	size_t head = (TOK_CACHE_MAP - (uintptr_t)p % TOK_CACHE_MAP) % TOK_CACHE_MAP;
	if (head)
		munmap(p, head);
	munmap(p + head + TOK_CACHE_MAP, TOK_CACHE_MAP - head);
	(void)madvise(p + head, TOK_CACHE_MAP, MADV_HUGEPAGE);   /* a hint */
	return (struct tok_cache_entry *)(p + head);
}

/* Stem tok[0..len) with sm; NULL (and t->rc set) when out of memory.  The
 * result is valid until the next call. */
static const char *tok_stem(notes_tokenizer *t, struct tok_stemmer *sm,
			    const char *tok, int len, int *out_len)
{
	struct tok_cache_entry *ce = NULL;

	if (len <= TOK_CACHE_WORD) {
		if (!t->cache && ++t->nstemmed > TOK_CACHE_AFTER)
			t->cache = tok_cache_new();
		if (t->cache) {   /* without it, just slower */
			uint32_t h = 2166136261u;
			for (int i = 0; i < len; i++)
				h = (h ^ (unsigned char)tok[i]) * 16777619u;
			h ^= (uint32_t)(sm - t->stemmer) * 0x9E3779B1u;
			ce = &t->cache[(h ^ (h >> 15)) & (TOK_CACHE_SIZE - 1)];
			if (ce->sm == sm && ce->wlen == len &&
			    memcmp(ce->word, tok, (size_t)len) == 0) {
				*out_len = ce->slen;
				return ce->stem;
			}
		}
	}
	const sb_symbol *r = sb_stemmer_stem(sm->st, (const sb_symbol *)tok, len);
	if (!r) {
		t->rc = -NOTES_E_NOMEM;
		return NULL;
	}
	*out_len = sb_stemmer_length(sm->st);
	if (ce && *out_len <= TOK_CACHE_WORD) {
		ce->sm = sm;
		ce->wlen = (unsigned char)len;
		ce->slen = (unsigned char)*out_len;
		memcpy(ce->word, tok, (size_t)len);
		memcpy(ce->stem, r, (size_t)*out_len);
	}
	return (const char *)r;
}

static int tok_all_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* ---- normalization -------------------------------------------------------- */

/* Map p[0..n) (valid UTF-8) through utf8proc with `opt` into t->ubuf, as
 * UTF-8; returns its length, -1 when out of memory (t->rc set), -2 on a
 * utf8proc error (cannot happen on valid UTF-8). */
static utf8proc_ssize_t tok_utf8proc(notes_tokenizer *t, const unsigned char *p,
				     int n, utf8proc_option_t opt)
{
	utf8proc_ssize_t m;

	for (;;) {
		m = utf8proc_decompose(p, n, t->ubuf, (utf8proc_ssize_t)t->ucap, opt);
		if (m < 0)
			return -2;
		if ((size_t)m <= t->ucap)
			break;
		/* +4: utf8proc_reencode() writes a terminating NUL. */
		utf8proc_int32_t *nb = realloc(t->ubuf, (size_t)m * sizeof *nb + 4);
		if (!nb) {
			t->rc = -NOTES_E_NOMEM;
			return -1;
		}
		t->ubuf = nb;
		t->ucap = (size_t)m;
	}
	m = utf8proc_reencode(t->ubuf, m, opt);
	return m < 0 ? -2 : m;
}

/* tok[0..len) without its marks (accents), into t->stripped unless there is
 * nothing to strip.  Sets *out_len; NULL when out of memory. */
static const char *tok_strip(notes_tokenizer *t, const char *tok, int len, int *out_len)
{
	int i = 0;

	while (i < len && (unsigned char)tok[i] < 0x80)
		i++;
	*out_len = len;
	if (i == len)
		return tok;
	utf8proc_ssize_t m = tok_utf8proc(t, (const unsigned char *)tok, len,
					  UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
	if (m == -1)
		return NULL;
	if (m < 0 || m > NOTES_TOKEN_MAX)
		return tok;   /* cannot happen: stripping only shortens */
	memcpy(t->stripped, t->ubuf, (size_t)m);
	*out_len = (int)m;
	return t->stripped;
}

/* The indexed form of the normalized word tok[0..len) for stemmer sm (NULL:
 * not stemmed): stemmed and stripped of accents, in the order sm wants.
 * Valid until the next call; NULL when out of memory. */
static const char *tok_form(notes_tokenizer *t, struct tok_stemmer *sm,
			    const char *tok, int len, int *out_len)
{
	const char *r;

	if (!sm)
		return tok_strip(t, tok, len, out_len);
	if (sm->strip_first) {
		r = tok_strip(t, tok, len, &len);
		return r ? tok_stem(t, sm, r, len, out_len) : NULL;
	}
	r = tok_stem(t, sm, tok, len, &len);
	return r ? tok_strip(t, r, len, out_len) : NULL;
}

/* Normalize text[s, e) into t->norm: NFKC, case fold, no default-ignorable
 * characters, only word characters kept; marks are kept too (accents are
 * stripped later, see tok_form()).  Returns the length, or -1 when the result
 * would exceed NOTES_TOKEN_MAX bytes or the text `max` bytes (non-ASCII). */
static int tok_normalize(notes_tokenizer *t, int s, int e, int max)
{
	const unsigned char *p = (const unsigned char *)t->text + s;
	int n = e - s, k = 0, i;

	/* ASCII: lower-case letters and digits, drop apostrophes. */
	for (i = 0; i < n && p[i] < 0x80; i++) {
		unsigned char c = p[i];
		if (tok_ascii_class[c] == TC_UPPER)
			c = (unsigned char)(c + ('a' - 'A'));
		else if (tok_ascii_class[c] != TC_LOWER && tok_ascii_class[c] != TC_DIGIT)
			continue;
		if (k == NOTES_TOKEN_MAX)
			return -1;
		t->norm[k++] = (char)c;
	}
	if (i == n)
		return k;
	if (n > max)
		return -1;

	utf8proc_ssize_t m = tok_utf8proc(t, p, n, UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
					  UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
	if (m < 0)
		return m == -2 ? 0 : -1;
	const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)t->ubuf;
	int base = 0;   /* seen a word character that is not a mark */
	k = 0;
	for (utf8proc_ssize_t j = 0; j < m;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(u + j, m - j, &c);
		if (l <= 0)
			break;
		j += l;
		if (c < 0x80) {
			if (tok_ascii_class[c] < TC_UPPER || tok_ascii_class[c] > TC_DIGIT)
				continue;
			base = 1;
		} else {
			utf8proc_category_t cat = utf8proc_category(c);
			if (!tok_is_word_cat(cat))
				continue;
			base |= cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC &&
				cat != UTF8PROC_CATEGORY_ME;
		}
		if (k + l > NOTES_TOKEN_MAX)
			return -1;
		memcpy(t->norm + k, u + j - l, (size_t)l);
		k += (int)l;
	}
	/* Marks alone are nothing once accents are stripped. */
	return base ? k : 0;
}

/* ---- emitting ------------------------------------------------------------ */

/* Start a new position: the next token emitted is not colocated. */
static void tok_slot_begin(notes_tokenizer *t)
{
	t->slot_n = 0;
}

/* Emit a token at the current position: the first one there normally, the
 * others colocated; duplicates and over-long tokens are dropped (the latter
 * do not open the position). */
static void tok_slot_emit(notes_tokenizer *t, const char *tok, int len,
			  int start, int end)
{
	if (t->rc || len <= 0 || len > NOTES_TOKEN_MAX)
		return;
	int k = t->slot_n < TOK_SLOT_MAX ? t->slot_n : TOK_SLOT_MAX;
	for (int i = 0; i < k; i++)
		if (t->slot_len[i] == len && memcmp(t->slot_tok[i], tok, (size_t)len) == 0)
			return;
	int tflags = t->slot_n ? NOTES_TOKEN_COLOCATED : 0;
	if (t->slot_n < TOK_SLOT_MAX) {
		memcpy(t->slot_tok[t->slot_n], tok, (size_t)len);
		t->slot_len[t->slot_n] = len;
		tok = t->slot_tok[t->slot_n];
	}
	t->slot_n++;
	int rc = t->cb(t->ctx, tflags, tok, len, start, end);
	if (rc)
		t->rc = rc;
}

/* Emit the forms of the normalized word tok (see tok_form()) at a new
 * position: one per language of the call, or the word itself for CJK and
 * numbers.  For the last word of a QUERY|PREFIX run (last != 0) emit one token
 * only: the longest common prefix of the unstemmed word and its stems, so
 * that a complete word followed by '*' still finds its stemmed forms. */
static void tok_word_slot(notes_tokenizer *t, const char *tok, int len,
			  int start, int end, int stem, int last)
{
	const char *f;
	int n;

	tok_slot_begin(t);
	if (stem == TOK_CJK) {
		tok_slot_emit(t, tok, len, start, end);
		return;
	}
	if (stem == TOK_NOSTEM || last) {
		char word[NOTES_TOKEN_MAX];
		int wlen;
		if (!(f = tok_form(t, NULL, tok, len, &wlen)))
			return;
		memcpy(word, f, (size_t)wlen);
		int common = wlen;
		for (int i = 0; last && stem == TOK_STEM && i < t->nlang; i++) {
			if (!(f = tok_form(t, t->lang[i], tok, len, &n)))
				return;
			int k = 0;
			while (k < common && k < n && f[k] == word[k])
				k++;
			common = k;
		}
		/* Cut on a character boundary. */
		while (common > 0 && common < wlen && (word[common] & 0xC0) == 0x80)
			common--;
		tok_slot_emit(t, word, common ? common : wlen, start, end);
		return;
	}
	for (int i = 0; i < t->nlang && !t->rc; i++) {
		f = tok_form(t, t->lang[i], tok, len, &n);
		if (!f)
			continue;
		if (strcmp(t->lang[i]->alg, "english") == 0) {
			tok_slot_emit(t, f, n, start, end);
			continue;
		}
		/* Other languages' stems live in their own namespace
		 * ("french:not"), so that an English query word never meets
		 * the French stem of another word ("note" -> "not").  ':'
		 * never occurs in a plain token. */
		char ns[NOTES_TOKEN_MAX + 1];
		size_t al = strlen(t->lang[i]->alg);
		if (al + 1 + (size_t)n > NOTES_TOKEN_MAX)
			continue;
		memcpy(ns, t->lang[i]->alg, al);
		ns[al] = ':';
		memcpy(ns + al + 1, f, (size_t)n);
		tok_slot_emit(t, ns, (int)(al + 1 + (size_t)n), start, end);
	}
}

/* A word (piece or CJK token) is final: emit it, or in QUERY|PREFIX runs
 * hold it back until the next one shows it was not the last. */
static void tok_word(notes_tokenizer *t, const char *tok, int len, int start,
		     int end, int stem)
{
	if (t->rc || len <= 0)
		return;
	if ((t->flags & NOTES_TOKENIZE_PREFIX) && t->query) {
		if (t->pend_len >= 0)
			tok_word_slot(t, t->pend, t->pend_len, t->pend_start,
				      t->pend_end, t->pend_stem, 0);
		memcpy(t->pend, tok, (size_t)len);
		t->pend_len = len;
		t->pend_start = start;
		t->pend_end = end;
		t->pend_stem = stem;
		return;
	}
	tok_word_slot(t, tok, len, start, end, stem, 0);
}

/* ---- compounds ------------------------------------------------------------ */

/* Emit the buffered pieces one position each, without a joined form. */
static void tok_pieces_flush(notes_tokenizer *t)
{
	for (int i = 0; i < t->npiece; i++) {
		struct tok_piece *pc = &t->piece[i];
		tok_word(t, t->joined + pc->off, pc->len, pc->start, pc->end, pc->stem);
	}
	t->npiece = 0;
}

/* AUX runs: the piece text[s, e) takes a position, as it is. */
static void tok_aux_emit(notes_tokenizer *t, int s, int e)
{
	int rc = t->cb(t->ctx, 0, t->text + s, e - s, s, e);
	if (rc)
		t->rc = rc;
}

/* The piece text[s, e) of the current compound has ended. */
static void tok_piece_end(notes_tokenizer *t, int s, int e)
{
	if (t->rc || e <= s)
		return;
	if ((t->flags & NOTES_TOKENIZE_AUX) && !t->query) {
		/* Auxiliary runs need positions and offsets only: every piece
		 * takes its own position whatever compound holds it (a joined
		 * form would be colocated), so pieces go out at once, and an
		 * ASCII piece that fits is a token without normalizing it (it
		 * cannot normalize to nothing, nor grow). */
		const unsigned char *p = (const unsigned char *)t->text + s;
		int k = 0;
		if (e - s <= NOTES_TOKEN_MAX)
			while (k < e - s && p[k] < 0x80)
				k++;
		if (k == e - s || tok_normalize(t, s, e, TOK_RAW_MAX) > 0)
			tok_aux_emit(t, s, e);
		return;
	}
	int len = tok_normalize(t, s, e, TOK_RAW_MAX);
	if (len == 0)
		return;
	if (t->query) {
		if (len > 0)
			tok_word(t, t->norm, len, s, e,
				 tok_all_digits(t->norm, len) ? TOK_NOSTEM : TOK_STEM);
		return;
	}
	if (!t->overflow && len > 0 && t->joined_len + len <= NOTES_TOKEN_MAX &&
	    t->npiece < TOK_PIECE_MAX) {
		struct tok_piece *pc = &t->piece[t->npiece++];
		pc->off = t->joined_len;
		pc->len = len;
		pc->start = s;
		pc->end = e;
		pc->stem = tok_all_digits(t->norm, len) ? TOK_NOSTEM : TOK_STEM;
		memcpy(t->joined + t->joined_len, t->norm, (size_t)len);
		t->joined_len += len;
		return;
	}
	/* Too long for a joined form: stream from now on. */
	if (!t->overflow) {
		t->overflow = 1;
		tok_pieces_flush(t);
	}
	if (len > 0)
		tok_word(t, t->norm, len, s, e,
			 tok_all_digits(t->norm, len) ? TOK_NOSTEM : TOK_STEM);
}

/* The compound has ended: emit what is buffered, with the joined form
 * colocated with the first piece when there are two pieces or more. */
static void tok_compound_end(notes_tokenizer *t)
{
	if (!t->overflow && t->npiece >= 2 && !t->rc) {
		struct tok_piece *first = &t->piece[0];
		int end = t->piece[t->npiece - 1].end;
		tok_word(t, t->joined, first->len, first->start, first->end, first->stem);
		int n;
		const char *f = tok_form(t, tok_all_digits(t->joined, t->joined_len) ?
					 NULL : t->lang[0], t->joined, t->joined_len, &n);
		if (f)
			tok_slot_emit(t, f, n, first->start, end);
		for (int i = 1; i < t->npiece; i++) {
			struct tok_piece *pc = &t->piece[i];
			tok_word(t, t->joined + pc->off, pc->len, pc->start, pc->end, pc->stem);
		}
		t->npiece = 0;
	} else {
		tok_pieces_flush(t);
	}
	t->joined_len = 0;
	t->overflow = 0;
}

/* Begin a new piece at offset s (camelCase state starts afresh). */
static void tok_sub_begin(notes_tokenizer *t, int s)
{
	t->sub_start = s;
	t->prev_case = CASE_NONE;
	t->prev2_case = CASE_NONE;
	t->prev_letter_start = s;
	t->cand = -1;
	t->last_letter = 0;
}

/* A word character text[s, e) of class cls continues the compound.
 *
 * camelCase: a piece splits before an upper-case letter that follows a
 * lower-case one (podDisruption), and before the last of several upper-case
 * letters, or an upper-case letter after a digit, when two lower-case letters
 * follow it (HTTPServer, IPv6Address; but APIs, IDs, IPv6 stay whole).  Never
 * between letters and digits (k8s, sha256). */
static void tok_word_char(notes_tokenizer *t, int cls, int s, int e)
{
	if (cls == TC_MARK) {   /* belongs to the character before it */
		t->last_end = e;
		return;
	}
	if (cls == TC_LOWER && t->cand >= 0) {
		int at = t->cand;
		tok_piece_end(t, t->sub_start, at);
		tok_sub_begin(t, at);
		t->prev_case = CASE_LOWER;
	}
	t->cand = -1;
	switch (cls) {
	case TC_UPPER:
		if (t->prev_case == CASE_LOWER) {
			tok_piece_end(t, t->sub_start, s);
			tok_sub_begin(t, s);
		}
		t->prev2_case = t->prev_case;
		t->prev_case = CASE_UPPER;
		t->last_letter = 1;
		break;
	case TC_LOWER:
		if (t->prev_case == CASE_UPPER && t->prev_letter_start > t->sub_start &&
		    (t->prev2_case == CASE_UPPER || t->prev2_case == CASE_DIGIT))
			t->cand = t->prev_letter_start;
		t->prev2_case = t->prev_case;
		t->prev_case = CASE_LOWER;
		t->last_letter = 1;
		break;
	case TC_LETTER:
		t->prev2_case = t->prev_case;
		t->prev_case = CASE_NONE;
		t->last_letter = 1;
		break;
	case TC_DIGIT:
		t->prev2_case = t->prev_case;
		t->prev_case = CASE_DIGIT;
		t->last_letter = 0;
		break;
	default:        /* private use */
		t->prev2_case = t->prev_case;
		t->prev_case = CASE_NONE;
		t->last_letter = 0;
		break;
	}
	t->prev_letter_start = s;
	t->last_end = e;
}

static void tok_word_end(notes_tokenizer *t)
{
	tok_piece_end(t, t->sub_start, t->last_end);
	tok_compound_end(t);
}

/* ---- CJK runs ------------------------------------------------------------- */

/* The CJK character text[unit_start, unit_end) is complete. */
static void tok_cjk_unit_end(notes_tokenizer *t)
{
	int s = t->unit_start, e = t->unit_end;

	if (t->rc)
		return;
	int len = tok_normalize(t, s, e, TOK_CJK_RAW_MAX);
	if (len <= 0 || len > TOK_CJK_NORM_MAX)
		return;   /* nothing left (or absurdly long): not part of the run */
	if (t->run_len > 0) {
		memcpy(t->pair, t->prev_unit, (size_t)t->prev_len);
		memcpy(t->pair + t->prev_len, t->norm, (size_t)len);
		if (t->query) {
			tok_word(t, t->pair, t->prev_len + len, t->prev_start, e,
				 TOK_CJK);
		} else {
			tok_slot_begin(t);
			tok_slot_emit(t, t->pair, t->prev_len + len, t->prev_start, e);
			tok_slot_emit(t, t->prev_unit, t->prev_len, t->prev_start,
				      t->prev_end);
		}
	}
	memcpy(t->prev_unit, t->norm, (size_t)len);
	t->prev_len = len;
	t->prev_start = s;
	t->prev_end = e;
	t->run_len++;
}

/* The CJK run has ended: its last character is still to be emitted. */
static void tok_cjk_run_end(notes_tokenizer *t)
{
	if (t->run_len == 1) {
		if (t->query) {
			tok_word(t, t->prev_unit, t->prev_len, t->prev_start,
				 t->prev_end, TOK_CJK);
		} else {
			tok_slot_begin(t);
			tok_slot_emit(t, t->prev_unit, t->prev_len, t->prev_start,
				      t->prev_end);
		}
	} else if (t->run_len > 1 && !t->query) {
		/* Colocated with the last bigram, so that a run of L characters
		 * takes L-1 positions in documents as in queries. */
		tok_slot_emit(t, t->prev_unit, t->prev_len, t->prev_start, t->prev_end);
	}
	t->run_len = 0;
}

/* ---- the scanner ---------------------------------------------------------- */

/* Feed one character of class cls at text[s, e). */
static void tok_step(notes_tokenizer *t, int cls, int s, int e)
{
again:
	switch (t->state) {
	case TS_NONE:
		if (tok_is_word_class(cls)) {
			tok_sub_begin(t, s);
			tok_word_char(t, cls, s, e);
			t->state = TS_WORD;
		} else if (cls == TC_CJK || cls == TC_CJKATT) {
			t->unit_start = s;
			t->unit_end = e;
			t->state = TS_CJK;
		}
		return;
	case TS_WORD:
		if (tok_is_word_class(cls)) {
			tok_word_char(t, cls, s, e);
			return;
		}
		if (cls == TC_CONN) {
			t->state = TS_CONN;
			return;
		}
		if (cls == TC_APOS && t->last_letter) {
			t->state = TS_APOS;
			return;
		}
		break;
	case TS_CONN:
		if (tok_is_word_class(cls)) {
			tok_piece_end(t, t->sub_start, t->last_end);
			tok_sub_begin(t, s);
			tok_word_char(t, cls, s, e);
			t->state = TS_WORD;
			return;
		}
		break;
	case TS_APOS:
		if (tok_is_letter_class(cls)) {
			/* don't -> dont: same piece, but no camelCase split
			 * right after the apostrophe (O'Brien). */
			t->prev_case = CASE_NONE;
			t->prev2_case = CASE_NONE;
			t->cand = -1;
			tok_word_char(t, cls, s, e);
			t->state = TS_WORD;
			return;
		}
		break;
	case TS_CJK:
		if (cls == TC_MARK || cls == TC_CJKATT) {
			t->unit_end = e;
			return;
		}
		if (cls == TC_CJK) {
			tok_cjk_unit_end(t);
			t->unit_start = s;
			t->unit_end = e;
			return;
		}
		tok_cjk_unit_end(t);
		tok_cjk_run_end(t);
		t->state = TS_NONE;
		goto again;
	}
	/* A word ended before text[s, e); look at the character afresh. */
	tok_word_end(t);
	t->state = TS_NONE;
	goto again;
}

/* Length of a language marker at the start of text, and its stemmer. */
static int tok_marker(const char *text, int n, const char **alg)
{
	char lang[16];
	int i = 1;

	*alg = NULL;
	if (n < 3 || text[0] != NOTES_LANG_MARK)
		return 0;
	while (i < n && i <= 15 && ((text[i] >= 'a' && text[i] <= 'z') ||
				    text[i] == '_' || text[i] == '-')) {
		lang[i - 1] = text[i];
		i++;
	}
	if (i == 1 || i >= n || text[i] != NOTES_LANG_MARK)
		return 0;
	lang[i - 1] = '\0';
	*alg = notes_lang_stemmer(lang);
	return i + 1;
}

int notes_tokenize(notes_tokenizer *t, int flags, const char *text, int n,
		   void *ctx, notes_token_cb cb)
{
	const char *mark_alg;
	int i;

	if (!t || !cb)
		return -NOTES_E_USAGE;
	if (!text)
		n = 0;
	else if (n < 0)
		n = (int)strnlen(text, (size_t)INT32_MAX);

	t->text = text;
	t->flags = flags;
	t->query = (flags & NOTES_TOKENIZE_QUERY) != 0;
	t->ctx = ctx;
	t->cb = cb;
	t->rc = 0;
	t->state = TS_NONE;
	t->npiece = 0;
	t->joined_len = 0;
	t->overflow = 0;
	t->run_len = 0;
	t->slot_n = 0;
	t->pend_len = -1;

	i = tok_marker(text, n, &mark_alg);
	if (i > 0 || !t->query) {
		/* Documents (and marked queries): English, plus the marked
		 * language, whose stems are emitted namespaced (see
		 * tok_word_slot). */
		t->lang[0] = tok_stemmer_get(t, "english");
		t->nlang = 1;
		if (mark_alg && strcmp(mark_alg, "english") != 0)
			t->lang[t->nlang++] = tok_stemmer_get(t, mark_alg);
	} else {
		for (int k = 0; k < t->nqlang; k++)
			t->lang[k] = tok_stemmer_get(t, t->qlang[k]);
		t->nlang = t->nqlang;
	}
	for (int k = 0; k < t->nlang; k++)
		if (!t->lang[k])
			return -NOTES_E_NOMEM;

	const unsigned char *p = (const unsigned char *)text;
	while (i < n && !t->rc) {
		int len = 1, cls;
		if (p[i] < 0x80) {
			cls = tok_ascii_class[p[i]];
			/* Fast path: the middle of a lower-case ASCII word. */
			if (cls == TC_LOWER && t->state == TS_WORD &&
			    t->prev_case == CASE_LOWER && t->cand < 0) {
				int j = i + 1;
				while (j < n && p[j] < 0x80 &&
				       tok_ascii_class[p[j]] == TC_LOWER)
					j++;
				t->prev2_case = CASE_LOWER;
				t->prev_letter_start = j - 1;
				t->last_end = j;
				i = j;
				continue;
			}
		} else {
			utf8proc_int32_t c;
			utf8proc_ssize_t l = utf8proc_iterate(p + i, n - i, &c);
			if (l < 0) {
				cls = TC_SEP;   /* an invalid byte separates */
			} else {
				len = (int)l;
				cls = tok_class_of(c);
			}
		}
		tok_step(t, cls, i, i + len);
		i += len;
	}
	/* End of text: close whatever is open. */
	if (!t->rc) {
		switch (t->state) {
		case TS_WORD: case TS_CONN: case TS_APOS:
			tok_word_end(t);
			break;
		case TS_CJK:
			tok_cjk_unit_end(t);
			tok_cjk_run_end(t);
			break;
		default:
			break;
		}
	}
	if (!t->rc && t->pend_len >= 0)
		tok_word_slot(t, t->pend, t->pend_len, t->pend_start, t->pend_end,
			      t->pend_stem, 1);
	t->state = TS_NONE;
	t->text = NULL;
	return t->rc;
}

/* ---- recorded tokenizations ----------------------------------------------- */

/* Tokens as bytes: per token a header, then its text. */
struct tok_rec_head {
	uint16_t flags;   /* NOTES_TOKEN_* */
	uint16_t len;     /* bytes of token text that follow */
	int32_t start;    /* offsets in the recorded text */
	int32_t end;
};

/* Texts longer than this are recorded sparse: a token costs the record
 * ~17 bytes, so a 40 MB one-line note would need ~120 MB for its tokens;
 * such a column keeps only restart points (one per TOK_REC_SPARSE_EVERY
 * positions at most) and FTS5 tokenizes it itself. */
#define TOK_REC_DENSE_MAX    (4 << 20)
#define TOK_REC_SPARSE_EVERY 64

/* A restart point of a sparse record. */
struct tok_rec_point {
	int32_t pos;     /* token position */
	int32_t start;   /* its offset in the recorded text */
};

struct notes_token_rec {
	const char *text;   /* recorded text (borrowed), NULL when empty */
	int n;              /* its length */
	unsigned char *p;   /* dense: headers and token texts, back to back;
			     * sparse: tok_rec_point entries; owned */
	size_t used, cap;   /* bytes used, allocated */
	int failed;         /* out of memory while recording */
	int sparse;         /* restart points only: never replayed */
	const char *rtext;  /* the text while it is being recorded */
	int64_t pos, next;  /* sparse recording: position, next point wanted */
};

notes_status notes_token_rec_new(notes_token_rec **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? NOTES_OK : NOTES_E_NOMEM;
}

void notes_token_rec_free(notes_token_rec *r)
{
	if (!r)
		return;
	free(r->p);
	free(r);
}

/* Make room for need more bytes in r; 0 or -NOTES_E_NOMEM. */
static int tok_rec_room(notes_token_rec *r, size_t need)
{
	if (r->used + need > r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4096;
		while (cap < r->used + need)
			cap *= 2;
		unsigned char *np = realloc(r->p, cap);
		if (!np) {
			r->failed = 1;
			return -NOTES_E_NOMEM;
		}
		r->p = np;
		r->cap = cap;
	}
	return 0;
}

/* A token start where tokenizing may start over (see
 * notes_token_rec_checkpoints). */
static int tok_rec_restartable(const char *text, int start)
{
	if (start <= 0)
		return 0;
	char before = text[start - 1];
	return before == ' ' || before == '\t' || before == '\n';
}

static int tok_rec_sparse_cb(void *ctx, int tflags, const char *tok, int ntok, int start,
			     int end)
{
	notes_token_rec *r = ctx;
	(void)tok;
	(void)ntok;
	(void)end;
	if (tflags & NOTES_TOKEN_COLOCATED)
		return 0;
	r->pos++;
	if (r->pos < r->next || !tok_rec_restartable(r->rtext, start))
		return 0;
	int rc = tok_rec_room(r, sizeof(struct tok_rec_point));
	if (rc)
		return rc;
	struct tok_rec_point pt = {(int32_t)r->pos, start};
	memcpy(r->p + r->used, &pt, sizeof pt);
	r->used += sizeof pt;
	r->next = r->pos + TOK_REC_SPARSE_EVERY;
	return 0;
}

static int tok_rec_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	notes_token_rec *r = ctx;
	size_t need = sizeof(struct tok_rec_head) + (size_t)ntok;
	int rc = tok_rec_room(r, need);
	if (rc)
		return rc;
	struct tok_rec_head h = {(uint16_t)tflags, (uint16_t)ntok, start, end};
	memcpy(r->p + r->used, &h, sizeof h);
	memcpy(r->p + r->used + sizeof h, tok, (size_t)ntok);
	r->used += need;
	return 0;
}

int notes_token_rec_record(notes_token_rec *r, notes_tokenizer *t, const char *text, int n)
{
	r->text = NULL;
	r->n = 0;
	r->used = 0;
	r->failed = 0;
	int len = n < 0 ? (text ? (int)strlen(text) : 0) : n;
	r->sparse = len > TOK_REC_DENSE_MAX;
	r->rtext = text;
	r->pos = -1;
	r->next = 0;
	int rc = notes_tokenize(t, NOTES_TOKENIZE_DOCUMENT, text, n, r,
				r->sparse ? tok_rec_sparse_cb : tok_rec_cb);
	r->rtext = NULL;
	if (rc == 0 && !r->failed) {
		r->text = text ? text : "";
		r->n = n < 0 ? (int)strlen(r->text) : n;
	} else {
		r->used = 0;
	}
	return rc;
}

int notes_token_rec_replay(const notes_token_rec *r, const char *text, int n, void *ctx,
			   notes_token_cb cb)
{
	if (!r || !r->text || r->sparse || r->n != n ||
	    (n > 0 && memcmp(r->text, text, (size_t)n) != 0))
		return -NOTES_E_NOTFOUND;
	for (size_t at = 0; at < r->used;) {
		struct tok_rec_head h;
		memcpy(&h, r->p + at, sizeof h);
		const char *tok = (const char *)r->p + at + sizeof h;
		at += sizeof h + h.len;
		int rc = cb(ctx, h.flags, tok, h.len, h.start, h.end);
		if (rc)
			return rc;
	}
	return 0;
}

void notes_token_rec_checkpoints(notes_status *rc, const notes_token_rec *r, int every,
				 notes_buf *out)
{
	notes_buf pts = NOTES_BUF_INIT;
	uint64_t n = 0, last_pos = 0, last_byte = 0;
	int64_t pos = -1, next = every;
	for (size_t at = 0; r && r->text && r->sparse && at < r->used && *rc == NOTES_OK;) {
		struct tok_rec_point pt;
		memcpy(&pt, r->p + at, sizeof pt);
		at += sizeof pt;
		if (pt.pos < next)
			continue;
		notes_buf_put_varint(rc, &pts, (uint64_t)pt.pos - last_pos);
		notes_buf_put_varint(rc, &pts, (uint64_t)pt.start - last_byte);
		last_pos = (uint64_t)pt.pos;
		last_byte = (uint64_t)pt.start;
		n++;
		next = pt.pos + every;
	}
	for (size_t at = 0; r && r->text && !r->sparse && at < r->used && *rc == NOTES_OK;) {
		struct tok_rec_head h;
		memcpy(&h, r->p + at, sizeof h);
		at += sizeof h + h.len;
		if (h.flags & NOTES_TOKEN_COLOCATED)
			continue;
		pos++;
		if (pos < next || !tok_rec_restartable(r->text, h.start))
			continue;
		notes_buf_put_varint(rc, &pts, (uint64_t)pos - last_pos);
		notes_buf_put_varint(rc, &pts, (uint64_t)h.start - last_byte);
		last_pos = (uint64_t)pos;
		last_byte = (uint64_t)h.start;
		n++;
		next = pos + every;
	}
	notes_buf_put_varint(rc, out, n);
	notes_buf_append(rc, out, pts.p ? pts.p : "", pts.n);
	notes_buf_free(&pts);
}
