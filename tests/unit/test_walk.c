/*
 * test_walk.c — the archive walk and notes_file_read, on real trees built
 * under a fresh mkdtemp directory in /tmp for every test.
 *
 * Each walk is rendered as text, one line per entry: a note as its relpath,
 * a reported skip as "relpath ! STATUS: reason", and compared as a whole, so
 * order, silence about hidden/non-matching files and the exact reasons are
 * all checked.  The whole program runs under alarm(10): a walk or read that
 * blocks on a FIFO kills it instead of hanging the suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notes/buf.h"
#include "walk.h"

/* The per-test temporary directory. */
typedef struct fx {
	char dir[64];        /* as created: /tmp/notes-walk-XXXXXX */
	char real[PATH_MAX]; /* its realpath, the prefix of every yielded path */
} fx;

/* ---- building and removing trees ---------------------------------------- */

static void join(char *out, size_t n, const char *dir, const char *rel)
{
	int k = snprintf(out, n, "%s/%s", dir, rel);
	assert_true(k > 0 && (size_t)k < n);
}

/* Create the parent directories of rel below dir. */
static void mkparents(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	join(p, sizeof p, dir, rel);
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) != 0)
			assert_int_equal(errno, EEXIST);
		*s = '/';
	}
}

static void put_n(const char *dir, const char *rel, const char *data, size_t n)
{
	char p[PATH_MAX];
	mkparents(dir, rel);
	join(p, sizeof p, dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void put(const char *dir, const char *rel, const char *text)
{
	put_n(dir, rel, text, strlen(text));
}

/* A sparse file of `size` bytes (zeros), cheap even at 16 MiB. */
static void put_sparse(const char *dir, const char *rel, off_t size)
{
	char p[PATH_MAX];
	put(dir, rel, "");
	join(p, sizeof p, dir, rel);
	assert_int_equal(truncate(p, size), 0);
}

static void mkd(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	mkparents(dir, rel);
	join(p, sizeof p, dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void lnk(const char *dir, const char *rel, const char *target)
{
	char p[PATH_MAX];
	mkparents(dir, rel);
	join(p, sizeof p, dir, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void fifo(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	mkparents(dir, rel);
	join(p, sizeof p, dir, rel);
	assert_int_equal(mkfifo(p, 0644), 0);
}

/* A bound UNIX socket file; the descriptor is closed, the file stays. */
static void sock(const char *dir, const char *rel)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	join(sa.sun_path, sizeof sa.sun_path, dir, rel);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
}

/* Remove a tree of any depth without following links: descends with openat,
 * climbs back with "..", keeps a stack of names instead of paths. */
static void rm_tree(const char *path)
{
	chmod(path, 0700);
	int cur = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cur < 0) {
		unlink(path);
		return;
	}
	char **stack = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		int dfd = dup(cur);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (!d)
			break;
		char *sub = NULL;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			struct stat st;
			if (fstatat(cur, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode)) {
				sub = strdup(de->d_name);
				break;
			}
			unlinkat(cur, de->d_name, 0);
		}
		closedir(d);
		if (sub) {
			fchmodat(cur, sub, 0700, 0);
			int nfd = openat(cur, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0 || (n == cap && !(stack = realloc(stack, (cap = cap ? 2 * cap : 64) * sizeof *stack)))) {
				free(sub);
				if (nfd >= 0)
					close(nfd);
				break;
			}
			stack[n++] = sub;
			close(cur);
			cur = nfd;
			continue;
		}
		if (n == 0)
			break;
		int pfd = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = pfd;
		char *name = stack[--n];
		if (cur < 0 || unlinkat(cur, name, AT_REMOVEDIR) != 0) {
			free(name);
			break;
		}
		free(name);
	}
	if (cur >= 0)
		close(cur);
	while (n)
		free(stack[--n]);
	free(stack);
	rmdir(path);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/notes-walk-XXXXXX");
	if (!mkdtemp(f->dir) || !realpath(f->dir, f->real)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	rm_tree(f->dir);
	int gone = access(f->dir, F_OK) != 0 && errno == ENOENT;
	free(f);
	return gone ? 0 : -1;
}

/* ---- rendering a walk ----------------------------------------------------- */

static const char *status_name(notes_status s)
{
	switch (s) {
	case NOTES_E_TOOBIG:   return "TOOBIG";
	case NOTES_E_NOTREG:   return "NOTREG";
	case NOTES_E_NOTFOUND: return "NOTFOUND";
	case NOTES_E_RANGE:    return "RANGE";
	case NOTES_E_IO:       return "IO";
	default:               return notes_status_str(s);
	}
}

/*
 * Walk `root` and render every entry as a line (see the top of the file).
 * Also checks, for every entry, that path == realpath(root) + "/" + relpath,
 * and for every note that it reads back through notes_walk_read with
 * st_size bytes; a violation becomes a "BAD ..." line, so the caller's string
 * comparison fails.  Never asserts (it also runs in a forked child).
 * Returns a malloc'ed string.
 */
static char *walk_render(const char *root, const notes_walk_opts *opts)
{
	notes_status rc = NOTES_OK;
	notes_buf out = NOTES_BUF_INIT;
	notes_walk *w = NULL;
	notes_status st = notes_walk_open(root, opts, &w);
	if (st != NOTES_OK) {
		notes_buf_printf(&rc, &out, "OPEN %s\n", notes_status_str(st));
		return out.p;
	}
	const char *real = notes_walk_root(w);
	notes_walk_entry e;
	while ((st = notes_walk_next(w, &e)) == NOTES_OK) {
		size_t rl = strlen(real);
		if (strncmp(e.path, real, rl) != 0 || e.path[rl] != '/' ||
		    strcmp(e.path + rl + 1, e.relpath) != 0)
			notes_buf_printf(&rc, &out, "BAD PATH %s\n", e.path);
		if (e.skip != NOTES_OK) {
			notes_buf_printf(&rc, &out, "%s ! %s: %s", e.relpath, status_name(e.skip),
					 e.reason);
			if (e.skip == NOTES_E_IO)
				notes_buf_printf(&rc, &out, " [err=%d]", e.err);
			notes_buf_append_char(&rc, &out, '\n');
			continue;
		}
		if (!S_ISREG(e.st.st_mode) || e.reason[0] != '\0')
			notes_buf_printf(&rc, &out, "BAD NOTE %s\n", e.relpath);
		char *text = NULL;
		size_t len = 0;
		struct stat rst;
		st = notes_walk_read(w, &text, &len, &rst);
		if (st != NOTES_OK || len != (size_t)e.st.st_size || strlen(text) != len ||
		    rst.st_ino != e.st.st_ino)
			notes_buf_printf(&rc, &out, "BAD READ %s %s\n", e.relpath,
					 notes_status_str(st));
		free(text);
		notes_buf_printf(&rc, &out, "%s\n", e.relpath);
	}
	if (st != NOTES_DONE)
		notes_buf_printf(&rc, &out, "END %s\n", notes_status_str(st));
	notes_walk_close(w);
	notes_buf_append(&rc, &out, "", 0);   /* "" rather than NULL for no entries */
	return rc == NOTES_OK ? out.p : strdup("OUT OF MEMORY");
}

static void assert_walk(const char *root, const notes_walk_opts *opts, const char *expect)
{
	char *got = walk_render(root, opts);
	assert_non_null(got);
	assert_string_equal(got, expect);
	free(got);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_sorted_nested(void **state)
{
	fx *f = *state;
	put(f->dir, "b.md", "b");
	put(f->dir, "a.md", "a");
	put(f->dir, "C.md", "upper case sorts first");
	put(f->dir, "Z.md", "z");
	put(f->dir, "a-dir/z.md", "'-' sorts before '.'");
	put(f->dir, "sub/x.md", "x");
	put(f->dir, "sub/deeper/y.md", "y");
	put(f->dir, "sub/deeper/a.md", "a");
	put(f->dir, "sub.md", "after the directory sub");
	mkd(f->dir, "empty");
	assert_walk(f->dir, NULL,
		    "C.md\n"
		    "Z.md\n"
		    "a-dir/z.md\n"
		    "a.md\n"
		    "b.md\n"
		    "sub/deeper/a.md\n"
		    "sub/deeper/y.md\n"
		    "sub/x.md\n"
		    "sub.md\n");

	/* The root is reported as its realpath, and yielded stats are real. */
	notes_walk *w = NULL;
	assert_int_equal(notes_walk_open(f->dir, NULL, &w), NOTES_OK);
	assert_string_equal(notes_walk_root(w), f->real);
	notes_walk_entry e;
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "C.md");
	assert_int_equal(e.skip, NOTES_OK);
	assert_string_equal(e.reason, "");
	assert_int_equal(e.st.st_size, 22);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_OK);
	assert_string_equal(buf, "upper case sorts first");
	free(buf);
	notes_walk_close(w);
}

static void test_empty_root(void **state)
{
	fx *f = *state;
	assert_walk(f->dir, NULL, "");
	notes_walk *w = NULL;
	notes_walk_entry e;
	assert_int_equal(notes_walk_open(f->dir, NULL, &w), NOTES_OK);
	assert_int_equal(notes_walk_next(w, &e), NOTES_DONE);
	assert_int_equal(notes_walk_next(w, &e), NOTES_DONE);
	/* Nothing was yielded: nothing to read. */
	char *buf = (char *)"x";
	size_t len = 7;
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_E_USAGE);
	assert_null(buf);
	assert_int_equal(len, 0);
	notes_walk_close(w);
	notes_walk_close(NULL);
}

static void test_hidden_skipped_silently(void **state)
{
	fx *f = *state;
	put(f->dir, ".git/HEAD.md", "x");
	put(f->dir, ".obsidian/workspace.md", "x");
	put(f->dir, ".trash/old.md", "x");
	put(f->dir, ".hidden.md", "x");
	put(f->dir, "dir/.secret.md", "x");
	put(f->dir, "dir/shown.md", "x");
	put(f->dir, "visible.md", "x");
	fifo(f->dir, ".pipe.md");
	lnk(f->dir, ".outside", "/etc");
	assert_walk(f->dir, NULL, "dir/shown.md\nvisible.md\n");
}

static void test_extensions(void **state)
{
	fx *f = *state;
	put(f->dir, "a.md", "x");
	put(f->dir, "b.markdown", "x");
	put(f->dir, "c.MD", "x");
	put(f->dir, "d.MarkDown", "x");
	put(f->dir, "e.txt", "x");
	put(f->dir, "f.mdx", "x");
	put(f->dir, "g.md.bak", "x");
	put(f->dir, "md", "x");
	put(f->dir, "amd", "x");
	put(f->dir, "h.org", "x");
	put(f->dir, "x.md/inner.md", "a directory named like a note is walked");
	fifo(f->dir, "pipe.txt");           /* not a candidate: silent */
	lnk(f->dir, "gone.txt", "nowhere"); /* not a candidate: silent */
	assert_walk(f->dir, NULL,
		    "a.md\n"
		    "b.markdown\n"
		    "c.MD\n"
		    "d.MarkDown\n"
		    "x.md/inner.md\n");

	const char *const exts[] = {"txt", "ORG"};
	notes_walk_opts o = {exts, 2, 0};
	assert_walk(f->dir, &o,
		    "e.txt\n"
		    "gone.txt ! NOTFOUND: dangling symbolic link\n"
		    "h.org\n"
		    "pipe.txt ! NOTREG: not a regular file (FIFO)\n");

	/* Bad extension lists are refused. */
	const char *const bad[] = {"md", ""};
	notes_walk_opts ob = {bad, 2, 0};
	notes_walk *w = (notes_walk *)1;
	assert_int_equal(notes_walk_open(f->dir, &ob, &w), NOTES_E_USAGE);
	assert_null(w);
}

static void test_symlink_file_inside(void **state)
{
	fx *f = *state;
	char p[PATH_MAX];
	put(f->dir, "real.md", "the real note");
	lnk(f->dir, "alias.md", "real.md");
	lnk(f->dir, "sub/up.md", "../real.md");
	put(f->dir, ".drafts/d.md", "draft text");
	lnk(f->dir, "draft-link.md", ".drafts/d.md");
	lnk(f->dir, "draft-link.txt", ".drafts/d.md"); /* not a candidate */
	/* A hard link: same inode under two names; the first in order wins. */
	char q[PATH_MAX];
	join(p, sizeof p, f->dir, "real.md");
	join(q, sizeof q, f->dir, "hard.md");
	assert_int_equal(link(p, q), 0);
	/* Notes are yielded where met, links after the whole tree: the real
	 * file comes first even though "alias.md" sorts before it. */
	assert_walk(f->dir, NULL,
		    "hard.md\n"
		    "real.md ! RANGE: same file as a note already indexed (hard or symbolic link)\n"
		    "alias.md ! RANGE: same file as a note already indexed (hard or symbolic link)\n"
		    "draft-link.md\n"
		    "sub/up.md ! RANGE: same file as a note already indexed (hard or symbolic link)\n");

	/* A link reached note reads the target's text; its path keeps the
	 * link name and its stat is the target's. */
	notes_walk *w = NULL;
	notes_walk_entry e;
	assert_int_equal(notes_walk_open(f->dir, NULL, &w), NOTES_OK);
	do
		assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	while (strcmp(e.relpath, "draft-link.md") != 0);
	join(p, sizeof p, f->real, "draft-link.md");
	assert_string_equal(e.path, p);
	assert_int_equal(e.skip, NOTES_OK);
	assert_true(S_ISREG(e.st.st_mode));
	assert_int_equal(e.st.st_size, 10);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_OK);
	assert_string_equal(buf, "draft text");
	assert_int_equal(len, 10);
	free(buf);
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "sub/up.md");
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_E_USAGE); /* a skip */
	assert_int_equal(notes_walk_next(w, &e), NOTES_DONE);
	notes_walk_close(w);
}

