/*
 * correct.c — typo correction for query words (see correct.h).
 *
 * Vocabulary lookups are the cost that matters.  A single-term lookup in
 * fts5vocab seeks in every FTS5 segment (~14 us on the 2,300-note corpus),
 * while a range of terms sharing a two-character prefix streams at ~1-2 us
 * a term (the largest, "co", holds 1,400 terms).  So the range of the
 * word's first two characters is read once into a hash table that answers
 * most candidates without SQL; only edits of the first two characters are
 * looked up one by one (and cached too).  Everything runs inside one
 * SAVEPOINT: outside a transaction each statement would take and drop the
 * file lock, which costs more than the lookups themselves.
 *
 * Measured on that corpus (first call in a process, temp table included):
 * 2-4 ms for a typical distance-1 typo, 5-8 ms when distance 2 is needed.
 */
#include "correct.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "notes/buf.h"
#include "notes/utf8.h"

#define CORR_MAX_BYTES    4096  /* longer raw words get no suggestion */
#define CORR_MAX_ALPHA    (26 + NOTES_CORRECT_MAX_CHARS)
#define CORR_MAX_POS      8     /* tokens a word may have */
#define CORR_MAX_RANGES   16    /* vocabulary ranges cached, then start over */
#define CORR_MAX_SLOTS    (1u << 18)  /* cached terms, then start over */
#define CORR_DL_MAX       (NOTES_CORRECT_MAX_CHARS + 8)
#define CORR_SAMPLES      3     /* notes sampled for a term's surface form */
#define CORR_SAMPLE_CHARS 8192  /* of each of their fields */
#define CORR_SAMPLED_HITS 3     /* suggestions whose spelling is sampled */
#define CORR_MAX_NEAR     64    /* terms turned back into words (distance 2) */
#define CORR_MAX_ENDING   6     /* longest of corr_endings */
#define CORR_MAX_FORMS    16    /* stems of the typed word compared */
#define CORR_RANGES_PER_WORD 4  /* tokens of a word whose range is read */
#define CORR_MAX_LOOKUPS  512   /* single-term lookups per word, then
				   further candidates count as unknown */
#define CORR_STR_(x)      #x
#define CORR_STR(x)       CORR_STR_(x)
#define CORR_KEY_POS      '\x01'  /* in a key: a new position follows */
#define CORR_KEY_COLOC    '\x02'  /* in a key: a colocated form follows */

/* One term whose document frequency is known. */
struct corr_slot {
	size_t off;       /* term bytes in notes_corrector.pool */
	uint32_t len;     /* term length in bytes; 0 marks an empty slot */
	uint32_t hash;    /* corr_hash() of the term */
	long long df;     /* documents holding it; 0: not in the index */
};

/* A vocabulary range held completely in the cache: every term starting
 * with these bytes is a slot, so a missing slot means "not indexed". */
struct corr_range {
	char p[16];       /* the prefix (two code points) */
	size_t n;         /* its length in bytes */
};

struct notes_corrector {
	sqlite3 *db;                   /* borrowed */
	notes_tokenizer *tok;          /* borrowed */
	int ready;                     /* TEMP table created, statements prepared */
	sqlite3_stmt *st_term;         /* df of one term */
	sqlite3_stmt *st_range;        /* terms and df in [?1, ?2) */
	sqlite3_stmt *st_sample;       /* surface forms of a term, from notes */
	struct corr_slot *slot;        /* open addressing, linear probing */
	size_t cap;                    /* slots allocated (0 or a power of 2) */
	size_t used;                   /* slots filled */
	notes_buf pool;                /* term bytes of the slots */
	struct corr_range range[CORR_MAX_RANGES]; /* ranges fully cached */
	size_t nrange;                 /* entries used in range[] */
	unsigned gen;                  /* bumped whenever the cache is emptied */
	unsigned lookups;              /* single-term lookups in this call */
	char err[256];                 /* last SQLite message, "" if none */
};

/* A suggestion being collected. */
struct corr_hit {
	char *word;       /* surface form shown (normalized); owned */
	char *key;        /* its tokens, see corr_key; owned */
	int nchars;       /* code points in word */
	int dist;         /* edit distance from the typed word */
	int first_changed;/* word does not start with the typed first character */
	int seen;         /* the surface form was seen in a note */
	int ending;       /* corr_ending_rank() of word */
	int doubt;        /* other surfaces were possible, or word was guessed
			     from a stem: worth sampling the notes' spelling */
	long long df;     /* see notes_suggestion.df */
};

/* The tokens of a string: forms separated by CORR_KEY_COLOC within a
 * position and by CORR_KEY_POS between positions.  Equal keys search alike. */
struct corr_key {
	notes_buf b;      /* the key */
	int npos;         /* positions (tokens not colocated) */
	notes_status rc;  /* sticky, for the appends in the callback */
};

/* State of one notes_corrector_suggest() call. */
struct corr_job {
	notes_corrector *c;                   /* the corrector called */
	int32_t w[NOTES_CORRECT_MAX_CHARS];   /* the typed word, normalized */
	int nw;                               /* code points in w */
	int limit;                            /* edits allowed */
	int32_t alpha[CORR_MAX_ALPHA];        /* characters to insert/substitute */
	int nalpha;                           /* entries in alpha */
	struct corr_key typed;                /* tokens of the word as typed */
	struct corr_key ck;                   /* tokens of the current candidate */
	notes_buf cand;                       /* current candidate, UTF-8 */
	struct corr_hit *hit;                 /* suggestions so far */
	size_t nhit, caphit;                  /* used / allocated in hit */
};

/* ---- small helpers --------------------------------------------------------- */

static uint32_t corr_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static notes_status corr_db_error(notes_corrector *c)
{
	snprintf(c->err, sizeof c->err, "%s", sqlite3_errmsg(c->db));
	return NOTES_E_DB;
}

/* Han, kana and Hangul: the tokenizer makes bigrams of them (tokenize.h). */
static int corr_is_cjk(int32_t c)
{
	return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x2E80 && c <= 0x2FDF) ||
	       c == 0x3005 || c == 0x3007 || (c >= 0x3021 && c <= 0x3029) ||
	       (c >= 0x3038 && c <= 0x303B) || (c >= 0x3040 && c <= 0x30FF) ||
	       (c >= 0x3130 && c <= 0x318F) || (c >= 0x31F0 && c <= 0x31FF) ||
	       (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF66 && c <= 0xFF9F) || (c >= 0x20000 && c <= 0x3FFFF);
}

