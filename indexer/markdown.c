/*
 * markdown.c — Markdown text extraction with exact source positions (see
 * markdown.h).
 *
 * How it works:
 *
 * 1. Working copy.  The body is copied into a working copy W in which Hugo
 *    shortcode tags are deleted (the value of a text= parameter takes the
 *    tag's place; newlines inside a tag go with it, so a tag spanning lines
 *    behaves like one written on one line).  A breakpoint table maps W
 *    offsets back to source offsets.  Deleting a tag never adds indentation:
 *    when only blanks precede the tag on its line, blanks after it are
 *    dropped too.  When a tag sat between two word characters, a one-byte
 *    "synthetic" space is put in its place so the words stay apart; it maps
 *    to no source and is emitted as a separator.  Without shortcodes W is the
 *    source itself (no copy).
 *
 * 2. Pieces.  cmark keeps the whole tree in memory (over 100 bytes per
 *    inline node, i.e. up to 100 times the input for dense markup) and gets
 *    slower as the tree outgrows the caches, so a W larger than MD_WHOLE is
 *    parsed in pieces of about MD_CHUNK bytes, cut where a new top-level
 *    block begins (blank line, outside fenced code and raw HTML blocks),
 *    else between lines, else at a space.  Cost: in such a body, a
 *    reference link whose definition is in another piece stays text.
 *
 * 3. Positions.  Block positions from cmark (CMARK_OPT_SOURCEPOS) are
 *    reliable; inline ones are not (continuation lines, escaped line breaks),
 *    so they are not used.  For a paragraph or heading a cursor in W only
 *    moves forward, from the block's first line, and each text or code
 *    literal is looked for at or after it.  A literal found verbatim is
 *    taken at its leftmost occurrence, unless something between the cursor
 *    and there (an entity reference, a backslash escape, a tab, or a line
 *    end for a code span) could be where the literal really starts in a
 *    form that is not verbatim.  Otherwise literal and W are walked
 *    together, allowing backslash escapes, entity references (a small table,
 *    other names decoded by cmark itself), tabs that cmark turned into
 *    spaces and, in code spans, line ends read as spaces; at markup the walk
 *    resumes at the leftmost place where the rest of the literal can start.
 *    Taking the leftmost candidate at every step, the cursor never passes
 *    the true place of the next text, so nothing is lost; a mapping can at
 *    worst be early (an identical copy inside markup), still pointing at the
 *    same bytes.  Searches are bounded by the block, and bytes scanned by
 *    failed searches are charged to a per-block budget (a small multiple of
 *    the block size) after which only short windows are searched, so the
 *    work stays linear on any input.  Code and HTML block lines are found
 *    as the tail of their source line.
 *
 * 4. HTML.  HTML blocks run through a small tag stripper whose state lives
 *    across blocks.  When a block ends inside a comment (or <script>/<style>)
 *    because cmark closed it early, everything up to the end of the comment
 *    in W is suppressed, whatever cmark made of it.
 */
#include <cmark.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "markdown.h"

#define MD_NOTFOUND ((size_t)-1)
#define MD_NOSRC    ((size_t)-1)          /* breakpoint of a synthetic byte */
#define MD_WHOLE    ((size_t)1024 * 1024) /* bodies up to this are parsed whole */
#define MD_CHUNK    ((size_t)64 * 1024)   /* else: target size of one cmark parse */
#define MD_TAG_MAX  ((size_t)65536)       /* longest shortcode tag accepted */
#define MD_ANCHOR   64                    /* longest piece searched on resync */

#define MASK(f) (1u << (f))

/* W offset w and everything up to the next breakpoint come from source
 * offset src (or from nowhere, when src is MD_NOSRC). */
typedef struct md_bp {
	size_t w;     /* offset in the working copy */
	size_t src;   /* source offset of w, or MD_NOSRC for a synthetic byte */
} md_bp;

enum md_hstate { H_TEXT, H_TAG, H_COMMENT, H_RAW, H_DECL, H_PI };

typedef struct md_ctx {
	notes_doc   *d;        /* the note being filled (not owned) */
	notes_status rc;       /* sticky status of every append */

	const char *w;         /* working copy (wbuf, or the source body) */
	size_t      wlen;      /* bytes in w */
	char       *wbuf;      /* owned copy when shortcodes were removed */
	md_bp      *bp;        /* breakpoints, sorted by w; owned */
	size_t      nbp, bpcap;
	uint32_t   *ls;        /* W offset of each line start in the piece; owned */
	size_t      nls, lscap;

	size_t ca, cb;         /* current piece of W given to cmark */

	unsigned  fmask;       /* fields receiving the current leaf's inline text */
	size_t    bs, be;      /* current leaf block's W range */
	size_t    cur;         /* forward cursor in W, within [bs, be] */
	long long budget;      /* bytes failed searches may still scan */

	size_t supp;           /* W offsets below this are in a comment: no text */
	enum md_hstate hs;     /* HTML stripper state, kept across blocks */
	char      hquote;      /* in H_TAG: the open attribute quote, or 0 */
	bool      hclosing;    /* in H_TAG: an end tag */
	char      hname[12];   /* in H_TAG: lowercased tag name (truncated) */
	char      hraw[12];    /* in H_RAW: "script" or "style" */

	struct md_ent {        /* entity names decoded by cmark, hashed */
		char name[33];     /* NUL-terminated name, "" for a free slot */
		char dec[16];      /* its decoding */
		unsigned char dn;  /* bytes in dec; 0: not an entity */
	} ent[64];
	unsigned ent_left;     /* cmark decodings this note may still do */

	size_t h_off;          /* HEADINGS offset where the current heading starts */
	bool   h1_open;        /* the current heading may become first_h1 */
	bool   h1_done;        /* first_h1 has been taken */
} md_ctx;

/* ------------------------------------------------------------------------ */
/* Small helpers. */

