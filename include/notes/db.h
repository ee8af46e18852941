/*
 * db.h — the index database: where it lives, opening it, its schema, and the
 * one-indexer-at-a-time lock.
 *
 * Schema (SCHEMA_VERSION 2):
 *   meta(key, value)           schema_version, tokenizer_version, langs, last_run...
 *   roots(path, added)         archive roots the indexer remembers
 *   notes(id, path, root, size, mtime_ns, hash, title, date, lang, flags,
 *         linemap, nwarn)      one row per indexed note; id = fts rowid
 *   fields(note, key, value)   front-matter values (multi-valued keys repeat)
 *   content(id, title, headings, meta, body, code, ckpt)
 *                              the column texts, compressed (notes/zip.h),
 *                              and their restart points (notes_token_rec_checkpoints,
 *                              per column)
 *   fts(title, headings, meta, body, code)   FTS5, contentless, tokenize='notes'
 * FTS5 keeps only the inverted index: the texts it was given live in
 * `content`, about a third of their size, and a note's postings are removed
 * with FTS5's 'delete' command fed from there (notes_unzip()).  A full
 * rebuild builds notes_new/fields_new/content_new/fts_new beside them and
 * swaps them in with one short transaction, so queries never see a half
 * index.
 */
#ifndef NOTES_DB_H
#define NOTES_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "notes/status.h"

#define NOTES_SCHEMA_VERSION 2

typedef struct sqlite3 sqlite3;
typedef struct notes_db notes_db;
typedef struct notes_lock notes_lock;

enum notes_db_flags {
	NOTES_DB_READONLY = 1 << 0,  /* never write, not even the schema (query binary) */
	NOTES_DB_CREATE   = 1 << 1,  /* create file, folder and schema if missing */
	NOTES_DB_BULK     = 1 << 2,  /* a file nobody reads yet (a first build, under
				      * another name): no journal, no syncs, until
				      * notes_db_publish() */
};

/*
 * Resolve the database path: `opt` (--db) if not NULL, else $NOTES_DB, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/notes-search/index.db.  *out is
 * malloc'ed (caller frees).  NOTES_E_USAGE when no HOME is known.
 */
notes_status notes_db_path_resolve(const char *opt, char **out);

/*
 * Open the database at path.  With NOTES_DB_CREATE the folder is created
 * 0700 and the file 0600.  Registers the "notes" tokenizer (query languages
 * from meta 'langs').  The schema is created when missing; a schema or
 * tokenizer version that differs from this build gives NOTES_E_SCHEMA with
 * the database still open and usable for a rebuild (*out set).  Any other
 * failure frees everything and sets *out to NULL; when errmsg is not NULL it
 * receives a malloc'ed description (caller frees), also on NOTES_E_SCHEMA.
 * NOTES_E_NOTFOUND: no database at path (without NOTES_DB_CREATE).
 * NOTES_E_CORRUPT: the file is not a usable SQLite database.
 * NOTES_DB_READONLY in a folder this user may not write, with an empty
 * -wal: SQLite cannot make the -shm file a reader needs, so the file is read
 * without locks (a writer would need the folder too); unless a notes-index
 * holds DB.lock (NOTES_E_BUSY).  See notes_db_check_unchanged().
 */
notes_status notes_db_open(const char *path, int flags, notes_db **out, char **errmsg);
void notes_db_close(notes_db *db);

/*
 * Finish a database opened with NOTES_DB_BULK: give it a rollback journal
 * (as notes_db_settle() leaves an index), close it (db is freed whatever
 * happens), flush it to disk, and rename it to path, so that readers find
 * either no index or the whole of it.  A first build writes each page once
 * this way, instead of to the WAL and again to the database.  NOTES_E_IO
 * (errno set) or the SQLite failure's status.
 */
notes_status notes_db_publish(notes_db *db, const char *path);

