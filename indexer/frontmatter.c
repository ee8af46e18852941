/*
 * frontmatter.c — YAML front matter (see frontmatter.h).
 *
 * Two steps.  First one pass over the lines finds the fences; nothing else
 * looks at the file before that, so a 40 MB file that opens with "---" and
 * never closes costs one memchr sweep.  Then libyaml's event parser reads
 * the block and a small explicit stack (no recursion) turns events into
 * key-values.
 *
 * Positions: libyaml marks count characters, not bytes (mark.index and
 * mark.column both), and it breaks lines at LF, CR, CRLF, NEL, LS and PS.
 * We therefore convert a mark by walking to its line with libyaml's break
 * rules and then over `column` UTF-8 characters.  File line numbers, as
 * everywhere in notes-search, count LF only (notes_doc_line_of).  Values
 * arrive in document order, so both conversions use forward-only cursors
 * and the whole block is walked once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "notes/date.h"
#include "frontmatter.h"

/* How far past a word's own length fm_find looks for it in an escaped or
 * folded scalar before settling for an approximate position: enough for a
 * line break plus deep indentation, small enough to keep the search linear. */
#define FM_SEARCH_SLACK 256

enum fm_kind {
	FM_MAP,    /* a mapping whose values we record */
	FM_SEQ,    /* a sequence whose items we record */
	FM_SKIP    /* a node whose content we ignore (e.g. a complex key) */
};

typedef struct fm_frame {
	enum fm_kind kind;   /* what this nesting level is */
	size_t base;         /* key path length when the level opened */
	size_t nodes;        /* FM_MAP: child nodes seen; even = next is a key */
	int skip_value;      /* FM_MAP: the current key was not a scalar */
} fm_frame;

typedef struct fm_state {
	notes_doc *d;          /* the note */
	notes_status rc;       /* sticky status */
	const char *src;       /* d->src */
	size_t beg, end;       /* the YAML block: src[beg, end) */
	int beg_line;          /* file line of beg */

	size_t yline;          /* cursor: libyaml line number ... */
	size_t yoff;           /* ... whose first byte is at this offset */
	size_t foff;           /* cursor: an offset ... */
	int fline;             /* ... and its file line */

	notes_buf path;        /* key path of the node being read, "a.b" */
	fm_frame stack[NOTES_FM_MAX_DEPTH];   /* open collections */
	int depth;             /* frames used */
	size_t nvalues;        /* key-values recorded */
	int cut_warned;        /* a value was truncated (warned once) */
	int stop;              /* a limit was hit: read no more */
	int not_map;           /* the top level is not a mapping */
} fm_state;

/* ---- positions ------------------------------------------------------- */

/* Length of the libyaml line break at src[i] (< end), 0 when none. */
static size_t fm_break_len(const char *src, size_t i, size_t end)
{
	unsigned char c = (unsigned char)src[i];
	if (c == '\n')
		return 1;
	if (c == '\r')
		return (i + 1 < end && src[i + 1] == '\n') ? 2 : 1;
	if (c == 0xC2 && i + 1 < end && (unsigned char)src[i + 1] == 0x85)
		return 2;
	if (c == 0xE2 && i + 2 < end && (unsigned char)src[i + 1] == 0x80 &&
	    ((unsigned char)src[i + 2] == 0xA8 || (unsigned char)src[i + 2] == 0xA9))
		return 3;
	return 0;
}

