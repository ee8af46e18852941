/*
 * parse.h — the query language of notes-search: from what the user typed to
 * a safe SQLite FTS5 MATCH expression plus SQL filters over the notes table.
 *
 * The language
 *   graceful termination      words are ANDed; an uppercase AND says the same
 *   a OR b                    uppercase OR between two operands
 *   (a OR b) c                parentheses group
 *   "exact phrase"            a phrase
 *   kube*  "kube pro"*        prefix: a trailing * on a word or a closing quote
 *   -word -"phrase" -(a OR b) exclude; NOT x says the same as -x
 *   title:x  title:"a b"  title:(a OR b)
 *                             field filters, value a word, phrase or group:
 *     title: heading: headings: code: body:
 *                             only that FTS5 column (title, headings, code,
 *                             body)
 *     tag: tags:              the note has that tag (front-matter key "tags"
 *                             or "tag"), compared case-insensitively
 *     path:                   a glob on the note's path when the value holds
 *                             * ? or [ (a leading * is implied unless it
 *                             starts with '/', so path:notes/2015* finds
 *                             /home/me/notes/2015-06.md), else a
 *                             case-sensitive substring of the path
 *     date:                   2015  2015-06  2015-06-02  (any full date
 *                             notes_date_parse() accepts, quoted when it has
 *                             spaces: date:"2 Jun 2015"), ranges
 *                             2015-05..2015-06 (inclusive, partial dates
 *                             cover their whole year or month), open ranges
 *                             2015-05..  ..2016, comparisons >2020 (after
 *                             2020-12-31) >= < <=.  Notes without a date
 *                             match no date filter, not even an excluded one
 *                             (-date:2015 means "dated, but not in 2015").
 *     KEY:                    any other key the caller's callback knows as a
 *                             front-matter key (author:alice): a value of
 *                             that key equal to, or containing, the text,
 *                             case-insensitively
 *                             Keys are [A-Za-z][A-Za-z0-9_-]*, at most 64
 *                             bytes, matched case-insensitively.  A key:value
 *                             whose key is none of these is plain text
 *                             (x:y, http://example.com).
 *   Filters (tag: path: date: KEY:) may be excluded (-tag:draft) and ORed with
 *   each other (tag:a OR tag:b) but not with words; a query may consist of
 *   filters only.  Inside a field group every word is a value of that field:
 *   tag:(a OR b) is tag:a OR tag:b; fields do not nest.
 *   Lowercase and/or/not and NEAR are plain words.
 *
 * Precedence: OR binds tighter than AND (as in web search engines):
 * "a OR b c" is (a OR b) AND c, "a b OR c" is a AND (b OR c).  - and NOT
 * apply to the operand right after them; a doubled exclusion cancels.
 *
 * Safety: no character the user types is ever FTS5 syntax.  Every word and
 * phrase is emitted as an FTS5 string literal ("..." with inner quotes
 * doubled), so c++, node.js, don't, e-mail, 50%, #2789, a=b, why?, +x, ^x are
 * searched as text.  A word for which the shared tokenizer (QUERY mode)
 * produces no token (only punctuation, a lone *, emoji) is dropped.  In the
 * text, control characters (C0, DEL, C1) and Unicode spaces count as spaces,
 * and every byte that is not part of valid UTF-8 is replaced with '?' (the
 * tokenizer separates words at both, so the search is unchanged; but a '?'
 * in a path: value makes it a glob).  Values and terms handed back are
 * therefore always valid UTF-8 without control characters.
 *
 * Output conventions (FTS5): explicit operators and parentheses, never
 * implicit AND:
 *   graceful termination  ->  "graceful" AND "termination"
 *   a OR b c              ->  ("a" OR "b") AND "c"
 *   a -b                  ->  "a" NOT "b"
 *   a b -c -d             ->  ("a" AND "b") NOT ("c" OR "d")
 *   title:x y             ->  ({title} : "x") AND "y"
 *   title:(a OR b)        ->  {title} : ("a" OR "b")
 *   kube*                 ->  "kube"*
 * Several exclusions are ORed behind one NOT rather than chained, because
 * the FTS5 parser of SQLite 3.40 has a 100-entry stack: a chain of 100
 * parenthesized NOTs overflows it, a flat OR never does.
 *
 * Limits (each refused with a one-line message, never an FTS5 error):
 * 100 KB of text, 64 levels of parentheses, 256 terms (words, phrases and
 * filter values, counting dropped ones), and groups nested so deeply that
 * the FTS5 parser stack could overflow ("too complex": from about 12 to 25
 * levels of meaningful nesting, depending on its shape; redundant
 * parentheses such as ((((a)))) or (a (b c)) cost nothing).
 *
 * Every function is linear in the length of the query.  A notes_query is
 * immutable after parsing except for notes_query_add_filter(); it is not
 * thread-safe for concurrent add_filter but may be read from many threads.
 */
