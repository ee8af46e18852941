/*
 * db.c — database location, open, schema and the indexer lock (see db.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "notes/buf.h"
#include "notes/db.h"
#include "notes/tokenize.h"

/* What a file looked like, to tell whether it changed. */
typedef struct file_mark {
	int  ok;                       /* the file was there */
	dev_t dev;                     /* its device */
	ino_t ino;                     /* its inode */
	off_t size;                    /* its size */
	struct timespec mtime, ctime;  /* its modification and change times */
} file_mark;

struct notes_db {
	sqlite3 *h;     /* the connection; owned */
	char    *path;  /* database file path; owned */
	notes_token_replay replay;  /* records the tokenizer replays (indexer) */
	int immutable;  /* read without locks (readonly_folder_fallback) */
	file_mark main_mark, wal_mark;  /* the file and its -wal when so opened */
};

struct notes_lock {
	int   fd;       /* open lock file holding the flock */
	char *path;     /* lock file path; owned */
};

static char *str_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
	/* Sized exactly: a path must never be silently cut short. */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

notes_status notes_db_path_resolve(const char *opt, char **out)
{
	*out = NULL;
	if (opt && *opt)
		return (*out = str_dup(opt)) ? NOTES_OK : NOTES_E_NOMEM;
	const char *env = getenv("NOTES_DB");
	if (env && *env)
		return (*out = str_dup(env)) ? NOTES_OK : NOTES_E_NOMEM;
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg == '/')   /* the spec says relative values are ignored */
		*out = str_printf("%s/notes-search/index.db", xdg);
	else {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return NOTES_E_USAGE;
		*out = str_printf("%s/.local/share/notes-search/index.db", home);
	}
	return *out ? NOTES_OK : NOTES_E_NOMEM;
}

/* mkdir -p for the folder holding `path`; new folders are 0700 because the
 * index holds the text of private notes. */
static notes_status make_parent_dirs(const char *path)
{
	char *dir = str_dup(path);
	if (!dir)
		return NOTES_E_NOMEM;
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		free(dir);
		return NOTES_OK;
	}
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				int e = errno;
				free(dir);
				errno = e;
				return NOTES_E_IO;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(dir);
	return NOTES_OK;
}

static const char *schema_sql =
	"CREATE TABLE %1$s(\n"
	"  id INTEGER PRIMARY KEY,      -- rowid of the note in fts%2$s\n"
	"  path TEXT NOT NULL,          -- absolute path of the file\n"
	"  root TEXT NOT NULL,          -- archive root it was found under\n"
	"  size INTEGER NOT NULL,       -- bytes, at the last index\n"
	"  mtime_ns INTEGER NOT NULL,   -- modification time in ns\n"
	"  hash INTEGER NOT NULL,       -- XXH3-64 of the content\n"
	"  title TEXT NOT NULL,\n"
	"  date TEXT,                   -- YYYY-MM-DD or NULL\n"
	"  lang TEXT,                   -- front-matter lang or NULL\n"
	"  flags INTEGER NOT NULL,      -- 1: title from file name, 2: date from file name\n"
	"  linemap BLOB,                -- field offset -> source offset map\n"
	"  nwarn INTEGER NOT NULL       -- warnings at the last index\n"
	");\n"
	"CREATE TABLE fields%2$s(\n"
	"  note INTEGER NOT NULL,       -- notes.id\n"
	"  key TEXT NOT NULL,           -- lowercased front-matter key\n"
	"  value TEXT NOT NULL COLLATE NOCASE\n"
	");\n"
	"CREATE TABLE content%2$s(\n"
	"  id INTEGER PRIMARY KEY,      -- notes.id\n"
	"  title BLOB NOT NULL,         -- the FTS5 columns' texts, stored\n"
	"  headings BLOB NOT NULL,      -- compressed (notes/zip.h);\n"
	"  meta BLOB NOT NULL,          -- notes_unzip() reads them\n"
	"  body BLOB NOT NULL,\n"
	"  code BLOB NOT NULL,\n"
	"  ckpt BLOB NOT NULL           -- where each may be tokenized from\n"
	");\n"
	"CREATE VIRTUAL TABLE fts%2$s USING fts5(title, headings, meta, body, code,\n"
	"  content='', tokenize='notes');\n"
	/* Pending postings kept in memory before FTS5 writes a segment (1 MB
	 * by default): fewer, larger segments mean less merging while
	 * indexing and fewer segments for every query to open.  FTS5 uses
	 * about twice this in memory, and the writer stops for each flush;
	 * 4 MB keeps both short (200k notes: 12 segments against 9 with
	 * 8 MB, the same query times and database size, 10 MB less peak
	 * memory, which pays for the indexer's longer queue). */
	"INSERT INTO fts%2$s(fts%2$s, rank) VALUES('hashsize', 4194304);\n";

