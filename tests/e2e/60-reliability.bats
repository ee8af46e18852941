#!/usr/bin/env bats
# Reliability (issue 6): kills, concurrent searches, damaged databases, a
# read-only folder, a full disk, notes changing under the indexer.  The
# long versions run from `make stress` (tests/stress.sh).

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# A few hundred notes: the corpus's first ones, else copies of the sample.
small_archive() {
	. "$TOP/tests/e2e/archive.sh"
	copy_archive "$T/notes" "${1:-300}"
}

integrity() {
	sqlite3 "$1" ".load $TOP/build/notes_fts5" \
		"INSERT INTO fts(fts) VALUES('integrity-check'); PRAGMA integrity_check;"
}

@test "crash: notes-index killed 20 times at random moments loses nothing" {
	[ -f "$TOP/build/notes_fts5.so" ] || skip "no build/notes_fts5.so"
	run "$TOP/tests/e2e/crash.sh" --kills 20 --notes 300 "$T/crash"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	[[ "$output" == *"crash: 20 kills survived"* ]]
}

@test "concurrency: 500 searches during full re-indexes never fail, lock or come back empty" {
	run "$TOP/tests/e2e/concurrent.sh" --searches 500 --notes 300 "$T/conc"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	[[ "$output" == *"500 searches during"*": ok"* ]]
}

@test "damaged: a truncated database gets a clear message; --full moves it aside and rebuilds" {
	sample_archive
	"$INDEX" -q "$T/notes"
	size=$(stat -c %s "$DB")
	truncate -s $((size / 2)) "$DB"
	run --separate-stderr "$SEARCH" graceful
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"damaged"* ]]
	[[ "$stderr" == *"notes-index --full"* ]]
	[ "$(echo "$stderr" | wc -l)" -le 2 ]
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"notes-index --full"* ]]
	run --separate-stderr "$INDEX" --full "$T/notes"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"moved it to"* ]]
	ls "$T" | grep -q 'index.db.damaged'
	[ "$(stat -c %s "$T"/index.db.damaged* | head -n 1)" -eq $((size / 2)) ]
	run "$SEARCH" -l graceful
	[ "$status" -eq 0 ]
	[ "$(integrity "$DB")" = ok ]
}

@test "damaged: a garbage database file is refused, kept, and replaced by --full" {
	sample_archive
	head -c 100000 /dev/urandom > "$DB"
	cp "$DB" "$T/garbage"
	run --separate-stderr "$SEARCH" graceful
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a notes-search database or is damaged"* ]]
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 1 ]
	cmp "$DB" "$T/garbage"
	run --separate-stderr "$INDEX" --full "$T/notes"
	[ "$status" -eq 0 ]
	cmp "$T"/index.db.damaged* "$T/garbage"
	run "$SEARCH" -l graceful
	[ "$status" -eq 0 ]
}

@test "damaged: an index of an older schema says so and the indexer rebuilds it" {
	sample_archive
	"$INDEX" -q "$T/notes"
	sqlite3 "$DB" "UPDATE meta SET value = '1' WHERE key = 'schema_version'"
	run --separate-stderr "$SEARCH" graceful
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schema version 1"* ]]
	[[ "$stderr" == *"notes-index"* ]]
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"rebuilding the whole index"* ]]
	run "$SEARCH" -l graceful
	[ "$status" -eq 0 ]
}

# Root ignores permissions: drop to nobody for the read-only cases.
as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv is not installed"
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