static int corr_is_letter(utf8proc_category_t cat)
{
	return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

/* Letters, marks, numbers: what a word is made of. */
static int corr_is_wordchar(int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) ||
	       cat == UTF8PROC_CATEGORY_CO;
}

/* Connectors and apostrophes the tokenizer treats inside a word. */
static int corr_is_joiner(int32_t c)
{
	return c == '-' || c == '_' || c == '.' || c == '\'' || c == 0x2019 ||
	       c == 0xFF0D || c == 0xFF3F || c == 0xFF0E;
}

/* Decode valid UTF-8 s[0..n) into out[0..max); the number of code points,
 * or -1 when there are more than max. */
static int corr_decode(const char *s, size_t n, int32_t *out, int max)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int k = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (l <= 0) {
			cp = 0xFFFD;
			l = 1;
		}
		if (k == max)
			return -1;
		out[k++] = cp;
		i += (size_t)l;
	}
	return k;
}

/* cp[0..n) as UTF-8 into b (replacing its contents). */
static void corr_encode(notes_status *rc, notes_buf *b, const int32_t *cp, int n)
{
	notes_buf_clear(b);
	notes_buf_reserve(rc, b, (size_t)n * 4);
	if (*rc != NOTES_OK)
		return;
	for (int i = 0; i < n; i++)
		b->n += (size_t)utf8proc_encode_char(cp[i], (utf8proc_uint8_t *)b->p + b->n);
	b->p[b->n] = '\0';
}

/*
 * Optimal string alignment distance between a[0..la) and b[0..lb), or
 * k + 1 as soon as it must exceed k.  prefix: the distance between a and
 * the closest prefix of b instead.  Lengths of CORR_DL_MAX or more count as
 * too far.
 */
static int corr_dist_ex(const int32_t *a, int la, const int32_t *b, int lb, int k, int prefix)
{
	int r[3][CORR_DL_MAX + 1];
	int *pp = r[0], *p = r[1], *cur = r[2];

	if (la - lb > k || (!prefix && lb - la > k))
		return k + 1;
	if (la >= CORR_DL_MAX || lb >= CORR_DL_MAX)
		return k + 1;
	for (int j = 0; j <= lb; j++)
		p[j] = j;
	for (int i = 1; i <= la; i++) {
		int rowmin = cur[0] = i;
		for (int j = 1; j <= lb; j++) {
			int v = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > k)
			return k + 1;
		int *t = pp;
		pp = p;
		p = cur;
		cur = t;
	}
	int d = p[lb];
	for (int j = 0; prefix && j < lb; j++)
		if (p[j] < d)
			d = p[j];
	return d > k ? k + 1 : d;
}

static int corr_dist(const int32_t *a, int la, const int32_t *b, int lb, int k)
{
	return corr_dist_ex(a, la, b, lb, k, 0);
}

/* ---- the vocabulary cache ------------------------------------------------ */

static void corr_cache_clear(notes_corrector *c)
{
	free(c->slot);
	c->slot = NULL;
	c->cap = c->used = 0;
	notes_buf_clear(&c->pool);
	c->nrange = 0;
	c->gen++;
}

static struct corr_slot *corr_cache_find(notes_corrector *c, const char *t, size_t n,
					 uint32_t h)
{
	if (c->cap == 0)
		return NULL;
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct corr_slot *s = &c->slot[i];
		if (s->len == 0)
			return NULL;
		if (s->hash == h && s->len == n && memcmp(c->pool.p + s->off, t, n) == 0)
			return s;
	}
}

/* Record the df of term t[0..n) (n > 0). */
static void corr_cache_put(notes_status *rc, notes_corrector *c, const char *t, size_t n,
			   long long df)
{
	if (*rc != NOTES_OK || n == 0 || n > UINT32_MAX)
		return;
	uint32_t h = corr_hash(t, n);
	struct corr_slot *s = corr_cache_find(c, t, n, h);
	if (s) {
		s->df = df;
		return;
	}
	if (c->used >= CORR_MAX_SLOTS)
		corr_cache_clear(c);   /* bounded memory; ranges reload on demand */
	if ((c->used + 1) * 2 > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		struct corr_slot *ns = calloc(ncap, sizeof *ns);
		if (!ns) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		for (size_t i = 0; i < c->cap; i++) {
			if (c->slot[i].len == 0)
				continue;
			size_t j = c->slot[i].hash & (ncap - 1);
			while (ns[j].len)
				j = (j + 1) & (ncap - 1);
			ns[j] = c->slot[i];
		}
		free(c->slot);
		c->slot = ns;
		c->cap = ncap;
	}
	size_t off = c->pool.n;
	notes_buf_append(rc, &c->pool, t, n);
	if (*rc != NOTES_OK)
		return;
	size_t i = h & (c->cap - 1);
	while (c->slot[i].len)
		i = (i + 1) & (c->cap - 1);
	c->slot[i] = (struct corr_slot){off, (uint32_t)n, h, df};
	c->used++;
}

static int corr_range_covers(const notes_corrector *c, const char *t, size_t n)
{
	for (size_t i = 0; i < c->nrange; i++)
		if (n >= c->range[i].n && memcmp(t, c->range[i].p, c->range[i].n) == 0)
			return 1;
	return 0;
}

/* Create the TEMP vocabulary table and the statements, once. */
static notes_status corr_ready(notes_corrector *c)
{
	if (c->ready)
		return NOTES_OK;
	if (sqlite3_exec(c->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.notes_vocab "
			 "USING fts5vocab(main, 'fts', 'row')", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT doc FROM temp.notes_vocab WHERE term = ?1",
			       -1, &c->st_term, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT term, doc FROM temp.notes_vocab "
			       "WHERE term >= ?1 AND term < ?2", -1, &c->st_range, NULL) != SQLITE_OK)
		return corr_db_error(c);
	c->ready = 1;
	return NOTES_OK;
}