static void test_symlink_dir_inside(void **state)
{
	fx *f = *state;
	char p[PATH_MAX];
	put(f->dir, "notes/n.md", "n");
	put(f->dir, "notes/sub/s.md", "s");
	put(f->dir, ".archive/old/o.md", "old note");
	put(f->dir, ".archive/x.md", "x");
	lnk(f->dir, ".archive/old/inner-link.md", "../x.md");
	lnk(f->dir, "view", ".archive/old");
	lnk(f->dir, "again", "notes");
	join(p, sizeof p, f->dir, "notes/sub");   /* absolute, via the unresolved name */
	lnk(f->dir, "abs-sub", p);
	assert_walk(f->dir, NULL,
		    "notes/n.md\n"
		    "notes/sub/s.md\n"
		    "abs-sub ! RANGE: directory already visited\n"
		    "again ! RANGE: directory already visited\n"
		    "view/o.md\n"
		    "view/inner-link.md\n");
}

static void test_symlink_outside(void **state)
{
	fx *f = *state;
	char out[] = "/tmp/notes-walk-out-XXXXXX";
	char p[PATH_MAX];
	assert_non_null(mkdtemp(out));
	put(out, "out.md", "outside");
	put(out, "outdir/o.md", "outside");
	put(f->dir, "in.md", "inside");
	join(p, sizeof p, out, "out.md");
	lnk(f->dir, "out-file.md", p);
	lnk(f->dir, "out-file.txt", p);       /* not a candidate: silent */
	join(p, sizeof p, out, "outdir");
	lnk(f->dir, "out-dir", p);
	snprintf(p, sizeof p, "../%s/out.md", out + 5);
	lnk(f->dir, "rel-out.md", p);
	lnk(f->dir, "slash", "/");
	char *got = walk_render(f->dir, NULL);
	assert_string_equal(got,
			    "in.md\n"
			    "out-dir ! RANGE: symbolic link points outside the archive root\n"
			    "out-file.md ! RANGE: symbolic link points outside the archive root\n"
			    "rel-out.md ! RANGE: symbolic link points outside the archive root\n"
			    "slash ! RANGE: symbolic link points outside the archive root\n");
	free(got);
	/* A root that is a prefix of the target's name is not its ancestor. */
	char sib[PATH_MAX];
	snprintf(sib, sizeof sib, "%s-sibling", f->dir);
	mkd("/", sib + 1);
	put(sib, "s.md", "s");
	join(p, sizeof p, sib, "s.md");
	lnk(f->dir, "sib.md", p);
	got = walk_render(f->dir, NULL);
	rm_tree(sib);
	rm_tree(out);
	assert_string_equal(got,
			    "in.md\n"
			    "out-dir ! RANGE: symbolic link points outside the archive root\n"
			    "out-file.md ! RANGE: symbolic link points outside the archive root\n"
			    "rel-out.md ! RANGE: symbolic link points outside the archive root\n"
			    "sib.md ! RANGE: symbolic link points outside the archive root\n"
			    "slash ! RANGE: symbolic link points outside the archive root\n");
	free(got);
}

