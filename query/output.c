/* output.c — output formats (see output.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "notes/utf8.h"
#include "output.h"

#define C_BOLD  "\033[1m"
#define C_PATH  "\033[35m"
#define C_LINE  "\033[32m"
#define C_HIT   "\033[1;31m"
#define C_DIM   "\033[2m"
#define C_OFF   "\033[0m"

/* Text for a terminal: control characters as \xNN, invalid UTF-8 as \xNN. */
static void put_text(FILE *f, const char *s, bool keep_tab)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), from = 0;   /* p[from, i) is printed as it is */
	for (size_t i = 0; i < n;) {
		int l = 1;
		if (p[i] == '\t' && keep_tab) {
			i++;
			continue;
		}
		if (p[i] >= 0x80)
			l = notes_utf8_seqlen(p + i, n - i);
		/* C0 and C1 controls (U+0080..U+009F) drive terminals; bytes
		 * that are no UTF-8 are shown as escapes too. */
		if (p[i] < 0x20 || p[i] == 0x7f || l == 0 ||
		    (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			fwrite(p + from, 1, i - from, f);
			fprintf(f, "\\x%02x", p[i++]);
			from = i;
			continue;
		}
		i += (size_t)l;
	}
	fwrite(p + from, 1, n - from, f);
}

/* A path for vimgrep lines: '%', ':' and control characters percent-encoded
 * so that "%f:%l:%c:%m" always parses (documented in the README). */
static void put_vim_path(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		int l = p[i] < 0x80 ? 1 : notes_utf8_seqlen(p + i, n - i);
		/* also invalid UTF-8 and C1 controls (U+0080..U+009F) */
		if (p[i] == '%' || p[i] == ':' || p[i] < 0x20 || p[i] == 0x7f || l == 0 ||
		    (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			fprintf(f, "%%%02X", p[i++]);
			continue;
		}
		fwrite(p + i, 1, (size_t)l, f);
		i += (size_t)l;
	}
}

static const char *shown_path(const notes_output_opts *o, const char *path, char *cwd, size_t cwdn)
{
	if (!o->relative || !cwd[0])
		return path;
	if (strncmp(path, cwd, cwdn) == 0 && path[cwdn] == '/')
		return path + cwdn + 1;
	return path;
}

static void put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else {
			int l = notes_utf8_seqlen(p + i, n - i);
			if (l == 0) {   /* invalid byte: U+FFFD */
				fputs("\xef\xbf\xbd", f);
				i++;
			} else if (l == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
				/* C1 controls (U+0080-U+009F): U+009B is a CSI
				 * to some terminals, so escaped like C0. */
				fprintf(f, "\\u%04x", p[i + 1]);
				i += 2;
			} else {
				fwrite(p + i, 1, (size_t)l, f);
				i += (size_t)l;
			}
		}
	}
	fputc('"', f);
}

/* The snippet without markers, and the markers as byte ranges in it. */
static void json_snippet(FILE *f, const char *snip)
{
	size_t n = strlen(snip ? snip : "");
	char *plain = malloc(n + 1);
	size_t k = 0;
	fputs(",\"snippet\":", f);
	if (!plain) {
		fputs("\"\",\"highlights\":[]", f);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (snip[i] != '\x02' && snip[i] != '\x03')
			plain[k++] = snip[i];
	plain[k] = '\0';
	put_json_str(f, plain);
	fputs(",\"highlights\":[", f);
	size_t pos = 0, start = 0;
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (snip[i] == '\x02')
			start = pos;
		else if (snip[i] == '\x03') {
			fprintf(f, "%s[%zu,%zu]", first ? "" : ",", start, pos);
			first = 0;
		} else
			pos++;
	}
	fputc(']', f);
	free(plain);
}

static void json_list(FILE *f, const char *key, const char *s, const char *sep)
{
	fprintf(f, ",\"%s\":[", key);
	int first = 1;
	while (s && *s) {
		while (*s == ' ')   /* "a, b": items without the space */
			s++;
		size_t l = strcspn(s, sep);
		char *item = strndup(s, l);
		if (item && *item) {
			if (!first)
				fputc(',', f);
			put_json_str(f, item);
			first = 0;
		}
		free(item);
		s += l;
		while (*s && strchr(sep, *s))
			s++;
	}
	fputc(']', f);
}

static const char *tier_name(notes_tier t)
{
	return t == NOTES_TIER_CORRECTED ? "corrected" : t == NOTES_TIER_WIDENED ? "widened" : "exact";
}

static void put_snippet(FILE *f, const char *s, bool color)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\x02')
			fputs(color ? C_HIT : "[", f);
		else if (*p == '\x03')
			fputs(color ? C_OFF : "]", f);
		else if (*p == '\n' || *p == '\t' || *p == '\r')
			fputc(' ', f);
		else {
			/* runs of ordinary text */
			size_t l = strcspn(p, "\x02\x03\n\t\r");
			char *run = strndup(p, l);
			if (run)
				put_text(f, run, false);
			free(run);
			p += l - 1;
		}
	}
}