/* Read every term starting with p[0..n) into the cache. */
static notes_status corr_range_load(notes_corrector *c, const char *p, size_t n)
{
	char hi[sizeof c->range[0].p];
	notes_status rc = NOTES_OK;
	int src;

	if (n == 0 || n >= sizeof hi || corr_range_covers(c, p, n))
		return NOTES_OK;
	if (c->nrange == CORR_MAX_RANGES)
		corr_cache_clear(c);
	unsigned gen = c->gen;
	/* The last byte of UTF-8 is at most 0xBF: incrementing it is safe. */
	memcpy(hi, p, n);
	hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
	sqlite3_bind_text(c->st_range, 1, p, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(c->st_range, 2, hi, (int)n, SQLITE_STATIC);
	while ((src = sqlite3_step(c->st_range)) == SQLITE_ROW)
		corr_cache_put(&rc, c, (const char *)sqlite3_column_text(c->st_range, 0),
			       (size_t)sqlite3_column_bytes(c->st_range, 0),
			       sqlite3_column_int64(c->st_range, 1));
	if (src != SQLITE_DONE && rc == NOTES_OK)
		rc = corr_db_error(c);
	sqlite3_reset(c->st_range);
	sqlite3_clear_bindings(c->st_range);
	/* Emptied while loading (too many terms): what is left is not the
	 * whole range, so it must not answer "absent". */
	if (rc != NOTES_OK || gen != c->gen)
		return rc;
	memcpy(c->range[c->nrange].p, p, n);
	c->range[c->nrange++].n = n;
	return NOTES_OK;
}

/* *df of term t[0..n): from the cache, else one lookup (then cached). */
static notes_status corr_term_df(notes_corrector *c, const char *t, size_t n, long long *df)
{
	notes_status rc = NOTES_OK;
	struct corr_slot *s = corr_cache_find(c, t, n, corr_hash(t, n));

	*df = 0;
	if (s) {
		*df = s->df;
		return NOTES_OK;
	}
	if (corr_range_covers(c, t, n))
		return NOTES_OK;
	/* Bounds the time a hostile word can take (a typical word needs
	 * about 60 lookups, 1 ms); the word itself is always looked up. */
	if (c->lookups++ >= CORR_MAX_LOOKUPS)
		return NOTES_OK;
	sqlite3_bind_text(c->st_term, 1, t, (int)n, SQLITE_STATIC);
	int src = sqlite3_step(c->st_term);
	if (src == SQLITE_ROW)
		*df = sqlite3_column_int64(c->st_term, 0);
	else if (src != SQLITE_DONE)
		rc = corr_db_error(c);
	sqlite3_reset(c->st_term);
	sqlite3_clear_bindings(c->st_term);
	corr_cache_put(&rc, c, t, n, *df);
	return rc;
}

/* ---- keys ------------------------------------------------------------------ */

static int corr_key_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct corr_key *k = ctx;
	(void)start;
	(void)end;

	if (k->npos == 0 || !(tflags & NOTES_TOKEN_COLOCATED)) {
		if (++k->npos > CORR_MAX_POS)
			return 1;
		if (k->b.n)
			notes_buf_append_char(&k->rc, &k->b, CORR_KEY_POS);
	} else
		notes_buf_append_char(&k->rc, &k->b, CORR_KEY_COLOC);
	notes_buf_append(&k->rc, &k->b, tok, (size_t)ntok);
	return k->rc != NOTES_OK;
}

/* The key of s[0..n) in QUERY mode.  k->npos > CORR_MAX_POS: too many. */
static notes_status corr_key_of(notes_corrector *c, struct corr_key *k, const char *s, size_t n)
{
	notes_buf_clear(&k->b);
	k->npos = 0;
	k->rc = NOTES_OK;
	int r = notes_tokenize(c->tok, NOTES_TOKENIZE_QUERY, s, (int)n, k, corr_key_cb);
	if (k->rc != NOTES_OK)
		return k->rc;
	if (r < 0)
		return (notes_status)-r;
	return NOTES_OK;
}

/* Documents of a key: the smallest over its positions of the largest df of
 * the position's forms; 0 when some position has no indexed form. */
static notes_status corr_key_df(notes_corrector *c, const char *k, size_t n, long long *df)
{
	long long best = LLONG_MAX, pos = 0;
	size_t i = 0;

	*df = 0;
	if (n == 0)
		return NOTES_OK;
	for (;;) {
		size_t j = i;
		while (j < n && k[j] != CORR_KEY_POS && k[j] != CORR_KEY_COLOC)
			j++;
		long long d;
		notes_status rc = corr_term_df(c, k + i, j - i, &d);
		if (rc != NOTES_OK)
			return rc;
		if (d > pos)
			pos = d;
		if (j == n || k[j] == CORR_KEY_POS) {
			if (pos < best)
				best = pos;
			if (best == 0 || j == n)
				break;
			pos = 0;
		}
		i = j + 1;
	}
	*df = best;
	return NOTES_OK;
}

/* Whether term t[0..n) is one of the forms of the first position of the
 * key p[0..len). */
static int corr_key_has(const char *p, size_t len, const char *t, size_t n)
{
	size_t i = 0;

	while (i <= len) {
		size_t j = i;
		while (j < len && p[j] != CORR_KEY_POS && p[j] != CORR_KEY_COLOC)
			j++;
		if (j - i == n && memcmp(p + i, t, n) == 0)
			return 1;
		if (j == len || p[j] == CORR_KEY_POS)
			return 0;
		i = j + 1;
	}
	return 0;
}

/* ---- the word -------------------------------------------------------------- */

/*
 * Normalize word[0..len) for editing into w[0..*nw) (room for
 * NOTES_CORRECT_MAX_CHARS): NFKC, case fold, no default-ignorable
 * characters, accents kept (composed); only word characters and in-word
 * joiners are kept.  Sets *skip when the word cannot be edited (longer than
 * NOTES_CORRECT_MAX_CHARS, no letter, CJK).
 */