static void test_dangling_and_loops(void **state)
{
	fx *f = *state;
	lnk(f->dir, "gone.md", "nowhere.md");
	lnk(f->dir, "gone.txt", "nowhere");
	lnk(f->dir, "self.md", "self.md");
	lnk(f->dir, "ping.md", "pong.md");
	lnk(f->dir, "pong.md", "ping.md");
	put(f->dir, "sub/n.md", "n");
	lnk(f->dir, "sub/up", "..");
	lnk(f->dir, "sub/self", ".");
	lnk(f->dir, "sub/deep/back", "../..");
	lnk(f->dir, "top", f->real);
	assert_walk(f->dir, NULL,
		    "gone.md ! NOTFOUND: dangling symbolic link\n"
		    "ping.md ! RANGE: symbolic link loop\n"
		    "pong.md ! RANGE: symbolic link loop\n"
		    "self.md ! RANGE: symbolic link loop\n"
		    "sub/deep/back ! RANGE: symbolic link loop\n"
		    "sub/n.md\n"
		    "sub/self ! RANGE: symbolic link loop\n"
		    "sub/up ! RANGE: symbolic link loop\n"
		    "top ! RANGE: symbolic link loop\n");
}

static void test_special_files(void **state)
{
	fx *f = *state;
	fifo(f->dir, "x.md");
	sock(f->dir, "sock.md");
	fifo(f->dir, "fifo.txt");
	lnk(f->dir, "via.md", "x.md");
	put(f->dir, "ok.md", "fine");
	/* Never opened: a FIFO without writer would block an open(O_RDONLY). */
	assert_walk(f->dir, NULL,
		    "ok.md\n"
		    "sock.md ! NOTREG: not a regular file (socket)\n"
		    "via.md ! NOTREG: not a regular file (FIFO)\n"
		    "x.md ! NOTREG: not a regular file (FIFO)\n");
}