@test "damaged: a read-only database folder still answers queries; the indexer says why it cannot write" {
	sample_archive
	mkdir "$T/ro"
	"$INDEX" -q --db "$T/ro/index.db" "$T/notes"
	chmod -R a+rX "$T"
	chmod 555 "$T/ro"
	chmod 444 "$T/ro/index.db"
	# An idle index has a rollback journal: read with SQLite's own locks,
	# which a read-only file takes as well (even while an indexer runs).
	run --separate-stderr as_user "$SEARCH" --db "$T/ro/index.db" -l graceful
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ -z "$stderr" ]
	# In WAL mode (a run cut short leaves it so) a reader needs a -shm
	# file, which nobody can make here: the file is read without locks.
	chmod 755 "$T/ro"
	chmod 644 "$T/ro/index.db"
	[ "$(sqlite3 "$T/ro/index.db" 'PRAGMA journal_mode=WAL')" = wal ]
	rm -f "$T/ro/index.db-wal" "$T/ro/index.db-shm"
	chmod 555 "$T/ro"
	chmod 444 "$T/ro/index.db"
	run --separate-stderr as_user "$SEARCH" --db "$T/ro/index.db" -l graceful
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ -z "$stderr" ]
	# the same through a path that starts with //
	run --separate-stderr as_user "$SEARCH" --db "/$T/ro/index.db" -l graceful
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	# A notes-index with rights of its own holding the lock: the file may be
	# half-written, so it is not read without locks.
	chmod 755 "$T/ro"
	touch "$T/ro/index.db.lock"
	chmod 644 "$T/ro/index.db.lock"
	chmod 555 "$T/ro"
	flock -x "$T/ro/index.db.lock" sleep 3 &
	sleep 0.3
	run --separate-stderr as_user "$SEARCH" --db "$T/ro/index.db" -l graceful
	wait
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"while notes-index writes it"* ]]
	run --separate-stderr as_user "$INDEX" --db "$T/ro/index.db" "$T/notes"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"read-only"* ]]
	[ "$(echo "$stderr" | wc -l)" -le 2 ]
	[[ "$stderr" != *"attempt to write"* ]]
}

@test "damaged: a full disk stops the indexer with a clear message and the index stays whole" {
	sample_archive
	"$INDEX" -q "$T/notes"
	before=$("$SEARCH" -l graceful)
	# A big note of words that do not compress makes the next run write
	# more than the file-size limit allows (ulimit -f counts KiB).
	{ echo '# filler'; head -c 3000000 /dev/urandom | base64 -w 76 | tr '+/' '  '; } \
		> "$T/notes/filler.md"
	limit=$(( ($(stat -c %s "$DB") + 1024 * 1024) / 1024 ))
	run --separate-stderr bash -c "trap '' XFSZ; ulimit -f $limit; exec \"$INDEX\" --full \"$T/notes\""
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"cannot write the index: the file-size limit is reached"* ]]
	[ "$(echo "$stderr" | grep -c .)" -le 2 ]
	[ "$(integrity "$DB")" = ok ]
	[ "$("$SEARCH" -l graceful)" = "$before" ]
	run "$INDEX" -q "$T/notes"
	[ "$status" -eq 0 ]
	run "$SEARCH" -l filler
	[ "$status" -eq 0 ]
}

@test "damaged: notes deleted and rewritten while the indexer reads them" {
	small_archive 300
	mapfile -t files < <(find "$T/notes" -name '*.md' | LC_ALL=C sort)
	(for round in 1 2 3 4 5 6 7 8; do
		for ((i = round; i < ${#files[@]}; i += 7)); do
			case $((i % 3)) in
			0) rm -f "${files[i]}" ;;
			1) printf '\nrewritten %d\n' "$round" >> "${files[i]}" ;;
			2) : > "${files[i]}" ;;
			esac
		done
	 done) &
	churn=$!
	run --separate-stderr "$INDEX" "$T/notes"
	wait "$churn"
	[ "$status" -eq 0 ]
	[ "$(integrity "$DB")" = ok ]
	# Once the files hold still, one more run gives what a clean index does.
	"$INDEX" -q "$T/notes"
	"$INDEX" -q --db "$T/clean.db" "$T/notes"
	q="SELECT path, size, mtime_ns, hash, title FROM notes ORDER BY path"
	[ "$(sqlite3 "$DB" "$q")" = "$(sqlite3 "$T/clean.db" "$q")" ]
}