#ifndef NOTES_QUERY_PARSE_H
#define NOTES_QUERY_PARSE_H

#include <stddef.h>
#include "notes/buf.h"
#include "notes/linemap.h"   /* notes_field, the column of a term */
#include "notes/status.h"
#include "notes/tokenize.h"

/* Limits of the query language (see above). */
#define NOTES_QUERY_MAX_BYTES (100 * 1024)
#define NOTES_QUERY_MAX_DEPTH 64
#define NOTES_QUERY_MAX_TERMS 256

/* A parsed query: an FTS5 text part (maybe none) and SQL filters (maybe
 * none).  Opaque; free with notes_query_free(). */
typedef struct notes_query notes_query;

/*
 * Whether `key` (lowercased ASCII, NUL-terminated, valid only during the
 * call) is a front-matter key present in the index, so that "key:value" is a
 * filter rather than text.  Return 1 for yes, 0 for no.  Called at most once
 * per key:value lexeme, never for the built-in keys.
 */
typedef int (*notes_query_key_fn)(void *ctx, const char *key);

/*
 * Parse text[0..n) (NUL bytes count as spaces; text may be NULL when n is 0).
 * tok: the tokenizer used to drop words that yield no token; NULL makes a
 * private one for the call.  is_key/key_ctx: front-matter key lookup, NULL
 * when there are no such keys.
 * Returns NOTES_OK and *out (caller frees with notes_query_free), or
 * NOTES_E_PARSE with *why set to a one-line English explanation (no
 * newline, malloc'ed, caller frees), or NOTES_E_NOMEM.  On failure *out is
 * NULL; *why is NULL unless the status is NOTES_E_PARSE.  An empty or blank
 * text is NOTES_E_PARSE "empty query": see notes_query_new_empty().
 */
notes_status notes_query_parse(const char *text, size_t n, notes_tokenizer *tok,
			       notes_query_key_fn is_key, void *key_ctx,
			       notes_query **out, char **why);

/* A query with neither text nor filters, for command lines that give only
 * options (notes-search --tag x): add filters with notes_query_add_filter().
 * Caller frees *out with notes_query_free(); NULL on failure. */
notes_status notes_query_new_empty(notes_query **out);

/* Free q and everything it handed out (terms).  NULL is fine. */
void notes_query_free(notes_query *q);

/*
 * AND one more filter onto q, for command-line options:
 *   "tag"    the note has tag `value` (as tag:)
 *   "path"   glob or substring as path:
 *   "date"   any date: value (2015, 2015-05..2015-06, >2020-01-01, ...)
 *   "since"  dated on or after the first day of `value` (2015, 2015-06,
 *            2015-06-02 or any full date)
 *   "until"  dated on or before the last day of `value`
 * value is NUL-terminated and copied.  NOTES_E_PARSE with *why (one line,
 * caller frees; it names the option as --FIELD) for a bad value;
 * NOTES_E_USAGE for an unknown field (*why says so); q is unchanged on
 * failure.  Not counted against NOTES_QUERY_MAX_TERMS.
 */
notes_status notes_query_add_filter(notes_query *q, const char *field, const char *value,
				    char **why);

/* One positive search term: a word or phrase not under an exclusion.  For
 * ranking, highlighting and typo correction. */
