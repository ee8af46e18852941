/* walk.c — archive walk and safe note reading (see walk.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "notes/buf.h"
#include "walk.h"

/* What one step of the walk produced. */
enum { WALK_GO_ON, WALK_REPORT };

/* Where the last yielded note can be opened from (notes_walk_read). */
enum { WALK_LAST_NONE, WALK_LAST_FRAME, WALK_LAST_LINK };

/* Flags for opening a directory found by the walk.  O_NONBLOCK: should the
 * name have become a FIFO since readdir, O_DIRECTORY fails before any wait. */
#define WALK_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
/* Flags for opening a note: see notes_file_read. */
#define WALK_FILE_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/* ---- a set of (st_dev, st_ino) ------------------------------------------ */

/* One key; (WALK_EMPTY, WALK_EMPTY) marks a free slot (no real file has it). */
typedef struct walk_key {
	uint64_t dev;   /* st_dev */
	uint64_t ino;   /* st_ino */
} walk_key;
#define WALK_EMPTY UINT64_MAX

/* Open addressing, linear probing, capacity a power of two, at most half full. */
typedef struct walk_set {
	walk_key *slot; /* cap slots; owned */
	size_t cap;     /* 0 or a power of two */
	size_t n;       /* keys stored */
} walk_set;

static size_t walk_hash(uint64_t dev, uint64_t ino)
{
	uint64_t x = ino ^ (dev * 0x9e3779b97f4a7c15u);
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	x ^= x >> 31;
	return (size_t)x;
}

static bool walk_set_has(const walk_set *s, const struct stat *st)
{
	if (s->cap == 0)
		return false;
	uint64_t dev = (uint64_t)st->st_dev, ino = (uint64_t)st->st_ino;
	for (size_t i = walk_hash(dev, ino) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i].dev == dev && s->slot[i].ino == ino)
			return true;
		if (s->slot[i].dev == WALK_EMPTY && s->slot[i].ino == WALK_EMPTY)
			return false;
	}
}

static void walk_set_put(walk_key *slot, size_t cap, uint64_t dev, uint64_t ino)
{
	size_t i = walk_hash(dev, ino) & (cap - 1);
	while (!(slot[i].dev == WALK_EMPTY && slot[i].ino == WALK_EMPTY))
		i = (i + 1) & (cap - 1);
	slot[i].dev = dev;
	slot[i].ino = ino;
}

/* Add st's identity (the caller checked it is absent).  Sticky status. */
static void walk_set_add(notes_status *rc, walk_set *s, const struct stat *st)
{
	if (*rc != NOTES_OK)
		return;
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		if (cap > SIZE_MAX / sizeof(walk_key)) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		walk_key *slot = malloc(cap * sizeof *slot);
		if (!slot) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		memset(slot, 0xff, cap * sizeof *slot);
		for (size_t i = 0; i < s->cap; i++)
			if (!(s->slot[i].dev == WALK_EMPTY && s->slot[i].ino == WALK_EMPTY))
				walk_set_put(slot, cap, s->slot[i].dev, s->slot[i].ino);
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	walk_set_put(s->slot, s->cap, (uint64_t)st->st_dev, (uint64_t)st->st_ino);
	s->n++;
}

/* ---- the walk ------------------------------------------------------------ */

/* One name read from a directory. */
typedef struct walk_name {
	size_t off;          /* offset of the NUL-terminated name in w->names */
	unsigned char type;  /* d_type from readdir; DT_UNKNOWN when the fs does not say */
} walk_name;

/* One directory on the current path, root (or link target) first. */
typedef struct walk_frame {
	int fd;              /* its open descriptor; -1 while closed to save descriptors */
	dev_t dev;           /* its identity, to verify a reopen and to detect loops */
	ino_t ino;
	size_t first, end;   /* its names are w->ents[first..end), sorted */
	size_t next;         /* index of the next name to visit */
	size_t names_off;    /* w->names.n before its names were added */
	size_t pathlen;      /* length of "<root>/<rel>/" in w->path */
} walk_frame;

/* A symbolic link to a place inside the root, visited after the tree. */
typedef struct walk_link {
	char *rel;           /* relpath of the link itself; owned */
	char *real;          /* realpath of its target; owned */
	struct stat st;      /* stat of the target when the link was met */
} walk_link;

