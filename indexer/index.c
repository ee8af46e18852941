/*
 * index.c — the incremental indexing engine (see index.h).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sqlite3.h>
#include <xxhash.h>
#include "notes/buf.h"
#include "notes/tokenize.h"
#include "notes/utf8.h"
#include "notes/date.h"
#include "notes/zip.h"
#include "doc.h"
#include "frontmatter.h"
#include "index.h"
#include "markdown.h"
#include "walk.h"

/* A batch is committed after this many notes written, bytes read, or
 * seconds: bounds what a killed run loses and how long readers see old data. */
#define BATCH_NOTES   500
#define BATCH_BYTES   (32u << 20)
#define BATCH_SECONDS 2.0

/* Parsing threads.  Parsing and tokenizing a note costs more than writing
 * it (corpus: 0.7 s against 0.4 s), so two parsers and the writer share the
 * two cores of this machine. */
#define PIPE_WORKERS 2
/* Notes parsed ahead of the writer (slots), and the most bytes they hold.
 * The writer stops for FTS5's segment flushes (30-160 ms each at 20k
 * notes); the parsers go on only while slots are free, so the longer the
 * queue, the more of such a pause they fill (256 slots: ~50 ms at ~0.2 ms
 * a note).  Full index of 20k notes, same machine state: 32 slots and an
 * 8 MB hashsize 5.0-5.7 s; 256 slots and 4 MB (db.c) 4.2-4.8 s. */
#define PIPE_JOBS  256
#define PIPE_BYTES (16u << 20)
/* A slot keeps its buffers for the next note unless they served a note
 * larger than this: large notes must not pin their memory in every slot.
 * Peak at 200k notes: 83 MB with 256 slots, 16 MB in flight, 8 KB here and
 * a 4 MB hashsize; 103 MB with the same and an 8 MB hashsize; 79 MB with
 * 32 slots, 8 MB, 32 KB and 8 MB.  (Raw bytes bound PIPE_BYTES; the parsed
 * form of a note is a few times larger and is bounded by the slots.) */
#define PIPE_KEEP  (8u << 10)
/* Positions between restart points kept for passages (notes_passage
 * tokenizes at most about this much before the passage it shows). */
#define CKPT_EVERY 256
/* FTS5's automerge (segments of a level merged into one of the next) and
 * crisismerge while a whole index is built, and for the incremental runs
 * after it.  At FTS5's defaults (4 and 16) a build of 20k or 200k notes
 * ends with 8-12 segments, which every search opens and merges row by row.
 * A build merges 16 a level instead and ends with one 'optimize' (one
 * segment).  Its crisismerge is raised too: at 16 it would merge whole
 * levels at once, which frees the space of the inputs only at the end
 * (200k notes: 96,000 free pages, 1.72x the notes' size against 1.33x),
 * while automerge goes a few pages at a time and reuses the space of what
 * it merged.  Measured, 200k notes: 74 s at the defaults, 77 s so (20k: 5
 * interleaved builds each, the same 4.8 s); the database 0.5% larger; then
 * 200k searches take 10-30% less time, and so does a reindex of 1% of the
 * notes (4 runs: 2.06-2.54 s against 2.49-3.58 s). */
#define BUILD_AUTOMERGE   16
#define BUILD_CRISISMERGE 64
#define LIVE_AUTOMERGE    4
#define LIVE_CRISISMERGE  16


/* A note to (re)index: read, hashed and looked up by the main thread,
 * parsed and tokenized by a parsing thread, written by the main thread. */
typedef struct job {
	/* set by the main thread */
	char          *path;     /* owned */
	const char    *root;     /* root it was found under (outlives the job) */
	char          *buf;      /* the file's bytes, owned; parsed in place */
	size_t         len;      /* bytes in buf */
	struct stat    sb;       /* its stat when read */
	uint64_t       hash;     /* XXH3 of buf */
	sqlite3_int64  id;       /* note it replaces, 0 = a new note */
	int            renamed;  /* id is the note of a file renamed to path */
	/* set by a parsing thread */
	int            done;     /* parsed (guarded by run.mu) */
	notes_status   rc;       /* of parsing */
	int            flags;    /* NOTES_PARSE_* */
	notes_doc      doc;      /* the parsed note (reused) */
	notes_buf      col[NOTES_FIELD_COUNT];  /* column texts with language marker */
	notes_buf      blob;     /* encoded linemap */
	notes_buf      zcol[NOTES_FIELD_COUNT]; /* col[], stored form (zip.h) */
	notes_buf      ckpt;     /* restart points of every column */
	notes_token_rec *rec[NOTES_FIELD_COUNT]; /* each column's tokens */
} job;