static void test_size_cap(void **state)
{
	fx *f = *state;
	put(f->dir, "small.md", "0123456789");
	put(f->dir, "big.md", "0123456789A");
	put(f->dir, "empty.md", "");
	notes_walk_opts o = {NULL, 0, 10};
	assert_walk(f->dir, &o,
		    "big.md ! TOOBIG: larger than 10 bytes (--max-size)\n"
		    "empty.md\n"
		    "small.md\n");
	lnk(f->dir, "link-big.md", ".big.md");
	put(f->dir, ".big.md", "0123456789ABC");
	assert_walk(f->dir, &o,
		    "big.md ! TOOBIG: larger than 10 bytes (--max-size)\n"
		    "empty.md\n"
		    "link-big.md ! TOOBIG: larger than 10 bytes (--max-size)\n"
		    "small.md\n");

	put_sparse(f->dir, "k/k.md", 2049);
	o.max_size = 2048;
	assert_walk(f->dir, &o,
		    "big.md\n"
		    "empty.md\n"
		    "k/k.md ! TOOBIG: larger than 2 KiB (--max-size)\n"
		    "small.md\n"
		    "link-big.md\n");   /* links come after the tree */

	/* The default limit, 16 MiB: exactly 16 MiB passes. */
	char p[PATH_MAX];
	join(p, sizeof p, f->dir, "k/k.md");
	assert_int_equal(unlink(p), 0);
	put_sparse(f->dir, "huge/edge.md", (off_t)16 << 20);
	put_sparse(f->dir, "huge/huge.md", ((off_t)16 << 20) + 1);
	notes_walk *w = NULL;
	notes_walk_entry e;
	assert_int_equal(notes_walk_open(f->dir, NULL, &w), NOTES_OK);
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "big.md");
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "empty.md");
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "huge/edge.md");
	assert_int_equal(e.skip, NOTES_OK);
	assert_int_equal(e.st.st_size, 16 << 20);
	/* Zeros are NUL bytes: reading it is refused as binary. */
	char *buf = (char *)"x";
	size_t len = 1;
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_E_BINARY);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "huge/huge.md");
	assert_int_equal(e.skip, NOTES_E_TOOBIG);
	assert_string_equal(e.reason, "larger than 16 MiB (--max-size)");
	notes_walk_close(w);
}

