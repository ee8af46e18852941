/*
 * markdown.h — the text of a note's Markdown body, with exact source positions.
 *
 * The body is parsed with cmark (plain CommonMark, no GFM).  Text goes to the
 * fields of the doc (doc.h):
 *   NOTES_FIELD_HEADINGS  each heading's text (ATX and setext), one per line;
 *   NOTES_FIELD_BODY      paragraphs, list items, block quotes, "tables" (plain
 *                         CommonMark sees them as paragraphs), link text (not
 *                         URLs), image alt text, inline code, and the text of
 *                         HTML blocks between tags;
 *   NOTES_FIELD_CODE      fenced and indented code blocks, one line per source
 *                         line, and inline code (which is in BODY as well).
 * Leaf blocks and soft/hard line breaks end with a separator (notes_doc_break);
 * between inline nodes of one line nothing is inserted ("**a**b" gives "ab").
 *
 * Every byte appended to a field records the source offset of the text it was
 * copied from, so that a hit can be reported as path:line:col.  The only
 * bytes that are not copied verbatim are characters decoded from entity
 * references ("&eacute;" gives "é"), which map to the entity's '&'.  Spaces
 * that are not in the source (a tab cmark expanded, a line end inside a code
 * span) become separators instead.
 *
 * Removed entirely: HTML comments (also when cmark splits one over several
 * blocks), <script>/<style> content, HTML tags, link destinations and titles,
 * code block info strings, heading attributes ("## Title {#anchor}"), and
 * Hugo shortcode tags: {{< name params >}}, {{% name params %}}, closing
 * {{< /name >}} and the escaped form (a comment opener right after "{{<" and
 * a comment closer right before ">}}", used to show shortcode syntax), also
 * when they span lines.  The text between an opening and a closing shortcode
 * is Markdown like any other, and the value of a text="..." parameter (e.g.
 * glossary_tooltip text="Pods") takes the tag's place: it is indexed at its
 * own offset, in BODY when the tag is in a paragraph.  A tag between two
 * word characters leaves a separator ("Pod{{< x >}}s" gives "Pod", "s").
 * An unclosed "{{<" is text.
 *
 * Limits: bodies larger than 1 MB are parsed in pieces of about 64 KB cut
 * at blank lines outside fenced code (or, in a giant paragraph, between
 * lines or at a space), which bounds the memory cmark uses; a reference link
 * whose definition is in another piece then stays literal text.  Running
 * out of memory inside cmark aborts the process (cmark does not report it).
 */
#ifndef NOTES_MARKDOWN_H
#define NOTES_MARKDOWN_H

#include "doc.h"
#include "notes/status.h"

/*
 * Extract the Markdown text of d->src[d->body_off .. d->src_len) into d's
 * fields and set d->first_h1 / d->first_h1_src: the first non-empty level-1
 * heading's text as it is in NOTES_FIELD_HEADINGS (line breaks read as
 * spaces) and the source offset of its first byte.  Only that first byte's
 * offset is known: the rest of the text is verbatim only up to the first
 * markup ("A *b* c" gives "A b c").  For exact positions of every word,
 * map through the HEADINGS segments instead.
 *
 * Preconditions: d->src, d->src_len, d->path and d->body_off are set; the
 * source contains no NUL bytes and is valid UTF-8 (the reader replaces bad
 * bytes).  Text is appended after whatever the fields already hold.
 *
 * Never fails on content: time and memory are linear in the body size for
 * any input.  Returns NOTES_OK or NOTES_E_NOMEM (the fields then hold a
 * partial text and must not be indexed).
 */
notes_status notes_markdown_extract(notes_doc *d);

#endif