static notes_status corr_view(const char *word, size_t len, int32_t *w, int *nw, int *skip)
{
	utf8proc_option_t opt = UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
				UTF8PROC_IGNORE;
	utf8proc_int32_t *u = NULL;
	utf8proc_ssize_t m, cap = (utf8proc_ssize_t)len + 16;
	char *copy = malloc(len + 1);
	int letters = 0;

	*skip = 1;
	if (!copy)
		return NOTES_E_NOMEM;
	memcpy(copy, word, len);
	notes_utf8_sanitize(copy, len, NULL);
	for (;;) {
		utf8proc_int32_t *nu = realloc(u, (size_t)cap * sizeof *u);
		if (!nu) {
			free(u);
			free(copy);
			return NOTES_E_NOMEM;
		}
		u = nu;
		m = utf8proc_decompose((const utf8proc_uint8_t *)copy, (utf8proc_ssize_t)len,
				       u, cap, opt);
		if (m < 0 || m <= cap)
			break;
		cap = m;
	}
	free(copy);
	if (m > 0)
		m = utf8proc_normalize_utf32(u, m, opt);
	*nw = 0;
	for (utf8proc_ssize_t i = 0; i < m; i++) {
		int32_t cp = u[i];
		if (corr_is_cjk(cp)) {
			free(u);
			return NOTES_OK;
		}
		if (!corr_is_wordchar(cp) && !corr_is_joiner(cp))
			continue;
		if (*nw == NOTES_CORRECT_MAX_CHARS) {
			free(u);
			return NOTES_OK;
		}
		letters += corr_is_letter(utf8proc_category(cp));
		w[(*nw)++] = cp;
	}
	free(u);
	if (*nw > 0 && letters > 0)
		*skip = 0;
	return NOTES_OK;
}

/* a-z, then the word's own letters, marks and digits. */
static void corr_alphabet(struct corr_job *j)
{
	j->nalpha = 0;
	for (int32_t ch = 'a'; ch <= 'z'; ch++)
		j->alpha[j->nalpha++] = ch;
	for (int i = 0; i < j->nw; i++) {
		int32_t cp = j->w[i];
		int dup = 0;
		if (!corr_is_wordchar(cp))
			continue;
		for (int k = 0; k < j->nalpha && !dup; k++)
			dup = j->alpha[k] == cp;
		if (!dup && j->nalpha < CORR_MAX_ALPHA)
			j->alpha[j->nalpha++] = cp;
	}
}

/* ---- suggestions -------------------------------------------------------- */

/* Common English endings, most frequent first: a stem plus one of them is
 * likely a real word ("schedul" + "er"), and the nearer the front, the
 * likelier ("scheduler" before "schedulal"). */
static const char *const corr_endings[] = {
	"", "s", "e", "es", "ed", "ing", "er", "ers", "ion", "ions", "ation",
	"ations", "ment", "ments", "ly", "y", "ies", "ied", "al", "ness", "ity",
	"ful", "ize", "ized", "ise", "able", "ic", "ive", "ous", "ist", "ence",
	"ance",
};
#define CORR_NENDINGS (sizeof corr_endings / sizeof corr_endings[0])

/* How word-like word[0..n) is as a form of key k: the index in
 * corr_endings of its ending after the key's first form (the stem; a final
 * "i" may be Snowball's y -> i), or CORR_NENDINGS when it is no such word. */
static int corr_ending_rank(const char *word, size_t n, const char *k, size_t kn)
{
	size_t t = 0;
	while (t < kn && k[t] != CORR_KEY_POS && k[t] != CORR_KEY_COLOC)
		t++;
	for (int y = 0; y < 2; y++) {
		/* y = 1: the stem without its final "i" ("polici" -> "polic"+"y") */
		size_t tl = t - (size_t)y;
		if (y && (t < 2 || k[t - 1] != 'i'))
			break;
		if (n < tl || memcmp(word, k, tl) != 0)
			continue;
		for (size_t e = 0; e < CORR_NENDINGS; e++)
			if (strlen(corr_endings[e]) == n - tl &&
			    memcmp(word + tl, corr_endings[e], n - tl) == 0 &&
			    (!y || (n > tl && (word[tl] == 'y' || word[tl] == 'i'))))
				return (int)e;
	}
	return (int)CORR_NENDINGS;
}

/* Whether a is a better surface form than b for the same key. */
static int corr_surface_better(const struct corr_job *j, const struct corr_hit *a,
			       const struct corr_hit *b)
{
	if (a->dist != b->dist)
		return a->dist < b->dist;
	if (a->first_changed != b->first_changed)
		return a->first_changed < b->first_changed;
	if (a->seen != b->seen)
		return a->seen > b->seen;
	if (a->ending != b->ending)
		return a->ending < b->ending;
	int da = abs(a->nchars - j->nw), db = abs(b->nchars - j->nw);
	if (da != db)
		return da < db;
	if (a->nchars != b->nchars)
		return a->nchars < b->nchars;
	return strcmp(a->word, b->word) < 0;
}

/* Add word[0..n) (NUL-terminated, nchars code points) with key k as a
 * suggestion, or make it the surface of the suggestion with the same key if
 * it is a better one. */
static notes_status corr_hit_add(struct corr_job *j, const char *word, size_t n, int nchars,
				 const struct corr_key *k, int dist, int seen, long long df)
{
	int32_t first;
	struct corr_hit h = {0};

	h.nchars = nchars;
	h.dist = dist;
	h.seen = seen;
	h.ending = corr_ending_rank(word, n, k->b.p, k->b.n);
	h.df = df;
	utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)word,
					      (utf8proc_ssize_t)n, &first);
	h.first_changed = l <= 0 || first != j->w[0];
	h.word = (char *)word;   /* compared only, until copied below */
	for (size_t i = 0; i < j->nhit; i++) {
		struct corr_hit *o = &j->hit[i];
		if (strcmp(o->key, k->b.p) != 0)
			continue;
		o->doubt |= strcmp(o->word, word) != 0;
		if (!corr_surface_better(j, &h, o))
			return NOTES_OK;
		char *w = strndup(word, n);
		if (!w)
			return NOTES_E_NOMEM;
		free(o->word);
		o->word = w;
		o->nchars = h.nchars;
		o->dist = h.dist;
		o->first_changed = h.first_changed;
		o->seen = h.seen;
		o->ending = h.ending;
		return NOTES_OK;
	}
	if (j->nhit == j->caphit) {
		size_t ncap = j->caphit ? j->caphit * 2 : 8;
		struct corr_hit *nh = realloc(j->hit, ncap * sizeof *nh);
		if (!nh)
			return NOTES_E_NOMEM;
		j->hit = nh;
		j->caphit = ncap;
	}
	h.word = strndup(word, n);
	h.key = strdup(k->b.p);
	if (!h.word || !h.key) {
		free(h.word);
		free(h.key);
		return NOTES_E_NOMEM;
	}
	j->hit[j->nhit++] = h;
	return NOTES_OK;
}