static const char *index_sql =
	"CREATE UNIQUE INDEX IF NOT EXISTS notes_path ON notes(path);\n"
	"CREATE INDEX IF NOT EXISTS notes_hash ON notes(hash);\n"
	"CREATE INDEX IF NOT EXISTS notes_root ON notes(root);\n"
	"CREATE INDEX IF NOT EXISTS notes_date ON notes(date);\n"
	"CREATE INDEX IF NOT EXISTS fields_note ON fields(note);\n"
	"CREATE INDEX IF NOT EXISTS fields_kv ON fields(key, value);\n";

static const char *index_sql_new =
	"CREATE UNIQUE INDEX IF NOT EXISTS notes_new_path ON notes_new(path);\n"
	"CREATE INDEX IF NOT EXISTS notes_new_hash ON notes_new(hash);\n"
	"CREATE INDEX IF NOT EXISTS fields_new_note ON fields_new(note);\n";

notes_status notes_db_exec(notes_db *db, const char *sql)
{
	return notes_db_status(sqlite3_exec(db->h, sql, NULL, NULL, NULL));
}

notes_status notes_db_schema_create(notes_db *db, const char *sfx, bool replace)
{
	notes_status st;
	char sql[2048];
	if (replace) {
		snprintf(sql, sizeof sql,
			 "DROP TABLE IF EXISTS fts%1$s; DROP TABLE IF EXISTS notes%1$s;"
			 "DROP TABLE IF EXISTS fields%1$s; DROP TABLE IF EXISTS content%1$s;", sfx);
		if ((st = notes_db_exec(db, sql)) != NOTES_OK)
			return st;
	}
	char notes_name[32];
	snprintf(notes_name, sizeof notes_name, "notes%s", sfx);
	snprintf(sql, sizeof sql, schema_sql, notes_name, sfx);
	if ((st = notes_db_exec(db, sql)) != NOTES_OK)
		return st;
	return notes_db_exec(db, *sfx ? index_sql_new : index_sql);
}

static notes_status create_base_schema(notes_db *db)
{
	static const char *sql =
		"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;\n"
		"CREATE TABLE IF NOT EXISTS roots(path TEXT PRIMARY KEY, added TEXT) WITHOUT ROWID;\n";
	return notes_db_exec(db, sql);
}

notes_status notes_db_stamp_versions(notes_db *db)
{
	char v[32];
	snprintf(v, sizeof v, "%d", NOTES_SCHEMA_VERSION);
	notes_status st = notes_db_meta_set(db, "schema_version", v);
	if (st == NOTES_OK)
		st = notes_db_meta_set(db, "tokenizer_version", notes_tokenizer_version());
	return st;
}

notes_status notes_db_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:      return NOTES_OK;
	case SQLITE_NOMEM:   return NOTES_E_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:  return NOTES_E_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:  return NOTES_E_CORRUPT;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_FULL:    return NOTES_E_IO;
	default:             return NOTES_E_DB;
	}
}

/* The meta values open needs, read in one statement (a query's start-up
 * is mostly statements): *has_meta 0 when the file has no meta table yet;
 * each value NULL when absent, else malloc'ed (caller frees). */
