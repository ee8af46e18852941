/*
 * test_db.c — database path resolution, open/create with private
 * permissions, schema and tokenizer version checks, damaged files, and the
 * one-indexer lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>
#include "notes/db.h"
#include "notes/tokenize.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/notes-test-db.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_path_resolve(void **state)
{
	(void)state;
	char *p = NULL;
	setenv("NOTES_DB", "/env/db", 1);
	assert_int_equal(notes_db_path_resolve("/opt/db", &p), NOTES_OK);
	assert_string_equal(p, "/opt/db");
	free(p);
	assert_int_equal(notes_db_path_resolve(NULL, &p), NOTES_OK);
	assert_string_equal(p, "/env/db");
	free(p);
	unsetenv("NOTES_DB");
	setenv("XDG_DATA_HOME", "/xdg", 1);
	assert_int_equal(notes_db_path_resolve(NULL, &p), NOTES_OK);
	assert_string_equal(p, "/xdg/notes-search/index.db");
	free(p);
	setenv("XDG_DATA_HOME", "relative/ignored", 1);   /* per the XDG spec */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(notes_db_path_resolve(NULL, &p), NOTES_OK);
	assert_string_equal(p, "/home/u/.local/share/notes-search/index.db");
	free(p);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_int_equal(notes_db_path_resolve(NULL, &p), NOTES_E_USAGE);
	assert_null(p);
}

static void test_create_private(void **state)
{
	(void)state;
	char path[300], dir[256];
	snprintf(dir, sizeof dir, "%s/a/b", tmpdir);
	snprintf(path, sizeof path, "%s/index.db", dir);
	notes_db *db = NULL;
	char *err = NULL;
	/* Without CREATE: not found, nothing made. */
	assert_int_equal(notes_db_open(path, 0, &db, &err), NOTES_E_NOTFOUND);
	assert_null(db);
	assert_non_null(err);
	free(err);
	struct stat sb;
	assert_int_not_equal(stat(dir, &sb), 0);

	assert_int_equal(notes_db_open(path, NOTES_DB_CREATE, &db, &err), NOTES_OK);
	assert_non_null(db);
	assert_null(err);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	char *v = NULL;
	assert_int_equal(notes_db_meta_get(db, "tokenizer_version", &v), NOTES_OK);
	assert_string_equal(v, notes_tokenizer_version());
	free(v);
	assert_int_equal(notes_db_meta_get(db, "no-such-key", &v), NOTES_OK);
	assert_null(v);
	assert_int_equal(notes_db_meta_set(db, "k", "v1"), NOTES_OK);
	assert_int_equal(notes_db_meta_set(db, "k", "v2"), NOTES_OK);
	assert_int_equal(notes_db_meta_get(db, "k", &v), NOTES_OK);
	assert_string_equal(v, "v2");
	free(v);
	notes_db_close(db);

	/* Reopen read-only: fine, and the schema is there. */
	assert_int_equal(notes_db_open(path, NOTES_DB_READONLY, &db, &err), NOTES_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(notes_db_handle(db),
		"SELECT count(*) FROM fts WHERE fts MATCH 'x'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	sqlite3_finalize(s);
	notes_db_close(db);
}

static void test_version_mismatch(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/v.db", tmpdir);
	notes_db *db = NULL;
	char *err = NULL;
	assert_int_equal(notes_db_open(path, NOTES_DB_CREATE, &db, &err), NOTES_OK);
	assert_int_equal(notes_db_meta_set(db, "tokenizer_version", "0/old"), NOTES_OK);
	notes_db_close(db);
	/* The database stays open so that the caller can rebuild it. */
	assert_int_equal(notes_db_open(path, NOTES_DB_CREATE, &db, &err), NOTES_E_SCHEMA);
	assert_non_null(db);
	assert_non_null(strstr(err, "0/old"));
	free(err);
	notes_db_close(db);

	snprintf(path, sizeof path, "%s/s.db", tmpdir);
	assert_int_equal(notes_db_open(path, NOTES_DB_CREATE, &db, NULL), NOTES_OK);
	assert_int_equal(notes_db_meta_set(db, "schema_version", "999"), NOTES_OK);
	notes_db_close(db);
	assert_int_equal(notes_db_open(path, 0, &db, &err), NOTES_E_SCHEMA);
	assert_non_null(strstr(err, "schema version 999"));
	free(err);
	notes_db_close(db);
}

static void test_garbage_file(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/garbage.db", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 4096; i++)
		fputc("not a database "[i % 15], f);
	fclose(f);
	notes_db *db = (notes_db *)1;
	char *err = NULL;
	assert_int_equal(notes_db_open(path, NOTES_DB_CREATE, &db, &err), NOTES_E_CORRUPT);
	assert_null(db);
	assert_non_null(strstr(err, "damaged"));
	free(err);

	/* A folder where the database should be. */
	snprintf(path, sizeof path, "%s/adir", tmpdir);
	mkdir(path, 0700);
	assert_int_equal(notes_db_open(path, NOTES_DB_CREATE, &db, &err), NOTES_E_IO);
	assert_null(db);
	free(err);
}

static void test_empty_file_is_no_index_for_readers(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/empty.db", tmpdir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	notes_db *db = NULL;
	char *err = NULL;
	assert_int_equal(notes_db_open(path, NOTES_DB_READONLY, &db, &err), NOTES_E_NOTFOUND);
	assert_null(db);
	free(err);
}

static void test_lock(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/lockdir/index.db", tmpdir);
	notes_lock *l1 = NULL, *l2 = NULL;
	pid_t holder = -1;
	assert_int_equal(notes_lock_acquire(path, false, &l1, &holder), NOTES_OK);
	assert_non_null(l1);
	/* flock locks belong to the open file description: a second open in
	 * a child process must find it busy, and learn our pid. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		notes_status st = notes_lock_acquire(path, false, &l2, &holder);
		_exit(st == NOTES_E_BUSY && l2 == NULL && holder == getppid() ? 0 : 1);
	}
	int ws;
	waitpid(pid, &ws, 0);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	notes_lock_release(l1);
	assert_int_equal(notes_lock_acquire(path, false, &l2, &holder), NOTES_OK);
	notes_lock_release(l2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_resolve),
		cmocka_unit_test(test_create_private),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_garbage_file),
		cmocka_unit_test(test_empty_file_is_no_index_for_readers),
		cmocka_unit_test(test_lock),
	};
	return cmocka_run_group_tests_name("db", tests, setup, teardown);
}