/* Try the candidate cp[0..n), at distance dist from the typed word. */
static notes_status corr_try(struct corr_job *j, const int32_t *cp, int n, int dist)
{
	notes_status rc = NOTES_OK;
	long long df;

	corr_encode(&rc, &j->cand, cp, n);
	if (rc == NOTES_OK)
		rc = corr_key_of(j->c, &j->ck, j->cand.p, j->cand.n);
	if (rc != NOTES_OK)
		return rc;
	/* A candidate must not split the word into more (known) pieces. */
	if (j->ck.npos == 0 || j->ck.npos > j->typed.npos)
		return NOTES_OK;
	if (j->ck.b.n == j->typed.b.n && memcmp(j->ck.b.p, j->typed.b.p, j->ck.b.n) == 0)
		return NOTES_OK;
	rc = corr_key_df(j->c, j->ck.b.p, j->ck.b.n, &df);
	if (rc != NOTES_OK || df == 0)
		return rc;
	return corr_hit_add(j, j->cand.p, j->cand.n, n, &j->ck, dist, 0, df);
}

/*
 * Every string at distance 1 of the typed word that keeps its first
 * character (first = 0), or every one that changes it (first = 1).  Each
 * string is made once: a deletion or insertion in a run of equal characters
 * is done at the run's end, which keeps the first character when it can.
 */
static notes_status corr_edits1(struct corr_job *j, int first)
{
	int32_t t[NOTES_CORRECT_MAX_CHARS + 1];
	const int32_t *w = j->w;
	int n = j->nw, lo = first ? 0 : 1, hi = first ? 1 : n;
	notes_status rc = NOTES_OK;

	for (int i = lo; i < hi && rc == NOTES_OK; i++) {         /* deletion */
		if (i + 1 < n && w[i] == w[i + 1])
			continue;   /* same string as deleting w[i+1] */
		memcpy(t, w, (size_t)i * sizeof *t);
		memcpy(t + i, w + i + 1, (size_t)(n - i - 1) * sizeof *t);
		rc = corr_try(j, t, n - 1, 1);
	}
	for (int i = lo; i < hi && i + 1 < n && rc == NOTES_OK; i++) { /* transposition */
		if (w[i] == w[i + 1])
			continue;
		memcpy(t, w, (size_t)n * sizeof *t);
		t[i] = w[i + 1];
		t[i + 1] = w[i];
		rc = corr_try(j, t, n, 1);
	}
	for (int i = lo; i < hi && rc == NOTES_OK; i++) {         /* substitution */
		memcpy(t, w, (size_t)n * sizeof *t);
		for (int a = 0; a < j->nalpha && rc == NOTES_OK; a++) {
			if (j->alpha[a] == w[i])
				continue;
			t[i] = j->alpha[a];
			rc = corr_try(j, t, n, 1);
		}
	}
	if (n == NOTES_CORRECT_MAX_CHARS)
		return rc;
	for (int i = lo; i < (first ? 1 : n + 1) && rc == NOTES_OK; i++) { /* insertion */
		memcpy(t, w, (size_t)i * sizeof *t);
		memcpy(t + i + 1, w + i, (size_t)(n - i) * sizeof *t);
		for (int a = 0; a < j->nalpha && rc == NOTES_OK; a++) {
			if (i < n && j->alpha[a] == w[i])
				continue;   /* same string as inserting it after w[i] */
			t[i] = j->alpha[a];
			rc = corr_try(j, t, n + 1, 1);
		}
	}
	return rc;
}

/* First two code points of s[0..n) as bytes into p (size psz); length or 0. */
static size_t corr_prefix2(const char *s, size_t n, char *p, size_t psz, int swap)
{
	int32_t cp[2];
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	size_t len = 0;
	int k = 0;

	for (size_t i = 0; i < n && k < 2;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(n - i), &c);
		if (l <= 0)
			return 0;
		cp[k++] = c;
		i += (size_t)l;
	}
	if (k < 2 || (swap && cp[0] == cp[1]))
		return 0;
	if (swap) {
		int32_t x = cp[0];
		cp[0] = cp[1];
		cp[1] = x;
	}
	corr_encode(&rc, &b, cp, 2);
	if (rc == NOTES_OK && b.n < psz) {
		memcpy(p, b.p, b.n);
		len = b.n;
	}
	notes_buf_free(&b);
	return len;
}

/* The first form of the typed word's first position. */
static size_t corr_first_form(const struct corr_job *j)
{
	size_t i = 0;
	while (i < j->typed.b.n && j->typed.b.p[i] != CORR_KEY_POS &&
	       j->typed.b.p[i] != CORR_KEY_COLOC)
		i++;
	return i;
}

/* A vocabulary term that may be a word at distance 2. */
struct corr_near {
	size_t slot;      /* index in notes_corrector.slot */
	int dist;         /* distance of the closest of stem or prefix */
	int sdist;        /* stem distance (limit + 1: too far) */
	int first_changed;/* term does not start with the typed first character */
	long long df;     /* its df */
};

/* The order of suggestions: nearer, then keeping the typed first
 * character, then more frequent; 0 when those tie. */
static int corr_rank_cmp(int dist_a, int first_a, long long df_a, int dist_b, int first_b,
			 long long df_b)
{
	if (dist_a != dist_b)
		return dist_a - dist_b;
	if (first_a != first_b)
		return first_a - first_b;
	if (df_a != df_b)
		return df_a < df_b ? 1 : -1;
	return 0;
}

static int corr_near_cmp(const void *pa, const void *pb)
{
	const struct corr_near *a = pa, *b = pb;
	int c = corr_rank_cmp(a->dist, a->first_changed, a->df, b->dist, b->first_changed, b->df);
	return c ? c : a->slot < b->slot ? -1 : a->slot > b->slot;
}

/* Try surface s[0..n) (NUL-terminated) for term t[0..tn): counts if it
 * tokenizes to one position holding t and is within the limit of the typed
 * word.  merge_only: only as a better surface of an existing suggestion. */