/* Walk f->dir as user nobody in a child process; returns the rendering,
 * or NULL when privileges cannot be dropped. */
static char *walk_as_nobody(const char *dir)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		const char *msg = "SKIP";
		char *got = NULL;
		if (setgid(65534) == 0 && setuid(65534) == 0 && geteuid() == 65534) {
			got = walk_render(dir, NULL);
			msg = got;
		}
		size_t n = strlen(msg);
		while (n > 0) {
			ssize_t r = write(pfd[1], msg, n);
			if (r <= 0)
				break;
			msg += r;
			n -= (size_t)r;
		}
		_exit(0);
	}
	close(pfd[1]);
	notes_buf out = NOTES_BUF_INIT;
	notes_status rc = NOTES_OK;
	char chunk[4096];
	ssize_t r;
	while ((r = read(pfd[0], chunk, sizeof chunk)) > 0)
		notes_buf_append(&rc, &out, chunk, (size_t)r);
	close(pfd[0]);
	int ws = 0;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	assert_int_equal(rc, NOTES_OK);
	if (out.p && strcmp(out.p, "SKIP") == 0) {
		notes_buf_free(&out);
		return NULL;
	}
	return out.p ? out.p : strdup("");
}

static void test_unreadable_dir(void **state)
{
	fx *f = *state;
	char p[PATH_MAX], expect[256];
	put(f->dir, "a.md", "a");
	put(f->dir, "locked/in.md", "hidden by permissions");
	put(f->dir, "z.md", "z");
	join(p, sizeof p, f->dir, "locked");
	assert_int_equal(chmod(p, 0), 0);
	snprintf(expect, sizeof expect,
		 "a.md\n"
		 "locked ! IO: cannot read directory: permission denied [err=%d]\n"
		 "z.md\n", EACCES);
	char *got;
	if (geteuid() != 0) {
		got = walk_render(f->dir, NULL);
	} else {
		/* Root bypasses permission bits: walk as user nobody in a
		 * child instead; skip when privileges cannot be dropped. */
		assert_int_equal(chmod(f->dir, 0755), 0);
		got = walk_as_nobody(f->dir);
		if (!got)
			skip();
	}
	assert_string_equal(got, expect);
	free(got);
}