typedef struct open_meta {
	int   has_meta;    /* the meta table exists */
	char *langs;       /* "langs": languages of the notes */
	char *schema;      /* "schema_version" */
	char *tokenizer;   /* "tokenizer_version" */
} open_meta;

static void open_meta_free(open_meta *m)
{
	free(m->langs);
	free(m->schema);
	free(m->tokenizer);
	memset(m, 0, sizeof *m);
}

static notes_status open_meta_read(notes_db *db, open_meta *m)
{
	memset(m, 0, sizeof *m);
	/* Loads the schema; SQLITE_ERROR only when there is no such table
	 * (a damaged file gives its own code). */
	int rc = sqlite3_table_column_metadata(db->h, "main", "meta", NULL, NULL, NULL, NULL,
					       NULL, NULL);
	if (rc == SQLITE_ERROR)
		return NOTES_OK;
	if (rc != SQLITE_OK)
		return notes_db_status(rc);
	m->has_meta = 1;
	sqlite3_stmt *s = NULL;
	rc = sqlite3_prepare_v2(db->h,
		"SELECT key, value FROM meta"
		" WHERE key IN ('langs', 'schema_version', 'tokenizer_version')", -1, &s, NULL);
	notes_status st = NOTES_OK;
	while (rc == SQLITE_OK && st == NOTES_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		const char *v = (const char *)sqlite3_column_text(s, 1);
		char **to = !k ? NULL
			: strcmp(k, "langs") == 0 ? &m->langs
			: strcmp(k, "schema_version") == 0 ? &m->schema
			: &m->tokenizer;
		if (to && v && !*to && !(*to = str_dup(v)))
			st = NOTES_E_NOMEM;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (st == NOTES_OK && rc != SQLITE_DONE)
		st = notes_db_status(rc == SQLITE_OK ? sqlite3_errcode(db->h) : rc);
	if (st != NOTES_OK)
		open_meta_free(m);
	return st;
}

/* Check versions; creates the schema in an empty database.  On mismatch
 * returns NOTES_E_SCHEMA with a description in *why. */
static notes_status check_schema(notes_db *db, int flags, const open_meta *m, char **why)
{
	notes_status st;
	if (!m->has_meta) {
		if (flags & NOTES_DB_READONLY)
			return NOTES_E_NOTFOUND;   /* an empty file: no index yet */
		if ((st = notes_db_exec(db, "BEGIN IMMEDIATE")) != NOTES_OK)
			return st;
		st = create_base_schema(db);
		if (st == NOTES_OK)
			st = notes_db_schema_create(db, "", true);
		if (st == NOTES_OK)
			st = notes_db_stamp_versions(db);
		if (st == NOTES_OK)
			return notes_db_exec(db, "COMMIT");
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return st;
	}

	const char *sv = m->schema, *tv = m->tokenizer;
	char want[16];
	snprintf(want, sizeof want, "%d", NOTES_SCHEMA_VERSION);
	if (!sv || strcmp(sv, want) != 0) {
		*why = str_printf("database schema version %s, this build uses %s",
				  sv ? sv : "(none)", want);
		return NOTES_E_SCHEMA;
	}
	if (!tv || strcmp(tv, notes_tokenizer_version()) != 0) {
		*why = str_printf("database tokenizer version %s, this build uses %s",
				  tv ? tv : "(none)", notes_tokenizer_version());
		return NOTES_E_SCHEMA;
	}
	return NOTES_OK;
}

static void file_mark_take(file_mark *m, const char *path)
{
	struct stat sb;
	memset(m, 0, sizeof *m);
	if (stat(path, &sb) != 0)
		return;
	*m = (file_mark){1, sb.st_dev, sb.st_ino, sb.st_size, sb.st_mtim, sb.st_ctim};
}

static int file_mark_same(const file_mark *a, const file_mark *b)
{
	return a->ok == b->ok &&
	       (!a->ok || (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
			   a->mtime.tv_sec == b->mtime.tv_sec &&
			   a->mtime.tv_nsec == b->mtime.tv_nsec &&
			   a->ctime.tv_sec == b->ctime.tv_sec &&
			   a->ctime.tv_nsec == b->ctime.tv_nsec));
}

notes_status notes_db_check_unchanged(notes_db *db)
{
	if (!db->immutable)
		return NOTES_OK;
	char wal[PATH_MAX + 8];
	file_mark m, w;
	snprintf(wal, sizeof wal, "%s-wal", db->path);
	file_mark_take(&m, db->path);
	file_mark_take(&w, wal);
	return file_mark_same(&m, &db->main_mark) && file_mark_same(&w, &db->wal_mark)
		? NOTES_OK : NOTES_E_BUSY;
}

/* path as an SQLite URI asking for the immutable file (caller frees). */
static char *immutable_uri(const char *path)
{
	notes_status rc = NOTES_OK;
	notes_buf b = NOTES_BUF_INIT;
	/* An empty authority: "file:" + "//tmp/x" would read "tmp" as one. */
	notes_buf_append_str(&rc, &b, path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p))
			notes_buf_append_char(&rc, &b, (char)*p);
		else
			notes_buf_printf(&rc, &b, "%%%02X", *p);
	}
	notes_buf_append_str(&rc, &b, "?immutable=1");
	if (rc != NOTES_OK) {
		notes_buf_free(&b);
		return NULL;
	}
	return b.p;
}