static notes_status corr_try_surface(struct corr_job *j, const char *s, size_t n,
				     const char *t, size_t tn, int seen, long long df,
				     int merge_only)
{
	int32_t cp[CORR_DL_MAX];
	int ncp = corr_decode(s, n, cp, CORR_DL_MAX - 1);
	int d;
	notes_status rc;

	if (ncp < 1 || (d = corr_dist(j->w, j->nw, cp, ncp, j->limit)) > j->limit)
		return NOTES_OK;
	rc = corr_key_of(j->c, &j->ck, s, n);
	if (rc != NOTES_OK || j->ck.npos != 1 || !corr_key_has(j->ck.b.p, j->ck.b.n, t, tn))
		return rc;
	if (merge_only) {
		size_t i = 0;
		while (i < j->nhit && strcmp(j->hit[i].key, j->ck.b.p) != 0)
			i++;
		if (i == j->nhit)
			return NOTES_OK;
	}
	return corr_hit_add(j, s, n, ncp, &j->ck, d, seen, df);
}

/* Where corr_sample_cb() collects the words of a text indexed as a term. */
struct corr_sample_ctx {
	const char *text;   /* the text tokenized */
	const char *t;      /* the term */
	size_t tn;          /* its length */
	notes_buf *out;     /* found words, each NUL-terminated */
	notes_status rc;    /* sticky, for the appends */
};

static int corr_sample_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct corr_sample_ctx *x = ctx;
	(void)tflags;

	if ((size_t)ntok != x->tn || memcmp(tok, x->t, x->tn) != 0 || end <= start ||
	    end - start > 4 * NOTES_TOKEN_MAX)
		return 0;
	notes_buf_append(&x->rc, x->out, x->text + start, (size_t)(end - start));
	notes_buf_append_char(&x->rc, x->out, '\0');
	return 1;   /* the first one of a text is enough */
}

/*
 * Words that notes spell for term t[0..tn) (the first of each of title,
 * headings and body, in up to CORR_SAMPLES notes), tried as better surfaces
 * of the suggestion holding t (see corr_try_surface()).  Bounded: each
 * field is read up to CORR_SAMPLE_CHARS characters.
 */