/* Byte offset in src of a libyaml mark in the block. */
static size_t fm_mark_off(fm_state *s, const yaml_mark_t *m)
{
	if (m->line < s->yline) {
		s->yline = 0;
		s->yoff = s->beg;
	}
	size_t i = s->yoff;
	while (s->yline < m->line && i < s->end) {
		size_t bl = fm_break_len(s->src, i, s->end);
		if (bl) {
			i += bl;
			s->yline++;
			s->yoff = i;
		} else {
			i++;
		}
	}
	if (s->yline < m->line)
		return s->end;   /* past the last line: the end of the block */
	i = s->yoff;
	for (size_t col = 0; col < m->column && i < s->end; col++) {
		if (fm_break_len(s->src, i, s->end))
			break;
		i++;
		while (i < s->end && ((unsigned char)s->src[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

/* 1-based file line of offset off (>= beg). */
static int fm_line(fm_state *s, size_t off)
{
	if (off < s->foff) {
		s->foff = s->beg;
		s->fline = s->beg_line;
	}
	const char *p = s->src + s->foff, *e = s->src + off;
	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		p++;
		s->fline++;
	}
	s->foff = off;
	return s->fline;
}

/* Largest length <= max that does not split a UTF-8 sequence of s[0, n). */
static size_t fm_utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static int fm_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Offset of the first character of a scalar's text, given the offsets of
 * its event's start mark (i) and end mark (end).  The start mark is at the
 * first property (&anchor, !tag) if any, else at the opening quote or block
 * indicator.
 */
static size_t fm_scalar_start(fm_state *s, const yaml_event_t *ev, size_t i, size_t end)
{
	const char *src = s->src;
	if (ev->data.scalar.anchor || ev->data.scalar.tag) {
		while (i < end && (src[i] == '&' || src[i] == '!')) {
			if (src[i] == '!' && i + 1 < end && src[i + 1] == '<') {
				const char *gt = memchr(src + i, '>', end - i);
				i = gt ? (size_t)(gt - src) + 1 : end;
			}
			while (i < end && !fm_is_blank(src[i]) && !fm_break_len(src, i, end))
				i++;
			/* White space, line breaks and comments up to the next token. */
			for (;;) {
				size_t bl;
				if (i < end && fm_is_blank(src[i])) {
					i++;
				} else if (i < end && (bl = fm_break_len(src, i, end)) != 0) {
					i += bl;
				} else if (i < end && src[i] == '#') {
					while (i < end && !fm_break_len(src, i, end))
						i++;
				} else {
					break;
				}
			}
		}
	}
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		if (i < end && (src[i] == '\'' || src[i] == '"'))
			i++;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE: {
		/* Past the header line, blank lines and the indentation. */
		size_t j = i;
		while (j < end) {
			size_t bl = fm_break_len(src, j, end);
			if (bl) {
				j += bl;
				break;
			}
			j++;
		}
		for (;;) {
			size_t k = j;
			while (k < end && fm_is_blank(src[k]))
				k++;
			size_t bl = k < end ? fm_break_len(src, k, end) : 0;
			if (!bl)
				break;
			j = k + bl;
		}
		while (j < end && fm_is_blank(src[j]))
			j++;
		if (j < end)
			i = j;
		break;
	}
	default:
		break;
	}
	return i;
}

/* ---- values ------------------------------------------------------------ */

static int fm_ieq(const char *a, size_t n, const char *b)
{
	if (strlen(b) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != b[i])
			return 0;
	}
	return 1;
}

static int fm_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number (123, -4.5, 1e6, .5) or a boolean: not worth indexing as text. */
static int fm_is_number_or_bool(const char *v, size_t n)
{
	static const char *const bools[] = {"true", "false", "yes", "no", NULL};
	for (int k = 0; bools[k]; k++)
		if (fm_ieq(v, n, bools[k]))
			return 1;
	size_t i = 0, digits = 0;
	if (i < n && (v[i] == '+' || v[i] == '-'))
		i++;
	while (i < n && fm_is_digit(v[i]))
		i++, digits++;
	if (i < n && v[i] == '.') {
		i++;
		while (i < n && fm_is_digit(v[i]))
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (i < n && (v[i] == 'e' || v[i] == 'E')) {
		size_t e = 0;
		i++;
		if (i < n && (v[i] == '+' || v[i] == '-'))
			i++;
		while (i < n && fm_is_digit(v[i]))
			i++, e++;
		if (e == 0)
			return 0;
	}
	return i == n;
}

/* Keys whose values are metadata, not words a reader searches for. */
static int fm_meta_excluded(const char *key)
{
	static const char *const keys[] = {
		"title", "date", "lang", "language", "draft", "weight", "layout",
		"type", "slug", "url", "aliases", NULL,
	};
	for (int k = 0; keys[k]; k++)
		if (strcmp(key, keys[k]) == 0)
			return 1;
	return 0;
}

/* Keys whose scalar value is a comma-separated list. */
static int fm_is_list_key(const char *key)
{
	static const char *const keys[] = {
		"tags", "tag", "categories", "keywords", "aliases", NULL,
	};
	for (int k = 0; keys[k]; k++)
		if (strcmp(key, keys[k]) == 0)
			return 1;
	return 0;
}

/* Offset of text t[0, n) in src[from, end), looking no further than a little
 * past its length; (size_t)-1 when it is not there. */
static size_t fm_find(const fm_state *s, size_t from, size_t end, const char *t, size_t n)
{
	size_t lim = from + n + FM_SEARCH_SLACK;
	if (lim > end)
		lim = end;
	if (lim <= from)
		return (size_t)-1;
	const char *hit = memmem(s->src + from, lim - from, t, n);
	return hit ? (size_t)(hit - s->src) : (size_t)-1;
}

/* Append v[0, n) to META mapped at source offset at, so that every byte
 * maps inside the block: moved back if need be, and a word longer than the
 * whole block (escapes like \L make 3 bytes of 2) cut into pieces that
 * each map to its start.  A word libyaml gives that the source does not
 * hold as such still points at real text. */
static void fm_meta_put(fm_state *s, const char *v, size_t n, size_t at)
{
	size_t span = s->end > s->beg ? s->end - s->beg : 1;
	while (n > 0 && s->rc == NOTES_OK) {
		size_t k = n < span ? n : span;
		size_t a = at + k > s->end ? s->end - k : at;
		if (a < s->beg)
			a = s->beg;
		notes_doc_append(&s->rc, s->d, NOTES_FIELD_META, v, k, (uint32_t)a);
		v += k;
		n -= k;
		at = s->beg;
	}
}

/*
 * Append value v (which starts at source offset at; its scalar ends before
 * `end`) to the META field, each word mapped to the place it occurs.
 */
static void fm_meta_append(fm_state *s, const char *v, size_t n, size_t at, size_t end)
{
	notes_doc *d = s->d;
	/* Block scalars bring line breaks at either end: not text. */
	while (n && (v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	while (n && (v[0] == '\n' || v[0] == ' ' || v[0] == '\t'))
		v++, n--;
	if (n == 0)
		return;
	if (at + n <= end && memcmp(s->src + at, v, n) == 0) {
		notes_doc_append(&s->rc, d, NOTES_FIELD_META, v, n, (uint32_t)at);
	} else {
		/* Escaped or folded: find each word in the scalar, in order. */
		size_t cur = at, i = 0;
		while (i < n && s->rc == NOTES_OK) {
			size_t ws = i;
			while (i < n && (v[i] == ' ' || v[i] == '\n' || v[i] == '\t'))
				i++;
			size_t w = i;
			while (i < n && v[i] != ' ' && v[i] != '\n' && v[i] != '\t')
				i++;
			if (w > ws)
				fm_meta_put(s, v + ws, w - ws, cur);
			if (i == w)
				break;
			size_t pos = fm_find(s, cur, end, v + w, i - w);
			if (pos != (size_t)-1)
				cur = pos;
			fm_meta_put(s, v + w, i - w, cur);
			if (pos != (size_t)-1)
				cur += i - w;
		}
	}
	notes_doc_break(&s->rc, d, NOTES_FIELD_META);
}

/* Record one value of the current key; 0 when a limit stops the reading. */
static int fm_add(fm_state *s, const char *v, size_t n, size_t at, size_t end)
{
	int line = fm_line(s, at);
	if (s->nvalues >= NOTES_FM_MAX_VALUES) {
		notes_doc_warn(&s->rc, s->d, line,
			       "front matter has more than %d values; the rest is ignored",
			       NOTES_FM_MAX_VALUES);
		s->stop = 1;
		return 0;
	}
	if (n > NOTES_FM_MAX_VALUE) {
		n = fm_utf8_cut(v, n, NOTES_FM_MAX_VALUE);
		if (!s->cut_warned)
			notes_doc_warn(&s->rc, s->d, line,
				       "front matter value longer than %u KiB truncated",
				       NOTES_FM_MAX_VALUE >> 10);
		s->cut_warned = 1;
	}
	const char *key = s->path.p;
	notes_doc_add_kv(&s->rc, s->d, key, v, n, (uint32_t)at, line);
	s->nvalues++;
	if (!fm_meta_excluded(key) && !fm_is_number_or_bool(v, n))
		fm_meta_append(s, v, n, at, end);
	return s->rc == NOTES_OK;
}

/* A scalar value (split = it may be a comma-separated list). */
static void fm_scalar(fm_state *s, const yaml_event_t *ev, int split)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	if (!s->path.p || s->path.n == 0 || n == 0)
		return;
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (fm_ieq(v, n, "~") || fm_ieq(v, n, "null")))
		return;
	/* Start before end: the mark cursor only moves forward. */
	size_t at = fm_mark_off(s, &ev->start_mark);
	size_t end = fm_mark_off(s, &ev->end_mark);
	at = fm_scalar_start(s, ev, at, end);
	if (!split || !fm_is_list_key(s->path.p)) {
		fm_add(s, v, n, at, end);
		return;
	}
	/* Each item is looked up in the scalar's text, in order: exact for
	 * plain and quoted lists, also across folded lines. */
	size_t cur = at, i = 0;
	while (i < n) {
		size_t b = i;
		const char *comma = memchr(v + i, ',', n - i);
		size_t e = comma ? (size_t)(comma - v) : n;
		i = comma ? e + 1 : n;
		while (b < e && (v[b] == ' ' || v[b] == '\t' || v[b] == '\n'))
			b++;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t' || v[e - 1] == '\n'))
			e--;
		if (e == b)
			continue;
		size_t pos = fm_find(s, cur, end, v + b, e - b);
		if (pos != (size_t)-1)
			cur = pos;
		if (!fm_add(s, v + b, e - b, cur, end))
			return;
		if (pos != (size_t)-1)
			cur += e - b;
	}
}

/* Set the key path to the frame's base plus the key k (lowercased). */
static void fm_set_key(fm_state *s, const fm_frame *f, const char *k, size_t n)
{
	s->path.n = f->base;
	if (s->path.p)
		s->path.p[s->path.n] = '\0';
	if (f->base)
		notes_buf_append_char(&s->rc, &s->path, '.');
	size_t room = NOTES_FM_MAX_KEY > s->path.n ? NOTES_FM_MAX_KEY - s->path.n : 0;
	n = fm_utf8_cut(k, n, room);
	size_t from = s->path.n;
	notes_buf_append(&s->rc, &s->path, k, n);
	if (s->rc != NOTES_OK)
		return;
	for (size_t i = from; i < s->path.n; i++)
		if (s->path.p[i] >= 'A' && s->path.p[i] <= 'Z')
			s->path.p[i] = (char)(s->path.p[i] - 'A' + 'a');
}

/* Open a collection; 0 when the depth limit stops the reading. */
static int fm_push(fm_state *s, enum fm_kind kind, const yaml_event_t *ev)
{
	if (s->depth == NOTES_FM_MAX_DEPTH) {
		notes_doc_warn(&s->rc, s->d, fm_line(s, fm_mark_off(s, &ev->start_mark)),
			       "front matter nested deeper than %d levels; the rest is ignored",
			       NOTES_FM_MAX_DEPTH);
		s->stop = 1;
		return 0;
	}
	fm_frame *f = &s->stack[s->depth++];
	f->kind = kind;
	f->base = s->path.n;
	f->nodes = 0;
	f->skip_value = 0;
	return 1;
}

/* A node (scalar, alias, or collection start) inside the top frame. */
static void fm_node(fm_state *s, const yaml_event_t *ev)
{
	fm_frame *f = &s->stack[s->depth - 1];
	int start = ev->type == YAML_MAPPING_START_EVENT ||
		    ev->type == YAML_SEQUENCE_START_EVENT;
	enum fm_kind kind = FM_SKIP;

	if (f->kind == FM_MAP && f->nodes % 2 == 0) {
		/* A key: only scalar keys name values. */
		if (ev->type == YAML_SCALAR_EVENT) {
			f->skip_value = 0;
			fm_set_key(s, f, (const char *)ev->data.scalar.value,
				   ev->data.scalar.length);
		} else {
			f->skip_value = 1;
		}
	} else if (f->kind == FM_SKIP || (f->kind == FM_MAP && f->skip_value)) {
		/* Ignored, with everything inside. */
	} else if (ev->type == YAML_SCALAR_EVENT) {
		fm_scalar(s, ev, f->kind == FM_MAP);
	} else if (ev->type == YAML_MAPPING_START_EVENT) {
		kind = FM_MAP;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		kind = FM_SEQ;
	}
	/* Aliases are ignored: expanding them is how alias bombs explode.
	 * Scalars and aliases are complete at once; a collection when its end
	 * event pops it (fm_pop). */
	if (start)
		fm_push(s, kind, ev);
	else
		f->nodes++;
}

/* The end of the top frame's collection. */
static void fm_pop(fm_state *s)
{
	fm_frame *f = &s->stack[--s->depth];
	s->path.n = f->base;
	if (s->path.p)
		s->path.p[s->path.n] = '\0';
	if (s->depth > 0)
		s->stack[s->depth - 1].nodes++;
}

/* Warn about a libyaml error at its line in the file. */
static void fm_yaml_error(fm_state *s, const yaml_parser_t *p)
{
	size_t off;
	if (p->error == YAML_MEMORY_ERROR) {
		s->rc = NOTES_E_NOMEM;
		return;
	}
	if (p->error == YAML_READER_ERROR)
		off = s->beg + (p->problem_offset < s->end - s->beg ?
				p->problem_offset : s->end - s->beg);
	else
		off = fm_mark_off(s, &p->problem_mark);
	notes_doc_warn(&s->rc, s->d, fm_line(s, off), "front matter: %s",
		       p->problem ? p->problem : "invalid YAML");
}

/* Read the block src[beg, end) (beg on file line beg_line). */
static void fm_read_yaml(fm_state *s)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		s->rc = NOTES_E_NOMEM;
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)s->src + s->beg,
				     s->end - s->beg);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

	int in_doc = 0, top_seen = 0;
	while (s->rc == NOTES_OK && !s->stop) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			fm_yaml_error(s, &p);
			break;
		}
		yaml_event_type_t t = ev.type;
		switch (t) {
		case YAML_DOCUMENT_START_EVENT:
			in_doc = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:   /* only the first document counts */
		case YAML_STREAM_END_EVENT:
			s->stop = 1;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (!in_doc)
				break;
			if (s->depth > 0) {
				fm_node(s, &ev);
			} else if (!top_seen) {
				top_seen = 1;
				if (t == YAML_MAPPING_START_EVENT) {
					fm_push(s, FM_MAP, &ev);
				} else if (!(t == YAML_SCALAR_EVENT &&
					     ev.data.scalar.length == 0)) {
					notes_doc_warn(&s->rc, s->d,
						       fm_line(s, fm_mark_off(s, &ev.start_mark)),
						       "front matter is not a mapping");
					s->not_map = 1;
					s->stop = 1;
				}
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (s->depth > 0)
				fm_pop(s);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
}

/* ---- fences ------------------------------------------------------------ */

/*
 * Is the line at src[at] the fence f ("---" or "...") with only spaces,
 * tabs and a CR after it?  On success *next is the start of the following
 * line (len at the end of the file; need_eol refuses that case).
 */
static int fm_fence(const char *src, size_t len, size_t at, const char *f,
		    int need_eol, size_t *next)
{
	if (len - at < 3 || memcmp(src + at, f, 3) != 0)
		return 0;
	size_t i = at + 3;
	while (i < len && fm_is_blank(src[i]))
		i++;
	if (i < len && src[i] == '\r' && (i + 1 == len || src[i + 1] == '\n'))
		i++;
	if (i == len) {
		*next = len;
		return !need_eol;
	}
	if (src[i] != '\n')
		return 0;
	*next = i + 1;
	return 1;
}

/* Warning text for a value: at most 80 bytes, control characters blanked. */
static void fm_quote(char out[81], const char *v)
{
	size_t n = fm_utf8_cut(v, strlen(v), 80);
	for (size_t i = 0; i < n; i++)
		out[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? ' ' : v[i];
	out[n] = '\0';
}

/* Date from one key; 1 when it gave one (warns when it is unusable). */
static int fm_date_from(notes_status *rc, notes_doc *d, const char *key)
{
	const notes_kv *kv = notes_doc_kv(d, key);
	if (!kv)
		return 0;
	notes_status st = notes_date_parse(kv->value, strlen(kv->value), d->date);
	if (st == NOTES_OK)
		return 1;
	char q[81];
	fm_quote(q, kv->value);
	notes_doc_warn(rc, d, kv->line, st == NOTES_E_RANGE ?
		       "date out of range '%s'" : "unrecognized date '%s'", q);
	return 0;
}

notes_status notes_frontmatter_parse(notes_doc *d)
{
	notes_status rc = NOTES_OK;
	const char *src = d->src;
	size_t len = src ? d->src_len : 0;
	size_t start = 0;

	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		start = 3;
	d->body_off = start;
	d->body_line = 1;
	d->date[0] = '\0';
	d->lang[0] = '\0';

	size_t open_next;
	if (len && fm_fence(src, len, start, "---", 1, &open_next)) {
		/* One pass over the lines for the closing fence. */
		size_t at = open_next, close = 0, next = 0;
		int line = 2, found = 0;
		while (at < len) {
			if (fm_fence(src, len, at, "---", 0, &next) ||
			    fm_fence(src, len, at, "...", 0, &next)) {
				close = at;
				found = 1;
				break;
			}
			const char *nl = memchr(src + at, '\n', len - at);
			if (!nl)
				break;
			at = (size_t)(nl - src) + 1;
			line++;
		}
		if (!found) {
			notes_doc_warn(&rc, d, 1, "front matter not closed; indexed as text");
		} else if (close - open_next > NOTES_FM_MAX_BYTES || next > UINT32_MAX) {
			notes_doc_warn(&rc, d, 1, "front matter too large; indexed as text");
		} else {
			d->body_off = next;
			d->body_line = (next > close && src[next - 1] == '\n') ? line + 1 : line;

			fm_state *s = calloc(1, sizeof *s);
			if (!s)
				return NOTES_E_NOMEM;
			s->d = d;
			s->src = src;
			s->beg = open_next;
			s->end = close;
			s->beg_line = 2;
			s->yoff = s->foff = s->beg;
			s->fline = s->beg_line;
			notes_buf_reserve(&s->rc, &s->path, 64);
			if (s->rc == NOTES_OK)
				fm_read_yaml(s);
			rc = s->rc;
			if (s->not_map) {
				/* Most likely Markdown between two rules: keep it. */
				d->body_off = start;
				d->body_line = 1;
			}
			notes_buf_free(&s->path);
			free(s);
		}
	}
	if (rc != NOTES_OK)
		return rc;

	const notes_kv *lk = notes_doc_kv(d, "lang");
	if (!lk)
		lk = notes_doc_kv(d, "language");
	if (lk) {
		const char *v = lk->value;
		size_t n = strlen(v);
		while (n && fm_is_blank(v[0]))
			v++, n--;
		while (n && fm_is_blank(v[n - 1]))
			n--;
		n = fm_utf8_cut(v, n, sizeof d->lang - 1);
		for (size_t i = 0; i < n; i++)
			d->lang[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] - 'A' + 'a') : v[i];
		d->lang[n] = '\0';
	}

	if (!fm_date_from(&rc, d, "date") && !fm_date_from(&rc, d, "created"))
		notes_date_from_filename(d->path, d->date);
	return rc;
}
