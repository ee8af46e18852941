#!/bin/bash
# crash.sh [--kills N] [--notes N] [--seed S] WORK — kill -9 notes-index at
# random moments and prove nothing is lost (issue 6, crash safety).
#
# The archive is the first N notes of ../shared/corpus (all of them with
# --notes 0), or, without the corpus, a generated one (copies of
# examples/notes, each with its own words).  After a first complete index,
# each round:
#   1. changes the archive (edits, new notes, deletes, renames) and picks a
#      kind of run in turn: incremental, --full, or a first build (the
#      database removed);
#   2. starts notes-index and kills it (SIGKILL) after a random part of such
#      a run's time (a run that ends first does not count as a kill: rounds
#      go on until N kills have landed);
#   3. checks the database: PRAGMA integrity_check and FTS5's integrity-check
#      pass; every note it holds is the version indexed before the run or the
#      file as it is now (no half-written note); a --full run killed before
#      its swap left the old index whole; a first build killed left no
#      index (notes-search says so); notes-search answers from it;
#   4. runs notes-index to the end and compares with a clean full index of
#      the same archive: same notes (path, size, time, hash, title, date),
#      same front-matter values, same results for several queries.
# Prints one line per round and "crash: N kills survived"; exits 1 at the
# first failure, naming the round and the seed to replay it.
#
# Env: NOTES_BUILD (binaries; default build), NOTES_EXT (the loadable
# tokenizer for the sqlite3 CLI; default build/notes_fts5), NOTES_SHARED.
set -u

kills=20 notes=400 seed=$(( $(date +%s) % 100000 ))
while [ $# -gt 1 ]; do
	case $1 in
	--kills) kills=$2; shift 2 ;;
	--notes) notes=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: crash.sh [--kills N] [--notes N] [--seed S] WORK" >&2; exit 2; }
work=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${NOTES_BUILD:-$top/build}
INDEX=$build/notes-index SEARCH=$build/notes-search
ext=${NOTES_EXT:-$top/build/notes_fts5}
RANDOM=$seed

fail() { echo "crash: round ${round:-0}: $* (replay: --seed $seed --kills $kills --notes $notes)" >&2; exit 1; }

mkdir -p "$work" || exit 2
arch=$work/archive db=$work/index.db ref=$work/ref.db
rm -rf "$arch" "$db"* "$ref"*

# ---- the archive -------------------------------------------------------------
. "$top/tests/e2e/archive.sh"
copy_archive "$arch" "$notes" || fail "cannot copy the archive"

sql() { sqlite3 -bail "$1" ".load $ext" "$2"; }

# What a note is in the index: path|size|mtime_ns, one line per note.
versions() { sqlite3 "$1" "SELECT path || '|' || size || '|' || mtime_ns FROM notes ORDER BY path"; }
versions_or_none() { if [ -e "$1" ]; then versions "$1"; fi; }

# Everything a full index must agree on, ids aside.
dump() {
	sqlite3 "$1" "SELECT path, size, mtime_ns, hash, title, date FROM notes ORDER BY path;
		SELECT n.path, f.key, f.value FROM fields f JOIN notes n ON n.id = f.note
		ORDER BY n.path, f.key, f.value;"
	for q in kubernetes 'graceful termination' '"pull request"' 'sig*' crashedit; do
		"$SEARCH" --db "$1" -l -n 100000 "$q" 2>/dev/null | LC_ALL=C sort
		"$SEARCH" --db "$1" --vimgrep -n 100000 "$q" 2>/dev/null | LC_ALL=C sort
	done
}

check_integrity() {
	local out
	out=$(sql "$1" "INSERT INTO fts(fts) VALUES('integrity-check'); PRAGMA integrity_check;" 2>&1) ||
		fail "integrity check failed: $out"
	[ "$out" = ok ] || fail "integrity check: $out"
}

