/*
 * notes-search — ranked full-text search over a notes index.
 *
 * Only this file prints and picks exit codes (like grep):
 *   0 results found, 1 no results, 2 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "notes/buf.h"
#include "notes/db.h"
#include "notes/tokenize.h"
#include "search.h"

#define EXIT_MATCH   0
#define EXIT_NOMATCH 1
#define EXIT_ERROR   2

static const char *prog = "notes-search";

enum fmt { FMT_HUMAN, FMT_VIMGREP, FMT_JSON, FMT_PATHS };

static void usage(FILE *f)
{
	fprintf(f,
"Usage: notes-search [OPTIONS] QUERY...\n"
"Search the notes index; all words after the options form the query.\n"
"\n"
"Options:\n"
"      --db PATH            database (default: $NOTES_DB, else\n"
"                           ${XDG_DATA_HOME:-~/.local/share}/notes-search/index.db)\n"
"  -n, --limit N            at most N results (default 10)\n"
"      --offset N           skip the first N results\n"
"      --format FMT         human (default), vimgrep, json or paths\n"
"      --vimgrep            same as --format vimgrep (path:line:col:text)\n"
"      --json               same as --format json (one object per line)\n"
"  -l, --files-with-matches same as --format paths\n"
"      --color WHEN         auto (default), always or never; NO_COLOR is honoured\n"
"  -h, --help               show this help\n"
"      --version            show the version\n"
"\n"
"Exit status: 0 results found, 1 no results, 2 error.\n");
}

/* Print text with control characters escaped, so nothing from a note can
 * drive the terminal. */