static bool md_is_word(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

static bool md_is_punct(unsigned char ch)
{
	return (ch >= 33 && ch <= 47) || (ch >= 58 && ch <= 64) ||
	       (ch >= 91 && ch <= 96) || (ch >= 123 && ch <= 126);
}

static bool md_is_blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool md_is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static char md_lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* Length of the UTF-8 character starting at s[i] (1 for a stray byte),
 * never past n. */
static size_t md_u8len(const char *s, size_t i, size_t n)
{
	unsigned char ch = (unsigned char)s[i];
	size_t k = ch < 0xC0 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
	return k > n - i ? n - i : k;
}

static size_t md_put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Common named entities, decoded without asking cmark (md_entity_dec()
 * asks it about the other HTML5 names). */
static const struct {
	const char *name;
	uint32_t cp;
} md_entities[] = {
	{"AElig", 0xC6}, {"Aacute", 0xC1}, {"Agrave", 0xC0}, {"Auml", 0xC4},
	{"Ccedil", 0xC7}, {"Eacute", 0xC9}, {"Egrave", 0xC8}, {"Ouml", 0xD6},
	{"Uuml", 0xDC}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"aelig", 0xE6},
	{"agrave", 0xE0}, {"amp", '&'}, {"apos", '\''}, {"aring", 0xE5},
	{"auml", 0xE4}, {"bull", 0x2022}, {"ccedil", 0xE7}, {"cent", 0xA2},
	{"copy", 0xA9}, {"dagger", 0x2020}, {"darr", 0x2193}, {"deg", 0xB0},
	{"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA}, {"egrave", 0xE8},
	{"emsp", 0x2003}, {"ensp", 0x2002}, {"euml", 0xEB}, {"euro", 0x20AC},
	{"ge", 0x2265}, {"gt", '>'}, {"harr", 0x2194}, {"hellip", 0x2026},
	{"iacute", 0xED}, {"iexcl", 0xA1}, {"iquest", 0xBF}, {"iuml", 0xEF},
	{"laquo", 0xAB}, {"larr", 0x2190}, {"ldquo", 0x201C}, {"le", 0x2264},
	{"lsquo", 0x2018}, {"lt", '<'}, {"mdash", 0x2014}, {"middot", 0xB7},
	{"nbsp", 0xA0}, {"ndash", 0x2013}, {"ne", 0x2260}, {"ntilde", 0xF1},
	{"oacute", 0xF3}, {"ocirc", 0xF4}, {"ouml", 0xF6}, {"para", 0xB6},
	{"plusmn", 0xB1}, {"pound", 0xA3}, {"quot", '"'}, {"raquo", 0xBB},
	{"rarr", 0x2192}, {"rdquo", 0x201D}, {"reg", 0xAE}, {"rsquo", 0x2019},
	{"sect", 0xA7}, {"shy", 0xAD}, {"szlig", 0xDF}, {"thinsp", 0x2009},
	{"times", 0xD7}, {"trade", 0x2122}, {"uacute", 0xFA}, {"uarr", 0x2191},
	{"uuml", 0xFC}, {"yen", 0xA5}, {"zwj", 0x200D}, {"zwnj", 0x200C},
};

/*
 * If s[0..n) begins with an entity reference ("&name;", "&#123;", "&#x1F;"),
 * return its length and put its decoding in dec[0..*dn) (*dn == 0 for a
 * name not in the table, or when dec is NULL: syntax only); else return 0.
 */
static size_t md_entity(const char *s, size_t n, char dec[16], size_t *dn)
{
	size_t i = 1;
	*dn = 0;
	if (n < 4 || s[0] != '&')
		return 0;
	if (s[1] == '#') {
		uint32_t cp = 0;
		size_t start;
		bool hex = (s[2] == 'x' || s[2] == 'X');
		i = start = hex ? 3 : 2;
		while (i < n && i - start < (hex ? 6u : 7u)) {
			char ch = s[i];
			if (ch >= '0' && ch <= '9')
				cp = cp * (hex ? 16 : 10) + (uint32_t)(ch - '0');
			else if (hex && md_lower(ch) >= 'a' && md_lower(ch) <= 'f')
				cp = cp * 16 + (uint32_t)(md_lower(ch) - 'a' + 10);
			else
				break;
			i++;
		}
		if (i == start || i >= n || s[i] != ';')
			return 0;
		if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			cp = 0xFFFD;
		if (dec)
			*dn = md_put_utf8(dec, cp);
		return i + 1;
	}
	while (i < n && i <= 32 && md_is_word((unsigned char)s[i]) &&
	       (unsigned char)s[i] < 0x80)
		i++;
	if (i == 1 || i >= n || s[i] != ';' ||
	    !((s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z')))
		return 0;
	if (!dec)
		return i + 1;
	for (size_t k = 0; k < sizeof md_entities / sizeof md_entities[0]; k++) {
		const char *nm = md_entities[k].name;
		if (nm[0] == s[1] && strlen(nm) == i - 1 && memcmp(nm, s + 1, i - 1) == 0) {
			*dn = md_put_utf8(dec, md_entities[k].cp);
			break;
		}
	}
	return i + 1;
}

/* Case-insensitive: does s[0..n) begin with the lowercase word lw? */
static bool md_starts_ci(const char *s, size_t n, const char *lw)
{
	size_t k = strlen(lw);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (md_lower(s[i]) != lw[i])
			return false;
	return true;
}

/* First "</name" (case-insensitive) in s[0..n), or MD_NOTFOUND. */
static size_t md_find_endtag(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name);
	for (size_t i = 0; i + 2 + k <= n; i++) {
		const char *lt = memchr(s + i, '<', n - i);
		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (i + 2 + k <= n && s[i + 1] == '/' &&
		    md_starts_ci(s + i + 2, n - i - 2, name))
			return i;
	}
	return MD_NOTFOUND;
}

/* ------------------------------------------------------------------------ */
/* Working copy, breakpoints and lines. */

/* State of a line scanner that knows when a line is inside top-level fenced
 * code or a raw HTML block (approximately: containers are not parsed).
 * Used to cut W into pieces, and to leave Liquid tags in code alone. */
typedef struct md_cut {
	size_t fence;   /* length of the open top-level code fence, or 0 */
	char   fch;     /* its character */
	int    raw;     /* 1 in a top-level comment block, 2 in script/style/pre/textarea */
	char   rawname[12]; /* end tag searched when raw == 2 */
} md_cut;

static void md_cut_line(md_cut *st, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (st->raw == 0 && i < n && (s[i] == '`' || s[i] == '~')) {
		size_t r = 0;
		while (i + r < n && s[i + r] == s[i])
			r++;
		if (st->fence == 0 && r >= 3) {
			if (s[i] == '~' || !memchr(s + i + r, '`', n - i - r)) {
				st->fence = r;
				st->fch = s[i];
			}
			return;
		}
		if (st->fence && s[i] == st->fch && r >= st->fence) {
			size_t k = i + r;
			while (k < n && md_is_blank((unsigned char)s[k]))
				k++;
			if (k == n)
				st->fence = 0;
			return;
		}
	}
	if (st->fence)
		return;
	if (st->raw == 0 && i < n && s[i] == '<') {
		static const char *const raw[] = {"script", "pre", "style", "textarea"};
		if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			st->raw = 1;
		} else {
			for (size_t k = 0; k < 4; k++) {
				size_t l = strlen(raw[k]);
				if (md_starts_ci(s + i + 1, n - i - 1, raw[k]) &&
				    (i + 1 + l == n || s[i + 1 + l] == '>' ||
				     md_is_blank((unsigned char)s[i + 1 + l]))) {
					st->raw = 2;
					memcpy(st->rawname, raw[k], l + 1);
				}
			}
		}
	}
	if (st->raw == 1 && memmem(s, n, "-->", 3))
		st->raw = 0;
	else if (st->raw == 2 && md_find_endtag(s, n, st->rawname) != MD_NOTFOUND)
		st->raw = 0;
}


static void md_bp_add(md_ctx *c, size_t w, size_t src)
{
	if (c->rc != NOTES_OK)
		return;
	if (c->nbp > 0) {
		md_bp *last = &c->bp[c->nbp - 1];
		if (last->w == w) {           /* nothing was copied since */
			last->src = src;
			return;
		}
		if (last->src != MD_NOSRC && src != MD_NOSRC &&
		    src >= last->src && src - last->src == w - last->w)
			return;               /* continues the previous run */
	}
	if (c->nbp == c->bpcap) {
		size_t cap = c->bpcap ? c->bpcap * 2 : 64;
		md_bp *p = realloc(c->bp, cap * sizeof *p);
		if (!p) {
			c->rc = NOTES_E_NOMEM;
			return;
		}
		c->bp = p;
		c->bpcap = cap;
	}
	c->bp[c->nbp].w = w;
	c->bp[c->nbp].src = src;
	c->nbp++;
}

/* Index of the breakpoint that covers W offset x. */
static size_t md_bp_find(const md_ctx *c, size_t x)
{
	size_t lo = 0, hi = c->nbp;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->bp[mid].w <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t md_w2src(const md_ctx *c, size_t x)
{
	const md_bp *b = &c->bp[md_bp_find(c, x)];
	return b->src == MD_NOSRC ? MD_NOSRC : b->src + (x - b->w);
}

/* Template tags removed from W: Hugo shortcodes in both forms, and Liquid
 * tags (older pages use {% glossary_tooltip ... %}; Hugo shows them as
 * text, but they are markup all the same). */
static const struct {
	const char *open, *close;   /* delimiters */
	size_t olen;                /* strlen(open); close is 3 bytes or 2 */
} md_tags[] = {
	{"{{<", ">}}", 3}, {"{{%", "%}}", 3}, {"{%", "%}", 2},
};

/* Tag of kind `kind` at s[i..n) (its opening delimiter is there): its end
 * (after the closing delimiter) or 0 when it is not a tag.  *tv and *tn
 * receive the value of a text= parameter (offsets into s; *tn == 0 when
 * there is none).  closer[] caches the next closing delimiter of each kind,
 * so that scanning a body full of unclosed openers stays linear. */
static size_t md_shortcode(const char *s, size_t n, size_t i, int kind,
			   size_t closer[3], size_t *tv, size_t *tn)
{
	const char *pat = md_tags[kind].close;
	size_t plen = strlen(pat), j = i + md_tags[kind].olen, e;
	*tv = *tn = 0;
	if (closer[kind] == MD_NOTFOUND || closer[kind] < j) {
		const char *f = memmem(s + j, n - j, pat, plen);
		closer[kind] = f ? (size_t)(f - s) : n;
	}
	e = closer[kind];
	if (e >= n || e - i > MD_TAG_MAX)
		return 0;
	if (kind == 2) {                    /* Liquid: "{%" blanks name */
		size_t k = j;
		while (k < e && md_is_blank((unsigned char)s[k]))
			k++;
		if (k == e || !((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')))
			return 0;
	}
	while (j < e && md_is_space((unsigned char)s[j]))
		j++;
	if (j + 1 < e && s[j] == '/' && s[j + 1] == '*')
		return e + plen;   /* escaped form: an example, no text in it */
	if (j < e && s[j] == '/')
		return e + plen;   /* closing tag */
	while (j < e && !md_is_space((unsigned char)s[j]))  /* the name */
		j++;
	while (j < e) {
		size_t k0, kend = 0, v0, v1;
		while (j < e && md_is_space((unsigned char)s[j]))
			j++;
		if (j >= e)
			break;
		k0 = j;
		while (j < e && (unsigned char)s[j] < 0x80 &&
		       (md_is_word((unsigned char)s[j]) || s[j] == '_' || s[j] == '-'))
			j++;
		if (j < e && s[j] == '=' && j > k0)
			kend = j++;
		else
			j = k0;    /* a positional parameter */
		if (j < e && (s[j] == '"' || s[j] == '`')) {
			char q = s[j];
			v0 = ++j;
			while (j < e && s[j] != q)
				j += (s[j] == '\\' && q == '"' && j + 1 < e) ? 2 : 1;
			if (j >= e)
				break;     /* unterminated: ignore the rest */
			v1 = j++;
		} else {
			v0 = j;
			while (j < e && !md_is_space((unsigned char)s[j]))
				j++;
			v1 = j;
		}
		if (*tn == 0 && kend == k0 + 4 && memcmp(s + k0, "text", 4) == 0 &&
		    v1 > v0) {
			*tv = v0;
			*tn = v1 - v0;
		}
	}
	return e + plen;
}

/* Build W from the body, with shortcode tags removed. */
static void md_prepare(md_ctx *c)
{
	const notes_doc *d = c->d;
	size_t base = d->body_off < d->src_len ? d->body_off : d->src_len;
	const char *s = d->src + base;
	size_t n = d->src_len - base;
	size_t closer[3] = {MD_NOTFOUND, MD_NOTFOUND, MD_NOTFOUND};
	md_cut st = {0, 0, 0, {0}};       /* fence state of the line at `scan` */
	size_t scan = 0;                  /* start of the first line not scanned */

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
		base += 3;
	}
	md_bp_add(c, 0, base);
	if (!memmem(s, n, "{{<", 3) && !memmem(s, n, "{%", 2)) {
		c->w = s;
		c->wlen = n;
		return;
	}
	/* W never grows: a tag is replaced by at most its text= value plus
	 * one synthetic byte, and a tag is longer than both. */
	c->wbuf = malloc(n + 1);
	if (!c->wbuf) {
		c->rc = NOTES_E_NOMEM;
		return;
	}
	char *w = c->wbuf;
	size_t wn = 0, i = 0;
	bool line_blank = true;       /* only blanks so far on W's current line */
	while (i < n && c->rc == NOTES_OK) {
		const char *br = memchr(s + i, '{', n - i);
		size_t j = br ? (size_t)(br - s) : n, end = 0, tv = 0, tn = 0;
		if (br && j + 2 < n && s[j + 1] == '{' && (s[j + 2] == '<' || s[j + 2] == '%')) {
			end = md_shortcode(s, n, j, s[j + 2] == '<' ? 0 : 1, closer, &tv, &tn);
		} else if (br && j + 1 < n && s[j + 1] == '%') {
			/* Liquid, but not in fenced code (Jinja examples):
			 * bring the line scanner up to the line of j. */
			for (;;) {
				const char *nl = memchr(s + scan, '\n', n - scan);
				if (!nl || (size_t)(nl - s) >= j)
					break;
				size_t len = (size_t)(nl - s) - scan;
				if (len > 0 && s[scan + len - 1] == '\r')
					len--;
				md_cut_line(&st, s + scan, len);
				scan = (size_t)(nl - s) + 1;
			}
			if (!st.fence)
				end = md_shortcode(s, n, j, 2, closer, &tv, &tn);
		}
		size_t upto = end ? j : (br ? j + 1 : n);
		if (upto > i) {            /* copy s[i..upto) */
			md_bp_add(c, wn, base + i);
			memcpy(w + wn, s + i, upto - i);
			for (size_t k = i; k < upto; k++)
				if (s[k] == '\n' || s[k] == '\r')
					line_blank = true;
				else if (!md_is_blank((unsigned char)s[k]))
					line_blank = false;
			wn += upto - i;
			i = upto;
		}
		if (end == 0)
			continue;
		/* Remove the tag s[j..end). */
		bool after_word = end < n && md_is_word((unsigned char)s[end]);
		bool before_word = wn > 0 && md_is_word((unsigned char)w[wn - 1]);
		if (tn > 0) {
			if (before_word && md_is_word((unsigned char)s[tv])) {
				md_bp_add(c, wn, MD_NOSRC);
				w[wn++] = ' ';
			}
			md_bp_add(c, wn, base + tv);
			memcpy(w + wn, s + tv, tn);
			wn += tn;
			line_blank = false;
			if (after_word && md_is_word((unsigned char)s[tv + tn - 1])) {
				md_bp_add(c, wn, MD_NOSRC);
				w[wn++] = ' ';
			}
		} else if (before_word && after_word) {
			md_bp_add(c, wn, MD_NOSRC);
			w[wn++] = ' ';
		}
		i = end;
		if (line_blank)
			while (i < n && md_is_blank((unsigned char)s[i]))
				i++;
	}
	w[wn] = '\0';
	c->w = w;
	c->wlen = wn;
}

static void md_ls_add(md_ctx *c, size_t off)
{
	if (c->rc != NOTES_OK)
		return;
	if (c->nls == c->lscap) {
		size_t cap = c->lscap ? c->lscap * 2 : 256;
		uint32_t *p = realloc(c->ls, cap * sizeof *p);
		if (!p) {
			c->rc = NOTES_E_NOMEM;
			return;
		}
		c->ls = p;
		c->lscap = cap;
	}
	c->ls[c->nls++] = (uint32_t)off;
}

/* Line starts of the piece W[a, b), with cmark's line endings (LF, CRLF,
 * CR); cmark's line k of the piece starts at ls[k - 1]. */
static void md_lines(md_ctx *c, size_t a, size_t b)
{
	const char *w = c->w;
	c->nls = 0;
	md_ls_add(c, a);
	for (size_t i = a; i < b && c->rc == NOTES_OK; i++) {
		if (w[i] == '\n')
			md_ls_add(c, i + 1);
		else if (w[i] == '\r' && (i + 1 == b || w[i + 1] != '\n'))
			md_ls_add(c, i + 1);
	}
}

/* W offset of the start of cmark line `line` (1-based) of the current piece,
 * clamped to the piece. */
static size_t md_line_off(const md_ctx *c, int line)
{
	size_t g = line > 1 ? (size_t)(line - 1) : 0;
	if (g >= c->nls || c->ls[g] > c->cb)
		return c->cb;
	return c->ls[g];
}

/* End of the content of that line (before its line ending). */
static size_t md_line_end(const md_ctx *c, int line)
{
	size_t a = md_line_off(c, line), e = md_line_off(c, line + 1);
	if (e > a && c->w[e - 1] == '\n')
		e--;
	if (e > a && c->w[e - 1] == '\r')
		e--;
	return e;
}

/*
 * Like md_entity(), but a name not in the table is decoded by cmark itself
 * (which knows all of HTML5, including names that give two code points),
 * through a small cache and at most ent_left times per note; past that it
 * keeps *dn == 0 ("some character").  Returns 0 for a name cmark does not
 * know: such text stays literal.
 */
static size_t md_entity_dec(md_ctx *c, const char *s, size_t n, char dec[16], size_t *dn)
{
	size_t el = md_entity(s, n, dec, dn);
	if (el == 0 || *dn > 0 || el - 2 > 32)
		return el;
	unsigned h = 5381;
	for (size_t i = 1; i + 1 < el; i++)
		h = h * 33 + (unsigned char)s[i];
	struct md_ent *e = &c->ent[h % (sizeof c->ent / sizeof c->ent[0])];
	if (strlen(e->name) != el - 2 || memcmp(e->name, s + 1, el - 2) != 0) {
		if (c->ent_left == 0)
			return el;
		c->ent_left--;
		cmark_node *doc = cmark_parse_document(s, el, CMARK_OPT_DEFAULT);
		cmark_node *para = doc ? cmark_node_first_child(doc) : NULL;
		cmark_node *txt = para ? cmark_node_first_child(para) : NULL;
		const char *lit = txt && !cmark_node_next(txt) ? cmark_node_get_literal(txt) : NULL;
		size_t ln = lit ? strlen(lit) : 0;
		memcpy(e->name, s + 1, el - 2);
		e->name[el - 2] = '\0';
		e->dn = 0;
		if (ln > 0 && ln <= sizeof e->dec && !(ln == el && memcmp(lit, s, el) == 0)) {
			memcpy(e->dec, lit, ln);
			e->dn = (unsigned char)ln;
		}
		if (doc)
			cmark_node_free(doc);
	}
	if (e->dn == 0)
		return 0;
	memcpy(dec, e->dec, e->dn);
	*dn = e->dn;
	return el;
}

/* ------------------------------------------------------------------------ */
/* Emitting text. */

static void md_break(md_ctx *c, unsigned mask)
{
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		if (mask & MASK(f))
			notes_doc_break(&c->rc, c->d, (notes_field)f);
}

/* Append W bytes [x, x+n) to the fields in mask, one segment per
 * breakpoint run; nothing below c->supp. */
static void md_emit_w(md_ctx *c, unsigned mask, size_t x, size_t n)
{
	if (c->rc != NOTES_OK || n == 0)
		return;
	if (x < c->supp) {
		if (c->supp - x >= n)
			return;
		n -= c->supp - x;
		x = c->supp;
	}
	size_t i = md_bp_find(c, x);
	while (n > 0) {
		size_t next = i + 1 < c->nbp ? c->bp[i + 1].w : c->wlen;
		size_t k = next > x ? next - x : n;
		if (k > n)
			k = n;
		if (c->bp[i].src == MD_NOSRC) {
			md_break(c, mask);
		} else {
			uint32_t src = (uint32_t)(c->bp[i].src + (x - c->bp[i].w));
			for (int f = 0; f < NOTES_FIELD_COUNT; f++)
				if (mask & MASK(f))
					notes_doc_append(&c->rc, c->d, (notes_field)f,
							 c->w + x, k, src);
		}
		x += k;
		n -= k;
		i++;
	}
}

/* Append decoded text t[0..n) whose source is the entity at W offset x.
 * An entity that spells template syntax ("&#123;&#123;&lt;" shows "{{<" in
 * pages about shortcodes) only separates words, so that no field ever
 * holds such syntax. */
static void md_emit_dec(md_ctx *c, unsigned mask, const char *t, size_t n, size_t x)
{
	if (c->rc != NOTES_OK || x < c->supp)
		return;
	if (n == 1 && (t[0] == '{' || t[0] == '}' || t[0] == '%' || t[0] == '<' || t[0] == '>') &&
	    x < c->wlen && c->w[x] == '&') {
		md_break(c, mask);
		return;
	}
	if (x >= c->wlen)
		x = c->wlen ? c->wlen - 1 : 0;
	size_t src = md_w2src(c, x);
	if (src == MD_NOSRC) {
		md_break(c, mask);
		return;
	}
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		if (mask & MASK(f))
			notes_doc_append(&c->rc, c->d, (notes_field)f, t, n, (uint32_t)src);
}

/* ------------------------------------------------------------------------ */
/* Finding literals in a leaf block. */

/* Leftmost needle in W[from, end), or MD_NOTFOUND.  Charges the bytes
 * scanned to the block budget; once that is spent, only a short window is
 * searched. */
static size_t md_find(md_ctx *c, const char *nd, size_t n, size_t from, size_t end)
{
	if (n == 0 || from >= end || n > end - from)
		return MD_NOTFOUND;
	size_t lim = end;
	if (c->budget < (long long)(end - from)) {
		size_t win = c->budget > 0 ? (size_t)c->budget : 0;
		if (win < 256 + n)
			win = 256 + n;
		if (win < end - from)
			lim = from + win;
	}
	const char *f = memmem(c->w + from, lim - from, nd, n);
	size_t at = f ? (size_t)(f - c->w) : MD_NOTFOUND;
	c->budget -= (long long)(f ? at + n - from : lim - from);
	return at;
}

/* Could the literal L[0..n) begin before its verbatim match at f, in a
 * form that is not verbatim?  Text: when W[p, f) holds an entity reference
 * or a backslash escape (either breaks up the true occurrence, so a later
 * copy may be the first verbatim one).  Both: when L has a space and
 * W[p, f) a tab (cmark expands tabs it consumes partly), or, for code, a
 * line end (read as a space). */
static bool md_may_hide(const md_ctx *c, const char *L, size_t n, size_t p, size_t f,
			bool code)
{
	const char *w = c->w;
	bool space = memchr(L, ' ', n) != NULL;
	if (code && !space)
		return false;
	for (size_t a = p; a < f; a++) {
		char ch = w[a];
		size_t dn;
		if (ch == '\t' && space)
			return true;
		if (code) {
			if (ch == '\n' || ch == '\r')
				return true;
		} else if (ch == '\\') {
			if (a + 1 < c->be && md_is_punct((unsigned char)w[a + 1]))
				return true;
		} else if (ch == '&') {
			if (md_entity(w + a, c->be - a, NULL, &dn) > 0)
				return true;
		}
	}
	return false;
}

/* Length of the piece of L searched when resynchronising: a run of ASCII
 * letters/digits, or of non-ASCII characters, or one other byte. */
static size_t md_anchor(const char *L, size_t n)
{
	unsigned char ch = (unsigned char)L[0];
	size_t k = 1;
	if (ch >= 0x80) {
		while (k < n && k < MD_ANCHOR && (unsigned char)L[k] >= 0x80)
			k++;
		while (k < n && k > 1 && ((unsigned char)L[k] & 0xC0) == 0x80)
			k--;                 /* do not cut a character */
	} else if (md_is_word(ch)) {
		while (k < n && k < MD_ANCHOR && md_is_word((unsigned char)L[k]) &&
		       (unsigned char)L[k] < 0x80)
			k++;
	}
	return k;
}

/* Where in W[p, end) the text L[0..n) can resume: its first piece
 * verbatim, or a place where its first character is in another form (an
 * entity reference that decodes to it; for a space, a tab or, in a code
 * span, a line end), whichever comes first.  MD_NOTFOUND when none is
 * found. */
static size_t md_resync(md_ctx *c, const char *L, size_t n, size_t p, size_t end,
			bool code)
{
	const char *w = c->w;
	size_t k = md_anchor(L, n), k1 = md_u8len(L, 0, n);
	size_t q = md_find(c, L, k, p, end);
	/* Not found, or maybe a later copy: look for the first character
	 * alone, whose leftmost occurrence cannot be late. */
	if (k > k1 && (q == MD_NOTFOUND || md_may_hide(c, L, k, p, q, code)))
		q = md_find(c, L, k1, p, end);
	/* The other forms are looked for before q, or, when the text was
	 * not found, in a window charged to the budget. */
	size_t lim = end;
	if (q != MD_NOTFOUND) {
		lim = q;
	} else {
		size_t win = c->budget > 4096 ? 4096 : c->budget > 256 ? (size_t)c->budget : 256;
		if (end - p > win)
			lim = p + win;
		c->budget -= (long long)(lim - p);
	}
	if (L[0] == ' ') {
		for (size_t a = p; a < lim; a++)
			if (w[a] == '\t' || (code && (w[a] == '\n' || w[a] == '\r')))
				return a;
	}
	if (code)
		return q;
	/* A name not in the table may stand for L's first character unless
	 * that is an ASCII letter or digit (only numeric references give
	 * those, and they are decoded exactly). */
	size_t unknown = MD_NOTFOUND;
	bool alnum = (unsigned char)L[0] < 0x80 && md_is_word((unsigned char)L[0]);
	for (size_t a = p; a < lim; a++) {
		const char *amp = memchr(w + a, '&', lim - a);
		char dec[16];
		size_t dn, el;
		if (!amp)
			break;
		a = (size_t)(amp - w);
		el = md_entity_dec(c, w + a, end - a, dec, &dn);
		if (el == 0)
			continue;
		if (dn > 0 && dn <= n && memcmp(dec, L, dn) == 0)
			return a;
		if (dn == 0 && !alnum)
			return a;
		if (dn == 0 && unknown == MD_NOTFOUND)
			unknown = a;
	}
	return q != MD_NOTFOUND ? q : unknown;
}

/*
 * Append the literal L[0..n) of a text or code node to the fields in mask,
 * mapping it into W at or after the cursor (see the top of the file).
 */
static void md_walk(md_ctx *c, unsigned mask, const char *L, size_t n, bool code)
{
	size_t p = c->cur, end = c->be, i = 0;
	bool sync = false;
	const char *w = c->w;

	size_t f = md_find(c, L, n, p, end);
	if (f != MD_NOTFOUND && !md_may_hide(c, L, n, p, f, code)) {
		md_emit_w(c, mask, f, n);
		c->cur = f + n;
		return;
	}
	while (i < n && c->rc == NOTES_OK) {
		if (sync && p < end) {
			if (w[p] == L[i]) {
				size_t k = 1;
				while (i + k < n && p + k < end && w[p + k] == L[i + k])
					k++;
				md_emit_w(c, mask, p, k);
				i += k;
				p += k;
				continue;
			}
			if (L[i] == ' ' && (w[p] == '\t' ||
					    (code && (w[p] == '\n' || w[p] == '\r')))) {
				/* Spaces for a tab (cmark expands tabs it
				 * consumes partly) or, in a code span, a line
				 * end: not verbatim, so only a separator. */
				md_break(c, mask);
				while (i < n && L[i] == ' ')
					i++;
				if (w[p] == '\r' && p + 1 < end && w[p + 1] == '\n')
					p++;
				p++;
				sync = false;
				continue;
			}
			/* Code spans have no escapes or entity references. */
			if (!code && w[p] == '\\' && p + 1 < end && w[p + 1] == L[i] &&
			    md_is_punct((unsigned char)L[i])) {
				md_emit_w(c, mask, p + 1, 1);
				i++;
				p += 2;
				continue;
			}
			if (!code && w[p] == '&') {
				char dec[16];
				size_t dn, el = md_entity_dec(c, w + p, end - p, dec, &dn);
				if (el > 0 && dn > 0 && dn <= n - i &&
				    memcmp(L + i, dec, dn) == 0) {
					md_emit_dec(c, mask, L + i, dn, p);
					i += dn;
					p += el;
					continue;
				}
				if (el > 0 && dn == 0) {
					size_t k = md_u8len(L, i, n);
					md_emit_dec(c, mask, L + i, k, p);
					i += k;
					p += el;
					continue;
				}
			}
		}
		size_t q = md_resync(c, L + i, n - i, p, end, code);
		if (q != MD_NOTFOUND) {
			p = q;
			sync = true;
			continue;
		}
		/* Last resort: the character is not in the block; keep the
		 * text, mapped to the cursor. */
		size_t k = md_u8len(L, i, n);
		md_emit_dec(c, mask, L + i, k, p < end ? p : (end > c->bs ? end - 1 : c->bs));
		i += k;
		sync = false;
	}
	c->cur = p < end ? p : end;
}

/* Is this (lowercased) tag an inline element, one that does not separate
 * the words around it? */
static bool md_tag_is_inline(const char *name)
{
	static const char *const inl[] = {
		"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del",
		"dfn", "em", "font", "i", "img", "ins", "kbd", "mark", "q", "s",
		"samp", "small", "span", "strike", "strong", "sub", "sup", "time",
		"tt", "u", "var", "wbr",
	};
	for (size_t k = 0; k < sizeof inl / sizeof inl[0]; k++)
		if (strcmp(inl[k], name) == 0)
			return true;
	return false;
}

/* Move the cursor past an inline HTML node's text (never indexed); a tag
 * that is not an inline element (<br>, <p>, <td>...) separates words. */
static void md_skip_html_inline(md_ctx *c, const char *L, size_t n)
{
	size_t i = 0, k = 0, a0 = L[0] == '<' && n > 1 && L[1] == '/' ? 2 : 1;
	char name[12];
	while (a0 + k < n && k + 1 < sizeof name && (unsigned char)L[a0 + k] < 0x80 &&
	       (md_is_word((unsigned char)L[a0 + k]) || L[a0 + k] == '-')) {
		name[k] = md_lower(L[a0 + k]);
		k++;
	}
	name[k] = '\0';
	if (k > 0 && !md_tag_is_inline(name))
		md_break(c, c->fmask);

	while (i < n) {
		const char *nl = memchr(L + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - L) : n, a = i;
		while (a < e && md_is_blank((unsigned char)L[a]))
			a++;
		if (e > a && L[e - 1] == '\r')
			e--;
		if (e > a) {
			size_t q = md_find(c, L + a, e - a, c->cur, c->be);
			if (q != MD_NOTFOUND)
				c->cur = q + (e - a);
		}
		i = nl ? (size_t)(nl - L) + 1 : n;
	}
}

/* After a link or image: move the cursor past "](destination "title")" so
 * that later text is not matched inside them.  Only when the destination
 * is exactly the node's URL (cmark may have read the brackets as a
 * reference link followed by text in parentheses); otherwise, and for
 * reference labels, the cursor stays, which is safe (a later search can
 * only land early). */
static void md_skip_link_tail(md_ctx *c, cmark_node *nd)
{
	const char *w = c->w, *url = cmark_node_get_url(nd);
	size_t q = c->cur, end = c->be, d0, d1, lim;
	lim = c->budget > 512 ? (size_t)c->budget : 512;
	lim = end - q > lim ? q + lim : end;
	while (q < lim && q < c->cur + 64 && (w[q] == '*' || w[q] == '_' || w[q] == '`'))
		q++;
	if (q + 1 >= lim || w[q] != ']' || w[q + 1] != '(' || !url)
		return;
	q += 2;
	while (q < lim && md_is_space((unsigned char)w[q]))
		q++;
	if (q < lim && w[q] == '<') {
		d0 = ++q;
		while (q < lim && w[q] != '>' && w[q] != '\n')
			q += w[q] == '\\' ? 2 : 1;
		d1 = q++;
	} else {
		int depth = 0;
		for (d0 = q; q < lim && !md_is_space((unsigned char)w[q]); q++) {
			if (w[q] == '\\')
				q++;
			else if (w[q] == '(')
				depth++;
			else if (w[q] == ')' && depth-- == 0)
				break;
		}
		d1 = q;
	}
	if (q > lim || d1 > lim || strlen(url) != d1 - d0 || memcmp(url, w + d0, d1 - d0) != 0)
		return;
	while (q < lim && md_is_space((unsigned char)w[q]))
		q++;
	if (q < lim && (w[q] == '"' || w[q] == '\'' || w[q] == '(')) {
		char close = w[q] == '(' ? ')' : w[q];
		while (++q < lim && w[q] != close)
			if (w[q] == '\\')
				q++;
		q++;
		while (q < lim && md_is_space((unsigned char)w[q]))
			q++;
	}
	c->budget -= (long long)(q - c->cur);
	if (q < lim && w[q] == ')')
		c->cur = q + 1;
}

/* ------------------------------------------------------------------------ */
/* Blocks. */

static void md_leaf_begin(md_ctx *c, cmark_node *nd, unsigned mask)
{
	c->fmask = mask;
	c->bs = md_line_off(c, cmark_node_get_start_line(nd));
	c->be = md_line_off(c, cmark_node_get_end_line(nd) + 1);
	if (c->be < c->bs)
		c->be = c->bs;
	c->cur = c->bs;
	c->budget = 4 * (long long)(c->be - c->bs) + 65536;
}

/* W offset where the line text t[0..k) lies on cmark line `line`: as the
 * line's tail (container prefixes and indentation precede it), else
 * anywhere in the line; MD_NOTFOUND if it is not there. */
static size_t md_find_in_line(const md_ctx *c, const char *t, size_t k, int line)
{
	size_t a = md_line_off(c, line), e = md_line_end(c, line);
	if (k <= e - a && memcmp(c->w + e - k, t, k) == 0)
		return e - k;
	const char *f = memmem(c->w + a, e - a, t, k);
	return f ? (size_t)(f - c->w) : MD_NOTFOUND;
}

/* Next line of a block literal: [*a, *e) without indentation or CR; returns
 * the offset after it. */
static size_t md_next_line(const char *L, size_t n, size_t i, size_t *a, size_t *e)
{
	const char *nl = memchr(L + i, '\n', n - i);
	size_t end = nl ? (size_t)(nl - L) : n;
	*a = i;
	while (*a < end && md_is_blank((unsigned char)L[*a]))
		(*a)++;
	*e = end;
	if (*e > *a && L[*e - 1] == '\r')
		(*e)--;
	return nl ? end + 1 : n;
}

static bool md_fence_at(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && md_is_blank((unsigned char)s[k]))
		k++;
	char ch = k < n ? s[k] : 0;
	size_t r = 0;
	if (ch != '`' && ch != '~')
		return false;
	while (k + r < n && s[k + r] == ch)
		r++;
	return r >= 3;
}

/* A block ended inside an HTML comment (its container closed, or cmark read
 * the rest as something else): no text up to the comment's end in W,
 * whatever blocks cmark made of it. */
static void md_suppress_comment(md_ctx *c, size_t from)
{
	if (from < c->supp)
		from = c->supp;
	const char *f = memmem(c->w + from, c->wlen - from, "-->", 3);
	size_t to = f ? (size_t)(f - c->w) + 3 : c->wlen;
	if (to > c->supp)
		c->supp = to;
}

static void md_code_block(md_ctx *c, cmark_node *nd)
{
	const char *L = cmark_node_get_literal(nd);
	const char *info = cmark_node_get_fence_info(nd);
	int line = cmark_node_get_start_line(nd);
	size_t n = L ? strlen(L) : 0, i = 0, a, e;
	if (n == 0)
		return;

	/* cmark 0.30 does not say whether a block is fenced.  An indented
	 * block starts at its first content byte, so its first literal line
	 * is exactly the rest of the start line (or the start is inside a
	 * tab); a fenced one starts at the fence, and a content line equal to
	 * the fence would have closed it. */
	size_t la = md_line_off(c, line), le = md_line_end(c, line);
	size_t col = (size_t)(cmark_node_get_start_column(nd) > 0 ?
			      cmark_node_get_start_column(nd) - 1 : 0);
	size_t sa = la + col < le ? la + col : le;
	bool fenced = info && info[0];
	if (!fenced && sa < le && !md_is_blank((unsigned char)c->w[sa]) &&
	    md_fence_at(c->w + sa, le - sa)) {
		const char *nl = memchr(L, '\n', n);
		size_t l1 = nl ? (size_t)(nl - L) : n;
		fenced = !(l1 == le - sa && memcmp(c->w + sa, L, l1) == 0);
	}
	if (fenced)
		line++;
	/* An indented block is often HTML that lost its HTML block to a blank
	 * line (translated pages keep the original text in comments there):
	 * its comments are not indexed.  Fenced code is kept whole. */
	bool comment = false;
	for (; i < n && c->rc == NOTES_OK; line++) {
		i = md_next_line(L, n, i, &a, &e);
		if (e > a) {
			size_t o = md_find_in_line(c, L + a, e - a, line);
			if (o != MD_NOTFOUND && !fenced) {
				size_t j = o, end = o + (e - a);
				while (j < end) {
					const char *m = comment ? memmem(c->w + j, end - j, "-->", 3)
								: memmem(c->w + j, end - j, "<!--", 4);
					size_t k = m ? (size_t)(m - c->w) : end;
					if (!comment)
						md_emit_w(c, MASK(NOTES_FIELD_CODE), j, k - j);
					else if (!m)
						break;
					j = m ? k + (comment ? 3 : 4) : end;
					if (m)
						comment = !comment;
				}
			} else if (o != MD_NOTFOUND) {
				md_emit_w(c, MASK(NOTES_FIELD_CODE), o, e - a);
			} else {
				c->bs = c->cur = md_line_off(c, line);
				c->be = md_line_off(c, line + 1);
				c->budget = 4 * (long long)(c->be - c->bs) + 4096;
				md_walk(c, MASK(NOTES_FIELD_CODE), L + a, e - a, true);
			}
		}
		md_break(c, MASK(NOTES_FIELD_CODE));
	}
	if (comment)
		md_suppress_comment(c, md_line_off(c, cmark_node_get_end_line(nd) + 1));
}

/* Text between tags, W offsets [x, x+n): leading blanks are dropped at the
 * start of a BODY line. */
static void md_html_text(md_ctx *c, size_t x, size_t n)
{
	const notes_buf *b = &c->d->field[NOTES_FIELD_BODY];
	if (b->n == 0 || b->p[b->n - 1] == '\n')
		while (n > 0 && md_is_blank((unsigned char)c->w[x])) {
			x++;
			n--;
		}
	md_emit_w(c, MASK(NOTES_FIELD_BODY), x, n);
}

/* Run the tag stripper over one line t[0..k); its text is emitted from W
 * offset o + index (o == MD_NOTFOUND: state only, no text). */
static void md_html_line(md_ctx *c, const char *t, size_t k, size_t o)
{
	size_t j = 0;
	while (j < k && c->rc == NOTES_OK) {
		switch (c->hs) {
		case H_TEXT: {
			size_t r = j;
			while (r < k && t[r] != '<' && t[r] != '&')
				r++;
			if (r > j && o != MD_NOTFOUND)
				md_html_text(c, o + j, r - j);
			j = r;
			if (j >= k)
				break;
			if (t[j] == '&') {
				char dec[16];
				size_t dn, el = md_entity_dec(c, t + j, k - j, dec, &dn);
				if (el > 0) {
					/* Known entities are decoded, others
					 * only separate words. */
					if (dn > 0 && o != MD_NOTFOUND)
						md_emit_dec(c, MASK(NOTES_FIELD_BODY), dec, dn, o + j);
					else
						md_break(c, MASK(NOTES_FIELD_BODY));
					j += el;
				} else {
					if (o != MD_NOTFOUND)
						md_html_text(c, o + j, 1);
					j++;
				}
				break;
			}
			/* t[j] == '<' */
			if (k - j >= 4 && memcmp(t + j, "<!--", 4) == 0) {
				c->hs = H_COMMENT;
				j += 4;
				if (j < k && t[j] == '>') {            /* <!--> */
					c->hs = H_TEXT;
					j++;
				} else if (k - j >= 2 && t[j] == '-' && t[j + 1] == '>') {
					c->hs = H_TEXT;                /* <!---> */
					j += 2;
				}
			} else if (j + 1 < k && t[j + 1] == '!') {
				c->hs = H_DECL;
				j += 2;
			} else if (j + 1 < k && t[j + 1] == '?') {
				c->hs = H_PI;
				j += 2;
			} else {
				size_t a = j + 1, nl = 0;
				bool closing = a < k && t[a] == '/';
				if (closing)
					a++;
				if (a < k && ((t[a] >= 'a' && t[a] <= 'z') ||
					      (t[a] >= 'A' && t[a] <= 'Z'))) {
					while (a < k && (md_is_word((unsigned char)t[a]) ||
							 t[a] == '-') && (unsigned char)t[a] < 0x80) {
						if (nl + 1 < sizeof c->hname)
							c->hname[nl++] = md_lower(t[a]);
						a++;
					}
					c->hname[nl] = '\0';
					c->hclosing = closing;
					c->hquote = 0;
					c->hs = H_TAG;
					j = a;
				} else {                              /* a lone '<' */
					if (o != MD_NOTFOUND)
						md_html_text(c, o + j, 1);
					j++;
				}
			}
			break;
		}
		case H_TAG:
			for (; j < k; j++) {
				if (c->hquote) {
					if (t[j] == c->hquote)
						c->hquote = 0;
				} else if (t[j] == '"' || t[j] == '\'') {
					c->hquote = t[j];
				} else if (t[j] == '>') {
					break;
				}
			}
			if (j < k) {                              /* the tag ends */
				bool self = j > 0 && t[j - 1] == '/';
				j++;
				c->hs = H_TEXT;
				if (!md_tag_is_inline(c->hname))
					md_break(c, MASK(NOTES_FIELD_BODY));
				if (!c->hclosing && !self && (strcmp(c->hname, "script") == 0 ||
							     strcmp(c->hname, "style") == 0)) {
					memcpy(c->hraw, c->hname, sizeof c->hraw);
					c->hs = H_RAW;
				}
			}
			break;
		case H_COMMENT: {
			const char *f = memmem(t + j, k - j, "-->", 3);
			if (f) {
				j = (size_t)(f - t) + 3;
				c->hs = H_TEXT;
			} else {
				j = k;
			}
			break;
		}
		case H_RAW: {
			size_t f = md_find_endtag(t + j, k - j, c->hraw);
			if (f != MD_NOTFOUND) {
				j += f;
				c->hs = H_TEXT;               /* the end tag is parsed next */
			} else {
				j = k;
			}
			break;
		}
		case H_DECL: {
			const char *f = memchr(t + j, '>', k - j);
			j = f ? (size_t)(f - t) + 1 : k;
			if (f)
				c->hs = H_TEXT;
			break;
		}
		case H_PI: {
			const char *f = memmem(t + j, k - j, "?>", 2);
			j = f ? (size_t)(f - t) + 2 : k;
			if (f)
				c->hs = H_TEXT;
			break;
		}
		}
	}
	md_break(c, MASK(NOTES_FIELD_BODY));
}

static void md_html_block(md_ctx *c, cmark_node *nd)
{
	const char *L = cmark_node_get_literal(nd);
	int line = cmark_node_get_start_line(nd);
	size_t n = L ? strlen(L) : 0, i = 0, a, e;

	for (; i < n && c->rc == NOTES_OK; line++) {
		i = md_next_line(L, n, i, &a, &e);
		if (e == a)
			continue;
		size_t o = md_find_in_line(c, L + a, e - a, line);
		if (o != MD_NOTFOUND && o + (e - a) <= c->supp)
			continue;                 /* inside a comment cmark split */
		if (o != MD_NOTFOUND && o < c->supp) {
			size_t skip = c->supp - o;
			a += skip;
			o += skip;
			c->hs = H_TEXT;
		}
		md_html_line(c, L + a, e - a, o);
	}
	md_break(c, MASK(NOTES_FIELD_BODY));

	/* cmark ended the block inside a comment or script (its container
	 * closed): suppress everything up to the real end. */
	size_t from = md_line_off(c, cmark_node_get_end_line(nd) + 1);
	if (c->hs == H_COMMENT) {
		md_suppress_comment(c, from);
	} else if (c->hs == H_RAW) {
		if (from < c->supp)
			from = c->supp;
		size_t f = md_find_endtag(c->w + from, c->wlen - from, c->hraw);
		size_t to = f != MD_NOTFOUND ? from + f : c->wlen;
		if (to > c->supp)
			c->supp = to;
	}
	c->hs = H_TEXT;
}

/* Drop a trailing attribute block ("## Title {#anchor}", "{.class}") from
 * the heading that started at HEADINGS offset from: Hugo's Markdown reads
 * it as the anchor, not as text. */
static void md_heading_attrs(md_ctx *c, size_t from)
{
	notes_buf *b = &c->d->field[NOTES_FIELD_HEADINGS];
	size_t n = b->n, k;
	while (n > from && md_is_space((unsigned char)b->p[n - 1]))
		n--;
	if (n - from < 3 || b->p[n - 1] != '}')
		return;
	for (k = n - 1; k > from && b->p[k - 1] != '{'; k--)
		if (b->p[k - 1] == '}' || b->p[k - 1] == '\n')
			return;
	if (k == from || (b->p[k] != '#' && b->p[k] != '.'))
		return;
	k--;                              /* the '{' */
	while (k > from && md_is_blank((unsigned char)b->p[k - 1]))
		k--;
	b->n = k;
	b->p[k] = '\0';
	size_t *ns = &c->d->map.nseg[NOTES_FIELD_HEADINGS];
	while (*ns > 0 && c->d->map.seg[NOTES_FIELD_HEADINGS][*ns - 1].off >= k)
		(*ns)--;
}

static void md_heading_end(md_ctx *c, size_t from)
{
	notes_buf *b = &c->d->field[NOTES_FIELD_HEADINGS];
	md_heading_attrs(c, from);
	md_break(c, MASK(NOTES_FIELD_HEADINGS));
	if (!c->h1_open)
		return;
	c->h1_open = false;
	size_t n = b->n, k = from;
	while (n > from && md_is_space((unsigned char)b->p[n - 1]))
		n--;
	while (k < n && md_is_space((unsigned char)b->p[k]))
		k++;
	if (k == n)
		return;
	/* The heading's HEADINGS text byte for byte, separators read as
	 * spaces, so that its offsets follow the HEADINGS segments. */
	notes_doc *d = c->d;
	int64_t src = notes_linemap_lookup(&d->map, NOTES_FIELD_HEADINGS, (uint32_t)k);
	notes_buf_clear(&d->first_h1);
	notes_buf_append(&c->rc, &d->first_h1, b->p + k, n - k);
	for (size_t j = 0; j < d->first_h1.n && c->rc == NOTES_OK; j++)
		if (d->first_h1.p[j] == '\n')
			d->first_h1.p[j] = ' ';
	d->first_h1_src = src < 0 ? 0 : (uint32_t)src;
	c->h1_done = true;
}

/* ------------------------------------------------------------------------ */
/* Pieces. */

/* End of the piece of W that starts at a; *next receives where the next
 * piece starts (after blanks, when a piece is cut inside a paragraph). */
static size_t md_split(const md_ctx *c, size_t a, size_t *next)
{
	const char *w = c->w;
	size_t n = c->wlen, p = a, cand = MD_NOTFOUND;
	size_t target = a + MD_CHUNK, far = a + 4 * MD_CHUNK;
	md_cut st = {0, 0, 0, {0}};
	bool prev_blank = false;

	*next = n;
	if ((a == 0 && n <= MD_WHOLE) || n - a <= MD_CHUNK + MD_CHUNK / 2)
		return n;
	while (p < n) {
		bool inside = st.fence || st.raw;
		/* Beyond `far` a line end only matters inside fenced code (the
		 * piece cannot end there); elsewhere stop looking, which keeps
		 * a giant line from being rescanned for every piece. */
		size_t e = p, elim = inside || far >= n ? n : far + 1, nx;
		while (e < elim && w[e] != '\n' && w[e] != '\r')
			e++;
		nx = e < n ? (w[e] == '\r' && e + 1 < n && w[e + 1] == '\n' ? e + 2 : e + 1) : n;
		if (p >= target && !inside) {
			if (prev_blank && p < e && !md_is_blank((unsigned char)w[p])) {
				*next = p;
				return p;
			}
			if (cand == MD_NOTFOUND)
				cand = p;
		}
		if (!inside && cand != MD_NOTFOUND && (p >= far || e > far))
			break;
		if (!inside && cand == MD_NOTFOUND && p < target && e > far) {
			/* One giant line: cut it at a space (or a character
			 * boundary) near the target. */
			size_t lim = target + 65536 < e ? target + 65536 : e;
			const char *sp = memchr(w + target, ' ', lim - target);
			size_t cut = sp ? (size_t)(sp - w) + 1 : target;
			while (!sp && cut > p + 1 && ((unsigned char)w[cut] & 0xC0) == 0x80)
				cut--;
			*next = cut;
			while (*next < e && md_is_blank((unsigned char)w[*next]))
				(*next)++;
			return cut;
		}
		size_t k = p;
		prev_blank = true;
		while (k < e && prev_blank)
			prev_blank = md_is_blank((unsigned char)w[k++]);
		md_cut_line(&st, w + p, e - p);
		p = nx;
	}
	if (cand == MD_NOTFOUND)
		return n;
	*next = cand;
	while (*next < n && md_is_blank((unsigned char)w[*next]))
		(*next)++;
	return cand;
}

static void md_piece(md_ctx *c, size_t a, size_t b)
{
	cmark_node *doc, *nd;
	cmark_iter *it;
	cmark_event_type ev;

	c->ca = a;
	c->cb = b;
	md_lines(c, a, b);
	if (c->rc != NOTES_OK)
		return;
	doc = cmark_parse_document(c->w + a, b - a, CMARK_OPT_SOURCEPOS);
	if (!doc) {
		c->rc = NOTES_E_NOMEM;
		return;
	}
	it = cmark_iter_new(doc);
	if (!it) {
		cmark_node_free(doc);
		c->rc = NOTES_E_NOMEM;
		return;
	}
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && c->rc == NOTES_OK) {
		nd = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(nd);
		bool enter = ev == CMARK_EVENT_ENTER;
		const char *lit;

		switch (t) {
		case CMARK_NODE_PARAGRAPH:
			if (enter)
				md_leaf_begin(c, nd, MASK(NOTES_FIELD_BODY));
			else
				md_break(c, MASK(NOTES_FIELD_BODY));
			break;
		case CMARK_NODE_HEADING:
			if (enter) {
				md_leaf_begin(c, nd, MASK(NOTES_FIELD_HEADINGS));
				md_break(c, MASK(NOTES_FIELD_HEADINGS));
				c->h_off = c->d->field[NOTES_FIELD_HEADINGS].n;
				c->h1_open = !c->h1_done &&
					     cmark_node_get_heading_level(nd) == 1;
			} else {
				md_heading_end(c, c->h_off);
			}
			break;
		case CMARK_NODE_TEXT:
			lit = cmark_node_get_literal(nd);
			if (lit && lit[0])
				md_walk(c, c->fmask, lit, strlen(lit), false);
			break;
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(nd);
			if (lit && lit[0]) {
				md_walk(c, c->fmask | MASK(NOTES_FIELD_CODE), lit, strlen(lit), true);
				md_break(c, MASK(NOTES_FIELD_CODE));
			}
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			md_break(c, c->fmask);
			break;
		case CMARK_NODE_HTML_INLINE:
			lit = cmark_node_get_literal(nd);
			if (lit)
				md_skip_html_inline(c, lit, strlen(lit));
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (!enter)
				md_skip_link_tail(c, nd);
			break;
		case CMARK_NODE_CODE_BLOCK:
			md_code_block(c, nd);
			break;
		case CMARK_NODE_HTML_BLOCK:
			md_html_block(c, nd);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
}

notes_status notes_markdown_extract(notes_doc *d)
{
	md_ctx c;
	memset(&c, 0, sizeof c);
	c.d = d;
	c.rc = NOTES_OK;
	c.ent_left = 256;
	if (!d->src || d->body_off >= d->src_len)
		return NOTES_OK;
	md_prepare(&c);
	if (c.wlen > UINT32_MAX - 1)
		c.wlen = UINT32_MAX - 1;          /* offsets are 32-bit (linemap.h) */
	for (size_t a = 0; a < c.wlen && c.rc == NOTES_OK;) {
		size_t next, b = md_split(&c, a, &next);
		md_piece(&c, a, b);
		a = next > a ? next : b;
	}
	free(c.wbuf);
	free(c.bp);
	free(c.ls);
	return c.rc;
}
