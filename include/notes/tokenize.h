/*
 * tokenize.h — the one tokenizer and normalizer of notes-search.
 *
 * Used at index time (FTS5 DOCUMENT and AUX runs) and at query time (FTS5
 * QUERY runs, and by the query parser directly).  There is no second copy:
 * anything that needs to know what a word becomes calls this.
 *
 * What it does to a text:
 *  - Splits on Unicode categories: word characters are L*, M*, N*, Co;
 *    everything else, and every byte of invalid UTF-8, separates words.
 *  - Normalizes each word with utf8proc: NFKC + case fold, default-ignorable
 *    characters removed, non-word characters the normalization produces
 *    removed ("½" -> "12"), then accents (marks) stripped: "Résumé" ->
 *    "resume", "ﬁ" -> "fi", "ＡＢＣ" -> "abc", "ß" -> "ss".  A word of marks
 *    alone yields nothing.
 *  - Han / Hiragana / Katakana / Hangul runs become overlapping bigrams.  A
 *    "character" of a run is one CJK code point with the marks, half-width
 *    (semi-)voiced marks and medial/final jamo after it, so "ｶﾞ", "カ" U+3099
 *    and "ガ" are the same; CJK text is normalized (NFKC, case fold) but
 *    keeps its marks.  CJK always breaks from non-CJK neighbours.
 *    DOCUMENT/AUX, run c0..c(L-1):  position i (0 <= i < L-1) holds the
 *    bigram c(i)c(i+1), then c(i) colocated; the last position (L-2) also
 *    holds c(L-1) colocated; a run of 1 is the unigram c0 alone.
 *    QUERY: the L-1 bigrams (a run of 1: the unigram).
 *    So a run takes max(L-1, 1) positions in both, and a phrase that goes on
 *    after a CJK run ("集群Kubernetes") lines up with the document; a single
 *    character is found at the position of the bigram it starts (or ends,
 *    for the last one), which is what highlight() then marks.
 *  - Code-aware: a compound is a run of pieces joined by single connectors
 *    '-', '_', '.' (or their full-width forms); a connector at either end, or
 *    two in a row, only separates.  Pieces split further at camelCase:
 *    lower->Upper (podDisruption), before the last of several capitals
 *    followed by two or more lower-case letters (HTTPServer -> HTTP, Server)
 *    and before a capital that follows a digit and is followed by two
 *    lower-case letters (IPv6Address -> IPv6, Address); never between letters
 *    and digits (k8s, sha256), nor for a plural acronym (APIs, IDs).
 *    Each piece is a token at its own position.  In DOCUMENT runs a
 *    compound of 2+ pieces also emits its joined form (pieces concatenated,
 *    then stemmed), colocated with the first piece, with offsets covering the
 *    whole compound, if it fits in NOTES_TOKEN_MAX bytes:
 *      kube-proxy -> kube (+ "kubeproxi"), proxi
 *      PodDisruptionBudget -> pod (+ "poddisruptionbudget"), disrupt, budget
 *      snake_case -> snake, case; node.js -> node, js; v1.14.0 -> v1, 14, 0
 *    Queries never get joined forms.  An apostrophe (' or U+2019) between two
 *    letters is dropped and the word goes on: don't -> dont, its offsets
 *    covering "don't".  #2789 -> 2789; c++ -> c.
 *  - Stems with Snowball (libstemmer); numbers (ASCII digits only) and CJK
 *    are not stemmed.  Every word gets its English stem.  A text that starts
 *    with the language marker (below) of another language Snowball has also
 *    gets that language's stem, colocated and namespaced by the algorithm
 *    name ("french:planifi"), so that an English query word never meets the
 *    French stem of an unrelated English word ("note" is "not" in French).
 *    English strips accents before stemming (loan words are typed without
 *    them: résumés -> resum); the other languages stem first, as their
 *    stemmers need the accents (planifiée -> planifi).
 *    In QUERY runs the forms of every configured query language are emitted
 *    (English plain, the others namespaced), duplicates dropped, the first
 *    normally and the rest colocated; a query that starts with a marker uses
 *    English and the marked language.
 *    With QUERY|PREFIX the last word is emitted once, not stemmed: as the
 *    longest common prefix of the word and its stems ("schedul" stays
 *    "schedul", "kubernetes" becomes "kubernet"), so that "word*" still finds
 *    the stemmed forms of a complete word.
 *  - Tokens longer than NOTES_TOKEN_MAX bytes (after normalization, before
 *    accents are stripped) are dropped and take no position; so is a
 *    non-ASCII piece longer than 8 * NOTES_TOKEN_MAX bytes in the text.
 *  - start/end offsets are byte offsets into the ORIGINAL text, so snippet()
 *    and highlight() map back exactly.  Positions and offsets are identical
 *    in DOCUMENT and AUX runs.  AUX runs serve snippets and passages, which
 *    use only positions and offsets: a word's token is its original slice
 *    of the text (not normalized, not stemmed), and there are no joined
 *    forms (they would be colocated).  A
 *    QUERY run of a text (with the document's language as its only query
 *    language) has exactly the document's first token at every position.
 *  - Linear time and constant memory per tokenizer whatever the input
 *    (40 MB without a space, a million-piece compound, invalid UTF-8).
 *
 * Language marker: a text beginning with "\x01" LANG "\x01" (LANG being 1–15
 * bytes of [a-z_-]) is tokenized with that language's stemmer; the marker
 * itself yields no token, and offsets still count from the start of the text
 * (marker included).  The indexer prefixes non-English fields with it so
 * that FTS5 re-tokenization (delete, integrity-check, snippets) sees the same
 * language as the insert did.
 */