struct notes_walk {
	notes_status rc;     /* NOTES_E_NOMEM once an allocation failed (sticky) */
	char *root;          /* realpath(root); owned */
	size_t prefix;       /* length of "<root>/" ("/" for the root "/") */
	char **exts;         /* extensions, copied; owned */
	size_t nexts;        /* number of exts */
	uint64_t max_size;   /* size limit for notes */
	notes_buf path;      /* absolute path of the current entry */
	char reason[320];    /* reason of the current report */
	notes_buf names;     /* NUL-terminated names of every frame, stacked */
	walk_name *ents;     /* index into names, stacked like frames; owned */
	size_t nents, entcap;
	walk_frame *frames;  /* the current directory path; owned */
	size_t nframes, framecap;
	walk_link *links;    /* queue of links; links[linkhead..nlinks) are pending */
	size_t nlinks, linkhead, linkcap;
	walk_set dirs;       /* every directory entered */
	walk_set files;      /* every note yielded */
	int last;            /* WALK_LAST_*: where the last yielded note is */
	char *last_real;     /* for WALK_LAST_LINK: the note's realpath; owned */
};

/* Make room for `need` items of `size` bytes in *p.  Sticky status. */
static void walk_grow(notes_status *rc, void **p, size_t *cap, size_t need, size_t size)
{
	if (*rc != NOTES_OK || need <= *cap)
		return;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / size) {
			*rc = NOTES_E_NOMEM;
			return;
		}
		ncap *= 2;
	}
	void *np = realloc(*p, ncap * size);
	if (!np) {
		*rc = NOTES_E_NOMEM;
		return;
	}
	*p = np;
	*cap = ncap;
}

static int walk_cmp(const void *a, const void *b, void *arg)
{
	const char *base = arg;
	return strcmp(base + ((const walk_name *)a)->off, base + ((const walk_name *)b)->off);
}

static bool walk_ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Does `name` end in "." + one of the extensions, after a non-empty stem? */
static bool walk_ext_match(const notes_walk *w, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < w->nexts; i++) {
		size_t k = strlen(w->exts[i]);
		if (n > k + 1 && name[n - k - 1] == '.' && walk_ascii_ieq(name + n - k, w->exts[i]))
			return true;
	}
	return false;
}

static void walk_path_truncate(notes_walk *w, size_t n)
{
	w->path.n = n;
	if (w->path.p)
		w->path.p[n] = '\0';
}

static void walk_fill(notes_walk *w, notes_walk_entry *e)
{
	e->path = w->path.p;
	e->relpath = w->path.p + w->prefix;
	e->reason = w->reason;
}

/* Describe a skip of the current path. */
__attribute__((format(printf, 5, 6)))
static int walk_report(notes_walk *w, notes_walk_entry *e, notes_status skip, int err,
		       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->reason, sizeof w->reason, fmt, ap);
	va_end(ap);
	walk_fill(w, e);
	e->skip = skip;
	e->err = skip == NOTES_E_IO ? err : 0;
	return WALK_REPORT;
}

/* Report a failed system call as "<what>: <strerror, lower-case>". */
static int walk_report_errno(notes_walk *w, notes_walk_entry *e, int err, const char *what)
{
	char msg[256];
	const char *s = strerror_r(err, msg, sizeof msg);
	walk_report(w, e, NOTES_E_IO, err, "%s: %s", what, s);
	char *p = w->reason + strlen(what) + 2;
	if ((size_t)(p - w->reason) < sizeof w->reason && *p >= 'A' && *p <= 'Z')
		*p = (char)(*p - 'A' + 'a');
	return WALK_REPORT;
}

static const char *walk_type_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "FIFO";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISCHR(mode))
		return "character device";
	if (S_ISBLK(mode))
		return "block device";
	if (S_ISDIR(mode))
		return "directory";
	return "special file";
}

static void walk_size_str(uint64_t v, char *buf, size_t n)
{
	if (v >= ((uint64_t)1 << 20) && v % ((uint64_t)1 << 20) == 0)
		snprintf(buf, n, "%llu MiB", (unsigned long long)(v >> 20));
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(buf, n, "%llu KiB", (unsigned long long)(v >> 10));
	else
		snprintf(buf, n, "%llu bytes", (unsigned long long)v);
}