/* DEPTH nested directories named "dir" (the deepest path is far beyond
 * PATH_MAX), built with mkdirat relative to the previous level. */
#define DEPTH 2000
/* Levels that hold notes: "n.md" sorts after "dir" (so it is met on the way
 * back up, after the parent's descriptor was closed and reopened); the
 * extra "zz.md" at a level deeper than NOTES_WALK_KEEP_FDS likewise. */
static int deep_has_note(int level)
{
	return level == 1 || level == 70 || level == 1000 || level == DEPTH;
}

static void test_deep_chain(void **state)
{
	fx *f = *state;
	put(f->dir, "a.md", "first");
	put(f->dir, "z.md", "last");
	int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int level = 1; level <= DEPTH; level++) {
		assert_int_equal(mkdirat(fd, "dir", 0755), 0);
		int nfd = openat(fd, "dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(nfd >= 0);
		close(fd);
		fd = nfd;
		if (deep_has_note(level)) {
			int nf = openat(fd, "n.md", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			assert_true(nf >= 0);
			char text[32];
			int k = snprintf(text, sizeof text, "level %d", level);
			assert_int_equal(write(nf, text, (size_t)k), k);
			close(nf);
		}
		if (level == 70) {
			int nf = openat(fd, "zz.md", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			assert_true(nf >= 0);
			close(nf);
		}
	}
	close(fd);

	/* Expected: a.md, then the notes from the deepest level up, then z.md. */
	notes_status rc = NOTES_OK;
	notes_buf expect = NOTES_BUF_INIT, prefix = NOTES_BUF_INIT;
	notes_buf_append_str(&rc, &expect, "a.md\n");
	for (int level = 1; level <= DEPTH; level++)
		notes_buf_append_str(&rc, &prefix, "dir/");
	for (int level = DEPTH; level >= 1; level--) {
		if (deep_has_note(level)) {
			notes_buf_append(&rc, &expect, prefix.p, prefix.n);
			notes_buf_append_str(&rc, &expect, "n.md\n");
		}
		if (level == 70) {
			notes_buf_append(&rc, &expect, prefix.p, prefix.n);
			notes_buf_append_str(&rc, &expect, "zz.md\n");
		}
		prefix.n -= 4;
	}
	notes_buf_append_str(&rc, &expect, "z.md\n");
	assert_int_equal(rc, NOTES_OK);

	/* A low descriptor limit proves the walk does not hold one per level. */
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 128;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	char *got = walk_render(f->dir, NULL);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_string_equal(got, expect.p);
	free(got);

	/* The deepest note reads back (its path is longer than PATH_MAX). */
	notes_walk *w = NULL;
	notes_walk_entry e;
	assert_int_equal(notes_walk_open(f->dir, NULL, &w), NOTES_OK);
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_true(strlen(e.path) > PATH_MAX);
	assert_int_equal(strlen(e.relpath), DEPTH * 4 + 4);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_OK);
	assert_string_equal(buf, "level 2000");
	free(buf);
	notes_walk_close(w);
	notes_buf_free(&expect);
	notes_buf_free(&prefix);
}

static void test_open_errors(void **state)
{
	fx *f = *state;
	char p[PATH_MAX];
	notes_walk *w = (notes_walk *)1;
	join(p, sizeof p, f->dir, "missing");
	errno = 0;
	assert_int_equal(notes_walk_open(p, NULL, &w), NOTES_E_NOTFOUND);
	assert_int_equal(errno, ENOENT);
	assert_null(w);

	put(f->dir, "file.md", "x");
	join(p, sizeof p, f->dir, "file.md");
	w = (notes_walk *)1;
	errno = 0;
	assert_int_equal(notes_walk_open(p, NULL, &w), NOTES_E_IO);
	assert_int_equal(errno, ENOTDIR);
	assert_null(w);

	assert_int_equal(notes_walk_open(NULL, NULL, &w), NOTES_E_USAGE);
	assert_null(w);

	/* A root given through a link resolves to the real directory. */
	put(f->dir, "real-root/n.md", "n");
	lnk(f->dir, "root-link", "real-root");
	join(p, sizeof p, f->dir, "root-link");
	assert_int_equal(notes_walk_open(p, NULL, &w), NOTES_OK);
	join(p, sizeof p, f->real, "real-root");
	assert_string_equal(notes_walk_root(w), p);
	notes_walk_entry e;
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "n.md");
	join(p, sizeof p, f->real, "real-root/n.md");
	assert_string_equal(e.path, p);
	assert_int_equal(notes_walk_next(w, &e), NOTES_DONE);
	notes_walk_close(w);
}

