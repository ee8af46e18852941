/*
 * notes-index — build and update the search index of a Markdown notes archive.
 *
 * Only this file prints and picks exit codes:
 *   0 the index was updated (even with per-file warnings)
 *   1 fatal error (database unusable, out of memory, ...)
 *   2 usage error
 *  75 another notes-index holds the lock (EX_TEMPFAIL), unless --wait
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "notes/db.h"
#include "notes/tokenize.h"
#include "notes/utf8.h"
#include "index.h"

#define EXIT_FATAL 1
#define EXIT_USAGE 2
#define EXIT_BUSY  75

static const char *prog = "notes-index";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: notes-index [OPTIONS] [DIR...]\n"
"Index the Markdown notes under each DIR (remembered in the database).\n"
"With no DIR, re-index the remembered archive roots (the nightly cron job).\n"
"\n"
"Options:\n"
"      --db PATH        database file (default: $NOTES_DB, else\n"
"                       ${XDG_DATA_HOME:-~/.local/share}/notes-search/index.db)\n"
"      --ext LIST       note file extensions, comma separated (default: md,markdown)\n"
"      --max-size SIZE  skip files larger than SIZE bytes; K, M, G suffixes\n"
"                       (default: 16M)\n"
"      --full           rebuild the whole index (queries keep working meanwhile)\n"
"      --forget DIR     forget an archive root and remove its notes\n"
"      --wait           wait for another running notes-index instead of exiting 75\n"
"      --status         show the roots, notes, last run and database size; index\n"
"                       nothing (works while another notes-index runs)\n"
"  -q, --quiet          print only warnings and errors (for cron)\n"
"  -h, --help           show this help\n"
"      --version        show the version\n"
"\n"
"Exit status: 0 index updated (even with warnings), 1 fatal error, 2 usage error,\n"
"75 another notes-index is running.\n"
"\n"
"Nightly cron line (cron's PATH is /usr/bin:/bin: the full path):\n");
	/* This very program, wherever it was installed. */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0)
		self[n] = '\0';
	fprintf(f, "  15 3 * * *  %s --quiet\n", n > 0 ? self : "notes-index");
}

typedef struct cli {
	int    quiet;       /* --quiet */
	int    tty;         /* stderr is a terminal: show progress */
	int    progress_on; /* a progress line is on screen */
	double last;        /* when progress was last drawn */
	const char *dbpath; /* for messages */
} cli;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_clear(cli *c)
{
	if (c->progress_on) {
		fputs("\r\033[K", stderr);
		c->progress_on = 0;
	}
}

/* Warnings name the file and the reason: "notes-index: path:12: reason".
 * Control characters in file names are escaped so a hostile name cannot
 * drive the terminal. */
