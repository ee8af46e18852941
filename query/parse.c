/*
 * parse.c — the query language (see parse.h).
 *
 * The text is first normalized into a copy (control characters and Unicode
 * spaces become ' ', invalid UTF-8 bytes '?'), then lexed one token at a
 * time and parsed by recursive descent whose depth is bounded by the
 * parenthesis limit.  Nodes are normalized as they are built (nested ANDs
 * and ORs flattened, dropped words removed, double exclusions cancelled,
 * exclusions pushed out of column groups), so every rule about what may be
 * ORed or excluded is checked once, where the node is made, and the error
 * names the first offending spot.  Everything the query owns lives in one
 * arena freed at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "notes/date.h"
#include "notes/linemap.h"
#include "notes/utf8.h"
#include "parse.h"

/* Entries of the FTS5 parser stack (100 in SQLite 3.40) our rendering may
 * use, by the conservative model of qp_cost().  Measured: alternating AND/OR
 * groups overflow the real stack at 32 levels, this refuses them from 26;
 * test_depth in tests/unit/test_parse.c runs every accepted depth. */
#define QP_STACK_BUDGET 84
/* Cost of one term, assuming it may get typo alternatives: ("x" OR "y"). */
#define QP_COST_TERM 5
/* Bytes of user text quoted in an error message. */
#define QP_ECHO_MAX 60

/* ---- arena ---------------------------------------------------------------- */

typedef struct qp_block {
	struct qp_block *next;   /* previously filled block */
	size_t used;             /* bytes handed out from data */
	size_t cap;              /* bytes in data */
	max_align_t data[];      /* the memory */
} qp_block;

/* ---- nodes ---------------------------------------------------------------- */

enum {
	QP_TERM,     /* a word or phrase to search for */
	QP_FILTER,   /* an SQL filter leaf (tag:, path:, date:, KEY:) */
	QP_AND,      /* all kids */
	QP_OR,       /* any kid */
	QP_NOT,      /* kid[0] excluded */
	QP_COL       /* kid[0] searched in column `field` only */
};

/* Node classes: which kinds of leaves lie below a node. */
enum { QP_CLS_TEXT = 1, QP_CLS_FILTER = 2, QP_CLS_MIXED = 3 };

/* Filter leaf kinds. */
enum { QF_TAG, QF_PATH, QF_DATE, QF_META };

typedef struct qp_node qp_node;
struct qp_node {
	int kind;            /* QP_* */
	int cls;             /* QP_CLS_* of the leaves below (leaves included) */
	qp_node **kid;       /* AND/OR: the operands; NOT/COL: one; arena */
	size_t nkid;         /* entries in kid */
	int field;           /* COL: the notes_field */
	/* QP_TERM */
	const char *text;    /* word or phrase text, NUL-terminated, arena */
	int phrase;          /* 1 for a quoted phrase */
	int prefix;          /* 1 for a trailing '*' */
	int column;          /* notes_field when inside a column group, else -1 */
	long qidx;           /* index among the positive terms, -1 for excluded */
	/* QP_FILTER */
	int fkind;           /* QF_* */
	const char *key;     /* key as typed, lowercased ("tag", "author"); arena */
	const char *value;   /* TAG, META: value; PATH: glob pattern or
				substring; arena */
	int glob;            /* PATH: 1 when value is a GLOB pattern */
	char lo[11];         /* DATE: lower bound YYYY-MM-DD, "" when open */
	char hi[11];         /* DATE: upper bound, "" when open */
	int lo_excl;         /* DATE: 1 for date > lo, 0 for date >= lo */
	int hi_excl;         /* DATE: 1 for date < hi, 0 for date <= hi */
};

struct notes_query {
	qp_block *blk;       /* arena of nodes and strings; owned */
	qp_node *text;       /* the FTS5 part, NULL when none */
	qp_node **filt;      /* top-level filters, ANDed; malloc'ed */
	size_t nfilt;        /* entries used in filt */
	size_t cfilt;        /* entries allocated in filt */
	notes_qterm *terms;  /* positive terms in typed order; arena */
	qp_node **tnode;     /* the TERM node of each entry of terms; arena */
	size_t nterms;       /* entries in terms and tnode */
};

static void *qp_alloc(notes_query *q, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!q->blk || q->blk->cap - q->blk->used < n) {
		size_t cap = n > 8192 ? n : 8192;
		qp_block *b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = q->blk;
		b->used = 0;
		b->cap = cap;
		q->blk = b;
	}
	void *r = (char *)q->blk->data + q->blk->used;
	q->blk->used += n;
	return r;
}

