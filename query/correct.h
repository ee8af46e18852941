/*
 * correct.h — typo correction for query words: "termnation" -> "termination".
 *
 * Only words the index does not know are corrected: a word is a candidate
 * when some position of what the shared tokenizer makes of it (QUERY mode)
 * has none of its forms (stems in the configured query languages) in the
 * index vocabulary.  A word that is a real word of the archive ("terminal",
 * "believe") is never "corrected", however close it is to a more frequent
 * one; nor is a typo that stems to an indexed term ("kubernets" ->
 * "kubernet"), since searching it already finds what it should.
 *
 * How (compare like with like: the vocabulary holds stemmed, normalized
 * terms, "termin" for termination/terminate/terminal):
 *  1. The word is normalized for editing (NFKC, case fold, default-ignorable
 *     characters removed, accents kept composed — the tokenizer strips them
 *     later, as it does for the index; characters that are neither word
 *     characters nor in-word joiners - _ . ' are dropped).  Every string at
 *     edit distance 1 is generated (deletions, adjacent transpositions,
 *     substitutions and insertions of a-z and of the word's own letters and
 *     digits) and tokenized; a string whose every position has an indexed
 *     form is a suggestion, shown as that string ("termination"), so it is
 *     a word a user could have typed.  Strings that tokenize alike are one
 *     suggestion, shown as the likeliest spelling: the one seen in notes,
 *     else stem + the most common English ending ("scheduler" rather than
 *     "schedulal"), else the nearest in length.  Edits of the first
 *     character are tried only when the others found nothing.  Candidates
 *     must not have more positions than the word ("termnation" is never
 *     "term nation").
 *  2. Only when step 1 found nothing, words of 8 or more characters and one
 *     token get distance 2: the vocabulary terms starting with the word's
 *     first two characters (or those two transposed) that are within 2 of
 *     one of the word's stems, or of a prefix of the word ("termin" for
 *     "terminnatoin", whose typo defeats the stemmer), are turned back into
 *     words within 2 of the typed one: the term + a common ending or + the
 *     typed word's ending, respelled as notes spell it when that is as close
 *     ("kubrnetis" -> "kubernetes").  If no such word exists the term itself
 *     is shown, with the distance between the stems.  Typos that change the
 *     first two characters AND need two edits are not found.
 *
 * Distances are counted in code points of the normalized word (optimal
 * string alignment: insertion, deletion, substitution, transposition of
 * adjacent characters).  Limits: 1 edit for words of 4-7 characters, 2 for
 * 8 to NOTES_CORRECT_MAX_CHARS.  Words shorter than 4 or longer than that,
 * words with no letter (numbers, punctuation), words with CJK characters
 * (bigram tokens, no spelling to correct) and words of more than 8 tokens
 * get no suggestion.
 *
 * Nothing persistent is created.  The first suggest call that needs the
 * vocabulary (a word of 4+ characters with a letter and no CJK) creates a
 * TEMP table on the connection:
 *   CREATE VIRTUAL TABLE IF NOT EXISTS temp.notes_vocab
 *     USING fts5vocab(main, 'fts', 'row')
 * so queries that need no correction pay nothing.  It lives as long as the
 * connection (other modules may reuse it).
 */
#ifndef NOTES_CORRECT_H
#define NOTES_CORRECT_H

#include <stddef.h>
#include "notes/status.h"
#include "notes/tokenize.h"

typedef struct sqlite3 sqlite3;

/* Longest word (normalized code points) that gets suggestions. */
#define NOTES_CORRECT_MAX_CHARS 40

/* One per query process (per connection); not thread-safe.  It caches
 * vocabulary lookups (a few thousand terms per word, bounded), so it must
 * not be kept across changes to the index: make a new one after writing. */
typedef struct notes_corrector notes_corrector;

/*
 * db: an open index connection on which the "notes" tokenizer is registered
 * (notes_fts5_register) and whose main schema holds the FTS5 table "fts" and
 * the stored texts in "content" (see notes/db.h).
 * tok: the tokenizer the caller builds its FTS5 queries with, configured
 * with the same query languages as db's registration, so that a suggestion
 * finds what its search will find.  Both are borrowed: they must stay open
 * until notes_corrector_free(), which must come before sqlite3_close(db)
 * (the corrector holds prepared statements).  Nothing is read or created
 * here.  *out is NULL on failure (NOTES_E_USAGE for a NULL argument,
 * NOTES_E_NOMEM).
 */
notes_status notes_corrector_new(sqlite3 *db, notes_tokenizer *tok, notes_corrector **out);

/* Frees the corrector and its statements (NULL is fine); leaves the TEMP
 * table on the connection. */
void notes_corrector_free(notes_corrector *c);

typedef struct notes_suggestion {
	char *word;      /* the word to search instead, normalized as a user
			    would type it ("termination"); owned by the array */
	int distance;    /* edit distance from the typed word (1 or 2); for a
			    term shown as itself, from the word's stem */
	long long df;    /* documents holding its indexed term(s); for a word
			    of several tokens, the smallest of them */
} notes_suggestion;

/*
 * Suggest corrections for one query word word[0..len) as typed ("termnation";
 * any bytes: invalid UTF-8 and control characters are tolerated).
 *
 * *out and *n receive up to `max` suggestions, best first: smaller distance
 * first, then those keeping the word's first character, then higher document
 * frequency, then byte order.  *n = 0 and *out = NULL when the word needs or
 * gets no correction (see the header comment) or max is 0.  The caller
 * frees *out with notes_suggestions_free(*out, *n).
 *
 * Runs inside a SAVEPOINT of its own (fine inside or outside the caller's
 * transaction).  Typical cost on a 2,300-note index: 2-4 ms, up to 8 ms
 * when distance 2 is needed.
 * Returns NOTES_E_USAGE for NULL c/out/n (or a NULL word with len > 0),
 * NOTES_E_NOMEM, NOTES_E_DB when SQLite fails (no table "fts", I/O error;
 * message in notes_corrector_errmsg()).  On error *out is NULL and *n 0.
 */
notes_status notes_corrector_suggest(notes_corrector *c, const char *word, size_t len,
				     size_t max, notes_suggestion **out, size_t *n);

/* Free an array returned by notes_corrector_suggest() (NULL is fine). */
void notes_suggestions_free(notes_suggestion *s, size_t n);

/* The SQLite message of the last NOTES_E_DB, "" if none.  Valid until the
 * next call on c. */
const char *notes_corrector_errmsg(const notes_corrector *c);

#endif
