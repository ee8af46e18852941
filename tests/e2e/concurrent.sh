#!/bin/bash
# concurrent.sh [--searches N] [--notes N] WORK — searches while the index
# is rebuilt (issue 6, concurrency).
#
# Indexes an archive (the first N notes of ../shared/corpus, all with
# --notes 0, or copies of examples/notes without the corpus), then runs
# notes-index over and over in the background while N searches
# (default 500) run in the foreground, cycling through queries that matched
# before, while full and incremental runs alternate.  Every search must
# exit 0, print results and nothing on stderr (no
# "database is locked", no empty answer).  Then two indexers are started at
# once: exactly one indexes, the other exits 75 naming the first.
# Prints "concurrent: N searches during M re-indexes (K incremental): ok"; exit 1 on
# the first failure.
#
# Env: NOTES_BUILD (binaries; default build), NOTES_SHARED.
set -u

searches=500 notes=300
while [ $# -gt 1 ]; do
	case $1 in
	--searches) searches=$2; shift 2 ;;
	--notes) notes=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: concurrent.sh [--searches N] [--notes N] WORK" >&2; exit 2; }
work=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${NOTES_BUILD:-$top/build}
INDEX=$build/notes-index SEARCH=$build/notes-search
corpus=${NOTES_SHARED:-$top/../shared}/corpus
fail() { echo "concurrent: $*" >&2; touch "$work/stop"; exit 1; }

mkdir -p "$work" || exit 2
arch=$work/archive db=$work/index.db
rm -rf "$arch" "$db"* "$work/stop" "$work/runs" "$work/index.err"
. "$top/tests/e2e/archive.sh"
copy_archive "$arch" "$notes" || fail "cannot copy the archive"
if [ -d "$corpus" ]; then
	queries=(kubernetes release 'sig*' meeting '"pull request"')
else
	queries=(graceful termination 'note*' meeting '"graceful termination"')
fi
export NOTES_DB=$db
"$INDEX" -q "$arch" 2> "$work/first.err" || fail "first index failed: $(tail -n 3 "$work/first.err")"
for q in "${queries[@]}"; do
	"$SEARCH" -l "$q" > /dev/null 2>&1 || fail "query $q matches nothing before the test"
done

# Full rebuilds (a new index beside the old, swapped in) alternate with
# incremental runs over changed notes (batches committed to the WAL and
# checkpointed while searches read).
mapfile -t notes_list < <(find "$arch" -name '*.md' -type f | LC_ALL=C sort)
(k=0
 while [ ! -e "$work/stop" ]; do
	k=$((k + 1))
	full=--full
	if [ $((k % 2)) -eq 0 ]; then
		full=
		for ((i = k % 7; i < ${#notes_list[@]}; i += 7)); do
			printf '\nconcurrent edit %d\n' "$k" >> "${notes_list[i]}"
		done
	fi
	# (Warnings about the notes themselves are not failures.)
	"$INDEX" -q $full "$arch" 2> "$work/index.warn" || {
		echo "exit $?: $(grep -v ': front matter\|: skipped\|: invalid' "$work/index.warn" | head -n 2)" \
			>> "$work/index.err"; }
	echo "${full:-incremental}" >> "$work/runs"
 done) &
loop=$!
bad=0
for ((i = 0; i < searches; i++)); do
	q=${queries[i % ${#queries[@]}]}
	"$SEARCH" -l -n 5 "$q" > "$work/out" 2> "$work/err"
	st=$?
	if [ "$st" -ne 0 ] || [ ! -s "$work/out" ] || [ -s "$work/err" ]; then
		echo "concurrent: search $i ($q): exit $st, $(wc -l < "$work/out") paths, stderr: $(cat "$work/err")" >&2
		bad=$((bad + 1))
	fi
done
touch "$work/stop"
wait "$loop"
runs=$(wc -l < "$work/runs")
incr=$(grep -c incremental "$work/runs")
[ "$bad" -eq 0 ] || fail "$bad of $searches searches failed"
[ ! -s "$work/index.err" ] || fail "an indexer failed: $(head -n 3 "$work/index.err")"
[ "$runs" -ge 1 ] || fail "no re-index completed"

# Two indexers at once: one works, the other says who holds the lock.
"$INDEX" -q --full "$arch" > "$work/a.out" 2>&1 & a=$!
sleep 0.05
"$INDEX" -q --full "$arch" > "$work/b.out" 2>&1 & b=$!
wait "$a"; sa=$?
wait "$b"; sb=$?
if [ "$sa" -eq 0 ] && [ "$sb" -eq 75 ]; then
	grep -q "another notes-index" "$work/b.out" || fail "the second indexer's message: $(cat "$work/b.out")"
elif [ "$sa" -eq 75 ] && [ "$sb" -eq 0 ]; then
	grep -q "another notes-index" "$work/a.out" || fail "the waiting indexer's message: $(cat "$work/a.out")"
elif [ "$sa" -ne 0 ] || [ "$sb" -ne 0 ]; then
	fail "two indexers: exits $sa and $sb: $(cat "$work/a.out" "$work/b.out")"
fi
# (Both 0: the first finished before the second started; fine.)
echo "concurrent: $searches searches during $runs re-indexes ($incr incremental): ok"
