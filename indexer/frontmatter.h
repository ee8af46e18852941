/*
 * frontmatter.h — the YAML block at the top of a note.
 *
 *   ---
 *   title: Draining a node
 *   date: 2015-04-17
 *   tags: [kubernetes, ops]
 *   ---
 *   # The Markdown body starts here
 *
 * The block is read with libyaml's event parser (never its document API), so
 * aliases are never expanded and every value keeps its exact position in the
 * file for search hits.  Broken front matter never loses a note: it costs a
 * warning, and the note is indexed with whatever could be read.
 */
#ifndef NOTES_FRONTMATTER_H
#define NOTES_FRONTMATTER_H

#include "doc.h"
#include "notes/status.h"

/* A block (between the fences) larger than this is not parsed: the whole
 * file is indexed as Markdown, with a warning. */
#define NOTES_FM_MAX_BYTES  (1u << 20)
/* Deeper nesting stops the reading of values, with a warning. */
#define NOTES_FM_MAX_DEPTH  64
/* More values stop the reading, with a warning (each list item counts). */
#define NOTES_FM_MAX_VALUES 10000
/* Longer values are cut (at a UTF-8 boundary), with one warning. */
#define NOTES_FM_MAX_VALUE  (64u << 10)
/* Longer flattened keys ("a.b.c") are cut at a UTF-8 boundary. */
#define NOTES_FM_MAX_KEY    255

/*
 * Find and read the front matter of d.
 *
 * Preconditions: d->src, d->src_len and d->path are set (src may be NULL
 * when src_len is 0); src holds no NUL bytes and valid UTF-8; d holds no
 * key-values, warnings or META text yet (freshly initialized or reset).
 *
 * Recognized: an optional UTF-8 byte order mark, then a first line that is
 * exactly "---" (trailing spaces, tabs and CR allowed; the line must end in
 * LF or CRLF), up to the next line that is exactly "---" or "..." (same
 * tolerance).  Files with CR-only line ends have no front matter.
 *
 * Sets:
 *  - d->body_off, d->body_line: just after the closing fence line.  After
 *    the BOM instead (line 1), the fences and block then being body text,
 *    when there is no front matter, when it is not closed (warning "front
 *    matter not closed; indexed as text"), when the block is larger than
 *    NOTES_FM_MAX_BYTES (warning "front matter too large; indexed as
 *    text"), or when its top level is not a mapping (warning "front matter
 *    is not a mapping"; such a block is usually Markdown between two "---"
 *    rules, so its text is kept).  A YAML syntax error does not move the
 *    body: it still begins after the closing fence.
 *  - d->kv: one entry per scalar value of the top-level mapping, in document
 *    order.  Keys are lowercased; nested mappings give "parent.child" keys
 *    (also for mappings inside lists); a list gives one entry per scalar
 *    item, all with the list's key; a scalar (not a list item) of the
 *    top-level keys tags, tag, categories, keywords and aliases is split on
 *    commas (items trimmed, empty ones dropped).  Empty values and plain
 *    nulls (~, null) are skipped; aliases, and values under non-scalar
 *    keys, are ignored.  Each entry's src is the byte offset of the value's
 *    first character in d->src (inside the quotes of a quoted scalar; the
 *    first content character of a block scalar; the item itself for a
 *    split list) and line its 1-based line (counting LF only, like
 *    notes_doc_line_of).  value is the parsed scalar (escapes resolved,
 *    lines folded), so for quoted, folded and multi-line values it differs
 *    from the bytes at src.
 *  - d->field[NOTES_FIELD_META]: each kv value on its own line (leading and
 *    trailing white space dropped), except for the keys title, date, lang,
 *    language, draft, weight, layout, type, slug, url and aliases and for
 *    values that are numbers or booleans (true/false/yes/no).  A value
 *    found verbatim at its src is one segment; otherwise each word is
 *    mapped to where it occurs in the scalar's text, or to the previous
 *    position when it cannot be found there (escapes).
 *  - d->lang: the "lang" (else "language") value, lowercased ASCII, at most
 *    15 bytes (cut at a UTF-8 boundary); "" when absent.
 *  - d->date: "YYYY-MM-DD" from "date", else "created", else the file name
 *    (notes_date_from_filename on d->path), else "".  A "date" or "created"
 *    value that does not parse adds the warning "unrecognized date 'VALUE'"
 *    ("date out of range 'VALUE'" for a year outside 1900-2999) at its line.
 *  - warnings: "front matter: PROBLEM" (libyaml's message) at the line of a
 *    YAML error in the file, values read before the error being kept; and
 *    one warning per exceeded limit above (depth and value count stop the
 *    reading, keeping what was read; a long value is cut and reading goes
 *    on).  Only the first YAML document of the block is read.
 * The title is not decided here.
 *
 * Linear time and memory in the input; never recurses.
 * Returns NOTES_OK whatever the input; NOTES_E_NOMEM when an allocation
 * fails (d then holds partial results; reset it).
 */
notes_status notes_frontmatter_parse(notes_doc *d);

#endif