static void test_file_read(void **state)
{
	fx *f = *state;
	char p[PATH_MAX];
	char *buf;
	size_t len;
	struct stat st;

	put(f->dir, "normal.md", "# Title\nbody text\n");
	join(p, sizeof p, f->dir, "normal.md");
	assert_int_equal(notes_file_read(p, 1000, &buf, &len, &st), NOTES_OK);
	assert_int_equal(len, 18);
	assert_memory_equal(buf, "# Title\nbody text\n", 19);   /* with the NUL */
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 18);
	free(buf);
	/* Exactly at the limit passes; no limit at all does not overflow. */
	assert_int_equal(notes_file_read(p, 18, &buf, &len, NULL), NOTES_OK);
	assert_int_equal(len, 18);
	free(buf);
	assert_int_equal(notes_file_read(p, UINT64_MAX, &buf, &len, NULL), NOTES_OK);
	assert_int_equal(len, 18);
	free(buf);
	/* One byte over the limit. */
	buf = (char *)"x";
	len = 1;
	assert_int_equal(notes_file_read(p, 17, &buf, &len, &st), NOTES_E_TOOBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(st.st_size, 18);

	put(f->dir, "empty.md", "");
	join(p, sizeof p, f->dir, "empty.md");
	assert_int_equal(notes_file_read(p, 10, &buf, &len, NULL), NOTES_OK);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);

	put_n(f->dir, "nul.md", "text\0more", 9);
	join(p, sizeof p, f->dir, "nul.md");
	buf = (char *)"x";
	assert_int_equal(notes_file_read(p, 100, &buf, &len, NULL), NOTES_E_BINARY);
	assert_null(buf);
	assert_int_equal(len, 0);

	fifo(f->dir, "pipe.md");
	join(p, sizeof p, f->dir, "pipe.md");
	buf = (char *)"x";
	assert_int_equal(notes_file_read(p, 100, &buf, &len, &st), NOTES_E_NOTREG);
	assert_null(buf);
	assert_true(S_ISFIFO(st.st_mode));

	mkd(f->dir, "adir.md");
	join(p, sizeof p, f->dir, "adir.md");
	assert_int_equal(notes_file_read(p, 100, &buf, &len, NULL), NOTES_E_NOTREG);
	assert_null(buf);

	join(p, sizeof p, f->dir, "missing.md");
	buf = (char *)"x";
	errno = 0;
	assert_int_equal(notes_file_read(p, 100, &buf, &len, NULL), NOTES_E_IO);
	assert_int_equal(errno, ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);

	/* Larger than the first buffer guess would allow: a file that is
	 * read past its stat'ed size is impossible to stage portably, but a
	 * big file exercises the read loop across several read() calls. */
	size_t big = 300000;
	char *text = malloc(big);
	assert_non_null(text);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	put_n(f->dir, "big.md", text, big);
	join(p, sizeof p, f->dir, "big.md");
	assert_int_equal(notes_file_read(p, big, &buf, &len, NULL), NOTES_OK);
	assert_int_equal(len, big);
	assert_memory_equal(buf, text, big);
	assert_int_equal(buf[big], '\0');
	free(buf);
	assert_int_equal(notes_file_read(p, big - 1, &buf, &len, NULL), NOTES_E_TOOBIG);
	assert_null(buf);
	free(text);

	put(f->dir, "secret.md", "s");
	join(p, sizeof p, f->dir, "secret.md");
	assert_int_equal(chmod(p, 0), 0);
	if (geteuid() == 0) {
		/* Root reads it regardless of permission bits. */
		assert_int_equal(notes_file_read(p, 100, &buf, &len, NULL), NOTES_OK);
		free(buf);
	} else {
		errno = 0;
		assert_int_equal(notes_file_read(p, 100, &buf, &len, NULL), NOTES_E_IO);
		assert_int_equal(errno, EACCES);
		assert_null(buf);
	}
}