/* Report a candidate that cannot be a note: not regular, or too large. */
static int walk_check_file(notes_walk *w, const struct stat *st, notes_walk_entry *e)
{
	if (!S_ISREG(st->st_mode))
		return walk_report(w, e, NOTES_E_NOTREG, 0, "not a regular file (%s)",
				   walk_type_name(st->st_mode));
	if ((uint64_t)st->st_size > w->max_size) {
		char lim[64];
		walk_size_str(w->max_size, lim, sizeof lim);
		return walk_report(w, e, NOTES_E_TOOBIG, 0, "larger than %s (--max-size)", lim);
	}
	return WALK_GO_ON;
}

/* Yield the current path as a note unless the same file was yielded already. */
static int walk_yield(notes_walk *w, const struct stat *st, notes_walk_entry *e, int last)
{
	if (walk_set_has(&w->files, st))
		return walk_report(w, e, NOTES_E_RANGE, 0,
				   "same file as a note already indexed (hard or symbolic link)");
	walk_set_add(&w->rc, &w->files, st);
	if (w->rc != NOTES_OK)
		return WALK_GO_ON;
	w->reason[0] = '\0';
	walk_fill(w, e);
	e->skip = NOTES_OK;
	e->st = *st;
	w->last = last;
	return WALK_REPORT;
}

static bool walk_on_stack(const notes_walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nframes; i++)
		if (w->frames[i].dev == st->st_dev && w->frames[i].ino == st->st_ino)
			return true;
	return false;
}

static bool walk_same(int fd, const walk_frame *f)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino;
}

/*
 * Read the non-hidden names of the directory open as `fd` (whose path is in
 * w->path) and make it the current frame, taking ownership of fd.  Returns 0,
 * or the errno that kept the directory from being read (fd not taken).
 * Out of memory: 0 with w->rc set, fd not taken.
 */
static int walk_push(notes_walk *w, int fd, const struct stat *st)
{
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return errno;
	DIR *d = fdopendir(dfd);
	if (!d) {
		int err = errno;
		close(dfd);
		return err;
	}
	size_t names_off = w->names.n, first = w->nents;
	int err = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			err = errno;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		walk_grow(&w->rc, (void **)&w->ents, &w->entcap, w->nents + 1, sizeof *w->ents);
		if (w->rc != NOTES_OK)
			break;
		w->ents[w->nents].off = w->names.n;
		w->ents[w->nents].type = de->d_type;
		notes_buf_append(&w->rc, &w->names, de->d_name, strlen(de->d_name) + 1);
		if (w->rc != NOTES_OK)
			break;
		w->nents++;
	}
	closedir(d);
	if (err == 0 && w->rc == NOTES_OK) {
		walk_grow(&w->rc, (void **)&w->frames, &w->framecap, w->nframes + 1,
			  sizeof *w->frames);
		if (w->path.n == 0 || w->path.p[w->path.n - 1] != '/')
			notes_buf_append_char(&w->rc, &w->path, '/');
		walk_set_add(&w->rc, &w->dirs, st);
	}
	if (err != 0 || w->rc != NOTES_OK) {
		w->names.n = names_off;
		w->nents = first;
		return err;
	}
	if (w->nents - first > 1)
		qsort_r(w->ents + first, w->nents - first, sizeof *w->ents, walk_cmp, w->names.p);
	/* Directories far from the root give up their descriptor while their
	 * subdirectories are walked; walk_reopen gets it back. */
	if (w->nframes > NOTES_WALK_KEEP_FDS) {
		walk_frame *parent = &w->frames[w->nframes - 1];
		close(parent->fd);
		parent->fd = -1;
	}
	walk_frame *f = &w->frames[w->nframes++];
	f->fd = fd;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->first = first;
	f->end = w->nents;
	f->next = first;
	f->names_off = names_off;
	f->pathlen = w->path.n;
	return 0;
}

