/* doc.c — the per-note document model (see doc.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doc.h"

void notes_doc_init(notes_doc *d)
{
	memset(d, 0, sizeof *d);
}

void notes_doc_reset(notes_doc *d)
{
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		notes_buf_clear(&d->field[f]);
		d->map.nseg[f] = 0;
	}
	for (size_t i = 0; i < d->nkv; i++) {
		free(d->kv[i].key);
		free(d->kv[i].value);
	}
	d->nkv = 0;
	for (size_t i = 0; i < d->nwarn; i++)
		free(d->warn[i].msg);
	d->nwarn = 0;
	notes_buf_clear(&d->title);
	notes_buf_clear(&d->first_h1);
	d->first_h1_src = 0;
	d->date[0] = '\0';
	d->lang[0] = '\0';
	d->src = NULL;
	d->src_len = 0;
	d->path = NULL;
	d->body_off = 0;
	d->body_line = 1;
}

void notes_doc_free(notes_doc *d)
{
	notes_doc_reset(d);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		notes_buf_free(&d->field[f]);
	notes_linemap_free(&d->map);
	free(d->kv);
	free(d->warn);
	notes_buf_free(&d->title);
	notes_buf_free(&d->first_h1);
	memset(d, 0, sizeof *d);
}

void notes_doc_append(notes_status *rc, notes_doc *d, notes_field f,
		      const char *text, size_t n, uint32_t src_off)
{
	if (*rc != NOTES_OK || n == 0)
		return;
	notes_linemap_add(rc, &d->map, f, (uint32_t)d->field[f].n, src_off);
	notes_buf_append(rc, &d->field[f], text, n);
}

void notes_doc_break(notes_status *rc, notes_doc *d, notes_field f)
{
	notes_buf *b = &d->field[f];
	if (*rc != NOTES_OK || b->n == 0 || b->p[b->n - 1] == '\n')
		return;
	notes_buf_append_char(rc, b, '\n');
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void notes_doc_add_kv(notes_status *rc, notes_doc *d, const char *key,
		      const char *value, size_t vlen, uint32_t src, int line)
{
	if (*rc != NOTES_OK)
		return;
	if (d->nkv == d->kvcap) {
		size_t cap = d->kvcap ? d->kvcap * 2 : 16;
		notes_kv *p = realloc(d->kv, cap * sizeof *p);
		if (!p) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		d->kv = p;
		d->kvcap = cap;
	}
	notes_kv *kv = &d->kv[d->nkv];
	kv->key = dup_n(key, strlen(key));
	kv->value = dup_n(value, vlen);
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		*rc = NOTES_E_NOMEM;
		return;
	}
	for (char *k = kv->key; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
	kv->src = src;
	kv->line = line;
	d->nkv++;
}

void notes_doc_warn(notes_status *rc, notes_doc *d, int line, const char *fmt, ...)
{
	if (*rc != NOTES_OK)
		return;
	if (d->nwarn == d->warncap) {
		size_t cap = d->warncap ? d->warncap * 2 : 4;
		notes_warning *p = realloc(d->warn, cap * sizeof *p);
		if (!p) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		d->warn = p;
		d->warncap = cap;
	}
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *m = dup_n(msg, strlen(msg));
	if (!m) {
		*rc = NOTES_E_NOMEM;
		return;
	}
	d->warn[d->nwarn].line = line;
	d->warn[d->nwarn].msg = m;
	d->nwarn++;
}

const notes_kv *notes_doc_kv(const notes_doc *d, const char *key)
{
	for (size_t i = 0; i < d->nkv; i++)
		if (strcmp(d->kv[i].key, key) == 0)
			return &d->kv[i];
	return NULL;
}

int notes_doc_line_of(const notes_doc *d, size_t off)
{
	int line = 1;
	if (off > d->src_len)
		off = d->src_len;
	for (const char *p = d->src, *e = d->src + off;
	     (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
		line++;
	return line;
}