static notes_status corr_sample(struct corr_job *j, const char *t, size_t tn, long long df)
{
	notes_corrector *c = j->c;
	notes_status rc = NOTES_OK;
	notes_buf q = NOTES_BUF_INIT, found = NOTES_BUF_INIT;
	int src = SQLITE_DONE;

	if (!c->st_sample &&
	    /* The index is contentless: the texts are in `content`, stored
	     * (notes_unzip(x, 1): NULL rather than an error for a damaged one). */
	    sqlite3_prepare_v2(c->db, "SELECT substr(notes_unzip(c.title, 1), 1, ?2),"
			       " substr(notes_unzip(c.headings, 1), 1, ?2),"
			       " substr(notes_unzip(c.body, 1), 1, ?2)"
			       " FROM fts f JOIN content c ON c.id = f.rowid WHERE fts MATCH ?1 "
			       "LIMIT " CORR_STR(CORR_SAMPLES), -1, &c->st_sample, NULL) != SQLITE_OK)
		return corr_db_error(c);
	/* Terms are word characters: no quote to double. */
	notes_buf_append_char(&rc, &q, '"');
	notes_buf_append(&rc, &q, t, tn);
	notes_buf_append_char(&rc, &q, '"');
	if (rc != NOTES_OK)
		goto out;
	sqlite3_bind_text(c->st_sample, 1, q.p, (int)q.n, SQLITE_STATIC);
	sqlite3_bind_int(c->st_sample, 2, CORR_SAMPLE_CHARS);
	while (rc == NOTES_OK && (src = sqlite3_step(c->st_sample)) == SQLITE_ROW) {
		for (int col = 0; col < 3 && rc == NOTES_OK; col++) {
			struct corr_sample_ctx x = {
				(const char *)sqlite3_column_text(c->st_sample, col), t, tn,
				&found, NOTES_OK
			};
			int len = sqlite3_column_bytes(c->st_sample, col);
			if (!x.text || len <= 0)
				continue;
			int r = notes_tokenize(c->tok, NOTES_TOKENIZE_DOCUMENT, x.text, len, &x,
					       corr_sample_cb);
			rc = x.rc != NOTES_OK ? x.rc : r < 0 ? (notes_status)-r : NOTES_OK;
		}
	}
	if (rc == NOTES_OK && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = corr_db_error(c);
	sqlite3_reset(c->st_sample);
	sqlite3_clear_bindings(c->st_sample);
	/* Normalize each as the typed word was, and try it. */
	for (size_t i = 0; rc == NOTES_OK && i < found.n; i += strlen(found.p + i) + 1) {
		int32_t w[NOTES_CORRECT_MAX_CHARS];
		int nw, skip;
		rc = corr_view(found.p + i, strlen(found.p + i), w, &nw, &skip);
		if (rc != NOTES_OK || skip)
			continue;
		corr_encode(&rc, &q, w, nw);
		if (rc == NOTES_OK)
			rc = corr_try_surface(j, q.p, q.n, t, tn, 1, df, 1);
	}
out:
	notes_buf_free(&q);
	notes_buf_free(&found);
	return rc;
}

/*
 * Turn vocabulary term t[0..tn) (NUL-terminated) back into words within the
 * limit of the typed one: t plus a common ending, plus the typed word's own
 * ending, or with Snowball's final "i" as "y"/"ies"/"ied".  When none is
 * close enough but the stems are (sdist within the limit: "kubrnetis" stems
 * to "kuberneti", near "kubernet"), t itself is shown, at distance sdist.
 */
static notes_status corr_surface(struct corr_job *j, const char *t, size_t tn, int sdist,
				 long long df)
{
	notes_status rc = NOTES_OK;
	notes_buf s = NOTES_BUF_INIT;
	size_t before = j->nhit;
	int32_t tc[CORR_DL_MAX], buf[2 * CORR_DL_MAX];
	int ntc = corr_decode(t, tn, tc, CORR_DL_MAX - 1);
	static const char *const yend[] = {"y", "ies", "ied"};

	if (ntc < 1)
		return NOTES_OK;
	for (size_t e = 0; rc == NOTES_OK && e < CORR_NENDINGS; e++) {
		int ne = (int)strlen(corr_endings[e]);
		if (abs(ntc + ne - j->nw) > j->limit)
			continue;
		notes_buf_clear(&s);
		notes_buf_append(&rc, &s, t, tn);
		notes_buf_append_str(&rc, &s, corr_endings[e]);
		if (rc == NOTES_OK)
			rc = corr_try_surface(j, s.p, s.n, t, tn, 0, df, 0);
	}
	for (size_t e = 0; ntc > 1 && tc[ntc - 1] == 'i' && rc == NOTES_OK && e < 3; e++) {
		notes_buf_clear(&s);
		notes_buf_append(&rc, &s, t, tn - 1);
		notes_buf_append_str(&rc, &s, yend[e]);
		if (rc == NOTES_OK)
			rc = corr_try_surface(j, s.p, s.n, t, tn, 0, df, 0);
	}
	for (int k = ntc - j->limit; rc == NOTES_OK && k <= ntc + j->limit; k++) {
		if (k < 0 || k >= j->nw)
			continue;
		memcpy(buf, tc, (size_t)ntc * sizeof *buf);
		memcpy(buf + ntc, j->w + k, (size_t)(j->nw - k) * sizeof *buf);
		corr_encode(&rc, &s, buf, ntc + j->nw - k);
		if (rc == NOTES_OK)
			rc = corr_try_surface(j, s.p, s.n, t, tn, 0, df, 0);
	}
	if (rc == NOTES_OK && j->nhit == before && sdist <= j->limit) {
		rc = corr_key_of(j->c, &j->ck, t, tn);
		if (rc == NOTES_OK && j->ck.npos == 1 && corr_key_has(j->ck.b.p, j->ck.b.n, t, tn))
			rc = corr_hit_add(j, t, tn, ntc, &j->ck, sdist, 0, df);
	}
	notes_buf_free(&s);
	return rc;
}

/*
 * Distance 2 for long words of one token.  The vocabulary ranges of the
 * word's first two characters (and of those two transposed) are read; a
 * term is near when it is within the limit of one of the word's stems or
 * of a prefix of the word itself ("termin" ~ "terminnatoin": the ending is
 * where stemming fails on a typo); each near term is then turned back into
 * words (corr_surface()).  At most CORR_MAX_NEAR terms, nearest and most
 * frequent first.
 */
static notes_status corr_near(struct corr_job *j)
{
	notes_corrector *c = j->c;
	char p[2][16];
	size_t pn[2], ff = corr_first_form(j);
	struct corr_near *near = NULL;
	size_t nnear = 0, capnear = 0;
	int32_t forms[CORR_MAX_FORMS][CORR_DL_MAX];
	int nform[CORR_MAX_FORMS], nforms = 0;
	notes_status rc = NOTES_OK;

	pn[0] = corr_prefix2(j->typed.b.p, ff, p[0], sizeof p[0], 0);
	pn[1] = corr_prefix2(j->typed.b.p, ff, p[1], sizeof p[1], 1);
	/* Twice: loading the second range may have emptied the cache. */
	for (int r = 0; r < 4; r++)
		if (pn[r % 2] && (rc = corr_range_load(c, p[r % 2], pn[r % 2])) != NOTES_OK)
			return rc;
	/* The typed word's forms (one position: forms are colocated). */
	for (size_t i = 0; i <= j->typed.b.n && nforms < CORR_MAX_FORMS;) {
		size_t e = i;
		while (e < j->typed.b.n && j->typed.b.p[e] != CORR_KEY_COLOC)
			e++;
		int k = corr_decode(j->typed.b.p + i, e - i, forms[nforms], CORR_DL_MAX - 1);
		if (k > 0)
			nform[nforms++] = k;
		i = e + 1;
	}

	for (size_t s = 0; s < c->cap; s++) {
		struct corr_slot *sl = &c->slot[s];
		const char *t = c->pool.p + sl->off;
		int32_t tc[CORR_DL_MAX];
		int sd = j->limit + 1, pd;
		if (sl->len == 0 || sl->df == 0)
			continue;
		if (!((pn[0] && sl->len >= pn[0] && memcmp(t, p[0], pn[0]) == 0) ||
		      (pn[1] && sl->len >= pn[1] && memcmp(t, p[1], pn[1]) == 0)))
			continue;
		int ntc = corr_decode(t, sl->len, tc, CORR_DL_MAX - 1);
		/* A surface is the term plus at most CORR_MAX_ENDING characters. */
		if (ntc < 1 || ntc + CORR_MAX_ENDING + j->limit < j->nw)
			continue;
		for (int f = 0; f < nforms && sd > 0; f++) {
			int d = corr_dist(forms[f], nform[f], tc, ntc, j->limit);
			if (d < sd)
				sd = d;
		}
		pd = corr_dist_ex(tc, ntc, j->w, j->nw, j->limit, 1);
		if (sd > j->limit && pd > j->limit)
			continue;
		/* Already suggested at distance 1? */
		int known = 0;
		for (size_t h = 0; h < j->nhit && !known; h++)
			known = corr_key_has(j->hit[h].key, strlen(j->hit[h].key), t, sl->len);
		if (known)
			continue;
		if (nnear == capnear) {
			size_t ncap = capnear ? capnear * 2 : 16;
			struct corr_near *nn = realloc(near, ncap * sizeof *nn);
			if (!nn) {
				free(near);
				return NOTES_E_NOMEM;
			}
			near = nn;
			capnear = ncap;
		}
		near[nnear++] = (struct corr_near){s, sd < pd ? sd : pd, sd, tc[0] != j->w[0], sl->df};
	}
	if (nnear)
		qsort(near, nnear, sizeof *near, corr_near_cmp);
	for (size_t i = 0; i < nnear && i < CORR_MAX_NEAR && rc == NOTES_OK; i++) {
		struct corr_slot *sl = &c->slot[near[i].slot];
		/* A copy: the slot table may move. */
		char t[NOTES_TOKEN_MAX + 1];
		if (sl->len > NOTES_TOKEN_MAX)
			continue;
		memcpy(t, c->pool.p + sl->off, sl->len);
		t[sl->len] = '\0';
		rc = corr_surface(j, t, sl->len, near[i].sdist, near[i].df);
	}
	free(near);
	/* Spelled from stems: the notes may know better. */
	for (size_t h = 0; h < j->nhit; h++)
		j->hit[h].doubt = 1;
	return rc;
}

static int corr_hit_cmp(const void *pa, const void *pb)
{
	const struct corr_hit *a = pa, *b = pb;
	int c = corr_rank_cmp(a->dist, a->first_changed, a->df, b->dist, b->first_changed, b->df);
	return c ? c : strcmp(a->word, b->word);
}

/* ---- public -------------------------------------------------------------- */

notes_status notes_corrector_new(sqlite3 *db, notes_tokenizer *tok, notes_corrector **out)
{
	if (!out)
		return NOTES_E_USAGE;
	*out = NULL;
	if (!db || !tok)
		return NOTES_E_USAGE;
	notes_corrector *c = calloc(1, sizeof *c);
	if (!c)
		return NOTES_E_NOMEM;
	c->db = db;
	c->tok = tok;
	*out = c;
	return NOTES_OK;
}

void notes_corrector_free(notes_corrector *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st_term);
	sqlite3_finalize(c->st_range);
	sqlite3_finalize(c->st_sample);
	free(c->slot);
	notes_buf_free(&c->pool);
	free(c);
}