static char *qp_strndup(notes_query *q, const char *s, size_t n)
{
	char *r = qp_alloc(q, n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

void notes_query_free(notes_query *q)
{
	if (!q)
		return;
	for (qp_block *b = q->blk, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	free(q->filt);
	free(q);
}

notes_status notes_query_new_empty(notes_query **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? NOTES_OK : NOTES_E_NOMEM;
}

/* ---- text normalization --------------------------------------------------- */

/* Code point of the valid sequence of `len` bytes at s. */
static uint32_t qp_decode(const unsigned char *s, int len)
{
	if (len == 2)
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (len == 3)
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	       (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* C1 controls and the Unicode spaces (Zs, line/paragraph separators). */
static int qp_is_space_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0xa0) || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Copy in[0..n) to out (room for n bytes) as described at the top of the
 * file; returns the length written (<= n). */
static size_t qp_normalize(const char *in, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x20 || c == 0x7f) {
			out[o++] = ' ';
			i++;
		} else if (c < 0x80) {
			out[o++] = (char)c;
			i++;
		} else {
			int len = notes_utf8_seqlen(s + i, n - i);
			if (len == 0) {
				out[o++] = '?';
				i++;
			} else if (qp_is_space_cp(qp_decode(s + i, len))) {
				out[o++] = ' ';
				i += (size_t)len;
			} else {
				memcpy(out + o, s + i, (size_t)len);
				o += (size_t)len;
				i += (size_t)len;
			}
		}
	}
	return o;
}

/* How many bytes of s[0..n) (valid UTF-8) to quote in a message: at most
 * QP_ECHO_MAX, never cutting a character; *more set when cut. */
static int qp_echo_len(const char *s, size_t n, const char **more)
{
	*more = "";
	if (n <= QP_ECHO_MAX)
		return (int)n;
	size_t k = QP_ECHO_MAX;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	*more = "...";
	return (int)k;
}

/* ---- parser state --------------------------------------------------------- */

enum { T_EOF, T_LP, T_RP, T_WORD, T_PHRASE, T_AND, T_OR, T_NOT, T_NEG, T_FIELD };

typedef struct qp_tok {
	int kind;            /* T_* */
	const char *p;       /* WORD, PHRASE: text; FIELD: the value after ':' */
	size_t len;          /* bytes at p (FIELD: 0 when the value follows as
				a phrase or group) */
	int prefix;          /* PHRASE: a '*' follows the closing quote */
	size_t end;          /* offset just past the token */
	char key[65];        /* FIELD: lowercased key */
	int fkind;           /* FIELD: QF_* for a filter, -1 for a column */
	int field;           /* FIELD: notes_field for a column */
} qp_tok;

/* What a leaf (word or phrase) becomes where it is parsed. */
typedef struct qp_ctx {
	int filter;          /* 1: a value of a filter field, 0: text */
	int column;          /* text: notes_field of a column group, else -1 */
	int fkind;           /* filter: QF_* */
	const char *key;     /* field key as lowercased, NULL at top level */
} qp_ctx;

typedef struct qp_parser {
	notes_query *q;      /* the query being built */
	const char *s;       /* normalized text (arena) */
	size_t n;            /* its length */
	size_t pos;          /* lexer position */
	int after_neg;       /* the next lexeme follows a '-': never an operator */
	qp_tok look;         /* lookahead token */
	int have_look;       /* look is valid */
	notes_tokenizer *tok;        /* for dropping words without tokens */
	notes_query_key_fn is_key;   /* front-matter key lookup, or NULL */
	void *key_ctx;               /* its context */
	size_t nleaves;      /* words, phrases and values seen */
	notes_status rc;     /* first failure */
	char *why;           /* its message (malloc'ed) when rc is NOTES_E_PARSE */
} qp_parser;

static void qp_fail(qp_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void qp_fail(qp_parser *p, const char *fmt, ...)
{
	if (p->rc != NOTES_OK)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p->why = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!p->why) {
		p->rc = NOTES_E_NOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(p->why, (size_t)n + 1, fmt, ap);
	va_end(ap);
	p->rc = NOTES_E_PARSE;
}

static void qp_nomem(qp_parser *p)
{
	if (p->rc == NOTES_OK)
		p->rc = NOTES_E_NOMEM;
}

/* ---- lexer ---------------------------------------------------------------- */

static const struct {
	const char *name;    /* key */
	int fkind;           /* QF_* or -1 for a column */
	int field;           /* notes_field for a column */
} qp_builtin[] = {
	{"title", -1, NOTES_FIELD_TITLE},
	{"heading", -1, NOTES_FIELD_HEADINGS},
	{"headings", -1, NOTES_FIELD_HEADINGS},
	{"code", -1, NOTES_FIELD_CODE},
	{"body", -1, NOTES_FIELD_BODY},
	{"tag", QF_TAG, 0},
	{"tags", QF_TAG, 0},
	{"path", QF_PATH, 0},
	{"date", QF_DATE, 0},
};

static int qp_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* w[0..n) is a key: [A-Za-z][A-Za-z0-9_-]*, at most 64 bytes. */
static int qp_key_syntax(const char *w, size_t n)
{
	if (n == 0 || n > 64 || !qp_is_alpha(w[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!qp_is_alpha(w[i]) && !(w[i] >= '0' && w[i] <= '9') && w[i] != '_' && w[i] != '-')
			return 0;
	return 1;
}

/* Whether the word w[0..n) is "key:..." with a known key; fills t. */
static int qp_lex_field(qp_parser *p, const char *w, size_t n, qp_tok *t)
{
	const char *colon = memchr(w, ':', n);
	if (!colon || !qp_key_syntax(w, (size_t)(colon - w)))
		return 0;
	size_t k = (size_t)(colon - w);
	for (size_t i = 0; i < k; i++)
		t->key[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
	t->key[k] = '\0';
	t->fkind = -2;
	for (size_t i = 0; i < sizeof qp_builtin / sizeof qp_builtin[0]; i++)
		if (strcmp(t->key, qp_builtin[i].name) == 0) {
			t->fkind = qp_builtin[i].fkind;
			t->field = qp_builtin[i].field;
		}
	if (t->fkind == -2) {
		if (!p->is_key || !p->is_key(p->key_ctx, t->key))
			return 0;
		t->fkind = QF_META;
	}
	t->kind = T_FIELD;
	t->p = colon + 1;
	t->len = n - k - 1;
	return 1;
}

static void qp_lex(qp_parser *p, qp_tok *t)
{
	const char *s = p->s;
	size_t n = p->n, i = p->pos;
	int after_neg = p->after_neg;
	p->after_neg = 0;
	memset(t, 0, sizeof *t);
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n) {
		t->kind = T_EOF;
	} else if (s[i] == '(' || s[i] == ')') {
		t->kind = s[i] == '(' ? T_LP : T_RP;
		i++;
	} else if (s[i] == '"') {
		const char *close = memchr(s + i + 1, '"', n - i - 1);
		if (!close) {
			qp_fail(p, "unbalanced quote: add a closing \"");
			t->kind = T_EOF;
			i = n;
		} else {
			t->kind = T_PHRASE;
			t->p = s + i + 1;
			t->len = (size_t)(close - t->p);
			i = (size_t)(close - s) + 1;
			if (i < n && s[i] == '*') {
				t->prefix = 1;
				i++;
			}
		}
	} else if (s[i] == '-' && i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '-' && s[i + 1] != ')') {
		/* "--force" and "- x" are text, "-x" excludes. */
		t->kind = T_NEG;
		p->after_neg = 1;
		i++;
	} else {
		size_t j = i;
		while (j < n && s[j] != ' ' && s[j] != '(' && s[j] != ')' && s[j] != '"')
			j++;
		const char *w = s + i;
		size_t len = j - i;
		t->kind = T_WORD;
		t->p = w;
		t->len = len;
		if (!after_neg && len == 3 && memcmp(w, "AND", 3) == 0)
			t->kind = T_AND;
		else if (!after_neg && len == 2 && memcmp(w, "OR", 2) == 0)
			t->kind = T_OR;
		else if (!after_neg && len == 3 && memcmp(w, "NOT", 3) == 0)
			t->kind = T_NOT;
		else
			qp_lex_field(p, w, len, t);
		i = j;
	}
	t->end = i;
	p->pos = i;
}

static const qp_tok *qp_peek(qp_parser *p)
{
	if (!p->have_look) {
		qp_lex(p, &p->look);
		p->have_look = 1;
	}
	return &p->look;
}

static qp_tok qp_next(qp_parser *p)
{
	qp_peek(p);
	p->have_look = 0;
	return p->look;
}

/* ---- node construction and normalization ---------------------------------- */

typedef struct qp_vec {
	qp_node **v;         /* entries; malloc'ed */
	size_t n;            /* used */
	size_t cap;          /* allocated */
} qp_vec;

static void qp_vec_push(qp_parser *p, qp_vec *v, qp_node *x)
{
	if (p->rc != NOTES_OK)
		return;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		qp_node **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv) {
			qp_nomem(p);
			return;
		}
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = x;
}

static qp_node *qp_node_new(qp_parser *p, int kind, qp_node *const *kid, size_t nkid)
{
	qp_node *x = qp_alloc(p->q, sizeof *x);
	if (!x) {
		qp_nomem(p);
		return NULL;
	}
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->column = -1;
	x->qidx = -1;
	if (nkid) {
		x->kid = qp_alloc(p->q, nkid * sizeof *x->kid);
		if (!x->kid) {
			qp_nomem(p);
			return NULL;
		}
		memcpy(x->kid, kid, nkid * sizeof *kid);
		x->nkid = nkid;
		for (size_t i = 0; i < nkid; i++)
			x->cls |= kid[i]->cls;
	}
	return x;
}

/* Kids of an AND that are not exclusions. */
static size_t qp_npos(const qp_node *x)
{
	size_t k = 0;
	for (size_t i = 0; i < x->nkid; i++)
		k += x->kid[i]->kind != QP_NOT;
	return k;
}

/* The key of the first filter leaf below x (x holds one). */
static const char *qp_first_key(const qp_node *x)
{
	while (x->kind != QP_FILTER) {
		size_t i = 0;
		while (i + 1 < x->nkid && !(x->kid[i]->cls & QP_CLS_FILTER))
			i++;
		x = x->kid[i];
	}
	return x->key;
}

/* AND of items (NULL entries are dropped words): flattened; NULL when
 * nothing is left, the item itself when one is. */
static qp_node *qp_mk_and(qp_parser *p, qp_node *const *items, size_t n)
{
	qp_vec v = {0};
	for (size_t i = 0; i < n; i++) {
		if (!items[i])
			continue;
		if (items[i]->kind == QP_AND)
			for (size_t j = 0; j < items[i]->nkid; j++)
				qp_vec_push(p, &v, items[i]->kid[j]);
		else
			qp_vec_push(p, &v, items[i]);
	}
	qp_node *r = NULL;
	if (p->rc == NOTES_OK && v.n == 1)
		r = v.v[0];
	else if (p->rc == NOTES_OK && v.n > 1)
		r = qp_node_new(p, QP_AND, v.v, v.n);
	free(v.v);
	return r;
}

static qp_node *qp_mk_or(qp_parser *p, qp_node *const *items, size_t n)
{
	qp_vec v = {0};
	int cls = 0;
	for (size_t i = 0; i < n; i++) {
		if (!items[i])
			continue;
		cls |= items[i]->cls;
		if (items[i]->kind == QP_OR)
			for (size_t j = 0; j < items[i]->nkid; j++)
				qp_vec_push(p, &v, items[i]->kid[j]);
		else
			qp_vec_push(p, &v, items[i]);
	}
	qp_node *r = NULL;
	if (p->rc != NOTES_OK || v.n == 0)
		goto done;
	if (v.n == 1) {
		r = v.v[0];
		goto done;
	}
	if (cls == QP_CLS_MIXED) {
		for (size_t i = 0; i < v.n; i++)
			if (v.v[i]->cls & QP_CLS_FILTER) {
				qp_fail(p, "%s: can only be ORed with other filters, not with words",
					qp_first_key(v.v[i]));
				break;
			}
		goto done;
	}
	if (cls == QP_CLS_TEXT)
		for (size_t i = 0; i < v.n; i++)
			if (v.v[i]->kind == QP_NOT || (v.v[i]->kind == QP_AND && qp_npos(v.v[i]) == 0)) {
				qp_fail(p, "cannot OR an excluded term: put the -word outside the OR");
				goto done;
			}
	r = qp_node_new(p, QP_OR, v.v, v.n);
done:
	free(v.v);
	return r;
}

static qp_node *qp_mk_not(qp_parser *p, qp_node *x)
{
	if (!x || p->rc != NOTES_OK)
		return NULL;
	if (x->kind == QP_NOT)
		return x->kid[0];
	if (x->cls == QP_CLS_MIXED) {
		qp_fail(p, "cannot exclude a group that mixes words and filters: exclude them one by one");
		return NULL;
	}
	if (x->kind == QP_AND && qp_npos(x) == 0) {
		/* -(-a -b) is a OR b. */
		qp_vec v = {0};
		for (size_t i = 0; i < x->nkid; i++)
			qp_vec_push(p, &v, x->kid[i]->kid[0]);
		qp_node *r = p->rc == NOTES_OK ? qp_mk_or(p, v.v, v.n) : NULL;
		free(v.v);
		return r;
	}
	return qp_node_new(p, QP_NOT, &x, 1);
}

static qp_node *qp_col_new(qp_parser *p, int field, qp_node *x)
{
	qp_node *c = qp_node_new(p, QP_COL, &x, 1);
	if (c)
		c->field = field;
	return c;
}

/* Column group: exclusions move outside it so that every column group has
 * something to search for: title:(-b) is -title:b. */
static qp_node *qp_mk_col(qp_parser *p, int field, qp_node *x)
{
	if (!x || p->rc != NOTES_OK)
		return NULL;
	if (x->kind == QP_NOT)
		return qp_mk_not(p, qp_col_new(p, field, x->kid[0]));
	if (x->kind == QP_AND && qp_npos(x) == 0) {
		qp_vec v = {0};
		for (size_t i = 0; i < x->nkid; i++)
			qp_vec_push(p, &v, qp_mk_not(p, qp_col_new(p, field, x->kid[i]->kid[0])));
		qp_node *r = p->rc == NOTES_OK ? qp_mk_and(p, v.v, v.n) : NULL;
		free(v.v);
		return r;
	}
	return qp_col_new(p, field, x);
}

/* ---- dates ---------------------------------------------------------------- */

static int qp_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

enum { QD_OK, QD_BAD, QD_YEAR, QD_REVERSED };

/* First and last day covered by s[0..n): a year, a month (YYYY-MM or
 * YYYY/MM) or a full date. */
static int qp_date_bound(const char *s, size_t n, char first[11], char last[11])
{
	while (n && s[0] == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	int y = -1, m = 0;
	if (n == 4 && qp_digits(s, 4)) {
		y = atoi(s);
	} else if ((n == 6 || n == 7) && qp_digits(s, 4) && (s[4] == '-' || s[4] == '/') &&
		   qp_digits(s + 5, n - 5)) {
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		m = n == 6 ? s[5] - '0' : (s[5] - '0') * 10 + (s[6] - '0');
		if (m < 1 || m > 12)
			return QD_BAD;
	}
	if (y >= 0) {
		if (y < NOTES_DATE_YEAR_MIN || y > NOTES_DATE_YEAR_MAX)
			return QD_YEAR;
		notes_date_format(first, y, m ? m : 1, 1);
		notes_date_format(last, y, m ? m : 12, notes_date_days_in_month(y, m ? m : 12));
		return QD_OK;
	}
	if (n == 0)
		return QD_BAD;
	notes_status st = notes_date_parse(s, n, first);
	if (st == NOTES_E_RANGE)
		return QD_YEAR;
	if (st != NOTES_OK)
		return QD_BAD;
	memcpy(last, first, 11);
	return QD_OK;
}

static const char *qp_find2(const char *s, size_t n, char a, char b)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == a && s[i + 1] == b)
			return s + i;
	return NULL;
}

/* Fill the bounds of date filter f from the value v[0..n). */
static int qp_date_value(const char *v, size_t n, qp_node *f)
{
	char first[11], last[11];
	int r;
	f->lo[0] = f->hi[0] = '\0';
	if (n && (v[0] == '>' || v[0] == '<')) {
		int gt = v[0] == '>', eq = n > 1 && v[1] == '=';
		size_t skip = eq ? 2 : 1;
		if ((r = qp_date_bound(v + skip, n - skip, first, last)) != QD_OK)
			return r;
		if (gt) {
			memcpy(f->lo, eq ? first : last, 11);
			f->lo_excl = !eq;
		} else {
			memcpy(f->hi, eq ? last : first, 11);
			f->hi_excl = !eq;
		}
		return QD_OK;
	}
	const char *dots = qp_find2(v, n, '.', '.');
	if (dots) {
		size_t ln = (size_t)(dots - v), rn = n - ln - 2;
		const char *rs = dots + 2;
		while (ln && v[ln - 1] == ' ')
			ln--;
		while (rn && rs[0] == ' ')
			rs++, rn--;
		if (ln == 0 && rn == 0)
			return QD_BAD;
		if (ln && (r = qp_date_bound(v, ln, f->lo, last)) != QD_OK)
			return r;
		if (rn && (r = qp_date_bound(rs, rn, first, f->hi)) != QD_OK)
			return r;
		if (ln && rn && strcmp(f->lo, f->hi) > 0)
			return QD_REVERSED;
		return QD_OK;
	}
	if ((r = qp_date_bound(v, n, f->lo, f->hi)) != QD_OK)
		return r;
	return QD_OK;
}

static const char *qp_date_error(int r)
{
	switch (r) {
	case QD_YEAR:
		return "the year must be between 1900 and 2999";
	case QD_REVERSED:
		return "the range ends before it starts";
	default:
		return "expected a year, month or day (2015, 2015-06, 2015-06-02), "
		       "a range (2015-05..2015-06) or a comparison (>2020-01-01)";
	}
}

/* ---- leaves --------------------------------------------------------------- */

static int qp_any_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	(void)ctx; (void)tflags; (void)tok; (void)ntok; (void)start; (void)end;
	return 1;
}

/* A filter leaf of kind fkind for value v[0..n) (trimmed, non-empty);
 * NULL with p->rc set on a bad value.  label prefixes messages ("date:"). */
static qp_node *qp_filter_new(qp_parser *p, int fkind, const char *key, const char *v, size_t n,
			      const char *label)
{
	qp_node *f = qp_node_new(p, QP_FILTER, NULL, 0);
	if (!f)
		return NULL;
	f->cls = QP_CLS_FILTER;
	f->fkind = fkind;
	f->key = qp_strndup(p->q, key, strlen(key));
	if (!f->key) {
		qp_nomem(p);
		return NULL;
	}
	if (fkind == QF_DATE) {
		int r = qp_date_value(v, n, f);
		if (r != QD_OK) {
			const char *more;
			int k = qp_echo_len(v, n, &more);
			qp_fail(p, "%s%.*s%s: %s", label, k, v, more, qp_date_error(r));
			return NULL;
		}
		return f;
	}
	if (fkind == QF_PATH && (memchr(v, '*', n) || memchr(v, '?', n) || memchr(v, '[', n))) {
		f->glob = 1;
		char *g = qp_alloc(p->q, n + 2);
		if (!g) {
			qp_nomem(p);
			return NULL;
		}
		size_t k = 0;
		if (v[0] != '/' && v[0] != '*')
			g[k++] = '*';
		memcpy(g + k, v, n);
		g[k + n] = '\0';
		f->value = g;
		return f;
	}
	f->value = qp_strndup(p->q, v, n);
	if (!f->value)
		qp_nomem(p);
	return f;
}

/* A word or phrase where ctx says; NULL for a word without tokens (and
 * on failure, with p->rc set). */
static qp_node *qp_leaf(qp_parser *p, const qp_ctx *ctx, int phrase, const char *w, size_t n,
			int prefix)
{
	if (++p->nleaves > NOTES_QUERY_MAX_TERMS) {
		qp_fail(p, "too many terms: at most %d words, phrases and filter values",
			NOTES_QUERY_MAX_TERMS);
		return NULL;
	}
	if (ctx->filter) {
		char *v = NULL;
		size_t vn = n;
		if (prefix) {   /* tag:"a b"* keeps its star: it is part of the value */
			v = qp_alloc(p->q, n + 1);
			if (!v) {
				qp_nomem(p);
				return NULL;
			}
			memcpy(v, w, n);
			v[vn++] = '*';
			w = v;
		}
		while (vn && w[0] == ' ')
			w++, vn--;
		while (vn && w[vn - 1] == ' ')
			vn--;
		if (vn == 0) {
			qp_fail(p, "%s: needs a word after the colon", ctx->key);
			return NULL;
		}
		char label[80];
		snprintf(label, sizeof label, "%s:", ctx->key);
		return qp_filter_new(p, ctx->fkind, ctx->key, w, vn, label);
	}
	while (!phrase && n && w[n - 1] == '*') {   /* kube** is kube* */
		prefix = 1;
		n--;
	}
	while (phrase && n && w[0] == ' ')   /* " a b " is "a b" */
		w++, n--;
	while (phrase && n && w[n - 1] == ' ')
		n--;
	if (n == 0)
		return NULL;
	int r = notes_tokenize(p->tok, NOTES_TOKENIZE_QUERY | (prefix ? NOTES_TOKENIZE_PREFIX : 0),
			       w, (int)n, NULL, qp_any_token);
	if (r < 0) {
		if (p->rc == NOTES_OK)
			p->rc = r == -NOTES_E_NOMEM ? NOTES_E_NOMEM : NOTES_E_USAGE;
		return NULL;
	}
	if (r == 0)
		return NULL;
	qp_node *t = qp_node_new(p, QP_TERM, NULL, 0);
	if (!t)
		return NULL;
	t->cls = QP_CLS_TEXT;
	t->text = qp_strndup(p->q, w, n);
	if (!t->text) {
		qp_nomem(p);
		return NULL;
	}
	t->phrase = phrase;
	t->prefix = prefix;
	t->column = ctx->column;
	return t;
}

/* ---- grammar -------------------------------------------------------------- */

static qp_node *qp_parse_and(qp_parser *p, const qp_ctx *ctx, int depth, size_t *nitems);

static int qp_ends_operand(int kind)
{
	return kind == T_EOF || kind == T_RP || kind == T_AND || kind == T_OR;
}

/* "(" already consumed: the group up to its ")". */
static qp_node *qp_parse_group(qp_parser *p, const qp_ctx *ctx, int depth)
{
	if (depth >= NOTES_QUERY_MAX_DEPTH) {
		qp_fail(p, "too deeply nested: at most %d levels of parentheses",
			NOTES_QUERY_MAX_DEPTH);
		return NULL;
	}
	size_t nitems = 0;
	qp_node *x = qp_parse_and(p, ctx, depth + 1, &nitems);
	if (p->rc != NOTES_OK)
		return NULL;
	if (qp_next(p).kind != T_RP) {
		qp_fail(p, "unbalanced parenthesis: a ( is never closed");
		return NULL;
	}
	if (nitems == 0) {
		qp_fail(p, "empty parentheses: put a word between ( and )");
		return NULL;
	}
	return x;
}

/* key:value, the FIELD token t already consumed. */
static qp_node *qp_parse_field(qp_parser *p, const qp_ctx *ctx, const qp_tok *t, int depth)
{
	if (ctx->key) {
		qp_fail(p, "%s:( ) cannot contain another field (%s:)", ctx->key, t->key);
		return NULL;
	}
	qp_ctx sub = {0};
	sub.key = t->key;
	sub.column = -1;
	if (t->fkind >= 0) {
		sub.filter = 1;
		sub.fkind = t->fkind;
	} else {
		sub.column = t->field;
	}
	qp_node *x;
	if (t->len) {
		x = qp_leaf(p, &sub, 0, t->p, t->len, 0);
	} else if (t->end < p->n && p->s[t->end] == '"') {
		qp_tok v = qp_next(p);
		if (p->rc != NOTES_OK)
			return NULL;
		x = qp_leaf(p, &sub, 1, v.p, v.len, v.prefix);
	} else if (t->end < p->n && p->s[t->end] == '(') {
		qp_next(p);
		x = qp_parse_group(p, &sub, depth);
	} else {
		qp_fail(p, "%s: needs a word after the colon", t->key);
		return NULL;
	}
	if (p->rc != NOTES_OK)
		return NULL;
	return sub.filter ? x : qp_mk_col(p, sub.column, x);
}

static qp_node *qp_parse_primary(qp_parser *p, const qp_ctx *ctx, int depth)
{
	qp_tok t = qp_next(p);
	if (p->rc != NOTES_OK)
		return NULL;
	switch (t.kind) {
	case T_LP:
		return qp_parse_group(p, ctx, depth);
	case T_WORD:
		return qp_leaf(p, ctx, 0, t.p, t.len, 0);
	case T_PHRASE:
		return qp_leaf(p, ctx, 1, t.p, t.len, t.prefix);
	case T_FIELD:
		return qp_parse_field(p, ctx, &t, depth);
	case T_RP:
		qp_fail(p, "unbalanced parenthesis: a ) has no matching (");
		return NULL;
	default:   /* callers check for operators before asking for an operand */
		qp_fail(p, "expected a word");
		return NULL;
	}
}

/* Exclusions (- and NOT) in front of a primary; a double one cancels. */
static qp_node *qp_parse_unary(qp_parser *p, const qp_ctx *ctx, int depth)
{
	int neg = 0;
	for (;;) {
		const qp_tok *t = qp_peek(p);
		if (p->rc != NOTES_OK)
			return NULL;
		if (t->kind != T_NOT && t->kind != T_NEG)
			break;
		int is_not = t->kind == T_NOT;
		qp_next(p);
		neg ^= 1;
		if (is_not && qp_ends_operand(qp_peek(p)->kind)) {
			if (p->rc == NOTES_OK)
				qp_fail(p, "NOT needs a word after it");
			return NULL;
		}
	}
	qp_node *x = qp_parse_primary(p, ctx, depth);
	return neg ? qp_mk_not(p, x) : x;
}

/* Operands joined by OR, which binds tighter than AND. */
static qp_node *qp_parse_or(qp_parser *p, const qp_ctx *ctx, int depth)
{
	qp_vec v = {0};
	qp_vec_push(p, &v, qp_parse_unary(p, ctx, depth));
	while (p->rc == NOTES_OK && qp_peek(p)->kind == T_OR) {
		qp_next(p);
		if (qp_ends_operand(qp_peek(p)->kind)) {
			if (p->rc == NOTES_OK)
				qp_fail(p, "OR needs a word on each side");
			break;
		}
		qp_vec_push(p, &v, qp_parse_unary(p, ctx, depth));
	}
	qp_node *r = NULL;
	if (p->rc == NOTES_OK)
		r = v.n == 1 ? v.v[0] : qp_mk_or(p, v.v, v.n);
	free(v.v);
	return r;
}

/* A sequence of OR-expressions, ANDed, up to ")" or the end.  *nitems
 * counts the operands seen (dropped words included). */
static qp_node *qp_parse_and(qp_parser *p, const qp_ctx *ctx, int depth, size_t *nitems)
{
	qp_vec v = {0};
	int want = 0;   /* after an explicit AND */
	while (p->rc == NOTES_OK) {
		int k = qp_peek(p)->kind;
		if (p->rc != NOTES_OK)
			break;
		if (k == T_EOF || k == T_RP) {
			if (want)
				qp_fail(p, "AND needs a word on each side");
			break;
		}
		if (k == T_AND) {
			if (*nitems == 0 || want) {
				qp_fail(p, "AND needs a word on each side");
				break;
			}
			qp_next(p);
			want = 1;
			continue;
		}
		if (k == T_OR) {
			qp_fail(p, "OR needs a word on each side");
			break;
		}
		qp_node *x = qp_parse_or(p, ctx, depth);
		qp_vec_push(p, &v, x);
		(*nitems)++;
		want = 0;
	}
	qp_node *r = NULL;
	if (p->rc == NOTES_OK)
		r = qp_mk_and(p, v.v, v.n);
	free(v.v);
	return r;
}

/* ---- finishing ------------------------------------------------------------ */

static int qp_max(int a, int b)
{
	return a > b ? a : b;
}

static int qp_cost(const qp_node *x);

static int qp_cost_w(const qp_node *x)
{
	return qp_cost(x) + (x->kind == QP_TERM ? 0 : 1);
}

/* Cost of a list rendered "k0 OP k1 OP ...", kids from..to chosen by want
 * (-1 all, 0 positives, 1 exclusions: their excluded node). */
static int qp_cost_list(const qp_node *x, int want)
{
	int c = 0, first = 1;
	for (size_t i = 0; i < x->nkid; i++) {
		const qp_node *k = x->kid[i];
		if (want >= 0 && (k->kind == QP_NOT) != want)
			continue;
		if (want == 1)
			k = k->kid[0];
		c = qp_max(c, (first ? 0 : 2) + qp_cost_w(k));
		first = 0;
	}
	return c;
}

/* Upper bound of the FTS5 parser stack entries qp_render_fts(x) needs: an
 * operand after "X OP" costs 2 more, a parenthesis 1, a column filter 4. */
static int qp_cost(const qp_node *x)
{
	switch (x->kind) {
	case QP_TERM:
		return QP_COST_TERM;
	case QP_COL:
		return 4 + qp_cost_w(x->kid[0]);
	case QP_OR:
		return qp_cost_list(x, -1);
	case QP_AND: {
		size_t npos = qp_npos(x), nneg = x->nkid - npos;
		if (nneg == 0)
			return qp_cost_list(x, 0);
		int pc = qp_cost_list(x, 0) + (npos > 1);
		int nc = qp_cost_list(x, 1) + (nneg > 1);
		return qp_max(pc, 2 + nc);
	}
	default:
		return qp_cost_w(x->kid[0]);
	}
}

/* Number the positive terms in typed order. */
static void qp_collect_terms(qp_parser *p, qp_node *x, int neg, qp_vec *v)
{
	if (x->kind == QP_TERM) {
		if (!neg) {
			x->qidx = (long)v->n;
			qp_vec_push(p, v, x);
		}
		return;
	}
	for (size_t i = 0; i < x->nkid; i++)
		qp_collect_terms(p, x->kid[i], neg || x->kind == QP_NOT, v);
}

/* Split the root into the text part and the filters, check the text part
 * has something to search for, number its terms. */
static void qp_finish(qp_parser *p, qp_node *root, size_t nitems)
{
	notes_query *q = p->q;
	if (!root) {
		if (nitems == 0)
			qp_fail(p, "empty query");
		else
			qp_fail(p, "the query has no searchable words");
		return;
	}
	qp_node *const *kids = root->kind == QP_AND ? root->kid : &root;
	size_t nk = root->kind == QP_AND ? root->nkid : 1;
	qp_vec text = {0};
	size_t npos = 0;
	q->filt = malloc((nk ? nk : 1) * sizeof *q->filt);
	if (!q->filt) {
		qp_nomem(p);
		return;
	}
	q->cfilt = nk ? nk : 1;
	for (size_t i = 0; i < nk; i++) {
		if (kids[i]->cls == QP_CLS_FILTER) {
			q->filt[q->nfilt++] = kids[i];
		} else {
			qp_vec_push(p, &text, kids[i]);
			npos += kids[i]->kind != QP_NOT;
		}
	}
	if (p->rc == NOTES_OK && text.n && npos == 0)
		qp_fail(p, "nothing to search for: the query only excludes (-word)");
	if (p->rc == NOTES_OK && text.n)
		q->text = qp_mk_and(p, text.v, text.n);
	free(text.v);
	if (p->rc != NOTES_OK || !q->text)
		return;
	if (qp_cost(q->text) + 2 > QP_STACK_BUDGET) {
		qp_fail(p, "too complex: groups and exclusions are nested too deeply; "
			   "simplify the parentheses");
		return;
	}
	qp_vec terms = {0};
	qp_collect_terms(p, q->text, 0, &terms);
	if (p->rc == NOTES_OK && terms.n) {
		q->terms = qp_alloc(q, terms.n * sizeof *q->terms);
		q->tnode = qp_alloc(q, terms.n * sizeof *q->tnode);
		if (!q->terms || !q->tnode) {
			qp_nomem(p);
		} else {
			for (size_t i = 0; i < terms.n; i++) {
				qp_node *t = terms.v[i];
				q->tnode[i] = t;
				q->terms[i].text = t->text;
				q->terms[i].phrase = t->phrase;
				q->terms[i].prefix = t->prefix;
				q->terms[i].column = t->column;
			}
			q->nterms = terms.n;
		}
	}
	free(terms.v);
}

notes_status notes_query_parse(const char *text, size_t n, notes_tokenizer *tok,
			       notes_query_key_fn is_key, void *key_ctx,
			       notes_query **out, char **why)
{
	*out = NULL;
	*why = NULL;
	if (!text && n)
		return NOTES_E_USAGE;
	if (n > NOTES_QUERY_MAX_BYTES) {
		*why = strdup("query too long: at most 100 KB");
		return *why ? NOTES_E_PARSE : NOTES_E_NOMEM;
	}
	qp_parser p = {0};
	p.rc = notes_query_new_empty(&p.q);
	if (p.rc != NOTES_OK)
		return p.rc;
	notes_tokenizer *own = NULL;
	if (!tok) {
		if ((p.rc = notes_tokenizer_new(&own)) != NOTES_OK) {
			notes_query_free(p.q);
			return p.rc;
		}
		tok = own;
	}
	p.tok = tok;
	p.is_key = is_key;
	p.key_ctx = key_ctx;
	char *s = qp_alloc(p.q, n + 1);
	if (!s) {
		p.rc = NOTES_E_NOMEM;
	} else {
		p.n = qp_normalize(text, n, s);
		s[p.n] = '\0';
		p.s = s;
		qp_ctx top = {0};
		top.column = -1;
		size_t nitems = 0;
		qp_node *root = qp_parse_and(&p, &top, 0, &nitems);
		if (p.rc == NOTES_OK && qp_peek(&p)->kind == T_RP)
			qp_fail(&p, "unbalanced parenthesis: a ) has no matching (");
		if (p.rc == NOTES_OK)
			qp_finish(&p, root, nitems);
	}
	notes_tokenizer_free(own);
	if (p.rc != NOTES_OK) {
		notes_query_free(p.q);
		if (p.rc == NOTES_E_PARSE)
			*why = p.why;
		else
			free(p.why);
		return p.rc;
	}
	*out = p.q;
	return NOTES_OK;
}

/* ---- command-line filters ------------------------------------------------- */

notes_status notes_query_add_filter(notes_query *q, const char *field, const char *value,
				    char **why)
{
	*why = NULL;
	if (!q || !field || !value)
		return NOTES_E_USAGE;
	int fkind;
	if (strcmp(field, "tag") == 0)
		fkind = QF_TAG;
	else if (strcmp(field, "path") == 0)
		fkind = QF_PATH;
	else if (strcmp(field, "date") == 0 || strcmp(field, "since") == 0 ||
		 strcmp(field, "until") == 0)
		fkind = QF_DATE;
	else {
		*why = strdup("unknown filter: expected tag, path, date, since or until");
		return *why ? NOTES_E_USAGE : NOTES_E_NOMEM;
	}
	if (q->nfilt == q->cfilt) {
		size_t cap = q->cfilt ? q->cfilt * 2 : 4;
		qp_node **nf = realloc(q->filt, cap * sizeof *nf);
		if (!nf)
			return NOTES_E_NOMEM;
		q->filt = nf;
		q->cfilt = cap;
	}
	/* Arena memory used by a refused value stays allocated until
	 * notes_query_free(): bounded by the value's size. */
	qp_parser p = {0};
	p.q = q;
	size_t n = strlen(value);
	char *s = qp_alloc(q, n + 1);
	if (!s)
		return NOTES_E_NOMEM;
	n = qp_normalize(value, n, s);
	s[n] = '\0';
	while (n && s[0] == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	char label[32];
	snprintf(label, sizeof label, "--%s ", field);
	qp_node *f = NULL;
	if (n == 0) {
		qp_fail(&p, "--%s needs a value", field);
	} else if (fkind == QF_DATE && strcmp(field, "date") != 0) {
		char first[11], last[11];
		int r = qp_date_bound(s, n, first, last);
		if (r != QD_OK) {
			const char *more;
			int k = qp_echo_len(s, n, &more);
			qp_fail(&p, "%s%.*s%s: %s", label, k, s, more,
				r == QD_YEAR ? qp_date_error(r)
					     : "expected a year, month or day (2015, 2015-06, 2015-06-02)");
		} else if ((f = qp_node_new(&p, QP_FILTER, NULL, 0)) != NULL) {
			f->cls = QP_CLS_FILTER;
			f->fkind = QF_DATE;
			f->key = "date";
			if (field[0] == 's')
				memcpy(f->lo, first, 11);
			else
				memcpy(f->hi, last, 11);
		}
	} else {
		const char *key = fkind == QF_TAG ? "tag" : fkind == QF_PATH ? "path" : "date";
		f = qp_filter_new(&p, fkind, key, s, n, label);
	}
	if (p.rc != NOTES_OK) {
		if (p.rc == NOTES_E_PARSE)
			*why = p.why;
		else
			free(p.why);
		return p.rc;
	}
	q->filt[q->nfilt++] = f;
	return NOTES_OK;
}

/* ---- accessors ------------------------------------------------------------ */

size_t notes_query_nterms(const notes_query *q)
{
	return q ? q->nterms : 0;
}

const notes_qterm *notes_query_term(const notes_query *q, size_t i)
{
	return q && i < q->nterms ? &q->terms[i] : NULL;
}

int notes_query_has_text(const notes_query *q)
{
	return q && q->text;
}

int notes_query_has_filters(const notes_query *q)
{
	return q && q->nfilt;
}

/* ---- FTS5 rendering ------------------------------------------------------- */

/* An FTS5 string literal: the text in double quotes, inner quotes doubled. */
static void qp_put_literal(notes_status *rc, notes_buf *b, const char *s)
{
	notes_buf_append_char(rc, b, '"');
	for (const char *e; (e = strchr(s, '"')) != NULL; s = e + 1) {
		notes_buf_append(rc, b, s, (size_t)(e - s + 1));
		notes_buf_append_char(rc, b, '"');
	}
	notes_buf_append_str(rc, b, s);
	notes_buf_append_char(rc, b, '"');
}

typedef struct qp_render {
	notes_status rc;                 /* sticky status */
	notes_buf *b;                    /* output */
	const char *const *const *alts;  /* typo alternatives per term, or NULL */
	const unsigned char *skip;       /* terms left out of AND lists, or NULL */
} qp_render;

/* Whether kid c of an AND list is left out: a skipped bare term. */
static int qp_skipped(const qp_render *r, const qp_node *c)
{
	return r->skip && c->kind == QP_TERM && c->qidx >= 0 && r->skip[c->qidx];
}

static const char *const *qp_term_alts(const qp_render *r, const qp_node *t)
{
	if (!r->alts || t->qidx < 0)
		return NULL;
	const char *const *a = r->alts[t->qidx];
	if (!a)
		return NULL;
	for (size_t i = 0; a[i]; i++)
		if (a[i][0])
			return a;
	return NULL;   /* only empty alternatives */
}

static void qp_render_fts(qp_render *r, const qp_node *x);

/* x as an operand: parenthesized unless it is a term. */
static void qp_render_operand(qp_render *r, const qp_node *x)
{
	if (x->kind == QP_TERM) {
		qp_render_fts(r, x);
		return;
	}
	notes_buf_append_char(&r->rc, r->b, '(');
	qp_render_fts(r, x);
	notes_buf_append_char(&r->rc, r->b, ')');
}

/* The kids of an AND chosen by want (as qp_cost_list), joined by op; in
 * parentheses when paren and there is more than one. */
static void qp_render_list(qp_render *r, const qp_node *x, int want, const char *op, int paren)
{
	size_t k = 0, kept = 0;
	for (size_t i = 0; i < x->nkid; i++) {
		int in = want < 0 || (x->kid[i]->kind == QP_NOT) == want;
		k += in;
		kept += in && !qp_skipped(r, x->kid[i]);
	}
	/* Skipping applies to the positive kids of an AND, and only when
	 * something is left. */
	int skip = want == 0 && kept > 0 && kept < k;
	if (skip)
		k = kept;
	paren = paren && k > 1;
	if (paren)
		notes_buf_append_char(&r->rc, r->b, '(');
	k = 0;
	for (size_t i = 0; i < x->nkid; i++) {
		const qp_node *c = x->kid[i];
		if (want >= 0 && (c->kind == QP_NOT) != want)
			continue;
		if (skip && qp_skipped(r, c))
			continue;
		if (k++)
			notes_buf_append_str(&r->rc, r->b, op);
		qp_render_operand(r, want == 1 ? c->kid[0] : c);
	}
	if (paren)
		notes_buf_append_char(&r->rc, r->b, ')');
}

static void qp_render_fts(qp_render *r, const qp_node *x)
{
	notes_status *rc = &r->rc;
	switch (x->kind) {
	case QP_TERM: {
		const char *const *alts = qp_term_alts(r, x);
		if (alts)
			notes_buf_append_char(rc, r->b, '(');
		qp_put_literal(rc, r->b, x->text);
		if (x->prefix)
			notes_buf_append_char(rc, r->b, '*');
		for (size_t i = 0; alts && alts[i]; i++) {
			if (!alts[i][0])
				continue;
			notes_buf_append_str(rc, r->b, " OR ");
			qp_put_literal(rc, r->b, alts[i]);
		}
		if (alts)
			notes_buf_append_char(rc, r->b, ')');
		break;
	}
	case QP_COL: {
		const qp_node *k = x->kid[0];
		notes_buf_printf(rc, r->b, "{%s} : ", notes_field_names[x->field]);
		if (k->kind == QP_TERM)
			qp_render_fts(r, k);   /* a term with alternatives brings its () */
		else
			qp_render_operand(r, k);
		break;
	}
	case QP_OR:
		qp_render_list(r, x, -1, " OR ", 0);
		break;
	case QP_AND: {
		size_t npos = qp_npos(x);
		if (npos == 0) {   /* prevented by construction */
			if (*rc == NOTES_OK)
				*rc = NOTES_E_USAGE;
			break;
		}
		if (npos == x->nkid) {
			qp_render_list(r, x, 0, " AND ", 0);
			break;
		}
		qp_render_list(r, x, 0, " AND ", 1);
		notes_buf_append_str(rc, r->b, " NOT ");
		qp_render_list(r, x, 1, " OR ", 1);
		break;
	}
	default:   /* a lone exclusion: prevented by construction */
		if (*rc == NOTES_OK)
			*rc = NOTES_E_USAGE;
		break;
	}
}

/* A positive term with its column filter, for mode ANY. */
static void qp_render_any_term(qp_render *r, const qp_node *t, int alone)
{
	if (t->column < 0) {
		qp_render_fts(r, t);
		return;
	}
	if (!alone)
		notes_buf_append_char(&r->rc, r->b, '(');
	notes_buf_printf(&r->rc, r->b, "{%s} : ", notes_field_names[t->column]);
	qp_render_fts(r, t);
	if (!alone)
		notes_buf_append_char(&r->rc, r->b, ')');
}

notes_status notes_query_fts(const notes_query *q, int mode, const char *const *const *alts,
			     char **out)
{
	return notes_query_fts_skip(q, mode, alts, NULL, out);
}

notes_status notes_query_fts_skip(const notes_query *q, int mode, const char *const *const *alts,
				  const unsigned char *skip, char **out)
{
	*out = NULL;
	if (!q || (mode != NOTES_QUERY_ALL && mode != NOTES_QUERY_ANY))
		return NOTES_E_USAGE;
	if (!q->text)
		return NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	qp_render r = {NOTES_OK, &b, alts, skip};
	if (mode == NOTES_QUERY_ALL) {
		qp_render_fts(&r, q->text);
	} else {
		const qp_node *x = q->text;
		size_t nneg = x->kind == QP_AND ? x->nkid - qp_npos(x) : 0;
		/* Skipped terms widen nothing, unless all are skipped. */
		size_t nuse = 0;
		for (size_t i = 0; i < q->nterms; i++)
			nuse += !(skip && skip[i]);
		const unsigned char *sk = nuse ? skip : NULL;
		if (!nuse)
			nuse = q->nterms;
		int alone = nuse == 1 && nneg == 0;
		if (nuse > 1 && nneg)
			notes_buf_append_char(&r.rc, &b, '(');
		for (size_t i = 0, k = 0; i < q->nterms; i++) {
			if (sk && sk[i])
				continue;
			if (k++)
				notes_buf_append_str(&r.rc, &b, " OR ");
			qp_render_any_term(&r, q->tnode[i], alone);
		}
		if (nuse > 1 && nneg)
			notes_buf_append_char(&r.rc, &b, ')');
		if (nneg) {
			notes_buf_append_str(&r.rc, &b, " NOT ");
			qp_render_list(&r, x, 1, " OR ", 1);
		}
	}
	if (r.rc == NOTES_OK && !b.p)
		r.rc = NOTES_E_USAGE;
	if (r.rc != NOTES_OK) {
		notes_buf_free(&b);
		return r.rc;
	}
	*out = b.p;
	return NOTES_OK;
}

/* ---- filters: SQL --------------------------------------------------------- */

typedef struct qp_sql {
	notes_status rc;     /* sticky status */
	notes_buf *b;        /* output */
	char **bind;         /* values to bind; malloc'ed */
	size_t nbind;        /* used */
	size_t cbind;        /* allocated */
	int param;           /* number of the next placeholder */
} qp_sql;

/* Append a placeholder for value s (copied) of n bytes. */
static void qp_sql_bind(qp_sql *w, const char *s, size_t n)
{
	if (w->rc != NOTES_OK)
		return;
	if (w->nbind == w->cbind) {
		size_t cap = w->cbind ? w->cbind * 2 : 8;
		char **nb = realloc(w->bind, cap * sizeof *nb);
		if (!nb) {
			w->rc = NOTES_E_NOMEM;
			return;
		}
		w->bind = nb;
		w->cbind = cap;
	}
	char *v = malloc(n + 1);
	if (!v) {
		w->rc = NOTES_E_NOMEM;
		return;
	}
	memcpy(v, s, n);
	v[n] = '\0';
	w->bind[w->nbind++] = v;
	notes_buf_printf(&w->rc, w->b, "?%d", w->param++);
}

/* The LIKE pattern %value% with % _ and \ escaped by \. */
static void qp_sql_bind_like(qp_sql *w, const char *s)
{
	notes_buf pat = NOTES_BUF_INIT;
	notes_buf_append_char(&w->rc, &pat, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			notes_buf_append_char(&w->rc, &pat, '\\');
		notes_buf_append_char(&w->rc, &pat, *s);
	}
	notes_buf_append_char(&w->rc, &pat, '%');
	if (w->rc == NOTES_OK)
		qp_sql_bind(w, pat.p, pat.n);
	notes_buf_free(&pat);
}

/* One date comparison "n.date OP ?" */
static void qp_sql_cmp(qp_sql *w, const char *op, const char *d)
{
	notes_buf_printf(&w->rc, w->b, "n.date %s ", op);
	qp_sql_bind(w, d, strlen(d));
}

/* Filter leaf f, or its negation when neg.  Negations are written out rather
 * than put under NOT so that a note without a date stays unmatched. */
static void qp_sql_leaf(qp_sql *w, const qp_node *f, int neg)
{
	notes_status *rc = &w->rc;
	switch (f->fkind) {
	case QF_TAG:
		notes_buf_printf(rc, w->b, "%sEXISTS(SELECT 1 FROM fields AS qf WHERE qf.note = n.id "
					   "AND qf.key IN ('tags', 'tag') AND qf.value = ",
				 neg ? "NOT " : "");
		qp_sql_bind(w, f->value, strlen(f->value));
		notes_buf_append_char(rc, w->b, ')');
		break;
	case QF_META:
		notes_buf_printf(rc, w->b, "%sEXISTS(SELECT 1 FROM fields AS qf WHERE qf.note = n.id "
					   "AND qf.key = ",
				 neg ? "NOT " : "");
		qp_sql_bind(w, f->key, strlen(f->key));
		notes_buf_append_str(rc, w->b, " AND (qf.value = ");
		qp_sql_bind(w, f->value, strlen(f->value));
		notes_buf_append_str(rc, w->b, " OR qf.value LIKE ");
		qp_sql_bind_like(w, f->value);
		notes_buf_append_str(rc, w->b, " ESCAPE '\\'))");
		break;
	case QF_PATH:
		if (f->glob) {
			notes_buf_append_str(rc, w->b, neg ? "NOT (n.path GLOB " : "n.path GLOB ");
			qp_sql_bind(w, f->value, strlen(f->value));
			if (neg)
				notes_buf_append_char(rc, w->b, ')');
		} else {
			notes_buf_append_str(rc, w->b, "instr(n.path, ");
			qp_sql_bind(w, f->value, strlen(f->value));
			notes_buf_append_str(rc, w->b, neg ? ") = 0" : ") > 0");
		}
		break;
	default: {   /* QF_DATE */
		int both = f->lo[0] && f->hi[0];
		if (both)
			notes_buf_append_char(rc, w->b, '(');
		if (f->lo[0])
			qp_sql_cmp(w, neg ? (f->lo_excl ? "<=" : "<") : (f->lo_excl ? ">" : ">="), f->lo);
		if (both)
			notes_buf_append_str(rc, w->b, neg ? " OR " : " AND ");
		if (f->hi[0])
			qp_sql_cmp(w, neg ? (f->hi_excl ? ">=" : ">") : (f->hi_excl ? "<" : "<="), f->hi);
		if (both)
			notes_buf_append_char(rc, w->b, ')');
		break;
	}
	}
}

/* x in negation normal form: NOT pushed down to the leaves. */
static void qp_sql_node(qp_sql *w, const qp_node *x, int neg)
{
	if (x->kind == QP_FILTER) {
		qp_sql_leaf(w, x, neg);
		return;
	}
	if (x->kind == QP_NOT) {
		qp_sql_node(w, x->kid[0], !neg);
		return;
	}
	const char *op = (x->kind == QP_AND) != neg ? " AND " : " OR ";
	notes_buf_append_char(&w->rc, w->b, '(');
	for (size_t i = 0; i < x->nkid; i++) {
		if (i)
			notes_buf_append_str(&w->rc, w->b, op);
		qp_sql_node(w, x->kid[i], neg);
	}
	notes_buf_append_char(&w->rc, w->b, ')');
}

notes_status notes_query_filter_sql(const notes_query *q, int first_param, notes_buf *sql,
				    char ***binds, size_t *nbinds)
{
	*binds = NULL;
	*nbinds = 0;
	if (!q || first_param < 1)
		return NOTES_E_USAGE;
	qp_sql w = {NOTES_OK, sql, NULL, 0, 0, first_param};
	if (q->nfilt == 0)
		notes_buf_append_char(&w.rc, sql, '1');
	for (size_t i = 0; i < q->nfilt; i++) {
		if (i)
			notes_buf_append_str(&w.rc, sql, " AND ");
		qp_sql_node(&w, q->filt[i], 0);
	}
	if (w.rc != NOTES_OK) {
		notes_query_binds_free(w.bind, w.nbind);
		return w.rc;
	}
	*binds = w.bind;
	*nbinds = w.nbind;
	return NOTES_OK;
}

void notes_query_binds_free(char **binds, size_t n)
{
	if (!binds)
		return;
	for (size_t i = 0; i < n; i++)
		free(binds[i]);
	free(binds);
}

/* ---- describe ------------------------------------------------------------- */

static void qp_desc_node(notes_status *rc, notes_buf *b, const qp_node *x);

static void qp_desc_operand(notes_status *rc, notes_buf *b, const qp_node *x)
{
	int paren = x->kind == QP_AND || x->kind == QP_OR;
	if (paren)
		notes_buf_append_char(rc, b, '(');
	qp_desc_node(rc, b, x);
	if (paren)
		notes_buf_append_char(rc, b, ')');
}

static void qp_desc_node(notes_status *rc, notes_buf *b, const qp_node *x)
{
	switch (x->kind) {
	case QP_FILTER:
		switch (x->fkind) {
		case QF_TAG:
			notes_buf_append_str(rc, b, "tag=");
			qp_put_literal(rc, b, x->value);
			break;
		case QF_META:
			notes_buf_printf(rc, b, "%s~", x->key);
			qp_put_literal(rc, b, x->value);
			break;
		case QF_PATH:
			notes_buf_append_str(rc, b, x->glob ? "path GLOB " : "path CONTAINS ");
			qp_put_literal(rc, b, x->value);
			break;
		default:
			if (x->lo[0] && x->hi[0] && strcmp(x->lo, x->hi) == 0)
				notes_buf_printf(rc, b, "date = %s", x->lo);
			else if (x->lo[0] && x->hi[0])
				notes_buf_printf(rc, b, "date in [%s, %s]", x->lo, x->hi);
			else if (x->lo[0])
				notes_buf_printf(rc, b, "date %s %s", x->lo_excl ? ">" : ">=", x->lo);
			else
				notes_buf_printf(rc, b, "date %s %s", x->hi_excl ? "<" : "<=", x->hi);
			break;
		}
		break;
	case QP_NOT:
		notes_buf_append_str(rc, b, "NOT ");
		qp_desc_operand(rc, b, x->kid[0]);
		break;
	default:
		for (size_t i = 0; i < x->nkid; i++) {
			if (i)
				notes_buf_append_str(rc, b, x->kind == QP_AND ? " AND " : " OR ");
			qp_desc_operand(rc, b, x->kid[i]);
		}
		break;
	}
}

notes_status notes_query_describe(const notes_query *q, notes_buf *out)
{
	if (!q)
		return NOTES_E_USAGE;
	notes_status rc = NOTES_OK;
	char *fts = NULL;
	if ((rc = notes_query_fts(q, NOTES_QUERY_ALL, NULL, &fts)) != NOTES_OK)
		return rc;
	notes_buf_append_str(&rc, out, "fts=");
	notes_buf_append_str(&rc, out, fts ? fts : "(none)");
	free(fts);
	notes_buf_append_str(&rc, out, " filters=");
	if (q->nfilt == 0)
		notes_buf_append_str(&rc, out, "(none)");
	for (size_t i = 0; i < q->nfilt; i++) {
		if (i)
			notes_buf_append_str(&rc, out, " AND ");
		qp_desc_operand(&rc, out, q->filt[i]);
	}
	return rc;
}