# ---- changes between runs ----------------------------------------------------------
mutate() {
	local files n i f
	mapfile -t files < <(cd "$arch" && find . -name '*.md' -type f | LC_ALL=C sort)
	n=${#files[@]}
	[ "$n" -gt 10 ] || fail "archive too small"
	for ((i = 0; i < n / 20 + 1; i++)); do   # edits: 5%
		f=$arch/${files[RANDOM % n]}
		[ -f "$f" ] && printf '\ncrashedit round%d edit%d\n' "$round" "$i" >> "$f"
	done
	for ((i = 0; i < n / 100 + 1; i++)); do   # new notes: 1%
		f=$arch/${files[RANDOM % n]}
		[ -f "$f" ] && { cat "$f"; printf '\ncrashedit new%d in round%d\n' "$i" "$round"; } \
			> "${f%.md}-new$round-$i.md"
	done
	for ((i = 0; i < n / 100 + 1; i++)); do   # deletes: 1%
		rm -f "$arch/${files[RANDOM % n]}"
	done
	for ((i = 0; i < n / 100 + 1; i++)); do   # renames: 1%
		f=$arch/${files[RANDOM % n]}
		[ -f "$f" ] && mv "$f" "${f%.md}-moved$round.md"
	done
}

# ---- rounds ----------------------------------------------------------------------
t0=$(date +%s%N)
"$INDEX" -q --db "$db" "$arch" 2> "$work/first.err" || fail "first index failed: $(tail -n 3 "$work/first.err")"
run_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$run_ms" -gt 20 ] || run_ms=20
echo "crash: archive of $(find "$arch" -name '*.md' | wc -l) notes, a full index takes ${run_ms} ms, seed $seed"

survived=0 finished=0 round=0
kinds=(incremental --full first-build)
while [ "$survived" -lt "$kills" ]; do
	round=$((round + 1))
	[ "$round" -le $((4 * kills + 10)) ] || fail "only $survived of $kills kills landed in $((round - 1)) rounds"
	mutate
	kind=${kinds[round % 3]}
	full=
	[ "$kind" = --full ] && full=--full
	[ "$kind" = first-build ] && rm -f "$db" "$db"-wal "$db"-shm
	versions_or_none "$db" > "$work/before"
	# Somewhere inside such a run: an incremental one is shorter.
	span=$run_ms
	[ "$kind" = incremental ] && span=$((run_ms / 2 + 1))
	delay_ms=$((RANDOM % span))
	"$INDEX" -q $full --db "$db" "$arch" > "$work/killed.out" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# 128 + SIGKILL: the kill landed; anything else, the run had ended.
	if [ $? -eq 137 ]; then how=killed; else how="finished first"; fi

	if [ "$kind" = first-build ] && [ "$how" = killed ] && [ -e "$db" ]; then
		# Killed after its rename (while exiting): then it is whole.
		rm -f "$ref" "$ref"-*
		"$INDEX" -q --db "$ref" "$arch" > /dev/null 2>&1 || fail "clean index failed"
		versions "$ref" | cmp -s - <(versions "$db") ||
			fail "a killed first build left a partial $db"
		rm -f "$ref" "$ref"-*
	fi
	if [ "$kind" = first-build ] && [ "$how" = killed ] && [ ! -e "$db" ]; then
		# Nothing half-built may look like an index.
		"$SEARCH" --db "$db" kubernetes > /dev/null 2> "$work/search.err"
		st=$?
		[ "$st" -eq 2 ] && grep -q "no index" "$work/search.err" ||
			fail "notes-search after a killed first build: exit $st: $(cat "$work/search.err")"
	else
		check_integrity "$db"
		versions "$db" > "$work/after"
		# Each note is the version of before the run or the file as it is now.
		while IFS='|' read -r p size mt; do
			grep -qxF "$p|$size|$mt" "$work/before" && continue
			[ -f "$p" ] || fail "$p is in the index but neither its old version nor a file"
			now=$(stat -c '%s|%.9Y' "$p" | tr -d .) || fail "stat $p"
			[ "$size|$mt" = "$now" ] || fail "$p is half-way: index says $size|$mt, file is $now"
		done < "$work/after"
		if [ -n "$full" ] && [ "$how" = killed ] && ! cmp -s "$work/before" "$work/after"; then
			# Killed before its swap the old index is whole; after it, the new.
			"$INDEX" -q --db "$ref" --full "$arch" >/dev/null 2>&1
			versions "$ref" | cmp -s - "$work/after" ||
				fail "a killed --full run left neither the old index nor the new"
			rm -f "$ref" "$ref"-*
		fi
		"$SEARCH" --db "$db" -l kubernetes > /dev/null 2> "$work/search.err"
		st=$?
		[ "$st" -le 1 ] && [ ! -s "$work/search.err" ] ||
			fail "notes-search after the kill: exit $st: $(cat "$work/search.err")"
	fi

	"$INDEX" -q --db "$db" "$arch" > "$work/next.out" 2>&1 ||
		fail "the run after the kill failed: $(cat "$work/next.out")"
	check_integrity "$db"
	rm -f "$ref" "$ref"-*
	"$INDEX" -q --db "$ref" "$arch" > /dev/null 2>&1 || fail "clean index failed"
	dump "$db" > "$work/got"
	dump "$ref" > "$work/want"
	cmp -s "$work/got" "$work/want" ||
		fail "after the kill and a complete run the index differs from a clean one: $(diff "$work/want" "$work/got" | head -5)"
	echo "crash: round $round: $kind $how after ${delay_ms} ms: ok"
	if [ "$how" = killed ]; then survived=$((survived + 1)); else finished=$((finished + 1)); fi
done
echo "crash: $survived kills survived ($finished more runs ended before their kill)"
