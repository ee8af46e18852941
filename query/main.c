/*
 * notes-search — ranked full-text search over a notes index.
 *
 * Only this file prints messages and picks exit codes (like grep):
 *   0 results found, 1 no results, 2 error.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "notes/buf.h"
#include "notes/db.h"
#include "notes/tokenize.h"
#include "output.h"
#include "parse.h"
#include "search.h"

#define EXIT_MATCH   0
#define EXIT_NOMATCH 1
#define EXIT_ERROR   2

static const char *prog = "notes-search";

static void usage(FILE *f)
{
	fputs(
"Usage: notes-search [OPTIONS] QUERY...\n"
"Search the notes index; all words after the options form the query.\n"
"\n"
"Query language:\n"
"  graceful termination   notes with both words (any form: terminate, Termination)\n"
"  \"exact phrase\"         the words side by side\n"
"  kube*                  words starting with kube\n"
"  a OR b                 either word (OR binds tighter than the implicit AND)\n"
"  -word  -\"a phrase\"     exclude notes containing it (also: NOT word)\n"
"  ( )                    group: (pod OR node) drain\n"
"  title:x heading:x code:x body:x   the word in that part of the note\n"
"  tag:x                  notes tagged x          path:meetings/*  path glob\n"
"  author:alice           any front-matter key (status:draft, ...)\n"
"  date:2015  date:2015-06  date:2015-05..2015-06  date:>2020-01-01\n"
"Punctuation inside words is searched as text (c++, node.js, #2789, x:y).\n"
"Words unknown to the index are corrected to the nearest known words; when\n"
"few notes have all the words, notes with most of them follow.\n"
"\n"
"Options:\n"
"      --db PATH             database (default: $NOTES_DB, else\n"
"                            ${XDG_DATA_HOME:-~/.local/share}/notes-search/index.db)\n"
"  -n, --limit N             at most N results (default 10)\n"
"      --offset N            skip the first N results\n"
"      --format FMT          human (default), vimgrep, json or paths\n"
"      --vimgrep             same as --format vimgrep (path:line:col:text)\n"
"      --json                same as --format json (one object per line)\n"
"  -l, --files-with-matches  same as --format paths\n"
"      --relative            paths relative to the current directory\n"
"      --color WHEN          auto (default), always or never; NO_COLOR is honoured\n"
"      --tag T               only notes tagged T (repeatable: all of them)\n"
"      --since DATE          only notes dated DATE or later\n"
"      --until DATE          only notes dated DATE or earlier\n"
"      --path GLOB           only notes whose path matches GLOB\n"
"      --sort ORDER          rank (default), date (oldest first), -date (newest first)\n"
"      --explain             show how each score was made\n"
"      --no-correct          do not correct unknown words\n"
"      --list WHAT           list tags, keys (front-matter keys) or roots, each\n"
"                            with its number of notes, and no query\n"
"  -h, --help                show this help\n"
"      --version             show the version\n"
"\n"
"Exit status: 0 results found, 1 no results, 2 error.\n", f);
}

typedef struct cli_filter {
	const char *field;   /* "tag", "since", "until", "path" */
	const char *value;   /* as given */
} cli_filter;

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_OFFSET, OPT_FORMAT, OPT_VIMGREP, OPT_JSON, OPT_COLOR, OPT_VERSION,
	       OPT_TAG, OPT_SINCE, OPT_UNTIL, OPT_PATH, OPT_SORT, OPT_EXPLAIN, OPT_RELATIVE,
	       OPT_NOCORRECT, OPT_LIST };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"limit", required_argument, NULL, 'n'},
		{"offset", required_argument, NULL, OPT_OFFSET},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"vimgrep", no_argument, NULL, OPT_VIMGREP},
		{"json", no_argument, NULL, OPT_JSON},
		{"files-with-matches", no_argument, NULL, 'l'},
		{"relative", no_argument, NULL, OPT_RELATIVE},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"tag", required_argument, NULL, OPT_TAG},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"path", required_argument, NULL, OPT_PATH},
		{"sort", required_argument, NULL, OPT_SORT},
		{"explain", no_argument, NULL, OPT_EXPLAIN},
		{"no-correct", no_argument, NULL, OPT_NOCORRECT},
		{"list", required_argument, NULL, OPT_LIST},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *dbopt = NULL, *color_opt = "auto";
	notes_search_opts so = {.limit = 10};
	notes_output_opts oo = {.format = NOTES_FORMAT_HUMAN};
	cli_filter filters[64];
	size_t nfilters = 0;
	int ch, list = -1;

	/* A fixed mmap threshold: glibc otherwise raises it to the size of
	 * each large block freed, so FTS5's doubling buffers (a prefix query
	 * merges one doclist per matching term) come from the heap and stay
	 * there.  `kube*` at 200k notes: peak RSS 22.0 -> 16.3 MB, no slower. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* One thread and one connection: SQLite's mutexes and its memory
	 * statistics (a mutex around every allocation) are pure cost here,
	 * 3,500 lock/unlock pairs in a 2k query.  Before any other SQLite
	 * call; a failure only leaves the defaults. */
	(void)sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	while ((ch = getopt_long(argc, argv, "+n:lh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB: dbopt = optarg; break;
		case 'n':
			if (parse_int(optarg, 1, 100000, &so.limit)) {
				fprintf(stderr, "%s: --limit: expected a number from 1 to 100000\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_OFFSET:
			if (parse_int(optarg, 0, 100000000, &so.offset)) {
				fprintf(stderr, "%s: --offset: expected a number of 0 or more\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "human")) oo.format = NOTES_FORMAT_HUMAN;
			else if (!strcmp(optarg, "vimgrep")) oo.format = NOTES_FORMAT_VIMGREP;
			else if (!strcmp(optarg, "json")) oo.format = NOTES_FORMAT_JSON;
			else if (!strcmp(optarg, "paths")) oo.format = NOTES_FORMAT_PATHS;
			else {
				fprintf(stderr, "%s: --format: expected human, vimgrep, json or paths\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_VIMGREP: oo.format = NOTES_FORMAT_VIMGREP; break;
		case OPT_JSON: oo.format = NOTES_FORMAT_JSON; break;
		case 'l': oo.format = NOTES_FORMAT_PATHS; break;
		case OPT_RELATIVE: oo.relative = true; break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				fprintf(stderr, "%s: --color: expected auto, always or never\n", prog);
				return EXIT_ERROR;
			}
			color_opt = optarg;
			break;
		case OPT_TAG: case OPT_SINCE: case OPT_UNTIL: case OPT_PATH:
			if (nfilters == sizeof filters / sizeof filters[0]) {
				fprintf(stderr, "%s: too many filters\n", prog);
				return EXIT_ERROR;
			}
			filters[nfilters].field = ch == OPT_TAG ? "tag" : ch == OPT_SINCE ? "since"
						: ch == OPT_UNTIL ? "until" : "path";
			filters[nfilters++].value = optarg;
			break;
		case OPT_SORT:
			if (!strcmp(optarg, "rank")) so.sort = NOTES_SORT_RANK;
			else if (!strcmp(optarg, "date")) so.sort = NOTES_SORT_DATE;
			else if (!strcmp(optarg, "-date")) so.sort = NOTES_SORT_DATE_DESC;
			else {
				fprintf(stderr, "%s: --sort: expected rank, date or -date\n", prog);
				return EXIT_ERROR;
			}
			break;
		case OPT_EXPLAIN: so.explain = oo.explain = true; break;
		case OPT_NOCORRECT: so.no_correct = true; break;
		case OPT_LIST:
			if (!strcmp(optarg, "tags")) list = NOTES_LIST_TAGS;
			else if (!strcmp(optarg, "keys")) list = NOTES_LIST_KEYS;
			else if (!strcmp(optarg, "roots")) list = NOTES_LIST_ROOTS;
			else {
				fprintf(stderr, "%s: --list: expected tags, keys or roots\n", prog);
				return EXIT_ERROR;
			}
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
	if (list >= 0 && (optind < argc || nfilters)) {
		fprintf(stderr, "%s: --list takes no query or filter\n", prog);
		return EXIT_ERROR;
	}
	if (list < 0 && optind >= argc && nfilters == 0) {
		fprintf(stderr, "%s: no query given\nTry '%s --help'.\n", prog, prog);
		return EXIT_ERROR;
	}
	oo.color = !strcmp(color_opt, "always") ||
		   (!strcmp(color_opt, "auto") && isatty(1) && !getenv("NO_COLOR"));
	oo.first_rank = so.offset + 1;

	/* All remaining words form the query. */
	notes_status rc = NOTES_OK;
	notes_buf qtext = NOTES_BUF_INIT;
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			notes_buf_append_char(&rc, &qtext, ' ');
		notes_buf_append_str(&rc, &qtext, argv[i]);
	}

	int exit_code = EXIT_ERROR;
	char *dbpath = NULL, *err = NULL;
	notes_db *db = NULL;
	notes_tokenizer *tok = NULL;
	notes_query *q = NULL;
	notes_result *res = NULL;
	size_t n = 0;
	notes_search_info info = {0};

	if (rc != NOTES_OK || notes_db_path_resolve(dbopt, &dbpath) != NOTES_OK) {
		fprintf(stderr, "%s: no database path: set --db, $NOTES_DB or $HOME\n", prog);
		goto out;
	}
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
	if (rc == NOTES_E_CORRUPT) {
		fprintf(stderr, "%s: %s; rebuild it with: notes-index --full\n", prog,
			err ? err : dbpath);
		goto out;
	}
	if (rc != NOTES_OK) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : notes_status_str(rc));
		goto out;
	}
	free(err);
	err = NULL;

	if (list >= 0) {
		notes_db_count *items = NULL;
		size_t ni = 0;
		if ((rc = notes_list(db, (notes_list_kind)list, &items, &ni)) != NOTES_OK) {
			fprintf(stderr, "%s: %s: %s\n", prog, dbpath, notes_status_str(rc));
			goto out;
		}
		if (notes_db_check_unchanged(db) != NOTES_OK) {
			fprintf(stderr, "%s: %s changed while it was read; run the command again\n",
				prog, dbpath);
			notes_db_counts_free(items, ni);
			goto out;
		}
		notes_output_list(stdout, &oo, items, ni);
		notes_db_counts_free(items, ni);
		exit_code = fflush(stdout) != 0 ? EXIT_ERROR : ni ? EXIT_MATCH : EXIT_NOMATCH;
		goto out;
	}

	if ((rc = notes_tokenizer_new(&tok)) != NOTES_OK) {
		fprintf(stderr, "%s: %s\n", prog, notes_status_str(rc));
		goto out;
	}
	if (qtext.n)
		rc = notes_query_parse(qtext.p, qtext.n, tok, notes_search_is_key, db, &q, &err);
	else
		rc = notes_query_new_empty(&q);
	for (size_t i = 0; rc == NOTES_OK && i < nfilters; i++)
		rc = notes_query_add_filter(q, filters[i].field, filters[i].value, &err);
	if (rc != NOTES_OK) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : notes_status_str(rc));
		goto out;
	}

	so.no_passages = oo.format == NOTES_FORMAT_PATHS;
	rc = notes_search_run(db, q, &so, &res, &n, &info, &err);
	if (rc == NOTES_E_CORRUPT) {
		/* Damage the open did not see (pages of the index itself). */
		fprintf(stderr, "%s: %s is damaged (%s); rebuild it with: notes-index --full\n",
			prog, dbpath, err ? err : notes_status_str(rc));
		goto out;
	}
	if (rc != NOTES_OK) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : notes_status_str(rc));
		goto out;
	}
	if (info.corrected && oo.format != NOTES_FORMAT_JSON)
		fprintf(stderr, "%s: showing results for %s\n", prog, info.corrected);
	if (notes_db_check_unchanged(db) != NOTES_OK) {
		fprintf(stderr, "%s: %s changed while it was read (it was read without locks: "
			"its folder is read-only for you); run the search again\n", prog, dbpath);
		goto out;
	}
	notes_output_results(stdout, &oo, res, n);
	notes_output_summary(stdout, &oo, &info, n);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write the results\n", prog);
		goto out;
	}
	exit_code = n ? EXIT_MATCH : EXIT_NOMATCH;
out:
	notes_results_free(res, n);
	notes_search_info_free(&info);
	notes_query_free(q);
	notes_tokenizer_free(tok);
	free(err);
	free(dbpath);
	notes_buf_free(&qtext);
	notes_db_close(db);
	return exit_code;
}