/* Enter the directory open as fd (its path in w->path) unless already entered. */
static int walk_enter(notes_walk *w, int fd, const struct stat *st, notes_walk_entry *e)
{
	if (walk_set_has(&w->dirs, st)) {
		close(fd);
		return walk_report(w, e, NOTES_E_RANGE, 0, "%s",
				   walk_on_stack(w, st) ? "directory loop" : "directory already visited");
	}
	int err = walk_push(w, fd, st);
	if (err != 0 || w->rc != NOTES_OK) {
		close(fd);
		if (err != 0)
			return walk_report_errno(w, e, err, "cannot read directory");
	}
	return WALK_GO_ON;
}

/* Open frame k again by walking down from the nearest open ancestor, checking
 * each directory's identity.  Returns the descriptor or -1. */
static int walk_descend(notes_walk *w, size_t k)
{
	size_t j = k;
	while (j > 0 && w->frames[j - 1].fd < 0)
		j--;
	if (j == 0)
		return -1;
	j--;
	int cur = w->frames[j].fd;
	for (size_t m = j + 1; m <= k; m++) {
		size_t from = w->frames[m - 1].pathlen, len = w->frames[m].pathlen - 1 - from;
		char name[NAME_MAX + 1];
		int fd = -1;
		if (len <= NAME_MAX) {
			memcpy(name, w->path.p + from, len);
			name[len] = '\0';
			fd = openat(cur, name, WALK_DIR_FLAGS);
		}
		if (cur != w->frames[j].fd)
			close(cur);
		if (fd < 0)
			return -1;
		if (!walk_same(fd, &w->frames[m])) {
			close(fd);
			return -1;
		}
		cur = fd;
	}
	return cur;
}

/* The current frame lost its descriptor: get it back through ".." of the
 * child just left (child_fd, or -1), else from an ancestor.  Failing that, the
 * rest of the directory is reported and skipped. */