#ifndef NOTES_TOKENIZE_H
#define NOTES_TOKENIZE_H

#include <stddef.h>
#include "notes/buf.h"
#include "notes/status.h"

/* Bump whenever the output for any input may change.  Stored in the database;
 * a different value triggers a full rebuild. */
#define NOTES_TOKENIZER_VERSION 2
#define NOTES_TOKEN_MAX 256
#define NOTES_LANG_MARK '\x01'

/* Mode flags for notes_tokenize(); same values as FTS5_TOKENIZE_*. */
#define NOTES_TOKENIZE_QUERY    0x0001
#define NOTES_TOKENIZE_PREFIX   0x0002
#define NOTES_TOKENIZE_DOCUMENT 0x0004
#define NOTES_TOKENIZE_AUX      0x0008

/* Token flag passed to the callback; same value as FTS5_TOKEN_COLOCATED. */
#define NOTES_TOKEN_COLOCATED   0x0001

typedef struct notes_tokenizer notes_tokenizer;

/*
 * Called once per token.  `tok` is the normalized token (not NUL-terminated,
 * valid only during the call); [start, end) are byte offsets of the word in
 * the original text.  A non-zero return stops tokenization and is returned by
 * notes_tokenize().
 */
typedef int (*notes_token_cb)(void *ctx, int tflags, const char *tok, int ntok,
			      int start, int end);

/* Create a tokenizer.  On failure *out is NULL.  Caller frees with
 * notes_tokenizer_free() (NULL is fine).  Not thread-safe: one per
 * thread/connection; tokenizers share nothing mutable. */
notes_status notes_tokenizer_new(notes_tokenizer **out);
void notes_tokenizer_free(notes_tokenizer *t);

/* Languages whose stems are emitted (colocated) for QUERY runs, as a comma
 * separated list of ISO 639-1 codes, language tags or Snowball names
 * ("en,fr", "en-US, French").  Default "en"; NULL resets to it.  Unknown
 * names and duplicates are ignored, at most 8 are kept; if none is left the
 * list is "en".  Nothing of the string is kept. */
notes_status notes_tokenizer_set_query_langs(notes_tokenizer *t, const char *langs);

/* Tokenize text[0..n) (n < 0: up to a NUL; text may be NULL when n is 0).
 * flags: NOTES_TOKENIZE_DOCUMENT, _AUX, _QUERY or _QUERY|_PREFIX.  Returns
 * 0, or the first non-zero value returned by cb (tokenizing stops there), or
 * -NOTES_E_NOMEM, or -NOTES_E_USAGE when t or cb is NULL.  cb must not use t.
 * Bytes of text are only read during the call. */
int notes_tokenize(notes_tokenizer *t, int flags, const char *text, int n,
		   void *ctx, notes_token_cb cb);

/* Snowball algorithm name for a language tag ("fr", "fr-FR", "French",
 * "fra"), or NULL when this libstemmer has no stemmer for it (zh, ja, ko,
 * unknown).  Static storage. */
const char *notes_lang_stemmer(const char *lang);

/* e.g. "1/unicode-15.0.0": changes whenever tokenizer output may change
 * (NOTES_TOKENIZER_VERSION, utf8proc's Unicode version).  Static storage. */
const char *notes_tokenizer_version(void);