/*
 * A query on a WAL database needs its -shm file, and SQLite cannot create
 * one in a folder it may not write (a read-only mount, someone else's
 * index): the first read fails with "attempt to write a readonly database".
 * When the folder is not writable and the -wal holds nothing, the main file
 * is the whole index, so it is read as immutable: without -shm and locks.
 * A writer needs the folder too; one with rights of its own (another user's
 * notes-index) is caught by its lock here and, if it starts later, by
 * notes_db_check_unchanged() after the read.  Called
 * when the first read failed; returns SQLITE_OK when db->h was reopened so,
 * else an SQLite code and, when there is more to say, *why.
 */
static int readonly_folder_fallback(notes_db *db, const char *path, char **why)
{
	int rc = sqlite3_errcode(db->h);
	if (rc != SQLITE_READONLY && rc != SQLITE_CANTOPEN)
		return rc;
	char *dir = str_dup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		slash[slash == dir] = '\0';
	int writable = dir && access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	char wal[PATH_MAX + 8];
	struct stat sb;
	snprintf(wal, sizeof wal, "%s-wal", path);
	int wal_empty = stat(wal, &sb) != 0 || sb.st_size == 0;
	if (writable || !wal_empty) {
		*why = str_printf("cannot read %s: %s", path,
				  writable ? sqlite3_errmsg(db->h)
					   : "its folder is read-only and its -wal file holds changes; "
					     "run notes-index once with write access to the folder");
		return rc;
	}
	/* A notes-index that can write there after all (another user's, with
	 * the files already made) holds an exclusive lock on DB.lock while it
	 * runs: then the file may be half-written, so say so rather than read
	 * it.  (A shared lock only to look: held, it would stop the indexer.) */
	char lock[PATH_MAX + 8];
	snprintf(lock, sizeof lock, "%s.lock", path);
	int lfd = open(lock, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (lfd >= 0) {
		int busy = flock(lfd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
		close(lfd);
		if (busy) {
			*why = str_printf("cannot read %s while notes-index writes it: its folder is "
					  "read-only for you, so the usual locks cannot be shared; "
					  "try again when it is done", path);
			return SQLITE_BUSY;
		}
	}
	char *uri = immutable_uri(path);
	if (!uri)
		return SQLITE_NOMEM;
	file_mark_take(&db->main_mark, path);
	file_mark_take(&db->wal_mark, wal);
	db->immutable = 1;
	sqlite3_close_v2(db->h);
	db->h = NULL;
	rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			     NULL);
	free(uri);
	return rc;
}

/* Tries of wal_enter(), WAL_TRY_US apart: 30 s in all. */
#define WAL_TRIES  3000
#define WAL_TRY_US 10000

/* Switch db to WAL.  From a rollback journal this is a write that must wait
 * for every reader to finish, and while a writer waits SQLite's PENDING lock
 * keeps new readers out: behind one long search, every search started
 * meanwhile would wait too.  So each try does not wait, and a refused try
 * lets go of its locks at once; another comes 10 ms later, for up to 30 s.
 * (Already in WAL mode, the first try succeeds without writing.) */
static notes_status wal_enter(notes_db *db, char **why)
{
	int rc = SQLITE_OK;
	sqlite3_busy_timeout(db->h, 0);
	for (int i = 0; i < WAL_TRIES; i++) {
		rc = sqlite3_exec(db->h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		usleep(WAL_TRY_US);
	}
	sqlite3_busy_timeout(db->h, 5000);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		*why = str_printf("%s: another program has been reading it for %d s without a "
				  "pause; try again when it is done", db->path,
				  WAL_TRIES / (1000000 / WAL_TRY_US));
	return notes_db_status(rc);
}

/* A write interrupted in rollback-journal mode (notes-index killed while it
 * switched journal modes) leaves a hot journal, which only a connection that
 * may write can roll back: SQLite refuses read-only ones.  Roll it back with
 * a short read-write connection, as any SQLite reader allowed to write would
 * (a live writer's journal is not hot: SQLite checks its lock). */
static int roll_back_journal(const char *path)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(h, 5000);
		rc = sqlite3_exec(h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
	}
	sqlite3_close_v2(h);
	return rc;
}

notes_status notes_db_open(const char *path, int flags, notes_db **out, char **errmsg)
{
	notes_status st = NOTES_OK;
	char *why = NULL;
	*out = NULL;
	if (errmsg)
		*errmsg = NULL;

	notes_db *db = calloc(1, sizeof *db);
	if (!db || !(db->path = str_dup(path))) {
		free(db);
		return NOTES_E_NOMEM;
	}

	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (!(flags & NOTES_DB_CREATE)) {
			why = str_printf("no index at %s", path);
			st = NOTES_E_NOTFOUND;
			goto fail;
		}
		if ((st = make_parent_dirs(path)) != NOTES_OK) {
			why = str_printf("cannot create folder for %s: %s", path, strerror(errno));
			goto fail;
		}
		/* Create the file ourselves so that it is 0600 from the start;
		 * SQLite gives -wal and -shm the same mode. */
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			why = str_printf("cannot create %s: %s", path, strerror(errno));
			st = NOTES_E_IO;
			goto fail;
		}
		if (fd >= 0)
			close(fd);
	} else if (!S_ISREG(sb.st_mode)) {
		why = str_printf("%s is not a regular file", path);
		st = NOTES_E_IO;
		goto fail;
	}

	/* Queries open read-only: such a connection never checkpoints, so
	 * closing it leaves the -wal and -shm files for the next query instead
	 * of deleting them (SQLite still creates them when it may). */
	int rc = sqlite3_open_v2(path, &db->h,
				 ((flags & NOTES_DB_READONLY) ? SQLITE_OPEN_READONLY
							       : SQLITE_OPEN_READWRITE) |
				 SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		why = str_printf("cannot open %s: %s", path,
				 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		st = notes_db_status(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 0);
	/* Readers wait out the indexer's short commit window. */
	sqlite3_busy_timeout(db->h, 5000);

	if (flags & NOTES_DB_BULK) {
		/* Nobody reads this file before notes_db_publish(); a crash
		 * leaves a file the next build discards. */
		st = notes_db_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
		if (st != NOTES_OK)
			goto fail;
	} else if (!(flags & NOTES_DB_READONLY)) {
		/* WAL: readers keep the last committed snapshot while the
		 * indexer writes (notes_db_settle() leaves it after).
		 * synchronous=NORMAL is durable to the last commit across
		 * process crashes. */
		if ((st = wal_enter(db, &why)) != NOTES_OK)
			goto fail;
		if ((st = notes_db_exec(db, "PRAGMA synchronous=NORMAL")) != NOTES_OK)
			goto fail;   /* described below */
	}

	/* Query languages come from the index; an unreadable meta falls
	 * back to English and the schema check below reports the problem. */
	open_meta m;
	st = open_meta_read(db, &m);
	if (st != NOTES_OK && (flags & NOTES_DB_READONLY) &&
	    sqlite3_extended_errcode(db->h) == SQLITE_READONLY_ROLLBACK &&
	    roll_back_journal(path) == SQLITE_OK)
		st = open_meta_read(db, &m);
	if (st != NOTES_OK && (flags & NOTES_DB_READONLY)) {
		int frc = readonly_folder_fallback(db, path, &why);
		if (frc == SQLITE_OK) {
			sqlite3_extended_result_codes(db->h, 0);
			sqlite3_busy_timeout(db->h, 5000);
			st = open_meta_read(db, &m);
		} else if (why) {
			st = notes_db_status(frc);
		}
	}
	if (st != NOTES_OK)
		goto fail;
	if (flags & NOTES_DB_READONLY)
		/* A search reads ~100 pages and exits: each new page buffer is
		 * a fresh page of memory, faulted in and torn down (~1.7 us
		 * in this VM), so a cache that recycles 32 buffers beats
		 * SQLite's 2 MB one.  2k notes: faults 290 -> 222, queries
		 * 2.3 -> 1.9 ms; none slower at 20k or 200k (kube* too). */
		(void)sqlite3_exec(db->h, "PRAGMA cache_size=32", NULL, NULL, NULL);
	st = notes_fts5_register_replay(db->h, m.langs ? m.langs : "en", &db->replay);
	if (st != NOTES_OK) {
		open_meta_free(&m);
		why = str_printf("cannot register the notes tokenizer: %s", sqlite3_errmsg(db->h));
		goto fail;
	}

	st = check_schema(db, flags, &m, &why);
	open_meta_free(&m);
	if (st == NOTES_E_SCHEMA) {
		*out = db;
		if (errmsg)
			*errmsg = why;
		else
			free(why);
		return st;
	}
	if (st != NOTES_OK) {
		if (!why && st == NOTES_E_NOTFOUND)
			why = str_printf("no index at %s", path);
		goto fail;
	}
	*out = db;
	return NOTES_OK;

fail:
	if (!why && db->h) {
		if (st == NOTES_E_CORRUPT)
			why = str_printf("%s is not a notes-search database or is damaged (%s)",
					 path, sqlite3_errmsg(db->h));
		else
			why = str_printf("%s: %s", path, sqlite3_errmsg(db->h));
	}
	if (errmsg)
		*errmsg = why;
	else
		free(why);
	notes_db_close(db);
	return st;
}

void notes_db_close(notes_db *db)
{
	if (!db)
		return;
	if (db->h)
		sqlite3_close_v2(db->h);
	free(db->path);
	free(db);
}

notes_status notes_db_settle(notes_db *db)
{
	return notes_db_exec(db, "PRAGMA journal_mode=DELETE");
}

notes_status notes_db_publish(notes_db *db, const char *path)
{
	notes_status st = notes_db_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA journal_mode=DELETE;");
	char *from = str_dup(db->path);
	notes_db_close(db);
	if (st != NOTES_OK || !from) {
		free(from);
		return st != NOTES_OK ? st : NOTES_E_NOMEM;
	}
	/* A -wal or -shm left from a database deleted by hand would be
	 * replayed onto the new file: SQLite does not tie them to it.  (The
	 * caller holds the indexer lock; no reader has a database to read.) */
	char side[PATH_MAX + 8];
	for (int i = 0; i < 2; i++) {
		snprintf(side, sizeof side, "%s%s", path, i ? "-shm" : "-wal");
		if (unlink(side) != 0 && errno != ENOENT) {
			free(from);
			return NOTES_E_IO;
		}
	}
	int fd = open(from, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0 || rename(from, path) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		free(from);
		errno = e;
		return NOTES_E_IO;
	}
	close(fd);
	free(from);
	/* the rename itself, durable */
	char *dir = str_dup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	int dfd = open(!slash ? "." : slash == dir ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	return NOTES_OK;
}

sqlite3 *notes_db_handle(notes_db *db) { return db->h; }
notes_token_replay *notes_db_replay(notes_db *db) { return &db->replay; }
const char *notes_db_path(const notes_db *db) { return db->path; }
const char *notes_db_errmsg(notes_db *db) { return sqlite3_errmsg(db->h); }

const char *notes_db_write_trouble(sqlite3 *h)
{
	switch (sqlite3_system_errno(h)) {
	case ENOSPC: return "the disk is full";
	case EFBIG:  return "the file-size limit is reached";
	case EDQUOT: return "the disk quota is exceeded";
	case EROFS:  return "the file system is read-only";
	default:     return sqlite3_errcode(h) == SQLITE_FULL ? "the disk is full" : NULL;
	}
}

void notes_db_counts_free(notes_db_count *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++)
		free(items[i].name);
	free(items);
}

notes_status notes_db_counts(notes_db *db, const char *sql, notes_db_count **items, size_t *n)
{
	*items = NULL;
	*n = 0;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
	notes_status st = NOTES_OK;
	size_t cap = 0;
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			notes_db_count *p = realloc(*items, cap * sizeof *p);
			if (!p) {
				st = NOTES_E_NOMEM;
				break;
			}
			*items = p;
		}
		const char *name = (const char *)sqlite3_column_text(s, 0);
		if (!((*items)[*n].name = str_dup(name ? name : ""))) {
			st = NOTES_E_NOMEM;
			break;
		}
		(*items)[*n].count = (uint64_t)sqlite3_column_int64(s, 1);
		++*n;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (st == NOTES_OK && rc != SQLITE_DONE)
		st = notes_db_status(rc);
	if (st != NOTES_OK) {
		notes_db_counts_free(*items, *n);
		*items = NULL;
		*n = 0;
	}
	return st;
}

