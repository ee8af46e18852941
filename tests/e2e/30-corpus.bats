#!/usr/bin/env bats
# notes-index over the real archives in ../shared/corpus (skipped when absent):
# every .md file is indexed or reported skipped with a reason; a second run
# changes nothing; edits on a copy are reflected.

load helpers

setup_file() {
	[ -d "$CORPUS" ] || return 0
	export CT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/notes-corpus.XXXXXX")
	export NOTES_DB="$CT/index.db"
	"$INDEX" "$CORPUS" > "$CT/out" 2> "$CT/err"
	echo $? > "$CT/status"
}

teardown_file() {
	[ -n "${CT:-}" ] && rm -rf "$CT"
	return 0
}

@test "corpus: every .md file is indexed or skipped with a reason" {
	need_corpus
	[ "$(cat "$CT/status")" -eq 0 ]
	# candidates: *.md / *.markdown outside hidden folders
	find "$CORPUS" \( -name '.*' -prune \) -o \( -type f -o -type l \) \
		\( -iname '*.md' -o -iname '*.markdown' \) -print | sort > "$CT/files"
	sqlite3 "$NOTES_DB" 'SELECT path FROM notes' | sort > "$CT/indexed"
	grep -o "^notes-index: .*: skipped: " "$CT/err" | sed 's/^notes-index: //; s/: skipped: $//' \
		| sort > "$CT/skipped" || true
	cat "$CT/indexed" "$CT/skipped" | sort > "$CT/accounted"
	diff -u <(sed "s|^$CORPUS|$(realpath "$CORPUS")|" "$CT/files") "$CT/accounted"
	[ "$(wc -l < "$CT/indexed")" -gt 2000 ]
}

@test "corpus: the summary line adds up" {
	need_corpus
	n=$(sqlite3 "$NOTES_DB" 'SELECT count(*) FROM notes')
	grep -q "notes-index: $n new, 0 changed, 0 renamed, 0 deleted, 0 unchanged" "$CT/err"
}

@test "corpus: a second run reports no changes" {
	need_corpus
	n=$(sqlite3 "$NOTES_DB" 'SELECT count(*) FROM notes')
	run --separate-stderr "$INDEX" "$CORPUS"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"0 new, 0 changed, 0 renamed, 0 deleted, $n unchanged"* ]]
}

@test "corpus: zh pages are found in Chinese, English originals in comments are not text" {
	need_corpus
	run paths_for 容器
	[ "$status" -eq 0 ]
	[[ "$output" == *"/zh/"* ]]
}

@test "corpus: edits on a copy are reflected" {
	need_corpus
	cp -r "$CORPUS/k8s-community/sig-node" "$CT/copy"
	export NOTES_DB="$CT/copy.db"
	"$INDEX" -q "$CT/copy"
	n=$(sqlite3 "$NOTES_DB" 'SELECT count(*) FROM notes')
	f=$(find "$CT/copy" -name '*.md' | sort | head -1)
	g=$(find "$CT/copy" -name '*.md' | sort | sed -n 2p)
	h=$(find "$CT/copy" -name '*.md' | sort | sed -n 3p)
	touch "$f"
	echo "quuxplorator appended" >> "$g"
	rm "$h"
	mv "$f" "$CT/copy/moved-here.md"
	run --separate-stderr "$INDEX" "$CT/copy"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"0 new, 1 changed, 1 renamed, 1 deleted, $((n - 3)) unchanged"* ]]
	[ "$(paths_for quuxplorator)" = "$g" ]
	[ "$(sqlite3 "$NOTES_DB" 'SELECT count(*) FROM notes')" -eq $((n - 1)) ]
}

@test "corpus: a first build is invisible until complete; killed, it leaves no index" {
	need_corpus
	db="$CT/first.db"
	NOTES_DB="$db" "$INDEX" -q "$CORPUS" 2>/dev/null &
	pid=$!
	# wait until the build has begun writing, then kill it
	for _ in $(seq 200); do [ -s "$db.building" ] && break; sleep 0.01; done
	[ -e "$db.building" ]
	[ ! -e "$db" ]   # readers never see a half-built first index
	kill -9 "$pid"
	wait "$pid" || true
	[ ! -e "$db" ]
	run --separate-stderr env NOTES_DB="$db" "$SEARCH" kubelet
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no index at"* ]]
	# the next run starts over and publishes the whole index
	NOTES_DB="$db" "$INDEX" -q "$CORPUS" 2>/dev/null
	[ -e "$db" ]
	[ ! -e "$db.building" ]
	# published idle: a rollback journal (the next run switches to WAL)
	[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = delete ]
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM notes')" = "$(sqlite3 "$NOTES_DB" 'SELECT count(*) FROM notes')" ]
	[ "$(stat -c %a "$db")" = 600 ]
}