static void put_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\t')
			fputc(' ', f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void put_snippet(FILE *f, const char *s, int color)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 2)
			fputs(color ? "\033[1;31m" : "[", f);
		else if (*p == 3)
			fputs(color ? "\033[0m" : "]", f);
		else if (*p == '\n' || *p == '\t')
			fputc(' ', f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_OFFSET, OPT_FORMAT, OPT_VIMGREP, OPT_JSON, OPT_COLOR, OPT_VERSION };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"limit", required_argument, NULL, 'n'},
		{"offset", required_argument, NULL, OPT_OFFSET},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"vimgrep", no_argument, NULL, OPT_VIMGREP},
		{"json", no_argument, NULL, OPT_JSON},
		{"files-with-matches", no_argument, NULL, 'l'},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *dbopt = NULL, *color_opt = "auto";
	notes_search_opts so = {10, 0};
	enum fmt fmt = FMT_HUMAN;
	int ch;
	char *end;

	while ((ch = getopt_long(argc, argv, "+n:lh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB: dbopt = optarg; break;
		case 'n':
			so.limit = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || so.limit < 1 || so.limit > 100000) {
				fprintf(stderr, "%s: --limit: expected a number from 1 to 100000\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_OFFSET:
			so.offset = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || so.offset < 0 || so.offset > 100000000) {
				fprintf(stderr, "%s: --offset: expected a number ≥ 0\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "human")) fmt = FMT_HUMAN;
			else if (!strcmp(optarg, "vimgrep")) fmt = FMT_VIMGREP;
			else if (!strcmp(optarg, "json")) fmt = FMT_JSON;
			else if (!strcmp(optarg, "paths")) fmt = FMT_PATHS;
			else {
				fprintf(stderr, "%s: --format: expected human, vimgrep, json or paths\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_VIMGREP: fmt = FMT_VIMGREP; break;
		case OPT_JSON: fmt = FMT_JSON; break;
		case 'l': fmt = FMT_PATHS; break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				fprintf(stderr, "%s: --color: expected auto, always or never\n", prog);
				return EXIT_ERROR;
			}
			color_opt = optarg;
			break;
		case 'h': usage(stdout); return EXIT_MATCH;
		case OPT_VERSION:
			printf("notes-search %s (tokenizer %s)\n", NOTES_VERSION, notes_tokenizer_version());
			return EXIT_MATCH;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no query given\nTry '%s --help'.\n", prog, prog);
		return EXIT_ERROR;
	}
	int color = !strcmp(color_opt, "always") ||
		    (!strcmp(color_opt, "auto") && isatty(1) && !getenv("NO_COLOR"));

	/* All remaining words form the query. */
	notes_status rc = NOTES_OK;
	notes_buf q = NOTES_BUF_INIT;
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			notes_buf_append_char(&rc, &q, ' ');
		notes_buf_append_str(&rc, &q, argv[i]);
	}

	char *dbpath = NULL, *err = NULL;
	if (rc != NOTES_OK || notes_db_path_resolve(dbopt, &dbpath) != NOTES_OK) {
		fprintf(stderr, "%s: no database path: set --db, $NOTES_DB or $HOME\n", prog);
		notes_buf_free(&q);
		return EXIT_ERROR;
	}
	notes_db *db = NULL;
	int exit_code = EXIT_ERROR;
	rc = notes_db_open(dbpath, NOTES_DB_READONLY, &db, &err);
	if (rc == NOTES_E_NOTFOUND) {
		fprintf(stderr, "%s: no index at %s; build it with: notes-index --db %s DIR\n",
			prog, dbpath, dbpath);
		goto out;
	}
	if (rc == NOTES_E_SCHEMA) {
		fprintf(stderr, "%s: %s; run notes-index to rebuild it\n", prog, err);
		goto out;
	}
	if (rc != NOTES_OK) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : notes_status_str(rc));
		goto out;
	}

	notes_result *res = NULL;
	size_t n = 0;
	free(err);
	err = NULL;
	rc = notes_search_run(db, q.p, &so, &res, &n, &err);
	if (rc == NOTES_E_PARSE) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	if (rc != NOTES_OK) {
		/* Never show raw SQLite text as if it were the user's fault. */
		fprintf(stderr, "%s: search failed (%s)\n", prog, notes_status_str(rc));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		notes_result *r = &res[i];
		switch (fmt) {
		case FMT_PATHS:
			put_safe(stdout, r->path);
			putchar('\n');
			break;
		case FMT_VIMGREP:
			put_safe(stdout, r->path);
			printf(":%d:%d:", r->line, r->col);
			put_safe(stdout, r->line_text ? r->line_text : r->title);
			putchar('\n');
			break;
		case FMT_JSON:
			printf("{\"v\":1,\"rank\":%zu,\"score\":%.4f,\"path\":", (size_t)so.offset + i + 1, r->score);
			put_json_str(stdout, r->path);
			printf(",\"line\":%d,\"column\":%d,\"title\":", r->line, r->col);
			put_json_str(stdout, r->title);
			fputs(",\"date\":", stdout);
			if (r->date) put_json_str(stdout, r->date); else fputs("null", stdout);
			fputs(",\"snippet\":", stdout);
			put_json_str(stdout, r->snippet);
			fputs("}\n", stdout);
			break;
		case FMT_HUMAN:
			printf("%s%zu. ", color ? "\033[1m" : "", (size_t)so.offset + i + 1);
			put_safe(stdout, r->title);
			printf("%s", color ? "\033[0m" : "");
			if (r->date)
				printf("  (%s)", r->date);
			if (r->tags) {
				fputs("  [", stdout);
				put_safe(stdout, r->tags);
				fputs("]", stdout);
			}
			fputs("\n   ", stdout);
			if (color) fputs("\033[35m", stdout);
			put_safe(stdout, r->path);
			printf(":%d%s\n   ", r->line, color ? "\033[0m" : "");
			put_snippet(stdout, r->snippet ? r->snippet : "", color);
			fputs("\n\n", stdout);
			break;
		}
	}
	exit_code = n ? EXIT_MATCH : EXIT_NOMATCH;
	notes_results_free(res, n);
out:
	free(err);
	free(dbpath);
	notes_buf_free(&q);
	notes_db_close(db);
	return exit_code;
}