/*
 * Leave WAL mode once the indexer's writing is done.  notes_db_open() for
 * writing switches a database to WAL, so that searches read the last commit
 * while the indexer writes; between runs a rollback journal serves them
 * better: a search then opens no -wal and -shm files and rebuilds no
 * wal-index (the first connection to a WAL database must), 0.13 ms of a
 * 2 ms search.  NOTES_E_BUSY while any other connection has the file open
 * (a search at that moment): the database stays in WAL mode, which readers
 * handle as well.  db stays open either way.
 */
notes_status notes_db_settle(notes_db *db);

/* The SQLite handle, valid until notes_db_close(). */
sqlite3 *notes_db_handle(notes_db *db);

/* The tokenizations the connection's FTS5 tokenizer replays (see
 * notes_token_replay): empty unless the caller fills it.  Valid until
 * notes_db_close(). */
typedef struct notes_token_replay notes_token_replay;
notes_token_replay *notes_db_replay(notes_db *db);
const char *notes_db_path(const notes_db *db);
/* Last SQLite error message on this database (valid until the next call). */
const char *notes_db_errmsg(notes_db *db);
/* A name with its number of notes (lists for people and completion). */
typedef struct notes_db_count {
	char    *name;    /* owned */
	uint64_t count;   /* notes */
} notes_db_count;

/* The rows (text, integer) of sql, which takes no parameters, in its order:
 * *items is malloc'ed (free with notes_db_counts_free), NULL when there are
 * none; on failure *items is NULL and *n 0. */
notes_status notes_db_counts(notes_db *db, const char *sql, notes_db_count **items, size_t *n);
void notes_db_counts_free(notes_db_count *items, size_t n);

/* Remembered archive roots with their notes, in the order they were added
 * (for notes_db_counts). */
#define NOTES_DB_ROOTS_SQL \
	"SELECT r.path, (SELECT count(*) FROM notes n WHERE n.root = r.path)" \
	" FROM roots r ORDER BY r.added, r.path"

/* A database in a folder the reader may not write is read without locks
 * (see notes_db_open); then a writer with rights of its own could change it
 * meanwhile.  NOTES_E_BUSY if the file or its -wal changed since the open
 * (what was read may mix two states: read again), else NOTES_OK (always,
 * for a database read with the usual locks).  Call after reading. */
notes_status notes_db_check_unchanged(notes_db *db);

/* What the last failed write of h ran into, said for people, when it is
 * the system's doing: "the disk is full", "the file-size limit is
 * reached", "the disk quota is exceeded", "the file system is read-only";
 * NULL otherwise.  Static storage. */
const char *notes_db_write_trouble(sqlite3 *h);

/* meta table.  *value malloc'ed (caller frees), NULL when the key is absent. */
notes_status notes_db_meta_get(notes_db *db, const char *key, char **value);
notes_status notes_db_meta_set(notes_db *db, const char *key, const char *value);

/* Create the schema objects (tables and indexes) with name suffix `sfx`
 * ("" or "_new"), dropping any leftover ones of that suffix first when
 * `replace`.  Runs inside the caller's transaction. */
notes_status notes_db_schema_create(notes_db *db, const char *sfx, bool replace);
/* Record this build's schema and tokenizer versions in meta. */
notes_status notes_db_stamp_versions(notes_db *db);
/* The notes_status for an SQLite result code (primary or extended). */
notes_status notes_db_status(int sqlite_rc);
/* Run a statement without results.  Detail via notes_db_errmsg(). */
notes_status notes_db_exec(notes_db *db, const char *sql);

/*
 * One indexer at a time: an flock on "<dbpath>.lock" (its folder is created
 * 0700 when missing).  The kernel releases it
 * when the holder dies, so no stale locks.  With wait, blocks until free;
 * otherwise NOTES_E_BUSY and *holder = the pid written by the holder (0 if
 * unknown).  *out NULL on failure.  Release with notes_lock_release().
 */
notes_status notes_lock_acquire(const char *dbpath, bool wait, notes_lock **out, pid_t *holder);
void notes_lock_release(notes_lock *l);

#endif