static void print_path(FILE *f, const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t n = strlen(p);
	for (size_t i = 0; i < n;) {
		int l = s[i] < 0x80 ? 1 : notes_utf8_seqlen(s + i, n - i);
		/* also invalid UTF-8 and C1 controls (U+0080..U+009F) */
		if (s[i] < 0x20 || s[i] == 0x7f || l == 0 ||
		    (l == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			fprintf(f, "\\x%02x", s[i++]);
			continue;
		}
		fwrite(s + i, 1, (size_t)l, f);
		i += (size_t)l;
	}
}

static void on_warning(void *ctx, const char *path, int line, const char *msg)
{
	cli *c = ctx;
	progress_clear(c);
	fprintf(stderr, "%s: ", prog);
	print_path(stderr, path);
	if (line > 0)
		fprintf(stderr, ":%d", line);
	fprintf(stderr, ": %s\n", msg);
}

static void on_progress(void *ctx, const notes_index_stats *st)
{
	cli *c = ctx;
	if (!c->tty || c->quiet)
		return;
	double t = mono();
	if (t - c->last < 0.1)
		return;
	c->last = t;
	double mbs = st->seconds > 0 ? (double)st->bytes / 1e6 / st->seconds : 0;
	fprintf(stderr, "\r\033[K%s: %llu files, %.1f MB/s", prog,
		(unsigned long long)st->seen, mbs);
	if (st->expected > st->seen && st->seen > 0 && st->seconds > 0.5) {
		double eta = st->seconds * (double)(st->expected - st->seen) / (double)st->seen;
		fprintf(stderr, ", ETA %.0f s", eta);
	}
	c->progress_on = 1;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	uint64_t mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v == 0 || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* Split a comma list of extensions ("md,.markdown") in place. */
static int parse_exts(char *s, const char **exts, size_t max, size_t *n)
{
	*n = 0;
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		while (*tok == '.' || *tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (*n == max)
			return -1;
		exts[(*n)++] = tok;
	}
	return *n ? 0 : -1;
}

/* Move a damaged database (and its -wal/-shm) aside; never delete it. */
static int move_aside(const char *path, char *dest, size_t destsz)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	snprintf(dest, destsz, "%s.damaged-%s", path, stamp);
	if (rename(path, dest) != 0)
		return -1;
	const char *sfx[] = {"-wal", "-shm"};
	for (int i = 0; i < 2; i++) {
		char a[PATH_MAX + 16], b[PATH_MAX + 64];
		snprintf(a, sizeof a, "%s%s", path, sfx[i]);
		snprintf(b, sizeof b, "%s%s", dest, sfx[i]);
		if (rename(a, b) != 0 && errno != ENOENT)
			return -1;
	}
	return 0;
}

/* Remove a first build's file and any journal files of it. */
static void remove_building(const char *path)
{
	const char *sfx[] = {"", "-journal", "-wal", "-shm"};
	for (int i = 0; i < 4; i++) {
		char p[PATH_MAX + 48];
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		(void)unlink(p);
	}
}

/* Bytes in a unit people read: "18.3 MB". */
static void human_size(char *out, size_t n, uint64_t bytes)
{
	if (bytes >= 1000000000)
		snprintf(out, n, "%.2f GB", (double)bytes / 1e9);
	else if (bytes >= 1000000)
		snprintf(out, n, "%.1f MB", (double)bytes / 1e6);
	else
		snprintf(out, n, "%.1f kB", (double)bytes / 1e3);
}

/* notes-index --status: what the index holds, read-only (no lock). */
static int show_status(const char *dbpath)
{
	notes_db *db = NULL;
	char *err = NULL;
	notes_status st = notes_db_open(dbpath, NOTES_DB_READONLY, &db, &err);
	if (st == NOTES_E_NOTFOUND) {
		fprintf(stderr, "%s: no index at %s yet; build it with: notes-index --db %s DIR\n",
			prog, dbpath, dbpath);
		free(err);
		return EXIT_FATAL;
	}
	if (st != NOTES_OK && st != NOTES_E_SCHEMA) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : notes_status_str(st));
		free(err);
		notes_db_close(db);
		return EXIT_FATAL;
	}
	notes_index_status_info info;
	notes_status st2 = notes_index_status(db, &info);
	if (st2 != NOTES_OK) {
		fprintf(stderr, "%s: %s: %s\n", prog, dbpath, notes_status_str(st2));
		free(err);
		notes_db_close(db);
		return EXIT_FATAL;
	}
	char size[32];
	human_size(size, sizeof size, info.db_bytes);
	printf("index:     %s (%s)\n", dbpath, size);
	if (st == NOTES_E_SCHEMA)
		printf("           %s: the next notes-index run rebuilds it\n", err ? err : "older");
	printf("notes:     %llu", (unsigned long long)info.notes);
	if (info.notes_warned)
		printf(" (%llu with warnings)", (unsigned long long)info.notes_warned);
	printf("\n");
	if (info.nroots == 0)
		printf("roots:     none\n");
	for (size_t i = 0; i < info.nroots; i++)
		printf("%s%s (%llu notes)\n", i ? "           " : "roots:     ", info.roots[i].name,
		       (unsigned long long)info.roots[i].count);
	if (info.last_run) {
		printf("last run:  %s", info.last_run);
		if (info.last_seconds >= 0)
			printf(", %.2f s", info.last_seconds);
		if (info.last_warnings >= 0)
			printf(", %lld warning%s", (long long)info.last_warnings,
			       info.last_warnings == 1 ? "" : "s");
		printf("\n");
	} else {
		printf("last run:  none completed\n");
	}
	notes_index_status_free(&info);
	free(err);
	notes_db_close(db);
	return fflush(stdout) == 0 ? 0 : EXIT_FATAL;
}

