/*
 * walk.h — find the notes of an archive, and read a note file safely.
 *
 * notes_walk visits the directory tree under an archive root and yields every
 * candidate note (a regular file whose name ends in one of the configured
 * extensions), plus a "reported skip" for every candidate it will not index
 * and the reason why, so the indexer can tell the user.  It never opens a
 * note: classification uses stat only, so a FIFO named x.md cannot block it.
 *
 * Order and determinism.  Entries of each directory are visited in byte-wise
 * (strcmp) order, depth first.  Symbolic links are not entered where they are
 * met: the ones that resolve to a place inside the root are queued and
 * visited after the whole tree (first met, first visited), so a note
 * reachable both directly and through a link is indexed under its real path.
 *
 * What is skipped silently: names starting with '.' (files and directories:
 * .git, .obsidian, .trash), files whose name matches no extension, entries
 * that vanish while the walk runs.  What is reported (skip != NOTES_OK):
 * candidate files that are not regular files or are too large; symbolic links
 * that leave the root, dangle, loop, or lead to a directory already visited;
 * directories that cannot be read; a second name for a file already yielded.
 *
 * Resources.  The walk is iterative (no recursion); a 10,000-deep directory
 * chain works and paths may exceed PATH_MAX.  Every directory on the current
 * path keeps its names in memory (only non-hidden names are stored); at most
 * NOTES_WALK_KEEP_FDS + 3 file descriptors are open at once, deeper
 * directories are reopened through ".." when the walk climbs back.  To yield
 * each file once and enter each directory once, the walk remembers the
 * (st_dev, st_ino) of every directory entered and every note yielded: about
 * 32 bytes each (16-byte keys in a hash table kept at most half full).
 *
 * Paths use "/" and are not normalised beyond realpath(root); symbolic link
 * names are kept (a note under link "view" -> ".archive/2023" is yielded as
 * "<root>/view/...").
 */
#ifndef NOTES_WALK_H
#define NOTES_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "notes/status.h"

/* The size limit applied when the caller passes max_size 0. */
#define NOTES_WALK_DEFAULT_MAX_SIZE ((uint64_t)16 << 20)
/* Directories nearer the root than this keep their descriptor open. */
#define NOTES_WALK_KEEP_FDS 64

typedef struct notes_walk notes_walk;   /* opaque */

typedef struct notes_walk_opts {
	const char *const *exts; /* extensions without the dot, e.g. {"md", "markdown"},
				    matched case-insensitively against the end of the name
				    (which must have a non-empty stem); copied by
				    notes_walk_open.  NULL or nexts 0: {"md", "markdown"} */
	size_t nexts;            /* number of strings in exts */
	uint64_t max_size;       /* candidates larger than this many bytes are reported
				    (NOTES_E_TOOBIG); 0 means NOTES_WALK_DEFAULT_MAX_SIZE */
} notes_walk_opts;

typedef struct notes_walk_entry {
	const char *path;     /* absolute path: realpath(root) + "/" + relpath; owned by
				 the walk, valid until the next notes_walk_next/close.
				 May be longer than PATH_MAX in very deep trees: read
				 notes with notes_walk_read, which does not need it. */
	const char *relpath;  /* path below the root, link names kept; points into path */
	notes_status skip;    /* NOTES_OK: a note to index.  Otherwise why it is skipped:
				 NOTES_E_TOOBIG   larger than max_size;
				 NOTES_E_NOTREG   FIFO, socket or device;
				 NOTES_E_NOTFOUND dangling symbolic link;
				 NOTES_E_RANGE    link outside the root, link loop,
						  directory already visited, or another
						  name for a note already yielded;
				 NOTES_E_IO       a system call failed (see err). */
	int err;              /* the errno behind a NOTES_E_IO skip, else 0 */
	const char *reason;   /* when skip != NOTES_OK: lower-case English reason, e.g.
				 "symbolic link points outside the archive root",
				 "not a regular file (FIFO)", "cannot read directory:
				 permission denied", "larger than 16 MiB (--max-size)";
				 "" for notes.  Same lifetime as path. */
	struct stat st;       /* when skip == NOTES_OK: stat of the note (through the
				 link for links): size, mtime, dev, ino.  Zeroed for
				 skips. */
} notes_walk_entry;

/*
 * Start a walk of the directory `root` (symbolic links in it are resolved).
 * opts may be NULL for the defaults.  On success *out owns the walk: free it
 * with notes_walk_close.  On failure *out is NULL and the status says why,
 * with errno set: NOTES_E_NOTFOUND (root does not exist), NOTES_E_IO (not a
 * directory: ENOTDIR; unreadable: EACCES; ...), NOTES_E_USAGE (NULL root or a
 * NULL/empty extension), NOTES_E_NOMEM.
 */
notes_status notes_walk_open(const char *root, const notes_walk_opts *opts,
			     notes_walk **out);

/*
 * Advance.  NOTES_OK: *e describes a note (e->skip == NOTES_OK) or a reported
 * skip.  NOTES_DONE: the walk is over.  NOTES_E_NOMEM: out of memory; the walk
 * cannot continue and every later call returns NOTES_E_NOMEM again.
 * Problems with individual files and directories are never returned here:
 * they are reported through e->skip and the walk goes on.
 */
notes_status notes_walk_next(notes_walk *w, notes_walk_entry *e);

/*
 * Read the note last returned by notes_walk_next (its e->skip must have been
 * NOTES_OK, else NOTES_E_USAGE), with the contract of notes_file_read and the
 * walk's max_size.  The file is opened relative to its directory's open
 * descriptor, so this works for any depth, and a symbolic link swapped in for
 * the note after the walk saw it is not followed (NOTES_E_IO, errno ELOOP).
 * *st receives the fstat of what was actually read (may be NULL).
 */
notes_status notes_walk_read(notes_walk *w, char **buf, size_t *len, struct stat *st);

/* realpath(root); owned by the walk, valid until notes_walk_close. */
const char *notes_walk_root(const notes_walk *w);

/* Close every descriptor and free everything.  NULL is allowed. */
void notes_walk_close(notes_walk *w);

/*
 * Read the whole regular file at `path` into a new NUL-terminated buffer.
 * Opened with O_NONBLOCK|O_NOCTTY (a FIFO or device swapped in cannot block
 * or become the controlling terminal), then fstat'ed: refuses what is not a
 * regular file (NOTES_E_NOTREG) or larger than max_size bytes
 * (NOTES_E_TOOBIG, also when the file grows past it while being read: at most
 * max_size + 1 bytes are read).  Contents with a NUL byte: NOTES_E_BINARY.
 * open/read failures: NOTES_E_IO with errno preserved (ENOENT, EACCES, ...).
 * Out of memory: NOTES_E_NOMEM.
 * On success *buf (caller frees) holds *len bytes plus a terminating NUL;
 * on failure *buf is NULL and *len 0.  *st (may be NULL) receives the fstat of
 * the opened file whenever that fstat succeeded.
 */
notes_status notes_file_read(const char *path, uint64_t max_size, char **buf,
			     size_t *len, struct stat *st);

#endif