typedef struct run {
	notes_db   *db;          /* the index (not owned) */
	sqlite3    *h;           /* its handle */
	const notes_index_opts *o;
	notes_index_stats *st;   /* running totals (caller's) */
	const char *sfx;         /* table suffix: "" live, "_new" full rebuild */
	const char *root;        /* root being walked */
	double      t0;          /* run start, seconds */

	/* Prepared statements, all on tables with suffix sfx. */
	sqlite3_stmt *by_path;   /* id, size, mtime_ns, hash by path */
	sqlite3_stmt *by_hash;   /* id, path, flags by hash and size */
	sqlite3_stmt *ins_note;  /* new notes row */
	sqlite3_stmt *upd_note;  /* replace a notes row's content columns */
	sqlite3_stmt *upd_stat;  /* size, mtime only (touched, same content) */
	sqlite3_stmt *upd_path;  /* rename */
	sqlite3_stmt *del_note;
	sqlite3_stmt *ins_fts;
	sqlite3_stmt *get_content; /* a note's stored (compressed) texts */
	sqlite3_stmt *del_fts;   /* FTS5 'delete', one row, given those texts */
	sqlite3_stmt *ins_content;
	sqlite3_stmt *del_content;
	sqlite3_stmt *ins_field;
	sqlite3_stmt *del_fields;

	uint8_t    *seen;        /* bitmap of note ids seen in this run */
	size_t      seen_bits;   /* bits allocated */

	/* The parsing threads: jobs[] is a ring; counters only grow, slot =
	 * counter % PIPE_JOBS.  [head, tail) are in use: the main thread
	 * fills at tail and writes at head, in order, once the job is done;
	 * parsers take jobs in order at claimed. */
	job        *jobs;        /* PIPE_JOBS slots, or NULL before start */
	size_t      head;        /* next job to write */
	size_t      claimed;     /* next job a parser takes */
	size_t      tail;        /* next slot to fill */
	uint64_t    queued;      /* bytes held by jobs [head, tail) */
	int         quit;        /* the parsing threads must stop */
	int         nworkers;    /* parsing threads running */
	struct worker {
		pthread_t        thread;
		struct run      *r;      /* back to the run */
		notes_tokenizer *tok;    /* its tokenizer, owned */
		notes_zip       *zip;    /* its compressor, owned */
	} worker[PIPE_WORKERS];
	pthread_mutex_t mu;      /* guards claimed, tail, quit, jobs' done */
	pthread_cond_t  cv;      /* any of them changed */

	int         in_txn;      /* a batch transaction is open */
	unsigned    batch_notes; /* notes written in the open batch */
	uint64_t    batch_bytes; /* bytes read in the open batch */
	double      batch_t0;    /* when the batch began */
	char       *err;         /* failure detail (malloc'ed) */
	char      **unread;      /* folders the walk could not read (their notes are kept) */
	size_t      nunread;     /* entries in unread */
	int         root_gone;   /* a root could not be walked */
} run;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_err(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(run *r, const char *fmt, ...)
{
	if (r->err)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->err = strdup(buf);
}

static notes_status db_fail(run *r, int rc, const char *what)
{
	const char *why = notes_db_write_trouble(r->h);
	if (why)
		set_err(r, "%s: cannot write the index: %s", what, why);
	else
		set_err(r, "%s: %s", what, sqlite3_errmsg(r->h));
	return notes_db_status(rc);
}

static void warn(run *r, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn(run *r, const char *path, int line, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->st->warnings++;
	if (r->o->on_warning)
		r->o->on_warning(r->o->ctx, path, line, buf);
}

static notes_status prepare(run *r, sqlite3_stmt **s, const char *fmt)
{
	char sql[512];
	snprintf(sql, sizeof sql, fmt, r->sfx);
	int rc = sqlite3_prepare_v3(r->h, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL);
	return rc == SQLITE_OK ? NOTES_OK : db_fail(r, rc, "prepare");
}

static notes_status prepare_all(run *r)
{
	notes_status st = NOTES_OK;
	struct { sqlite3_stmt **s; const char *sql; } t[] = {
		{&r->by_path, "SELECT id, size, mtime_ns, hash FROM notes%1$s WHERE path=?1"},
		{&r->by_hash, "SELECT id, path, flags, date FROM notes%1$s WHERE hash=?1 AND size=?2"
			      " LIMIT 32"},
		{&r->ins_note, "INSERT INTO notes%1$s(path, root, size, mtime_ns, hash, title, date,"
			       " lang, flags, linemap, nwarn) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"},
		{&r->upd_note, "UPDATE notes%1$s SET path=?1, root=?2, size=?3, mtime_ns=?4, hash=?5,"
			       " title=?6, date=?7, lang=?8, flags=?9, linemap=?10, nwarn=?11 WHERE id=?12"},
		{&r->upd_stat, "UPDATE notes%1$s SET size=?1, mtime_ns=?2 WHERE id=?3"},
		{&r->upd_path, "UPDATE notes%1$s SET path=?1, root=?2, size=?3, mtime_ns=?4 WHERE id=?5"},
		{&r->del_note, "DELETE FROM notes%1$s WHERE id=?1"},
		{&r->ins_fts, "INSERT INTO fts%1$s(rowid, title, headings, meta, body, code)"
			      " VALUES(?1,?2,?3,?4,?5,?6)"},
		/* Contentless FTS5: a note's postings go with the 'delete'
		 * command, given the texts they were made from.  Read first
		 * and given as values, never as INSERT ... SELECT: a
		 * statement that may write several rows opens a statement
		 * savepoint, and FTS5 3.40 writes its pending postings out
		 * as a new segment at every savepoint and release -- one
		 * segment per changed note, then merges of all of them. */
		{&r->get_content, "SELECT title, headings, meta, body, code FROM content%1$s"
				  " WHERE id=?1"},
		{&r->del_fts, "INSERT INTO fts%1$s(fts%1$s, rowid, title, headings, meta, body, code)"
			      " VALUES('delete', ?1, notes_unzip(?2), notes_unzip(?3),"
			      " notes_unzip(?4), notes_unzip(?5), notes_unzip(?6))"},
		{&r->ins_content, "INSERT INTO content%1$s(id, title, headings, meta, body, code,"
				  " ckpt) VALUES(?1,?2,?3,?4,?5,?6,?7)"},
		{&r->del_content, "DELETE FROM content%1$s WHERE id=?1"},
		{&r->ins_field, "INSERT INTO fields%1$s(note, key, value) VALUES(?1,?2,?3)"},
		{&r->del_fields, "DELETE FROM fields%1$s WHERE note=?1"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0] && st == NOTES_OK; i++)
		st = prepare(r, t[i].s, t[i].sql);
	return st;
}

static void finalize_all(run *r)
{
	sqlite3_stmt *all[] = {r->by_path, r->by_hash, r->ins_note, r->upd_note, r->upd_stat,
			       r->upd_path, r->del_note, r->ins_fts, r->get_content, r->del_fts, r->ins_field,
			       r->del_fields, r->ins_content, r->del_content};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
}

/* Run a prepared statement that returns no rows; reset it. */
static notes_status step_done(run *r, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? NOTES_OK : db_fail(r, rc, what);
}

/* ---- batches ------------------------------------------------------------- */

static notes_status batch_begin(run *r)
{
	if (r->in_txn)
		return NOTES_OK;
	int rc = sqlite3_exec(r->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(r, rc, "begin");
	r->in_txn = 1;
	r->batch_notes = 0;
	r->batch_bytes = 0;
	r->batch_t0 = now_s();
	return NOTES_OK;
}

static notes_status batch_commit(run *r)
{
	if (!r->in_txn)
		return NOTES_OK;
	int rc = sqlite3_exec(r->h, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(r, rc, "commit");
	r->in_txn = 0;
	return NOTES_OK;
}

/* INSERT INTO fts(fts, rank) VALUES(cmd, value): an FTS5 setting of this
 * run's fts table. */
static notes_status fts_setting(run *r, const char *cmd, int value)
{
	char sql[160];
	snprintf(sql, sizeof sql, "INSERT INTO fts%1$s(fts%1$s, rank) VALUES('%2$s', %3$d)", r->sfx,
		 cmd, value);
	int rc = sqlite3_exec(r->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? NOTES_OK : db_fail(r, rc, cmd);
}

static notes_status batch_maybe_commit(run *r)
{
	/* Commits bound what a killed run loses and how stale readers get;
	 * a first build has no readers and nothing to lose.  (Each commit
	 * also flushes FTS5's pending postings into one more segment.) */
	if (r->o->bulk)
		return NOTES_OK;
	if (r->in_txn && (r->batch_notes >= BATCH_NOTES || r->batch_bytes >= BATCH_BYTES ||
			  now_s() - r->batch_t0 >= BATCH_SECONDS))
		return batch_commit(r);
	return NOTES_OK;
}

/* ---- seen bitmap ----------------------------------------------------------- */

static notes_status seen_mark(run *r, sqlite3_int64 id)
{
	if (id < 0)
		return NOTES_OK;
	if ((size_t)id >= r->seen_bits) {
		size_t bits = r->seen_bits ? r->seen_bits : 4096;
		while (bits <= (size_t)id)
			bits *= 2;
		uint8_t *p = realloc(r->seen, bits / 8);
		if (!p)
			return NOTES_E_NOMEM;
		memset(p + r->seen_bits / 8, 0, (bits - r->seen_bits) / 8);
		r->seen = p;
		r->seen_bits = bits;
	}
	r->seen[id / 8] |= (uint8_t)(1u << (id % 8));
	return NOTES_OK;
}

static int seen_has(const run *r, sqlite3_int64 id)
{
	return id >= 0 && (size_t)id < r->seen_bits && (r->seen[id / 8] >> (id % 8)) & 1;
}

/* ---- one note ---------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The first # heading becomes the title.  Its text is a line of the HEADINGS
 * field, mapped there segment by segment (markup removed from "A *b* c"
 * leaves three segments); copy those segments so that every word of the
 * title maps to its exact place. */
static void copy_heading_segments(notes_status *rc, notes_doc *d)
{
	const notes_buf *h = &d->field[NOTES_FIELD_HEADINGS];
	const notes_linemap *m = &d->map;
	size_t n = d->first_h1.n;
	uint32_t base = (uint32_t)d->field[NOTES_FIELD_TITLE].n;

	/* Find the heading's line: the one whose first segment starts at
	 * first_h1_src. */
	size_t off = (size_t)-1;
	for (size_t i = 0; i < m->nseg[NOTES_FIELD_HEADINGS]; i++) {
		const notes_segment *sg = &m->seg[NOTES_FIELD_HEADINGS][i];
		if (sg->src == d->first_h1_src && sg->off + n <= h->n &&
		    memcmp(h->p + sg->off, d->first_h1.p, n) == 0) {
			off = sg->off;
			break;
		}
	}
	if (off == (size_t)-1) {   /* not found: one segment at the start */
		notes_doc_append(rc, d, NOTES_FIELD_TITLE, d->first_h1.p, n, d->first_h1_src);
		return;
	}
	notes_buf_append(rc, &d->field[NOTES_FIELD_TITLE], d->first_h1.p, n);
	for (size_t i = 0; i < m->nseg[NOTES_FIELD_HEADINGS] && *rc == NOTES_OK; i++) {
		const notes_segment *sg = &m->seg[NOTES_FIELD_HEADINGS][i];
		size_t next = i + 1 < m->nseg[NOTES_FIELD_HEADINGS]
			? m->seg[NOTES_FIELD_HEADINGS][i + 1].off : h->n;
		if (next <= off || sg->off >= off + n)
			continue;
		uint32_t from = sg->off > off ? sg->off : (uint32_t)off;
		notes_linemap_add(rc, &d->map, NOTES_FIELD_TITLE, base + (from - (uint32_t)off),
				  sg->src + (from - sg->off));
	}
}

/* Choose the title: front matter, else first # heading, else file name. */
static void choose_title(notes_status *rc, notes_doc *d, int *flags)
{
	const notes_kv *kv = notes_doc_kv(d, "title");
	if (kv && kv->value[strspn(kv->value, " \t\r\n")]) {
		notes_buf_append_str(rc, &d->title, kv->value);
		notes_doc_append(rc, d, NOTES_FIELD_TITLE, kv->value, strlen(kv->value), kv->src);
		return;
	}
	if (d->first_h1.n) {
		notes_buf_append(rc, &d->title, d->first_h1.p, d->first_h1.n);
		copy_heading_segments(rc, d);
		return;
	}
	/* File name without extension; it maps to no place in the file. */
	const char *b = base_name(d->path);
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	notes_buf_append(rc, &d->title, b, n);
	notes_buf_append(rc, &d->field[NOTES_FIELD_TITLE], b, n);
	*flags |= NOTES_PARSE_TITLE_FROM_NAME;
}

notes_status notes_index_parse_note(notes_doc *d, const char *path, char *buf, size_t len,
				    int *flags)
{
	notes_status rc = NOTES_OK;
	notes_doc_reset(d);
	*flags = 0;

	size_t first_bad = 0;
	size_t bad = notes_utf8_sanitize(buf, len, &first_bad);
	d->src = buf;
	d->src_len = len;
	d->path = path;
	if (bad)
		notes_doc_warn(&rc, d, notes_doc_line_of(d, first_bad),
			       "invalid UTF-8 (%zu byte%s replaced)", bad, bad == 1 ? "" : "s");
	if (rc == NOTES_OK)
		rc = notes_frontmatter_parse(d);
	if (rc == NOTES_OK)
		rc = notes_markdown_extract(d);
	if (rc != NOTES_OK)
		return rc;
	choose_title(&rc, d, flags);
	char fn_date[11];
	if (d->date[0] && !notes_doc_kv(d, "date") && !notes_doc_kv(d, "created") &&
	    notes_date_from_filename(path, fn_date) == NOTES_OK && strcmp(fn_date, d->date) == 0)
		*flags |= NOTES_PARSE_DATE_FROM_NAME;
	return rc;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* The FTS5 column texts and the encoded linemap of a parsed note.  A field
 * that needs no language marker moves into its column (the doc's field
 * texts are not used afterwards): a 40 MB note is not copied again. */
static notes_status make_columns(notes_doc *d, notes_buf *col, notes_buf *blob)
{
	notes_status rc = NOTES_OK;

	notes_buf_clear(blob);
	notes_linemap_encode(&rc, &d->map, blob);

	/* Non-English notes carry a language marker so that every later
	 * tokenization of the stored text (deletes, integrity-check,
	 * snippets) stems the same way as this insert. */
	const char *stem = d->lang[0] ? notes_lang_stemmer(d->lang) : NULL;
	int marked = stem && strcmp(stem, "english") != 0;
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		notes_buf_clear(&col[f]);
		if (marked && f != NOTES_FIELD_CODE && d->field[f].n) {
			notes_buf_append_char(&rc, &col[f], NOTES_LANG_MARK);
			notes_buf_append_str(&rc, &col[f], stem);
			notes_buf_append_char(&rc, &col[f], NOTES_LANG_MARK);
			notes_buf_append(&rc, &col[f], d->field[f].p, d->field[f].n);
		} else {
			notes_buf t = col[f];
			col[f] = d->field[f];
			d->field[f] = t;
		}
	}
	return rc;
}

/* Write job j as note j->id (0 = new).  The note's old FTS row, if any, must
 * already be deleted. */
static notes_status write_note(run *r, job *j)
{
	notes_doc *d = &j->doc;
	notes_status rc = NOTES_OK;
	sqlite3_int64 id = j->id;
	const struct stat *sb = &j->sb;

	sqlite3_int64 mtime = (sqlite3_int64)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
	sqlite3_stmt *s = id ? r->upd_note : r->ins_note;
	sqlite3_bind_text(s, 1, j->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, j->root, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)sb->st_size);
	sqlite3_bind_int64(s, 4, mtime);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)j->hash);
	sqlite3_bind_text(s, 6, d->title.p ? d->title.p : "", (int)d->title.n, SQLITE_STATIC);
	bind_text_or_null(s, 7, d->date);
	bind_text_or_null(s, 8, d->lang);
	sqlite3_bind_int(s, 9, j->flags);
	sqlite3_bind_blob(s, 10, j->blob.p, (int)j->blob.n, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)d->nwarn);
	if (id)
		sqlite3_bind_int64(s, 12, id);
	if ((rc = step_done(r, s, "write note")) != NOTES_OK)
		return rc;
	if (!id)
		id = sqlite3_last_insert_rowid(r->h);

	/* FTS5 tokenizes each column again: offer it the parsing thread's
	 * tokens (replayed when the text is the same, see notes_token_rec). */
	notes_token_replay *rp = notes_db_replay(r->db);
	rp->rec = j->rec;
	rp->nrec = NOTES_FIELD_COUNT;
	sqlite3_bind_int64(r->ins_fts, 1, id);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		sqlite3_bind_text(r->ins_fts, 2 + f, j->col[f].p ? j->col[f].p : "",
				  (int)j->col[f].n, SQLITE_STATIC);
	rc = step_done(r, r->ins_fts, "index note");
	rp->rec = NULL;
	rp->nrec = 0;
	if (rc != NOTES_OK)
		return rc;
	sqlite3_bind_int64(r->ins_content, 1, id);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++)
		sqlite3_bind_blob(r->ins_content, 2 + f, j->zcol[f].p, (int)j->zcol[f].n,
				  SQLITE_STATIC);
	sqlite3_bind_blob(r->ins_content, 7, j->ckpt.p ? j->ckpt.p : "", (int)j->ckpt.n,
			  SQLITE_STATIC);
	if ((rc = step_done(r, r->ins_content, "store note")) != NOTES_OK)
		return rc;

	for (size_t i = 0; i < d->nkv && rc == NOTES_OK; i++) {
		sqlite3_bind_int64(r->ins_field, 1, id);
		sqlite3_bind_text(r->ins_field, 2, d->kv[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(r->ins_field, 3, d->kv[i].value, -1, SQLITE_STATIC);
		rc = step_done(r, r->ins_field, "store front matter");
	}
	if (rc == NOTES_OK)
		rc = seen_mark(r, id);
	return rc;
}

/* Remove note id from fts, content and fields (the notes row stays). */
static notes_status unindex_note(run *r, sqlite3_int64 id)
{
	notes_status rc = NOTES_OK;
	sqlite3_bind_int64(r->get_content, 1, id);
	int src = sqlite3_step(r->get_content);
	if (src == SQLITE_ROW) {
		/* The binds copy: get_content is reset below.  A column left
		 * unbound would delete none of its postings, silently. */
		int brc = sqlite3_bind_int64(r->del_fts, 1, id);
		for (int i = 0; i < 5 && brc == SQLITE_OK; i++)
			brc = sqlite3_bind_value(r->del_fts, i + 2,
						 sqlite3_column_value(r->get_content, i));
		if (brc == SQLITE_OK) {
			rc = step_done(r, r->del_fts, "remove note");
		} else {
			sqlite3_clear_bindings(r->del_fts);
			rc = db_fail(r, brc, "remove note");
		}
	} else if (src != SQLITE_DONE) {   /* (DONE: no stored row, nothing indexed) */
		rc = db_fail(r, src, "remove note");
	}
	sqlite3_reset(r->get_content);
	if (rc == NOTES_OK) {
		sqlite3_bind_int64(r->del_content, 1, id);
		rc = step_done(r, r->del_content, "remove note");
	}
	if (rc == NOTES_OK) {
		sqlite3_bind_int64(r->del_fields, 1, id);
		rc = step_done(r, r->del_fields, "remove front matter");
	}
	return rc;
}

static notes_status delete_note(run *r, sqlite3_int64 id)
{
	notes_status rc = unindex_note(r, id);
	if (rc == NOTES_OK) {
		sqlite3_bind_int64(r->del_note, 1, id);
		rc = step_done(r, r->del_note, "delete note");
	}
	return rc;
}

static void report_doc_warnings(run *r, const notes_doc *d, const char *path)
{
	for (size_t i = 0; i < d->nwarn; i++)
		warn(r, path, d->warn[i].line, "%s", d->warn[i].msg);
}

/* ---- the parsing thread --------------------------------------------------- */

/* Parse and tokenize job j (on the parsing thread: touches nothing else). */
static void job_parse(notes_tokenizer *t, notes_zip *z, job *j)
{
	notes_doc_reset(&j->doc);
	j->rc = notes_index_parse_note(&j->doc, j->path, j->buf, j->len, &j->flags);
	if (j->rc == NOTES_OK)
		j->rc = make_columns(&j->doc, j->col, &j->blob);
	for (int f = 0; f < NOTES_FIELD_COUNT && j->rc == NOTES_OK; f++) {
		notes_buf_clear(&j->zcol[f]);
		notes_zip_pack(&j->rc, z, j->col[f].p ? j->col[f].p : "", j->col[f].n, &j->zcol[f]);
	}
	notes_buf_clear(&j->ckpt);
	for (int f = 0; f < NOTES_FIELD_COUNT && j->rc == NOTES_OK; f++) {
		/* A failed record only means FTS5 tokenizes this column
		 * itself (and passages of it start from its top). */
		(void)notes_token_rec_record(j->rec[f], t, j->col[f].p ? j->col[f].p : "",
					     (int)j->col[f].n);
		notes_token_rec_checkpoints(&j->rc, j->rec[f], CKPT_EVERY, &j->ckpt);
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	run *r = wk->r;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->quit && r->claimed == r->tail)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->quit)
			break;
		job *j = &r->jobs[r->claimed++ % PIPE_JOBS];
		pthread_mutex_unlock(&r->mu);
		job_parse(wk->tok, wk->zip, j);
		pthread_mutex_lock(&r->mu);
		j->done = 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void job_buffers_free(job *j)
{
	notes_doc_free(&j->doc);
	for (int f = 0; f < NOTES_FIELD_COUNT; f++) {
		notes_buf_free(&j->col[f]);
		notes_buf_free(&j->zcol[f]);
		notes_token_rec_free(j->rec[f]);
		j->rec[f] = NULL;
	}
	notes_buf_free(&j->blob);
	notes_buf_free(&j->ckpt);
}

/* Done with job j: its note's bytes go, its buffers stay for the next note
 * unless they grew large (then they are made afresh). */
static notes_status job_release(job *j)
{
	notes_status st = NOTES_OK;
	free(j->path);
	free(j->buf);
	j->path = NULL;
	j->buf = NULL;
	if (j->len > PIPE_KEEP) {
		job_buffers_free(j);
		notes_doc_init(&j->doc);
		for (int f = 0; f < NOTES_FIELD_COUNT && st == NOTES_OK; f++)
			st = notes_token_rec_new(&j->rec[f]);
	}
	return st;
}

static void jobs_free(job *jobs)
{
	for (int i = 0; jobs && i < PIPE_JOBS; i++) {
		free(jobs[i].path);
		free(jobs[i].buf);
		job_buffers_free(&jobs[i]);
	}
	free(jobs);
}

/* Start the parsing threads. */
static notes_status pipe_start(run *r)
{
	notes_status st = NOTES_OK;
	for (int i = 0; i < PIPE_WORKERS && st == NOTES_OK; i++) {
		r->worker[i].r = r;
		st = notes_tokenizer_new(&r->worker[i].tok);
		if (st == NOTES_OK)
			st = notes_zip_new(&r->worker[i].zip);
	}
	if (st == NOTES_OK && !(r->jobs = calloc(PIPE_JOBS, sizeof *r->jobs)))
		st = NOTES_E_NOMEM;
	if (st == NOTES_OK) {   /* pipe_stop() relies on these once jobs exist */
		pthread_mutex_init(&r->mu, NULL);
		pthread_cond_init(&r->cv, NULL);
	}
	for (int i = 0; st == NOTES_OK && i < PIPE_JOBS; i++) {
		notes_doc_init(&r->jobs[i].doc);
		for (int f = 0; f < NOTES_FIELD_COUNT && st == NOTES_OK; f++)
			st = notes_token_rec_new(&r->jobs[i].rec[f]);
	}
	if (st != NOTES_OK)
		return st;
	for (int i = 0; i < PIPE_WORKERS; i++) {
		int e = pthread_create(&r->worker[i].thread, NULL, worker_main, &r->worker[i]);
		if (e != 0) {
			set_err(r, "cannot start a parsing thread: %s", strerror(e));
			return NOTES_E_NOMEM;   /* pipe_stop() joins those started */
		}
		r->nworkers++;
	}
	return NOTES_OK;
}

/* Stop the parsing threads; jobs not written are dropped. */
static void pipe_stop(run *r)
{
	if (r->jobs) {   /* the mutex exists once jobs do */
		pthread_mutex_lock(&r->mu);
		r->quit = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		for (int i = 0; i < r->nworkers; i++)
			pthread_join(r->worker[i].thread, NULL);
		r->nworkers = 0;
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
	}
	jobs_free(r->jobs);
	r->jobs = NULL;
	for (int i = 0; i < PIPE_WORKERS; i++) {
		notes_tokenizer_free(r->worker[i].tok);
		notes_zip_free(r->worker[i].zip);
		r->worker[i].tok = NULL;
		r->worker[i].zip = NULL;
	}
}

/* Write the oldest job once it is parsed. */
static notes_status pipe_write_one(run *r)
{
	job *j = &r->jobs[r->head % PIPE_JOBS];
	pthread_mutex_lock(&r->mu);
	while (!j->done)
		pthread_cond_wait(&r->cv, &r->mu);
	j->done = 0;   /* the slot is free again once head moves on */
	pthread_mutex_unlock(&r->mu);

	notes_status rc = j->rc;
	report_doc_warnings(r, &j->doc, j->path);
	if (rc == NOTES_OK)
		rc = batch_begin(r);
	if (rc == NOTES_OK && j->id)
		rc = unindex_note(r, j->id);
	if (rc == NOTES_OK)
		rc = write_note(r, j);
	if (rc == NOTES_OK) {
		if (j->renamed)
			r->st->renamed++;
		else if (j->id)
			r->st->updated++;
		else
			r->st->added++;
		r->st->bytes += j->len;
		r->batch_notes++;
		rc = batch_maybe_commit(r);
	}
	r->queued -= j->len;
	notes_status rel = job_release(j);
	r->head++;   /* only the main thread reads head */
	return rc != NOTES_OK ? rc : rel;
}

/* Write every job queued. */
static notes_status pipe_drain(run *r)
{
	notes_status rc = NOTES_OK;
	while (rc == NOTES_OK && r->head != r->tail)
		rc = pipe_write_one(r);
	return rc;
}

/* Queue a note for parsing; takes path and buf (freed whatever happens). */
static notes_status pipe_push(run *r, char *path, char *buf, size_t len, const struct stat *sb,
			      uint64_t hash, sqlite3_int64 id, int renamed)
{
	notes_status rc = NOTES_OK;
	/* Room: a free slot, and the bytes bound (one job always fits). */
	while (rc == NOTES_OK && r->head != r->tail &&
	       (r->tail - r->head == PIPE_JOBS || r->queued + len > PIPE_BYTES))
		rc = pipe_write_one(r);
	if (rc != NOTES_OK || !path) {
		free(path);
		free(buf);
		return rc != NOTES_OK ? rc : NOTES_E_NOMEM;
	}
	job *j = &r->jobs[r->tail % PIPE_JOBS];
	j->path = path;
	j->root = r->root;
	j->buf = buf;
	j->len = len;
	j->sb = *sb;
	j->hash = hash;
	j->id = id;
	j->renamed = renamed;
	r->queued += len;
	pthread_mutex_lock(&r->mu);
	r->tail++;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NOTES_OK;
}

/* Look for a note with the same content whose file has gone: a rename. */
static notes_status find_renamed(run *r, uint64_t hash, uint64_t size, sqlite3_int64 *id, int *flags,
				 int *had_date)
{
	*id = 0;
	*had_date = 0;
	/* Empty notes all look alike: never a rename.  (Identical notes are
	 * looked at 32 at most, so template copies cost no quadratic time.) */
	if (size == 0)
		return NOTES_OK;
	sqlite3_bind_int64(r->by_hash, 1, (sqlite3_int64)hash);
	sqlite3_bind_int64(r->by_hash, 2, (sqlite3_int64)size);
	int rc;
	while ((rc = sqlite3_step(r->by_hash)) == SQLITE_ROW) {
		sqlite3_int64 cand = sqlite3_column_int64(r->by_hash, 0);
		const char *old = (const char *)sqlite3_column_text(r->by_hash, 1);
		struct stat sb;
		if (seen_has(r, cand) || !old || lstat(old, &sb) == 0 || errno != ENOENT)
			continue;
		*id = cand;
		*flags = sqlite3_column_int(r->by_hash, 2);
		*had_date = sqlite3_column_type(r->by_hash, 3) != SQLITE_NULL;
		break;
	}
	sqlite3_reset(r->by_hash);
	sqlite3_clear_bindings(r->by_hash);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? NOTES_OK : db_fail(r, rc, "rename lookup");
}

static notes_status index_file(run *r, notes_walk *w, const notes_walk_entry *e)
{
	notes_status rc;
	sqlite3_int64 id = 0, old_size = -1, old_mtime = -1, old_hash = 0;
	const struct stat *wsb = &e->st;
	sqlite3_int64 mtime = (sqlite3_int64)wsb->st_mtim.tv_sec * 1000000000 + wsb->st_mtim.tv_nsec;

	r->st->seen++;
	/* Lookups run inside the batch's transaction: outside one, each
	 * would take and drop SQLite's locks (3 fcntl calls a file, most of
	 * a no-op run).  Only this process writes (DB.lock), so holding the
	 * write lock while nothing changes costs readers nothing. */
	if ((rc = batch_begin(r)) != NOTES_OK)
		return rc;
	sqlite3_bind_text(r->by_path, 1, e->path, -1, SQLITE_STATIC);
	int src = sqlite3_step(r->by_path);
	if (src == SQLITE_ROW) {
		id = sqlite3_column_int64(r->by_path, 0);
		old_size = sqlite3_column_int64(r->by_path, 1);
		old_mtime = sqlite3_column_int64(r->by_path, 2);
		old_hash = sqlite3_column_int64(r->by_path, 3);
	}
	sqlite3_reset(r->by_path);
	sqlite3_clear_bindings(r->by_path);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return db_fail(r, src, "lookup");

	if (id && old_size == (sqlite3_int64)wsb->st_size && old_mtime == mtime) {
		r->st->unchanged++;   /* one stat, nothing read */
		return seen_mark(r, id);
	}

	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	rc = notes_walk_read(w, &buf, &len, &sb);
	if (rc != NOTES_OK) {
		r->st->skipped++;
		if (rc == NOTES_E_NOMEM)
			return rc;
		if (rc == NOTES_E_IO)
			warn(r, e->path, 0, "skipped: %s", strerror(errno));
		else if (rc == NOTES_E_TOOBIG)
			warn(r, e->path, 0, "skipped: larger than %llu bytes (--max-size)",
			     (unsigned long long)r->o->max_size);
		else
			warn(r, e->path, 0, "skipped: %s", notes_status_str(rc));
		/* A transient read error keeps the old entry; a file that is now
		 * binary or too big is no longer a note and gets swept. */
		return (rc == NOTES_E_IO && id) ? seen_mark(r, id) : NOTES_OK;
	}
	r->batch_bytes += len;
	uint64_t hash = XXH3_64bits(buf, len);

	if ((rc = batch_begin(r)) != NOTES_OK)
		goto out;
	if (id && (uint64_t)old_hash == hash) {
		/* Touched, same content: remember the new stat, skip the work. */
		sqlite3_int64 m = (sqlite3_int64)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		sqlite3_bind_int64(r->upd_stat, 1, (sqlite3_int64)sb.st_size);
		sqlite3_bind_int64(r->upd_stat, 2, m);
		sqlite3_bind_int64(r->upd_stat, 3, id);
		if ((rc = step_done(r, r->upd_stat, "update")) == NOTES_OK)
			rc = seen_mark(r, id);
		r->st->unchanged++;
		goto out;
	}

	int renamed = 0;
	if (!id && !r->o->full) {
		sqlite3_int64 rid;
		int rflags = 0, had_date = 0;
		char fn_date[11];
		if ((rc = find_renamed(r, hash, (uint64_t)sb.st_size, &rid, &rflags, &had_date)) != NOTES_OK)
			goto out;
		/* Moving the row is enough only when nothing came, or now
		 * comes, from the file name: not the title, not the date. */
		int name_matters = (rflags & (NOTES_PARSE_TITLE_FROM_NAME | NOTES_PARSE_DATE_FROM_NAME)) ||
				   (!had_date && notes_date_from_filename(e->path, fn_date) == NOTES_OK);
		if (rid && !name_matters) {
			/* Same content, and nothing derived from the file name:
			 * moving the row is all there is to do. */
			sqlite3_int64 m = (sqlite3_int64)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
			sqlite3_bind_text(r->upd_path, 1, e->path, -1, SQLITE_STATIC);
			sqlite3_bind_text(r->upd_path, 2, r->root, -1, SQLITE_STATIC);
			sqlite3_bind_int64(r->upd_path, 3, (sqlite3_int64)sb.st_size);
			sqlite3_bind_int64(r->upd_path, 4, m);
			sqlite3_bind_int64(r->upd_path, 5, rid);
			if ((rc = step_done(r, r->upd_path, "rename")) == NOTES_OK)
				rc = seen_mark(r, rid);
			r->st->renamed++;
			goto out;
		}
		if (rid) {   /* renamed, and the name gives title or date */
			id = rid;
			renamed = 1;
		}
	}

	/* Claimed now, so that a later file with the same content does not
	 * take this note too while the job waits. */
	if (id && (rc = seen_mark(r, id)) != NOTES_OK)
		goto out;
	/* Parsed on the other core; written (in walk order) by pipe_write_one,
	 * which does the batch accounting. */
	rc = pipe_push(r, strdup(e->path), buf, len, &sb, hash, id, renamed);
	return rc;
out:
	/* Touched and renamed notes are writes too: they count toward the
	 * batch, so a killed run never loses more than one batch. */
	if (rc == NOTES_OK && r->in_txn) {
		r->batch_notes++;
		rc = batch_maybe_commit(r);
	}
	free(buf);
	return rc;
}

static notes_status remember_unread(run *r, const char *path)
{
	char **p = realloc(r->unread, (r->nunread + 1) * sizeof *p);
	if (!p)
		return NOTES_E_NOMEM;
	r->unread = p;
	if (!(r->unread[r->nunread] = strdup(path)))
		return NOTES_E_NOMEM;
	r->nunread++;
	return NOTES_OK;
}

/* Whether path lies below a folder the walk could not read. */
static int under_unread(const run *r, const char *path)
{
	for (size_t i = 0; i < r->nunread; i++) {
		size_t n = strlen(r->unread[i]);
		if (strncmp(path, r->unread[i], n) == 0 && path[n] == '/')
			return 1;
	}
	return 0;
}

/* Delete notes of `root` not seen in this run whose file is really gone or
 * no longer a note.  A file we cannot even stat (EACCES on a folder) keeps its
 * entry: an unreadable folder must not silently empty the index. */
static notes_status sweep_root(run *r, const char *root)
{
	sqlite3_stmt *s = NULL;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT id, path FROM notes%s WHERE root=?1", r->sfx);
	int rc = sqlite3_prepare_v2(r->h, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(r, rc, "sweep");
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	/* Collect first: deleting while stepping the same table is legal in
	 * SQLite but keeps the read cursor's snapshot semantics murky. */
	sqlite3_int64 *gone = NULL;
	size_t ngone = 0, cap = 0;
	notes_status st = NOTES_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(s, 0);
		if (seen_has(r, id))
			continue;
		const char *path = (const char *)sqlite3_column_text(s, 1);
		struct stat sb;
		if (path && under_unread(r, path))
			continue;
		if (path && lstat(path, &sb) != 0 && errno != ENOENT && errno != ENOTDIR)
			continue;
		if (ngone == cap) {
			cap = cap ? cap * 2 : 64;
			sqlite3_int64 *p = realloc(gone, cap * sizeof *p);
			if (!p) {
				st = NOTES_E_NOMEM;
				break;
			}
			gone = p;
		}
		gone[ngone++] = id;
	}
	if (st == NOTES_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		st = db_fail(r, rc, "sweep");
	sqlite3_finalize(s);
	for (size_t i = 0; i < ngone && st == NOTES_OK; i++) {
		if ((st = batch_begin(r)) != NOTES_OK)
			break;
		if ((st = delete_note(r, gone[i])) != NOTES_OK)
			break;
		r->st->deleted++;
		r->batch_notes++;
		st = batch_maybe_commit(r);
	}
	free(gone);
	return st;
}

static notes_status walk_root(run *r, const char *root)
{
	notes_walk_opts wo = {r->o->exts, r->o->nexts, r->o->max_size};
	notes_walk *w = NULL;
	notes_status st = notes_walk_open(root, &wo, &w);
	if (st != NOTES_OK) {
		if (st == NOTES_E_NOMEM)
			return st;
		/* A root that is gone (unmounted disk?) is a warning; its notes
		 * stay in the index until it is back or forgotten. */
		warn(r, root, 0, "archive root not readable (%s); its notes are kept",
		     st == NOTES_E_IO ? strerror(errno) : notes_status_str(st));
		r->root_gone = 1;
		return NOTES_DONE;
	}
	r->root = root;
	notes_walk_entry e;
	while ((st = notes_walk_next(w, &e)) == NOTES_OK) {
		if (e.skip != NOTES_OK) {
			r->st->skipped++;
			warn(r, e.path, 0, "skipped: %s", e.reason ? e.reason : notes_status_str(e.skip));
			/* Notes below a folder we could not read are kept. */
			if (e.skip == NOTES_E_IO && (st = remember_unread(r, e.path)) != NOTES_OK)
				break;
			continue;
		}
		if ((st = index_file(r, w, &e)) != NOTES_OK)
			break;
		r->st->seconds = now_s() - r->t0;
		if (r->o->on_progress)
			r->o->on_progress(r->o->ctx, r->st);
	}
	if (st == NOTES_DONE)
		st = NOTES_OK;
	if (st == NOTES_OK)   /* every note of this root written before the sweep */
		st = pipe_drain(r);
	notes_walk_close(w);
	return st;
}

static notes_status add_root(run *r, const char *root)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(r->h,
		"INSERT OR IGNORE INTO roots(path, added) VALUES(?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(r, rc, "roots");
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? NOTES_OK : db_fail(r, rc, "roots");
}

static notes_status count_expected(run *r, const char *root)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(r->h, "SELECT count(*) FROM notes WHERE root=?1", -1, &s, NULL) != SQLITE_OK)
		return NOTES_OK;   /* only for the ETA; a fresh schema may lack it */
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		r->st->expected += (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return NOTES_OK;
}

/* Replace the live tables with the freshly built *_new ones, atomically. */
static notes_status swap_in_new(run *r)
{
	static const char *sql =
		"BEGIN IMMEDIATE;"
		"DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS notes; DROP TABLE IF EXISTS fields;"
		"DROP TABLE IF EXISTS content;"
		"ALTER TABLE fts_new RENAME TO fts;"
		"ALTER TABLE notes_new RENAME TO notes;"
		"ALTER TABLE fields_new RENAME TO fields;"
		"ALTER TABLE content_new RENAME TO content;"
		"DROP INDEX IF EXISTS notes_new_path; DROP INDEX IF EXISTS notes_new_hash;"
		"DROP INDEX IF EXISTS fields_new_note;"
		"CREATE UNIQUE INDEX notes_path ON notes(path);"
		"CREATE INDEX notes_hash ON notes(hash);"
		"CREATE INDEX notes_root ON notes(root);"
		"CREATE INDEX notes_date ON notes(date);"
		"CREATE INDEX fields_note ON fields(note);"
		"CREATE INDEX fields_kv ON fields(key, value);";
	int rc = sqlite3_exec(r->h, sql, NULL, NULL, NULL);
	notes_status st = rc == SQLITE_OK ? notes_db_stamp_versions(r->db) : db_fail(r, rc, "swap");
	if (st == NOTES_OK) {
		rc = sqlite3_exec(r->h, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			st = db_fail(r, rc, "swap");
	}
	if (st != NOTES_OK)
		sqlite3_exec(r->h, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

/* Record what the run did, for --status and for the query languages. */
static notes_status stamp_run(run *r)
{
	notes_status st = NOTES_OK;
	char v[64];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(v, sizeof v, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((st = notes_db_meta_set(r->db, "last_run", v)) != NOTES_OK)
		return st;
	snprintf(v, sizeof v, "%.3f", now_s() - r->t0);
	if ((st = notes_db_meta_set(r->db, "last_run_seconds", v)) != NOTES_OK)
		return st;
	snprintf(v, sizeof v, "%llu", (unsigned long long)r->st->warnings);
	if ((st = notes_db_meta_set(r->db, "last_run_warnings", v)) != NOTES_OK)
		return st;

	/* Query languages: English plus every other stemmer a note uses. */
	notes_buf langs = NOTES_BUF_INIT;
	notes_buf_append_str(&st, &langs, "english");
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(r->h, "SELECT DISTINCT lang FROM notes WHERE lang IS NOT NULL",
			       -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *stem = notes_lang_stemmer((const char *)sqlite3_column_text(s, 0));
			if (!stem || !langs.p)
				continue;
			/* dedupe on whole names within the comma list */
			char needle[64];
			snprintf(needle, sizeof needle, ",%s,", stem);
			notes_buf tmp = NOTES_BUF_INIT;
			notes_buf_printf(&st, &tmp, ",%s,", langs.p);
			if (tmp.p && !strstr(tmp.p, needle))
				notes_buf_printf(&st, &langs, ",%s", stem);
			notes_buf_free(&tmp);
		}
	}
	sqlite3_finalize(s);
	if (st == NOTES_OK)
		st = notes_db_meta_set(r->db, "langs", langs.p);
	notes_buf_free(&langs);
	return st;
}

notes_status notes_index_roots(notes_db *db, char ***roots, size_t *n)
{
	*roots = NULL;
	*n = 0;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(notes_db_handle(db),
		"SELECT path FROM roots ORDER BY added, path", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return NOTES_E_DB;
	size_t cap = 0;
	notes_status st = NOTES_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			char **p = realloc(*roots, cap * sizeof *p);
			if (!p) {
				st = NOTES_E_NOMEM;
				break;
			}
			*roots = p;
		}
		char *v = strdup((const char *)sqlite3_column_text(s, 0));
		if (!v) {
			st = NOTES_E_NOMEM;
			break;
		}
		(*roots)[(*n)++] = v;
	}
	if (st == NOTES_OK && rc != SQLITE_DONE)
		st = NOTES_E_DB;
	sqlite3_finalize(s);
	if (st != NOTES_OK) {
		notes_index_roots_free(*roots, *n);
		*roots = NULL;
		*n = 0;
	}
	return st;
}

void notes_index_roots_free(char **roots, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(roots[i]);
	free(roots);
}

notes_status notes_index_forget(notes_db *db, const char *root, uint64_t *removed)
{
	sqlite3 *h = notes_db_handle(db);
	*removed = 0;
	notes_status st = notes_db_exec(db, "BEGIN IMMEDIATE");
	if (st != NOTES_OK)
		return st;
	sqlite3_stmt *s = NULL;
	const char *sql[] = {
		"INSERT INTO fts(fts, rowid, title, headings, meta, body, code)"
		" SELECT 'delete', id, notes_unzip(title), notes_unzip(headings),"
		" notes_unzip(meta), notes_unzip(body), notes_unzip(code)"
		" FROM content WHERE id IN (SELECT id FROM notes WHERE root=?1)",
		"DELETE FROM content WHERE id IN (SELECT id FROM notes WHERE root=?1)",
		"DELETE FROM fields WHERE note IN (SELECT id FROM notes WHERE root=?1)",
		"DELETE FROM notes WHERE root=?1",
		"DELETE FROM roots WHERE path=?1",
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0] && st == NOTES_OK; i++) {
		if (sqlite3_prepare_v2(h, sql[i], -1, &s, NULL) != SQLITE_OK) {
			st = NOTES_E_DB;
			break;
		}
		sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			st = NOTES_E_DB;
		if (i == 3)
			*removed = (uint64_t)sqlite3_changes(h);
		sqlite3_finalize(s);
	}
	if (st == NOTES_OK)
		return notes_db_exec(db, "COMMIT");
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

void notes_index_status_free(notes_index_status_info *info)
{
	notes_db_counts_free(info->roots, info->nroots);
	free(info->last_run);
	memset(info, 0, sizeof *info);
}

/* One integer from SQL, or -1 (a query of the status is never fatal). */
static int64_t status_count(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

notes_status notes_index_status(notes_db *db, notes_index_status_info *info)
{
	memset(info, 0, sizeof *info);
	info->last_seconds = -1;
	info->last_warnings = -1;
	sqlite3 *h = notes_db_handle(db);
	/* One snapshot for every number. */
	int txn = sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	notes_status st = notes_db_counts(db, NOTES_DB_ROOTS_SQL, &info->roots, &info->nroots);
	if (st == NOTES_OK) {
		int64_t n = status_count(h, "SELECT count(*) FROM notes");
		int64_t w = status_count(h, "SELECT count(*) FROM notes WHERE nwarn > 0");
		info->notes = n > 0 ? (uint64_t)n : 0;
		info->notes_warned = w > 0 ? (uint64_t)w : 0;
	}
	char *v = NULL;
	if (st == NOTES_OK && notes_db_meta_get(db, "last_run", &v) == NOTES_OK)
		info->last_run = v;
	v = NULL;
	if (st == NOTES_OK && notes_db_meta_get(db, "last_run_seconds", &v) == NOTES_OK && v)
		info->last_seconds = strtod(v, NULL);
	free(v);
	v = NULL;
	if (st == NOTES_OK && notes_db_meta_get(db, "last_run_warnings", &v) == NOTES_OK && v)
		info->last_warnings = strtoll(v, NULL, 10);
	free(v);
	if (txn)
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	struct stat sb;
	char wal[PATH_MAX + 8];
	if (stat(notes_db_path(db), &sb) == 0)
		info->db_bytes += (uint64_t)sb.st_size;
	snprintf(wal, sizeof wal, "%s-wal", notes_db_path(db));
	if (stat(wal, &sb) == 0)
		info->db_bytes += (uint64_t)sb.st_size;
	if (st != NOTES_OK)
		notes_index_status_free(info);
	return st;
}

static int str_in(const char *s, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return 1;
	return 0;
}

notes_status notes_index_run(notes_db *db, const char *const *roots, size_t nroots,
			     const notes_index_opts *opts, notes_index_stats *stats,
			     char **errmsg)
{
	run r;
	memset(&r, 0, sizeof r);
	memset(stats, 0, sizeof *stats);
	r.db = db;
	r.h = notes_db_handle(db);
	r.o = opts;
	r.st = stats;
	r.t0 = now_s();
	r.sfx = opts->full ? "_new" : "";
	stats->full = opts->full;
	if (errmsg)
		*errmsg = NULL;

	char **all = NULL;
	size_t nall = 0;
	notes_status st = NOTES_OK;

	/* Remember the given roots; a full rebuild covers every root. */
	if ((st = notes_db_exec(db, "BEGIN IMMEDIATE")) != NOTES_OK) {
		set_err(&r, "cannot write the index: %s", notes_db_errmsg(db));
		goto done;
	}
	for (size_t i = 0; i < nroots && st == NOTES_OK; i++)
		st = add_root(&r, roots[i]);
	/* A killed full rebuild leaves *_new tables behind: drop them, or
	 * create them fresh for this rebuild. */
	if (st == NOTES_OK) {
		if (opts->full)
			st = notes_db_schema_create(db, "_new", true);
		else
			st = notes_db_exec(db, "DROP TABLE IF EXISTS fts_new; DROP TABLE IF EXISTS"
					   " notes_new; DROP TABLE IF EXISTS fields_new;"
					   " DROP TABLE IF EXISTS content_new;");
		if (st != NOTES_OK)
			set_err(&r, "cannot prepare tables: %s", notes_db_errmsg(db));
	}
	if (st == NOTES_OK && (opts->full || opts->bulk)) {
		st = fts_setting(&r, "automerge", BUILD_AUTOMERGE);
		if (st == NOTES_OK)
			st = fts_setting(&r, "crisismerge", BUILD_CRISISMERGE);
	}
	if (st == NOTES_OK)
		st = notes_db_exec(db, "COMMIT");
	else
		notes_db_exec(db, "ROLLBACK");
	if (st != NOTES_OK)
		goto done;

	if (opts->full) {
		if ((st = notes_index_roots(db, &all, &nall)) != NOTES_OK)
			goto done;
	} else {
		all = calloc(nroots ? nroots : 1, sizeof *all);
		if (!all) {
			st = NOTES_E_NOMEM;
			goto done;
		}
		for (size_t i = 0; i < nroots; i++) {
			if (str_in(roots[i], all, nall))
				continue;
			if (!(all[nall] = strdup(roots[i]))) {
				st = NOTES_E_NOMEM;
				goto done;
			}
			nall++;
		}
	}
	for (size_t i = 0; i < nall; i++)
		count_expected(&r, all[i]);

	if ((st = prepare_all(&r)) != NOTES_OK || (st = pipe_start(&r)) != NOTES_OK) {
		pipe_stop(&r);
		finalize_all(&r);
		goto done;
	}
	for (size_t i = 0; i < nall && st == NOTES_OK; i++) {
		st = walk_root(&r, all[i]);
		if (st == NOTES_DONE) {   /* root unreadable: keep its notes */
			st = NOTES_OK;
			continue;
		}
		if (st == NOTES_OK && !opts->full)
			st = sweep_root(&r, all[i]);
	}
	pipe_stop(&r);
	if (st == NOTES_OK)
		st = batch_commit(&r);
	finalize_all(&r);
	/* A whole build ends as one segment (see BUILD_AUTOMERGE); each
	 * command is a transaction of its own, and a build killed between
	 * them is thrown away whole (a first build's file, *_new tables).
	 * The merge only makes searches faster: when it fails (a full disk),
	 * SQLite rolls it back and the index, whole in more segments, stays. */
	if (st == NOTES_OK && (opts->full || opts->bulk) && !r.root_gone) {
		char sql[64];
		snprintf(sql, sizeof sql, "INSERT INTO fts%1$s(fts%1$s) VALUES('optimize')", r.sfx);
		int orc = sqlite3_exec(r.h, sql, NULL, NULL, NULL);
		if (orc != SQLITE_OK)
			warn(&r, notes_db_path(db), 0, "index left in several segments (searches are slower"
			     " until the next --full): %s", sqlite3_errmsg(r.h));
		st = fts_setting(&r, "automerge", LIVE_AUTOMERGE);
		if (st == NOTES_OK)
			st = fts_setting(&r, "crisismerge", LIVE_CRISISMERGE);
	}
	if (st == NOTES_OK && opts->full && r.root_gone) {
		/* A rebuild without one of the roots would drop its notes:
		 * keep the old index whole instead. */
		notes_db_exec(db, "DROP TABLE IF EXISTS fts_new; DROP TABLE IF EXISTS notes_new;"
			      " DROP TABLE IF EXISTS fields_new; DROP TABLE IF EXISTS content_new;");
		set_err(&r, "not rebuilt: an archive root could not be read (see above); "
			"the previous index is unchanged");
		st = NOTES_E_IO;
	}
	if (st == NOTES_OK && opts->full)
		st = swap_in_new(&r);
	if (st == NOTES_OK)
		st = stamp_run(&r);
	if (st == NOTES_OK && (stats->added + stats->updated + stats->deleted) > 0 && !opts->full)
		/* Keep the segment count in check after incremental runs. */
		sqlite3_exec(r.h, "INSERT INTO fts(fts, rank) VALUES('merge', 64)", NULL, NULL, NULL);

done:
	if (r.in_txn)
		sqlite3_exec(r.h, "ROLLBACK", NULL, NULL, NULL);
	stats->seconds = now_s() - r.t0;
	if (st != NOTES_OK && !r.err)
		set_err(&r, "%s", notes_status_str(st));
	if (errmsg)
		*errmsg = r.err;
	else
		free(r.err);
	notes_index_roots_free(all, nall);
	free(r.seen);
	for (size_t i = 0; i < r.nunread; i++)
		free(r.unread[i]);
	free(r.unread);
	return st;
}