int main(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_EXT, OPT_MAXSIZE, OPT_FULL, OPT_FORGET, OPT_WAIT, OPT_VERSION,
	       OPT_STATUS };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"ext", required_argument, NULL, OPT_EXT},
		{"max-size", required_argument, NULL, OPT_MAXSIZE},
		{"full", no_argument, NULL, OPT_FULL},
		{"forget", required_argument, NULL, OPT_FORGET},
		{"wait", no_argument, NULL, OPT_WAIT},
		{"status", no_argument, NULL, OPT_STATUS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *dbopt = NULL, *forget = NULL;
	const char *exts[32] = {"md", "markdown"};
	size_t nexts = 2;
	uint64_t max_size = 16ull << 20;
	int full = 0, wait = 0, status = 0;
	cli c = {0};
	int ch;

	/* A fixed mmap threshold (glibc raises it to each large block freed):
	 * large buffers go back to the system when freed instead of staying
	 * in the heap.  20k notes: peak RSS 68-72 -> 63 MB, same time. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB: dbopt = optarg; break;
		case OPT_EXT:
			if (parse_exts(optarg, exts, 32, &nexts) != 0) {
				fprintf(stderr, "%s: --ext: expected a comma-separated list of extensions\n", prog);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAXSIZE:
			if (parse_size(optarg, &max_size) != 0) {
				fprintf(stderr, "%s: --max-size: '%s' is not a size (e.g. 16M)\n", prog, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FULL: full = 1; break;
		case OPT_FORGET: forget = optarg; break;
		case OPT_WAIT: wait = 1; break;
		case OPT_STATUS: status = 1; break;
		case 'q': c.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case OPT_VERSION:
			printf("notes-index %s (tokenizer %s)\n", NOTES_VERSION, notes_tokenizer_version());
			return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_USAGE;
		}
	}
	c.tty = isatty(2);

	char *dbpath = NULL;
	if (notes_db_path_resolve(dbopt, &dbpath) != NOTES_OK) {
		fprintf(stderr, "%s: no database path: set --db, $NOTES_DB or $HOME\n", prog);
		return EXIT_USAGE;
	}
	c.dbpath = dbpath;
	if (status) {
		if (optind < argc || full || forget) {
			fprintf(stderr, "%s: --status takes no DIR, --full or --forget\n", prog);
			free(dbpath);
			return EXIT_USAGE;
		}
		int code = show_status(dbpath);
		free(dbpath);
		return code;
	}

	/* Archive roots as real, absolute paths. */
	size_t nroots = (size_t)(argc - optind);
	char **roots = calloc(nroots + 1, sizeof *roots);
	if (!roots) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(dbpath);
		return EXIT_FATAL;
	}
	for (size_t i = 0; i < nroots; i++) {
		const char *arg = argv[optind + (int)i];
		struct stat sb;
		int bad = stat(arg, &sb) != 0 ? errno : !S_ISDIR(sb.st_mode) ? ENOTDIR : 0;
		if (!bad && !(roots[i] = realpath(arg, NULL)))
			bad = errno;
		if (bad) {
			fprintf(stderr, "%s: %s: %s\n", prog, arg, strerror(bad));
			for (size_t k = 0; k < i; k++)
				free(roots[k]);
			free(roots);
			free(dbpath);
			return EXIT_USAGE;
		}
	}

	int exit_code = 0;
	char *building = NULL;   /* a first build's file until renamed */
	notes_lock *lock = NULL;
	notes_db *db = NULL;
	char *err = NULL;
	pid_t holder = 0;

	notes_status st;
	st = notes_lock_acquire(dbpath, wait, &lock, &holder);
	if (st == NOTES_E_BUSY) {
		if (holder)
			fprintf(stderr, "%s: another notes-index (pid %ld) is indexing %s\n",
				prog, (long)holder, dbpath);
		else
			fprintf(stderr, "%s: another notes-index is indexing %s\n", prog, dbpath);
		exit_code = EXIT_BUSY;
		goto out;
	}
	if (st != NOTES_OK) {
		int e = errno;
		if (e == EACCES || e == EPERM || e == EROFS)
			fprintf(stderr, "%s: cannot write beside %s: its folder is read-only for this "
				"user (%s); the index needs a writable folder\n", prog, dbpath,
				strerror(e));
		else
			fprintf(stderr, "%s: cannot lock %s.lock: %s\n", prog, dbpath, strerror(e));
		exit_code = EXIT_FATAL;
		goto out;
	}

	/* A first build goes to DB.building and is renamed when complete:
	 * written once, without a journal, and invisible until whole. */
	struct stat dsb;
	if (!forget && nroots > 0 && stat(dbpath, &dsb) != 0 && errno == ENOENT) {
		size_t n = strlen(dbpath) + 32;
		if (!(building = malloc(n))) {
			fprintf(stderr, "%s: out of memory\n", prog);
			exit_code = EXIT_FATAL;
			goto out;
		}
		snprintf(building, n, "%s.building", dbpath);
		remove_building(building);   /* left by a killed first build */
		st = notes_db_open(building, NOTES_DB_CREATE | NOTES_DB_BULK, &db, &err);
	} else {
		st = notes_db_open(dbpath, NOTES_DB_CREATE, &db, &err);
	}
	if (st == NOTES_E_CORRUPT && full) {
		char dest[PATH_MAX + 64];
		if (move_aside(dbpath, dest, sizeof dest) != 0) {
			fprintf(stderr, "%s: %s is damaged and could not be moved aside: %s\n",
				prog, dbpath, strerror(errno));
			exit_code = EXIT_FATAL;
			goto out;
		}
		fprintf(stderr, "%s: %s was damaged; moved it to %s and rebuilding\n",
			prog, dbpath, dest);
		free(err);
		err = NULL;
		st = notes_db_open(dbpath, NOTES_DB_CREATE, &db, &err);
	}
	if (st == NOTES_E_SCHEMA) {
		/* Said even with --quiet: a rebuild takes longer than usual. */
		fprintf(stderr, "%s: %s; rebuilding the whole index\n", prog, err ? err : "version changed");
		full = 1;
		st = NOTES_OK;
	} else if (st == NOTES_E_CORRUPT) {
		fprintf(stderr, "%s: %s\n%s: run 'notes-index --full' to move it aside and rebuild\n",
			prog, err ? err : dbpath, prog);
		exit_code = EXIT_FATAL;
		goto out;
	}
	if (st != NOTES_OK) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : notes_status_str(st));
		/* busy: a reader kept the index from switching to WAL */
		exit_code = st == NOTES_E_BUSY ? EXIT_BUSY : EXIT_FATAL;
		goto out;
	}
	free(err);
	err = NULL;

	if (forget) {
		char *real = realpath(forget, NULL);
		const char *key = real ? real : forget;
		uint64_t removed = 0;
		char **known = NULL;
		size_t nknown = 0;
		int found = 0;
		if (notes_index_roots(db, &known, &nknown) == NOTES_OK)
			for (size_t i = 0; i < nknown; i++)
				found |= strcmp(known[i], key) == 0;
		notes_index_roots_free(known, nknown);
		if (!found) {
			fprintf(stderr, "%s: %s is not a remembered archive root\n", prog, key);
			free(real);
			exit_code = EXIT_USAGE;
			goto out;
		}
		st = notes_index_forget(db, key, &removed);
		if (st != NOTES_OK) {
			fprintf(stderr, "%s: %s: %s\n", prog, key, notes_db_errmsg(db));
			exit_code = EXIT_FATAL;
		} else if (!c.quiet)
			fprintf(stderr, "%s: forgot %s (%llu notes removed)\n", prog, key,
				(unsigned long long)removed);
		free(real);
		if (nroots == 0)
			goto out;
	}

	if (nroots == 0) {
		char **known = NULL;
		size_t nknown = 0;
		if (notes_index_roots(db, &known, &nknown) != NOTES_OK) {
			fprintf(stderr, "%s: %s: %s\n", prog, dbpath, notes_db_errmsg(db));
			exit_code = EXIT_FATAL;
			goto out;
		}
		notes_index_roots_free(known, nknown);
		if (nknown == 0) {
			fprintf(stderr, "%s: no archive roots known in %s; give one: notes-index DIR\n",
				prog, dbpath);
			exit_code = EXIT_USAGE;
			goto out;
		}
		if (!full) {
			/* Re-index every remembered root. */
			if (notes_index_roots(db, &known, &nknown) != NOTES_OK) {
				exit_code = EXIT_FATAL;
				goto out;
			}
			free(roots);
			roots = known;
			nroots = nknown;
		}
	}

	notes_index_opts o = {
		.exts = exts, .nexts = nexts, .max_size = max_size, .full = full != 0,
		.bulk = building != NULL,
		.on_warning = on_warning, .on_progress = on_progress, .ctx = &c,
	};
	notes_index_stats s;
	st = notes_index_run(db, (const char *const *)roots, nroots, &o, &s, &err);
	progress_clear(&c);
	if (st != NOTES_OK) {
		fprintf(stderr, "%s: %s: %s\n", prog, dbpath, err ? err : notes_status_str(st));
		exit_code = st == NOTES_E_BUSY ? EXIT_BUSY : EXIT_FATAL;
		goto out;
	}
	if (building) {
		st = notes_db_publish(db, dbpath);
		db = NULL;
		if (st != NOTES_OK) {
			fprintf(stderr, "%s: %s: cannot finish the first build: %s\n", prog, dbpath,
				st == NOTES_E_IO ? strerror(errno) : notes_status_str(st));
			exit_code = EXIT_FATAL;
			goto out;
		}
		free(building);
		building = NULL;
	}
	if (!c.quiet) {
		double mbs = s.seconds > 0 ? (double)s.bytes / 1e6 / s.seconds : 0;
		fprintf(stderr, "%s: %s%llu new, %llu changed, %llu renamed, %llu deleted, "
			"%llu unchanged, %llu skipped, %llu warning%s in %.2f s (%.1f MB/s)\n",
			prog, s.full ? "rebuilt: " : "",
			(unsigned long long)s.added, (unsigned long long)s.updated,
			(unsigned long long)s.renamed, (unsigned long long)s.deleted,
			(unsigned long long)s.unchanged, (unsigned long long)s.skipped,
			(unsigned long long)s.warnings, s.warnings == 1 ? "" : "s",
			s.seconds, mbs);
	}

out:
	free(err);
	/* Done writing: searches read an idle index without the WAL.  A
	 * search running right now keeps it in WAL mode until the next run
	 * (NOTES_E_BUSY), which is as good for them, only slower. */
	if (db && exit_code == 0 && !building) {
		st = notes_db_settle(db);
		if (st != NOTES_OK && st != NOTES_E_BUSY)
			fprintf(stderr, "%s: %s: warning: cannot leave WAL mode: %s\n", prog, dbpath,
				notes_db_errmsg(db));
	}
	notes_db_close(db);
	if (building) {   /* a first build that failed leaves nothing */
		remove_building(building);
		free(building);
	}
	notes_lock_release(lock);
	for (size_t i = 0; i < nroots; i++)
		free(roots[i]);
	free(roots);
	free(dbpath);
	return exit_code;
}