static int walk_reopen(notes_walk *w, int child_fd, notes_walk_entry *e)
{
	walk_frame *f = &w->frames[w->nframes - 1];
	int fd = -1;
	if (child_fd >= 0) {
		fd = openat(child_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && !walk_same(fd, f)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		fd = walk_descend(w, w->nframes - 1);
	if (fd >= 0) {
		f->fd = fd;
		return WALK_GO_ON;
	}
	f->next = f->end;
	walk_path_truncate(w, f->pathlen - 1);
	return walk_report(w, e, NOTES_E_IO, ESTALE,
			   "directory changed during the walk; rest of it skipped");
}

/* Leave the current directory. */
static int walk_pop(notes_walk *w, notes_walk_entry *e)
{
	walk_frame *f = &w->frames[w->nframes - 1];
	int child = f->fd;
	w->names.n = f->names_off;
	w->nents = f->first;
	w->nframes--;
	int r = WALK_GO_ON;
	if (w->nframes > 0 && w->frames[w->nframes - 1].fd < 0)
		r = walk_reopen(w, child, e);
	if (child >= 0)
		close(child);
	return r;
}

/* Resolve the target open as tfd (an O_PATH descriptor of the link's target).
 * Returns a malloc'ed realpath, or NULL with *err set (w->rc on NOMEM). */
static char *walk_resolve(notes_walk *w, int tfd, int *err)
{
	char proc[64];
	char *buf = malloc(PATH_MAX);
	if (!buf) {
		w->rc = NOTES_E_NOMEM;
		return NULL;
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", tfd);
	ssize_t n = readlink(proc, buf, PATH_MAX);
	if (n > 0 && n < PATH_MAX && buf[0] == '/') {
		buf[n] = '\0';
		return buf;
	}
	free(buf);
	if (n >= PATH_MAX) {
		*err = ENAMETOOLONG;
		return NULL;
	}
	/* No /proc: resolve the link's own path (fails beyond PATH_MAX). */
	char *real = realpath(w->path.p, NULL);
	if (!real) {
		*err = errno;
		if (*err == ENOMEM)
			w->rc = NOTES_E_NOMEM;
	}
	return real;
}

static bool walk_inside(const notes_walk *w, const char *real)
{
	size_t n = strlen(w->root);
	if (n == 1)   /* the root is "/" */
		return true;
	return strncmp(real, w->root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* A symbolic link `name` in frame f, its path in w->path. */
static int walk_symlink(notes_walk *w, walk_frame *f, const char *name, bool cand,
			notes_walk_entry *e)
{
	int tfd = openat(f->fd, name, O_PATH | O_CLOEXEC);
	if (tfd < 0) {
		int err = errno;
		if (err == ENOENT || err == ENOTDIR)
			return cand ? walk_report(w, e, NOTES_E_NOTFOUND, 0, "dangling symbolic link")
				    : WALK_GO_ON;
		if (err == ELOOP)
			return cand ? walk_report(w, e, NOTES_E_RANGE, 0, "symbolic link loop")
				    : WALK_GO_ON;
		return walk_report_errno(w, e, err, "cannot follow symbolic link");
	}
	struct stat st;
	if (fstat(tfd, &st) != 0) {
		int err = errno;
		close(tfd);
		return walk_report_errno(w, e, err, "cannot follow symbolic link");
	}
	bool dir = S_ISDIR(st.st_mode);
	if (!dir && !cand) {
		close(tfd);
		return WALK_GO_ON;
	}
	int err = 0;
	char *real = walk_resolve(w, tfd, &err);
	close(tfd);
	if (!real)
		return w->rc != NOTES_OK ? WALK_GO_ON
		     : walk_report_errno(w, e, err, "cannot resolve symbolic link");
	int r = WALK_GO_ON;
	if (!walk_inside(w, real))
		r = walk_report(w, e, NOTES_E_RANGE, 0, "symbolic link points outside the archive root");
	else if (dir && walk_set_has(&w->dirs, &st))
		r = walk_report(w, e, NOTES_E_RANGE, 0, "%s",
				walk_on_stack(w, &st) ? "symbolic link loop" : "directory already visited");
	else if (!dir)
		r = walk_check_file(w, &st, e);
	if (r != WALK_GO_ON) {
		free(real);
		return r;
	}
	/* Inside the root: visit it after the tree, so that what is reachable
	 * directly is seen under its real name first. */
	walk_grow(&w->rc, (void **)&w->links, &w->linkcap, w->nlinks + 1, sizeof *w->links);
	char *rel = w->rc == NOTES_OK ? strdup(w->path.p + w->prefix) : NULL;
	if (!rel) {
		w->rc = NOTES_E_NOMEM;
		free(real);
		return WALK_GO_ON;
	}
	walk_link *l = &w->links[w->nlinks++];
	l->rel = rel;
	l->real = real;
	l->st = st;
	return WALK_GO_ON;
}

/* Visit the next name of frame f. */
static int walk_entry(notes_walk *w, walk_frame *f, notes_walk_entry *e)
{
	const walk_name *n = &w->ents[f->next++];
	const char *name = w->names.p + n->off;
	walk_path_truncate(w, f->pathlen);
	notes_buf_append_str(&w->rc, &w->path, name);
	if (w->rc != NOTES_OK)
		return WALK_GO_ON;
	bool cand = walk_ext_match(w, name);
	int type = n->type;
	struct stat st;
	memset(&st, 0, sizeof st);
	if (type == DT_UNKNOWN || (cand && type != DT_DIR && type != DT_LNK)) {
		if (fstatat(f->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			int err = errno;
			if (err == ENOENT)     /* vanished since readdir */
				return WALK_GO_ON;
			return cand || type == DT_UNKNOWN ? walk_report_errno(w, e, err, "cannot stat")
							  : WALK_GO_ON;
		}
		type = IFTODT(st.st_mode);
	}
	if (type == DT_DIR) {
		int fd = openat(f->fd, name, WALK_DIR_FLAGS);
		if (fd < 0) {
			int err = errno;
			return err == ENOENT ? WALK_GO_ON
			     : walk_report_errno(w, e, err, "cannot read directory");
		}
		if (fstat(fd, &st) != 0) {
			int err = errno;
			close(fd);
			return walk_report_errno(w, e, err, "cannot read directory");
		}
		return walk_enter(w, fd, &st, e);
	}
	if (type == DT_LNK)
		return walk_symlink(w, f, name, cand, e);
	if (!cand)
		return WALK_GO_ON;
	int r = walk_check_file(w, &st, e);
	return r != WALK_GO_ON ? r : walk_yield(w, &st, e, WALK_LAST_FRAME);
}

/* Visit the next queued link (the tree is done). */
static int walk_link_visit(notes_walk *w, notes_walk_entry *e)
{
	walk_link l = w->links[w->linkhead++];
	if (w->linkhead == w->nlinks)
		w->linkhead = w->nlinks = 0;
	walk_path_truncate(w, w->prefix);
	notes_buf_append_str(&w->rc, &w->path, l.rel);
	free(l.rel);
	if (w->rc != NOTES_OK) {
		free(l.real);
		return WALK_GO_ON;
	}
	if (!S_ISDIR(l.st.st_mode)) {
		free(w->last_real);
		w->last_real = l.real;
		return walk_yield(w, &l.st, e, WALK_LAST_LINK);
	}
	if (walk_set_has(&w->dirs, &l.st)) {
		free(l.real);
		return walk_report(w, e, NOTES_E_RANGE, 0, "directory already visited");
	}
	int fd = open(l.real, WALK_DIR_FLAGS);
	free(l.real);
	if (fd < 0)
		return walk_report_errno(w, e, errno, "cannot read directory");
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_dev != l.st.st_dev || st.st_ino != l.st.st_ino) {
		close(fd);
		return walk_report(w, e, NOTES_E_IO, ESTALE, "directory changed during the walk");
	}
	return walk_enter(w, fd, &st, e);
}

notes_status notes_walk_next(notes_walk *w, notes_walk_entry *e)
{
	if (w->rc != NOTES_OK)
		return w->rc;
	memset(e, 0, sizeof *e);
	w->last = WALK_LAST_NONE;
	free(w->last_real);
	w->last_real = NULL;
	for (;;) {
		int r;
		if (w->nframes == 0) {
			if (w->linkhead == w->nlinks)
				return NOTES_DONE;
			r = walk_link_visit(w, e);
		} else {
			walk_frame *f = &w->frames[w->nframes - 1];
			r = f->next == f->end ? walk_pop(w, e) : walk_entry(w, f, e);
		}
		if (w->rc != NOTES_OK) {
			memset(e, 0, sizeof *e);
			return w->rc;
		}
		if (r == WALK_REPORT)
			return NOTES_OK;
	}
}

notes_status notes_walk_open(const char *root, const notes_walk_opts *opts, notes_walk **out)
{
	static const char *const default_exts[] = {"md", "markdown"};
	if (!out)
		return NOTES_E_USAGE;
	*out = NULL;
	const char *const *exts = default_exts;
	size_t nexts = 2;
	if (opts && opts->exts && opts->nexts > 0) {
		exts = opts->exts;
		nexts = opts->nexts;
	}
	for (size_t i = 0; i < nexts; i++)
		if (!exts[i] || !exts[i][0]) {
			errno = EINVAL;
			return NOTES_E_USAGE;
		}
	if (!root) {
		errno = EINVAL;
		return NOTES_E_USAGE;
	}
	notes_walk *w = calloc(1, sizeof *w);
	if (!w) {
		errno = ENOMEM;
		return NOTES_E_NOMEM;
	}
	w->max_size = opts && opts->max_size ? opts->max_size : NOTES_WALK_DEFAULT_MAX_SIZE;
	w->exts = calloc(nexts, sizeof *w->exts);
	if (!w->exts)
		goto nomem;
	for (; w->nexts < nexts; w->nexts++)
		if (!(w->exts[w->nexts] = strdup(exts[w->nexts])))
			goto nomem;

	notes_status rc = NOTES_OK;
	int err;
	w->root = realpath(root, NULL);
	if (!w->root) {
		err = errno;
		rc = err == ENOENT ? NOTES_E_NOTFOUND : err == ENOMEM ? NOTES_E_NOMEM : NOTES_E_IO;
		goto fail;
	}
	int fd = open(w->root, WALK_DIR_FLAGS);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		err = errno;
		rc = NOTES_E_IO;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	notes_buf_append_str(&w->rc, &w->path, w->root);
	err = w->rc == NOTES_OK ? walk_push(w, fd, &st) : 0;
	if (err != 0 || w->rc != NOTES_OK) {
		close(fd);
		if (err == 0)
			goto nomem;
		rc = NOTES_E_IO;
		goto fail;
	}
	w->prefix = w->path.n;
	*out = w;
	return NOTES_OK;

nomem:
	err = ENOMEM;
	rc = NOTES_E_NOMEM;
fail:
	notes_walk_close(w);
	errno = err;
	return rc;
}

const char *notes_walk_root(const notes_walk *w)
{
	return w->root;
}

void notes_walk_close(notes_walk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nframes; i++)
		if (w->frames[i].fd >= 0)
			close(w->frames[i].fd);
	for (size_t i = w->linkhead; i < w->nlinks; i++) {
		free(w->links[i].rel);
		free(w->links[i].real);
	}
	for (size_t i = 0; i < w->nexts; i++)
		free(w->exts[i]);
	free(w->exts);
	free(w->root);
	notes_buf_free(&w->path);
	notes_buf_free(&w->names);
	free(w->ents);
	free(w->frames);
	free(w->links);
	free(w->dirs.slot);
	free(w->files.slot);
	free(w->last_real);
	free(w);
}

/* ---- reading a note ------------------------------------------------------- */

/* Read the file open as fd (closed here); contract of notes_file_read. */
static notes_status walk_read_fd(int fd, uint64_t max_size, char **bufp, size_t *lenp,
				 struct stat *stp)
{
	notes_status rc = NOTES_OK;
	int err = 0;
	char *p = NULL;
	size_t n = 0;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err = errno;
		rc = NOTES_E_IO;
		goto out;
	}
	if (stp)
		*stp = st;
	if (!S_ISREG(st.st_mode)) {
		rc = NOTES_E_NOTREG;
		goto out;
	}
	if ((uint64_t)st.st_size > max_size) {
		rc = NOTES_E_TOOBIG;
		goto out;
	}
	/* Read at most max_size + 1 bytes: the extra byte tells a file that
	 * grew past the limit.  The first buffer fits the file as stat'ed plus
	 * that byte, so the usual read ends without a realloc. */
	size_t limit = max_size >= SIZE_MAX - 2 ? SIZE_MAX - 2 : (size_t)max_size + 1;
	size_t cap = (size_t)st.st_size < limit ? (size_t)st.st_size + 1 : limit;
	p = malloc(cap + 1);
	if (!p) {
		rc = NOTES_E_NOMEM;
		goto out;
	}
	for (;;) {
		if (n == cap) {
			if (cap == limit) {
				rc = NOTES_E_TOOBIG;
				goto out;
			}
			size_t ncap = cap > limit / 2 ? limit : 2 * cap;
			char *np = realloc(p, ncap + 1);
			if (!np) {
				rc = NOTES_E_NOMEM;
				goto out;
			}
			p = np;
			cap = ncap;
		}
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			rc = NOTES_E_IO;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if ((uint64_t)n > max_size)
		rc = NOTES_E_TOOBIG;
	else if (memchr(p, '\0', n))
		rc = NOTES_E_BINARY;
	else
		p[n] = '\0';
out:
	close(fd);
	if (rc != NOTES_OK) {
		free(p);
		p = NULL;
		n = 0;
	}
	*bufp = p;
	*lenp = n;
	if (err)
		errno = err;
	return rc;
}

notes_status notes_file_read(const char *path, uint64_t max_size, char **buf, size_t *len,
			     struct stat *st)
{
	*buf = NULL;
	*len = 0;
	int fd = open(path, WALK_FILE_FLAGS);
	if (fd < 0)
		return NOTES_E_IO;
	return walk_read_fd(fd, max_size, buf, len, st);
}

notes_status notes_walk_read(notes_walk *w, char **buf, size_t *len, struct stat *st)
{
	*buf = NULL;
	*len = 0;
	int fd;
	if (w->last == WALK_LAST_FRAME) {
		/* The note is the last name appended to w->path, in the top frame. */
		const walk_frame *f = &w->frames[w->nframes - 1];
		fd = openat(f->fd, w->path.p + f->pathlen, WALK_FILE_FLAGS | O_NOFOLLOW);
	} else if (w->last == WALK_LAST_LINK) {
		fd = open(w->last_real, WALK_FILE_FLAGS | O_NOFOLLOW);
	} else {
		errno = EINVAL;
		return NOTES_E_USAGE;
	}
	if (fd < 0)
		return NOTES_E_IO;
	return walk_read_fd(fd, w->max_size, buf, len, st);
}