void notes_output_results(FILE *f, const notes_output_opts *o, const notes_result *res, size_t n)
{
	char cwd[PATH_MAX] = "";
	if (o->relative && !getcwd(cwd, sizeof cwd))
		cwd[0] = '\0';
	size_t cwdn = strlen(cwd);
	bool c = o->color;
	for (size_t i = 0; i < n; i++) {
		const notes_result *r = &res[i];
		const char *path = shown_path(o, r->path, cwd, cwdn);
		switch (o->format) {
		case NOTES_FORMAT_PATHS:
			put_text(f, path, false);
			fputc('\n', f);
			break;
		case NOTES_FORMAT_VIMGREP:
			put_vim_path(f, path);
			fprintf(f, ":%d:%d:", r->line, r->col);
			put_text(f, r->line_text ? r->line_text : r->title, true);
			fputc('\n', f);
			break;
		case NOTES_FORMAT_JSON:
			fprintf(f, "{\"v\":1,\"type\":\"match\",\"rank\":%zu,\"score\":%.4f,\"tier\":\"%s\","
				"\"path\":", (size_t)o->first_rank + i, r->score, tier_name(r->tier));
			put_json_str(f, path);
			fprintf(f, ",\"line\":%d,\"column\":%d,\"title\":", r->line, r->col);
			put_json_str(f, r->title);
			fputs(",\"date\":", f);
			if (r->date)
				put_json_str(f, r->date);
			else
				fputs("null", f);
			json_list(f, "tags", r->tags, ",");
			fputs(",\"heading\":", f);
			if (r->heading)
				put_json_str(f, r->heading);
			else
				fputs("null", f);
			fputs(",\"text\":", f);
			put_json_str(f, r->line_text ? r->line_text : "");
			json_snippet(f, r->snippet);
			json_list(f, "matched", r->terms, "\n");
			fprintf(f, ",\"stale\":%s", r->stale ? "true" : "false");
			if (o->explain) {
				fputs(",\"explain\":", f);
				put_json_str(f, r->explain ? r->explain : "");
			}
			fputs("}\n", f);
			break;
		case NOTES_FORMAT_HUMAN:
			fprintf(f, "%s%zu. ", c ? C_BOLD : "", (size_t)o->first_rank + i);
			put_text(f, r->title, false);
			fputs(c ? C_OFF : "", f);
			if (r->date)
				fprintf(f, "  %s(%s)%s", c ? C_DIM : "", r->date, c ? C_OFF : "");
			if (r->tags && *r->tags) {
				fputs("  [", f);
				put_text(f, r->tags, false);
				fputc(']', f);
			}
			if (r->tier == NOTES_TIER_WIDENED)
				fprintf(f, "  (matches %d of the words)", r->matched);
			else if (r->tier == NOTES_TIER_CORRECTED)
				fputs("  (corrected)", f);
			fputs("\n   ", f);
			fputs(c ? C_PATH : "", f);
			put_text(f, path, false);
			fprintf(f, "%s:%s%d%s", c ? C_OFF : "", c ? C_LINE : "", r->line, c ? C_OFF : "");
			if (r->heading) {
				fputs("  § ", f);
				put_text(f, r->heading, false);
			}
			if (r->stale)
				fputs("  (changed since indexed)", f);
			fputc('\n', f);
			if (r->snippet && *r->snippet) {
				fputs("   ", f);
				put_snippet(f, r->snippet, c);
				fputc('\n', f);
			}
			if (o->explain && r->explain) {
				fprintf(f, "   %sscore %.3f (%s): ", c ? C_DIM : "", r->score, tier_name(r->tier));
				put_text(f, r->explain, false);
				fputs(c ? C_OFF : "", f);
				fputc('\n', f);
			}
			fputc('\n', f);
			break;
		}
	}
}

void notes_output_list(FILE *f, const notes_output_opts *o, const notes_db_count *items,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (o->format == NOTES_FORMAT_JSON) {
			fputs("{\"name\":", f);
			put_json_str(f, items[i].name);
			fprintf(f, ",\"count\":%llu}\n", (unsigned long long)items[i].count);
		} else {
			put_text(f, items[i].name, false);
			fprintf(f, "\t%llu\n", (unsigned long long)items[i].count);
		}
	}
}

void notes_output_summary(FILE *f, const notes_output_opts *o, const notes_search_info *info,
			  size_t returned)
{
	if (o->format != NOTES_FORMAT_JSON)
		return;
	fprintf(f, "{\"v\":1,\"type\":\"summary\",\"total\":%lld,\"returned\":%zu,\"corrected\":",
		(long long)info->total, returned);
	if (info->corrected)
		put_json_str(f, info->corrected);
	else
		fputs("null", f);
	fprintf(f, ",\"elapsed_ms\":%.3f}\n", info->ms);
}