notes_status notes_db_meta_get(notes_db *db, const char *key, char **value)
{
	sqlite3_stmt *s = NULL;
	*value = NULL;
	int rc = sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key=?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return notes_db_status(rc);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	notes_status st = NOTES_OK;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		if (v && !(*value = str_dup(v)))
			st = NOTES_E_NOMEM;
	} else if (rc != SQLITE_DONE)
		st = notes_db_status(rc);
	sqlite3_finalize(s);
	return st;
}

notes_status notes_db_meta_set(notes_db *db, const char *key, const char *value)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h,
		"INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return notes_db_status(rc);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? NOTES_OK : notes_db_status(rc);
}

notes_status notes_lock_acquire(const char *dbpath, bool wait, notes_lock **out, pid_t *holder)
{
	*out = NULL;
	if (holder)
		*holder = 0;
	notes_lock *l = calloc(1, sizeof *l);
	if (!l || !(l->path = str_printf("%s.lock", dbpath))) {
		free(l);
		return NOTES_E_NOMEM;
	}
	notes_status st = make_parent_dirs(dbpath);
	if (st != NOTES_OK) {
		int e = errno;
		free(l->path);
		free(l);
		errno = e;
		return st;
	}
	l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		int e = errno;
		free(l->path);
		free(l);
		errno = e;
		return NOTES_E_IO;
	}
	while (flock(l->fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		if (e == EWOULDBLOCK && holder) {
			char buf[32] = {0};
			if (pread(l->fd, buf, sizeof buf - 1, 0) > 0)
				*holder = (pid_t)atol(buf);
		}
		close(l->fd);
		free(l->path);
		free(l);
		errno = e;
		return e == EWOULDBLOCK ? NOTES_E_BUSY : NOTES_E_IO;
	}
	/* Tell a second indexer who holds the lock. */
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(l->fd, 0) == 0 && pwrite(l->fd, buf, (size_t)n, 0) < 0) {
		/* best effort: the lock itself is what matters */
	}
	*out = l;
	return NOTES_OK;
}

void notes_lock_release(notes_lock *l)
{
	if (!l)
		return;
	if (ftruncate(l->fd, 0) != 0) {
		/* best effort */
	}
	close(l->fd);   /* releases the flock */
	free(l->path);
	free(l);
}