/* A link swapped in for a note after the walk saw it is not followed. */
static void test_walk_read_no_follow(void **state)
{
	fx *f = *state;
	char p[PATH_MAX];
	put(f->dir, "n.md", "note");
	put(f->dir, ".elsewhere.md", "other");
	notes_walk *w = NULL;
	notes_walk_entry e;
	assert_int_equal(notes_walk_open(f->dir, NULL, &w), NOTES_OK);
	assert_int_equal(notes_walk_next(w, &e), NOTES_OK);
	assert_string_equal(e.relpath, "n.md");
	join(p, sizeof p, f->dir, "n.md");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(".elsewhere.md", p), 0);
	char *buf = (char *)"x";
	size_t len = 1;
	errno = 0;
	assert_int_equal(notes_walk_read(w, &buf, &len, NULL), NOTES_E_IO);
	assert_int_equal(errno, ELOOP);
	assert_null(buf);
	assert_int_equal(notes_walk_next(w, &e), NOTES_DONE);
	notes_walk_close(w);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sorted_nested),
		T(test_empty_root),
		T(test_hidden_skipped_silently),
		T(test_extensions),
		T(test_symlink_file_inside),
		T(test_symlink_dir_inside),
		T(test_symlink_outside),
		T(test_dangling_and_loops),
		T(test_special_files),
		T(test_size_cap),
		T(test_unreadable_dir),
		T(test_deep_chain),
		T(test_open_errors),
		T(test_file_read),
		T(test_walk_read_no_follow),
	};
	/* A blocked open() on a FIFO must fail the run, not hang it. */
	alarm(10);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