typedef struct notes_qterm {
	const char *text;    /* the word or phrase as typed, unquoted, without the
				prefix '*'; NUL-terminated, valid UTF-8; owned by
				the query, valid until notes_query_free() */
	int phrase;          /* 1 for a "quoted phrase", else 0 */
	int prefix;          /* 1 for word* or "phrase"*, else 0 */
	int column;          /* notes_field of a column filter (title:x), or -1
				for any column */
} notes_qterm;

/* Number of positive terms, in the order they were typed.  0 when the query
 * has no text part. */
size_t notes_query_nterms(const notes_query *q);
/* Term i (< notes_query_nterms), or NULL when out of range.  Owned by q. */
const notes_qterm *notes_query_term(const notes_query *q, size_t i);

/* Render modes of notes_query_fts(). */
enum {
	NOTES_QUERY_ALL = 0,   /* the query as written */
	NOTES_QUERY_ANY = 1    /* any positive term: to widen a query that
				  found too little */
};

/*
 * Render the FTS5 MATCH expression into *out (malloc'ed, caller frees), or
 * set *out to NULL when the query has no text part (filters only).
 * mode NOTES_QUERY_ALL renders the query as written.  NOTES_QUERY_ANY ORs
 * the positive terms (each keeping its column filter) and still excludes the
 * top-level exclusions; exclusions nested inside a group (a OR (b -c)) are
 * left out, as are the query's ANDs and ORs.
 * alts: NULL, or an array of notes_query_nterms(q) entries, each NULL or a
 * NULL-terminated list of alternative words for that term (typo
 * corrections); term i is then rendered ("orig" OR "alt1" OR "alt2").
 * Alternatives are quoted like any word; empty ones are skipped.  Only read
 * during the call.  Returns NOTES_OK or NOTES_E_NOMEM.
 */
notes_status notes_query_fts(const notes_query *q, int mode, const char *const *const *alts,
			     char **out);

/* As notes_query_fts, leaving out the terms i with skip[i] != 0 (nterms
 * entries, or NULL) wherever they are bare words of an AND list (and from
 * the ORed terms of mode ANY), unless that would leave the list empty.  The
 * search leaves out stopwords this way so that questions find their notes. */
notes_status notes_query_fts_skip(const notes_query *q, int mode, const char *const *const *alts,
				  const unsigned char *skip, char **out);

/*
 * Append to *sql a boolean SQL expression over the notes table aliased `n`
 * (and the fields table, in subqueries aliased qf) that is true for the
 * notes the filters let through, or "1" when there are no filters.  Values
 * are never spliced in: they are ?NNN placeholders numbered first_param,
 * first_param+1, ..., and *binds receives the *nbinds values to bind as
 * text, in that order (malloc'ed array of malloc'ed strings, NULL when
 * there are none; caller frees with notes_query_binds_free).  Example:
 *   (n.date >= ?3 AND n.date <= ?4) AND EXISTS(SELECT 1 FROM fields AS qf
 *   WHERE qf.note = n.id AND qf.key IN ('tags', 'tag') AND qf.value = ?5)
 * first_param must be >= 1.  Returns NOTES_OK, NOTES_E_USAGE, or
 * NOTES_E_NOMEM (then *binds is NULL and *sql may hold a partial text).
 */
notes_status notes_query_filter_sql(const notes_query *q, int first_param, notes_buf *sql,
				    char ***binds, size_t *nbinds);
/* Free what notes_query_filter_sql() put in *binds.  NULL is fine. */
void notes_query_binds_free(char **binds, size_t n);

/* Whether q has a text part / any filter. */
int notes_query_has_text(const notes_query *q);
int notes_query_has_filters(const notes_query *q);

/*
 * Append a one-line description for tests and --explain:
 *   fts=<ALL expression or (none)> filters=<filters or (none)>
 * Filters read like  tag="x" AND NOT date in [2015-01-01, 2015-12-31] AND
 * (author~"al" OR path GLOB "*meetings*") AND path CONTAINS "work/" AND
 * date = 2015-06-02 AND date > 2020-12-31  (~ is "equals or contains").
 * Returns NOTES_OK or NOTES_E_NOMEM.
 */
notes_status notes_query_describe(const notes_query *q, notes_buf *out);

#endif