/* ---- recorded tokenizations --------------------------------------------- */

/* The tokens of one DOCUMENT run, kept so that another thread can tokenize
 * a note while FTS5 indexes the previous one: the indexer records each
 * column on its parsing thread, and the FTS5 glue replays the record when
 * FTS5 asks to tokenize exactly that text (see notes_token_replay). */
typedef struct notes_token_rec notes_token_rec;

/* Create an empty record.  On failure *out is NULL.  Caller frees with
 * notes_token_rec_free() (NULL is fine). */
notes_status notes_token_rec_new(notes_token_rec **out);
void notes_token_rec_free(notes_token_rec *r);

/* Tokenize text[0..n) as a DOCUMENT with t into r, replacing what r held.
 * r remembers text (not a copy): it must stay valid and unchanged while r
 * is offered for replay.  A text over 4 MiB is recorded sparse: only some
 * restart points (at least 64 positions apart) are kept, and it is never
 * replayed (memory stays a small fraction of the text).  Returns what
 * notes_tokenize() returns; on an error r is empty (and never matches). */
int notes_token_rec_record(notes_token_rec *r, notes_tokenizer *t, const char *text, int n);

/* If r was recorded from text[0..n) (same bytes), call cb with its tokens,
 * exactly as notes_tokenize(DOCUMENT) would, and return 0 or cb's first
 * non-zero value; otherwise return -NOTES_E_NOTFOUND without calling cb. */
int notes_token_rec_replay(const notes_token_rec *r, const char *text, int n, void *ctx,
			   notes_token_cb cb);

/* Places where tokenizing the recorded text may start over: after an
 * ASCII space, tab or newline the tokenizer holds no state, so the tokens of
 * text[byte..] are those of the whole text from that point, their positions
 * less `pos` and offsets less `byte`: exactly so in AUX runs; in DOCUMENT
 * runs the positions and first tokens agree, but a restart does not see the
 * text's language marker, so that language's colocated stems are missing.  Appends to
 * out, as varints, the number of such points kept and their (position,
 * byte) deltas: the first token start at or after every `every` positions
 * that qualifies (for a sparse record: of its points, the first at or after
 * every `every` positions).  Lets a passage be tokenized from near its
 * start instead of from the top of a long note.  Sticky status. */
void notes_token_rec_checkpoints(notes_status *rc, const notes_token_rec *r, int every,
				 notes_buf *out);

/* Records offered to the FTS5 glue of one connection (notes_fts5_register
 * with replay): DOCUMENT tokenizations of a text equal to a recorded one are
 * replayed, any other text is tokenized as usual, so a stale or missing
 * record costs time, never correctness.  Owned by the caller, who sets rec
 * and nrec around an insert and must keep them valid until it returns. */
typedef struct notes_token_replay {
	notes_token_rec *const *rec; /* records offered (not owned); may be NULL */
	int nrec;                    /* entries in rec */
} notes_token_replay;

/* ---- FTS5 glue (lib/fts5_glue.c) ---------------------------------------- */
typedef struct sqlite3 sqlite3;

/* Register the "notes" tokenizer on db, and the SQL function
 * notes_unzip(stored [, lenient]) that gives back a stored column text
 * (notes/zip.h; a damaged one is an error, or NULL when lenient is 1).
 * Every connection that touches the index must call this first.  `query_langs` as for
 * notes_tokenizer_set_query_langs (NULL = "en"); copied.  Arguments after
 * the name in tokenize='notes ...' are ignored.  Returns NOTES_E_DB when db
 * has no FTS5 (detail in sqlite3_errmsg(db)), NOTES_E_NOMEM, NOTES_E_USAGE
 * for a NULL db.  Registering again replaces the previous registration for
 * tables opened afterwards.  The loadable extension (build/notes_fts5.so,
 * entry point sqlite3_notesfts_init) registers it with "en". */
notes_status notes_fts5_register(sqlite3 *db, const char *query_langs);

/* notes_fts5_register(), with `replay` consulted by every DOCUMENT
 * tokenization on db (see notes_token_replay).  replay must outlive db's
 * tables' use of the tokenizer (in practice: the connection). */
notes_status notes_fts5_register_replay(sqlite3 *db, const char *query_langs,
					notes_token_replay *replay);

/* The FTS5 API of db (for registering auxiliary functions), or NULL when
 * FTS5 is not available.  Valid while db is open. */
typedef struct fts5_api fts5_api;
fts5_api *notes_fts5_api(sqlite3 *db);

#endif