const char *notes_corrector_errmsg(const notes_corrector *c)
{
	return c ? c->err : "";
}

void notes_suggestions_free(notes_suggestion *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i].word);
	free(s);
}

notes_status notes_corrector_suggest(notes_corrector *c, const char *word, size_t len,
				     size_t max, notes_suggestion **out, size_t *n)
{
	struct corr_job *j;
	notes_status rc;
	long long df;
	int skip, savepoint = 0;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!c || !out || !n || (!word && len > 0))
		return NOTES_E_USAGE;
	c->err[0] = '\0';
	c->lookups = 0;
	if (max == 0 || len == 0 || len > CORR_MAX_BYTES)
		return NOTES_OK;
	j = calloc(1, sizeof *j);
	if (!j)
		return NOTES_E_NOMEM;
	j->c = c;
	rc = corr_view(word, len, j->w, &j->nw, &skip);
	if (rc != NOTES_OK || skip || j->nw < 4)
		goto out;
	j->limit = j->nw >= 8 ? 2 : 1;

	/* Known to the index as typed (every position has an indexed form)? */
	rc = corr_key_of(c, &j->typed, word, len);
	if (rc != NOTES_OK || j->typed.npos == 0 || j->typed.npos > CORR_MAX_POS)
		goto out;
	if ((rc = corr_ready(c)) != NOTES_OK)
		goto out;
	/* One read transaction for all lookups: outside one, every statement
	 * takes and releases the file lock (system calls dominate). */
	if (sqlite3_exec(c->db, "SAVEPOINT notes_correct", NULL, NULL, NULL) != SQLITE_OK) {
		rc = corr_db_error(c);
		goto out;
	}
	savepoint = 1;
	rc = corr_key_df(c, j->typed.b.p, j->typed.b.n, &df);
	if (rc != NOTES_OK || df > 0)
		goto out;
	/* Most candidates share the first two characters of each token with
	 * the word's: read those ranges. */
	for (size_t i = 0, pos = 0; i < j->typed.b.n && pos < CORR_RANGES_PER_WORD; pos++) {
		char p[16];
		size_t e = i, pn;
		while (e < j->typed.b.n && j->typed.b.p[e] != CORR_KEY_POS &&
		       j->typed.b.p[e] != CORR_KEY_COLOC)
			e++;
		pn = corr_prefix2(j->typed.b.p + i, e - i, p, sizeof p, 0);
		if (pn && (rc = corr_range_load(c, p, pn)) != NOTES_OK)
			goto out;
		while (e < j->typed.b.n && j->typed.b.p[e] != CORR_KEY_POS)
			e++;   /* the other forms of this position */
		i = e + 1;
	}

	corr_alphabet(j);
	/* Edits of the first character only when the others found nothing:
	 * typos there are rarer, and each costs a lookup outside the range. */
	if ((rc = corr_edits1(j, 0)) != NOTES_OK ||
	    (j->nhit == 0 && (rc = corr_edits1(j, 1)) != NOTES_OK))
		goto out;
	/* Distance 2 only when 1 found nothing: a far suggestion next to a
	 * near one would mostly add noise to the search. */
	if (j->limit >= 2 && j->typed.npos == 1 && j->nhit == 0 &&
	    (rc = corr_near(j)) != NOTES_OK)
		goto out;
	/* Show the best suggestions as the notes spell them where that is as
	 * close: "kubernetse" -> "kubernetes" rather than "kubernets". */
	if (j->nhit)
		qsort(j->hit, j->nhit, sizeof *j->hit, corr_hit_cmp);
	for (size_t i = 0; i < j->nhit && i < max && i < CORR_SAMPLED_HITS; i++) {
		char t[NOTES_TOKEN_MAX + 1];
		size_t tn = 0;
		const char *k = j->hit[i].key;
		if (!j->hit[i].doubt)
			continue;
		while (k[tn] && k[tn] != CORR_KEY_POS && k[tn] != CORR_KEY_COLOC)
			tn++;
		if (strchr(k, CORR_KEY_POS) || tn > NOTES_TOKEN_MAX)
			continue;
		memcpy(t, k, tn);
		t[tn] = '\0';
		if ((rc = corr_sample(j, t, tn, j->hit[i].df)) != NOTES_OK)
			goto out;
	}

	if (j->nhit) {
		qsort(j->hit, j->nhit, sizeof *j->hit, corr_hit_cmp);
		size_t k = j->nhit < max ? j->nhit : max;
		notes_suggestion *s = calloc(k, sizeof *s);
		if (!s) {
			rc = NOTES_E_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < k; i++) {
			s[i].word = j->hit[i].word;
			j->hit[i].word = NULL;
			s[i].distance = j->hit[i].dist;
			s[i].df = j->hit[i].df;
		}
		*out = s;
		*n = k;
	}
out:
	if (savepoint && sqlite3_exec(c->db, "RELEASE notes_correct", NULL, NULL, NULL) != SQLITE_OK &&
	    rc == NOTES_OK)
		rc = corr_db_error(c);
	if (rc != NOTES_OK && *out) {
		notes_suggestions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	for (size_t i = 0; i < j->nhit; i++) {
		free(j->hit[i].word);
		free(j->hit[i].key);
	}
	free(j->hit);
	notes_buf_free(&j->typed.b);
	notes_buf_free(&j->ck.b);
	notes_buf_free(&j->cand);
	free(j);
	return rc;
}
