#!/bin/bash
# bench/run.sh — the `make bench` harness (issue 5, performance).
#
# Measures notes-index and notes-search next to their peers (a plain SQLite
# FTS5 load with the sqlite3 CLI, and ripgrep) in the same run, at three
# archive sizes, and writes bench/RESULTS.md with a PASS/FAIL "Bar" table.
# Every number is a whole-process time on a warm page cache, measured with
# hyperfine; peak RSS with GNU time.  See bench/README.md.
#
#   bench/run.sh [--sizes 2k,20k,200k] [--runs N] [--out FILE] [--quick]
#
# Env: NOTES_BIN_DIR (default build/), BENCH_DIR (default /tmp/notes-bench),
#      NOTES_CORPUS (default ../shared/corpus next to the repository).
#
# Exit status: 0 when every measurement completed (even if bars FAIL),
# 1 when something broke (a command failed, a query exited >= 2),
# 2 for a usage error or a missing tool.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/notes-bench}
bin_dir=${NOTES_BIN_DIR:-$top/build}
corpus_src=${NOTES_CORPUS:-$top/../shared/corpus}

argv="$*"
runs_given=0
[[ " $argv " == *" --runs"* ]] && runs_given=1

sizes=2k,20k,200k
# Query runs per command.  p99 is nearest-rank: below 100 runs it is the
# slowest run, one scheduling hiccup of a shared VM; from 100 on it is the
# 99th percentile the bar asks for.
runs=100
out=
quick=0

usage() {
	sed -n '2,17s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=${2:?}; shift 2 ;;
	--sizes=*) sizes=${1#*=}; shift ;;
	--runs) runs=${2:?}; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--out) out=${2:?}; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--quick) quick=1; shift ;;
	-h | --help) usage ;;
	*) echo "bench: unknown option $1" >&2; usage ;;
	esac
done

if [ "$quick" = 1 ]; then
	# Smoke test of the script itself: 2k only, few runs, not a report.
	sizes=2k
	[ "$runs_given" = 1 ] || runs=3
	out=${out:-$bench_dir/RESULTS-quick.md}
fi
out=${out:-$top/bench/RESULTS.md}
[[ $runs =~ ^[0-9]+$ ]] || { echo "bench: --runs needs a number" >&2; exit 2; }
if [ "$quick" = 0 ] && [ "$runs" -lt 20 ]; then
	echo "bench: --runs must be at least 20 for the report (use --quick to smoke-test)" >&2
	exit 2
fi
IFS=, read -ra size_list <<<"$sizes"
for s in "${size_list[@]}"; do
	case $s in 2k | 20k | 200k) ;; *) echo "bench: unknown size $s (2k, 20k, 200k)" >&2; exit 2 ;; esac
done

log() { printf 'bench [%5ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
trap 'rc=$?; [ $rc = 0 ] || log "FAILED (exit $rc) at line $LINENO: $BASH_COMMAND"' ERR

# ---- tools -------------------------------------------------------------------
need() { echo "bench: needs $1 (apt-get install hyperfine ripgrep time sqlite3 jq)" >&2; exit 2; }
for t in hyperfine rg sqlite3 jq python3; do
	command -v "$t" >/dev/null || need "$t"
done
[ -x /usr/bin/time ] || need "GNU time (/usr/bin/time)"
# The peer loads files with the CLI's fsdir() table-valued function.
sqlite3 :memory: "SELECT count(*) FROM fsdir('$top/bench') LIMIT 1" >/dev/null 2>&1 ||
	need "a sqlite3 CLI with fsdir()"
for b in notes-index notes-search; do
	[ -x "$bin_dir/$b" ] || { echo "bench: no $bin_dir/$b (run make all first)" >&2; exit 2; }
done

# ---- scratch -------------------------------------------------------------------
mkdir -p "$bench_dir"
bench_dir=$(cd "$bench_dir" && pwd -P)
case $bench_dir/ in "$(cd "$top" && pwd -P)"/*) echo "bench: BENCH_DIR must be outside the repository" >&2; exit 2 ;; esac
work=$(mktemp -d "$bench_dir/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM   # so that the EXIT trap cleans up

# Other people rebuild build/ while this runs: measure one snapshot of the
# binaries for the whole run (nothing is looked up next to them).
mkdir "$work/bin"
cp "$bin_dir/notes-index" "$bin_dir/notes-search" "$work/bin/"
NI=$work/bin/notes-index
NS=$work/bin/notes-search

# Single-quote a word for hyperfine -N, which splits commands like a POSIX
# shell (quotes honoured, no globbing or variables).
sq() {
	if [[ $1 =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then
		printf '%s' "$1"
	else
		local s=${1//\'/\'\\\'\'}
		printf "'%s'" "$s"
	fi
}

# kv FILE KEY VALUE: facts for the report, one "key<TAB>value" per line.
kv() { printf '%s\t%s\n' "$2" "$3" >>"$1"; }

# ---- machine -------------------------------------------------------------------
machine=$work/machine.tsv
kv "$machine" date "$(date -u '+%Y-%m-%d %H:%M UTC')"
kv "$machine" nproc "$(nproc)"
kv "$machine" memory "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
kv "$machine" cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
kv "$machine" kernel "$(uname -sr)"
kv "$machine" debian "$(cat /etc/debian_version 2>/dev/null || echo '?')"
kv "$machine" sqlite3 "$(sqlite3 --version | cut -d' ' -f1-2)"
kv "$machine" hyperfine "$(hyperfine --version)"
kv "$machine" rg "$(rg --version | head -1)"
kv "$machine" python3 "$(python3 --version)"
kv "$machine" notes_version "$("$NS" --version)"
kv "$machine" git "$(cd "$top" && git log -1 --format='%h %s' 2>/dev/null || echo '?')"
kv "$machine" git_dirty "$(cd "$top" && git status --porcelain -uno 2>/dev/null | wc -l) modified tracked files"
kv "$machine" bin_dir "$bin_dir"
kv "$machine" bin_sha "$(cd "$work/bin" && sha256sum notes-index notes-search | awk '{printf "%s %s  ", $2, substr($1, 1, 12)}')"
kv "$machine" bench_dir "$bench_dir"
kv "$machine" runs "$runs"
kv "$machine" quick "$quick"
kv "$machine" sizes "$sizes"
kv "$machine" argv "bench/run.sh${argv:+ $argv}"

# The host may evict page cache nobody touched for a while (a DAMON
# "pageout" scheme, as on these VMs): then "warm" holds only for what was
# read recently.  Said in the report when active.
damon=
for sc in /sys/kernel/mm/damon/admin/kdamonds/*/contexts/*/schemes/*; do
	[ -r "$sc/action" ] || continue
	[ "$(cat "${sc%%/contexts/*}/state" 2>/dev/null)" = on ] || continue
	aggr=$(cat "${sc%%/schemes/*}/monitoring_attrs/intervals/aggr_us" 2>/dev/null || echo 0)
	age=$(cat "$sc/access_pattern/age/min" 2>/dev/null || echo 0)
	damon+="${damon:+; }$(cat "$sc/action") of memory idle for $((age * aggr / 1000000)) s or more"
done
kv "$machine" damon "${damon:-none}"

# probe LABEL: the machine's speed of the moment, as the p50 of a process
# that does nothing (/bin/true, 300 runs): the host's load moves every
# absolute time of a run by tens of percent (ratios to a peer measured
# in the same hyperfine call do not move with it).
probe() {
	hyperfine -N -w 20 -r 300 --export-json "$work/probe.json" /bin/true >/dev/null 2>&1 || return 0
	kv "$machine" "probe_$1" "$(python3 -c 'import json, statistics, sys
print("%.3f" % (statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"]) * 1e3))' "$work/probe.json")"
}

# ---- helpers (python, stdlib only) ---------------------------------------------

# list-notes.py ROOT OUT: the files notes-index indexes — regular *.md and
# *.markdown files, hidden files and folders skipped — sorted, one relative
# path per line; prints "COUNT BYTES".  The same selection as the SQL below.
cat >"$work/list-notes.py" <<'PY'
import os, stat, sys
root, out = sys.argv[1], sys.argv[2]
paths, total = [], 0
for d, dirs, files in os.walk(root):
    dirs[:] = [x for x in dirs if not x.startswith('.')]
    for f in files:
        if f.startswith('.') or not (f.endswith('.md') or f.endswith('.markdown')):
            continue
        p = os.path.join(d, f)
        st = os.lstat(p)
        if stat.S_ISREG(st.st_mode):
            paths.append(os.path.relpath(p, root))
            total += st.st_size
paths.sort()
with open(out, 'w') as fh:
    fh.write(''.join(p + '\n' for p in paths))
print(len(paths), total)
PY

# edit-notes.py ROOT LIST STATE LOG: the --prepare step of the "1% changed"
# reindex.  Run k (counted in STATE) rewrites every 100th note of LIST,
# starting at k % 100, so each run touches different notes.  The last line of
# each note becomes "bench-edit N: …" with N one more than the note's previous
# bench-edit line (if any), so the content (hash), size and mtime all change
# every time, and a note grows by one line at most however often it is edited.
# Appending a word removes none, so the query measurements are unaffected.
cat >"$work/edit-notes.py" <<'PY'
import os, re, sys
root, listfile, state, logf = sys.argv[1:5]
k = int(open(state).read()) if os.path.exists(state) else 0
with open(state, 'w') as fh:
    fh.write(str(k + 1))
paths = open(listfile).read().split('\n')[:-1]
mark = re.compile(rb'\nbench-edit (\d+): [^\n]*\n?\Z')
n = 0
for rel in paths[k % 100::100]:
    p = os.path.join(root, rel)
    with open(p, 'rb') as fh:
        data = fh.read()
    m = mark.search(data)
    gen = 1
    if m:
        gen = int(m.group(1)) + 1
        data = data[:m.start()]
    if not data.endswith(b'\n'):
        data += b'\n'
    data += b'\nbench-edit %d: benchedit%dx%d rewritten by bench/run.sh\n' % (gen, k, gen)
    with open(p, 'wb') as fh:
        fh.write(data)
    n += 1
with open(logf, 'a') as fh:
    fh.write('%d %d\n' % (k, n))
PY

# ---- corpora -------------------------------------------------------------------

notes_of_size() { case $1 in 2k) echo 2000 ;; 20k) echo 20000 ;; 200k) echo 200000 ;; esac; }

# gen_done SIZE DIR: is DIR a finished generator output of the right size?
# Finished = our stamp (gen-SIZE.done) or the generator's log (ours, or the
# lead's genNk.log) ends with "gen-corpus: N notes, …".
gen_done() {
	local n f
	n=$(notes_of_size "$1")
	[ -d "$2" ] || return 1
	for f in "$bench_dir/gen-$1.done" "$bench_dir/gen-$1.log" "$bench_dir/gen$1.log"; do
		[ -s "$f" ] && tail -n 1 "$f" | grep -q "^gen-corpus: $n notes, .*-> $2\$" && return 0
	done
	return 1
}

# A generator still writing DIR (someone else's run, e.g. the lead's)?  Wait
# for it rather than regenerating over it.
gen_running() { pgrep -f -- "gen-corpus\.py .*$1\$" >/dev/null 2>&1; }

# prepare_corpus SIZE: sets $dir (the archive to measure) and $origin.
prepare_corpus() {
	local size=$1 n
	n=$(notes_of_size "$size")
	if [ "$size" = 2k ] && [ -d "$corpus_src" ]; then
		# Never touch the shared corpus: the 1%-changed step edits notes, so
		# measure a fresh copy (23 MB, a second or two).
		dir=$bench_dir/corpus-2k
		log "2k: copying $corpus_src to $dir"
		rm -rf "$dir"
		cp -a "$corpus_src" "$dir"
		origin="the real corpus ($(cd "$corpus_src" && pwd -P)), copied to $dir"
		return
	fi
	dir=$bench_dir/gen-$size
	if ! gen_done "$size" "$dir" && gen_running "$dir"; then
		log "$size: a generator is writing $dir; waiting for it"
		while gen_running "$dir"; do sleep 5; done
	fi
	if gen_done "$size" "$dir"; then
		log "$size: reusing $dir (generated, complete)"
	else
		log "$size: generating $n notes into $dir (200k: ~2 min)"
		rm -rf "$dir" "$bench_dir/gen-$size.done"
		mkdir -p "$dir"
		python3 "$top/bench/gen-corpus.py" --notes "$n" --jobs 2 --force "$dir" 2>"$bench_dir/gen-$size.log" ||
			die "gen-corpus.py failed, see $bench_dir/gen-$size.log"
		tail -n 1 "$bench_dir/gen-$size.log" >"$bench_dir/gen-$size.done"
		gen_done "$size" "$dir" || die "gen-corpus.py did not finish: $(tail -n 1 "$bench_dir/gen-$size.log")"
	fi
	origin="synthetic, bench/gen-corpus.py --notes $n (seed 1): $dir"
	if [ "$size" = 2k ]; then
		origin="$origin — the real corpus ($corpus_src) is absent, so 2k is SYNTHETIC"
	fi
}

# ---- measurements --------------------------------------------------------------
# Each writes hyperfine JSON and facts into $sd (one folder per size).

# 1. Full index on a fresh database, next to a plain FTS5 load of the same
#    files with the sqlite3 CLI.  The peer stores path + raw text in an FTS5
#    table with the default tokenizer: the least work a full-text index of
#    these files can do in SQLite.  GNU time wraps every timed run for the peak
#    RSS (it costs ~1 ms of a run that takes seconds), so no separate, untimed
#    run is needed: at 200k one run takes minutes.  Likewise the page cache is
#    warmed by one rg pass over the notes instead of a hyperfine warm-up there.
measure_full_index() {
	local size=$1 r w=1
	case $size in 2k) r=5 ;; 20k) r=3 ;; 200k) r=2 w=0 ;; esac
	[ "$quick" = 1 ] && r=1 w=0
	local esc=${dir//\'/\'\'}
	cat >"$sd/load.sql" <<-SQL
		PRAGMA journal_mode=WAL;
		CREATE VIRTUAL TABLE docs USING fts5(path, body);
		INSERT INTO docs(path, body)
		  SELECT name, CAST(data AS TEXT) FROM fsdir('$esc')
		  WHERE (mode & 61440) = 32768
		    AND (name GLOB '*.md' OR name GLOB '*.markdown')
		    AND substr(name, length('$esc') + 1) NOT LIKE '%/.%';
	SQL
	kv "$sd/meta.tsv" index_runs "$r"
	kv "$sd/meta.tsv" index_warmup "$w"

	log "$size: warming the page cache (rg over the notes)"
	rg -l -F -e 'zq-bench-nowhere-qz' "$dir" >/dev/null || true

	local pre_ni pre_sq run_ni run_sq
	# (DB.building: where notes-index builds a first index before renaming it)
	pre_ni="rm -f $(sq "$db") $(sq "$db-wal") $(sq "$db-shm") $(sq "$db.lock") $(sq "$db.building")"
	pre_sq="rm -f $(sq "$sdb") $(sq "$sdb-wal") $(sq "$sdb-shm")"
	run_ni="$(sq "$NI") -q --db $(sq "$db") $(sq "$dir")"
	run_sq="sqlite3 -bail $(sq "$sdb") $(sq ".read $sd/load.sql")"
	kv "$sd/meta.tsv" cmd_index "--prepare '$pre_ni'  /usr/bin/time -f %M -a -o RSS $run_ni"
	kv "$sd/meta.tsv" cmd_sqlite "--prepare '$pre_sq'  /usr/bin/time -f %M -a -o RSS $run_sq"
	rm -f "$sd/rss-index" "$sd/rss-sqlite"
	# Interleaved, one run of each per hyperfine call: the host's load
	# swings over minutes, and hyperfine's own order (all runs of one,
	# then all of the other) let a slow minute fall on one side only
	# (20k, 18:10 UTC: notes-index 6.4-7.2 s beside 5.0-5.5 s minutes
	# later, its peer 4.0 s and 3.9 s).
	log "$size: full index, $r interleaved runs each ($w warm-up)"
	local k
	for ((k = 1; k <= w + r; k++)); do
		hyperfine -N -r 1 --export-json "$sd/index-$k.json" \
			--prepare "$pre_ni" -n notes-index "/usr/bin/time -f %M -a -o $(sq "$sd/rss-index") $run_ni" \
			--prepare "$pre_sq" -n sqlite3 "/usr/bin/time -f %M -a -o $(sq "$sd/rss-sqlite") $run_sq" >&2
	done
	# index.json: the timed rounds' runs, as one hyperfine export
	python3 - "$sd" "$w" "$r" <<-'PY'
		import json, sys
		sd, w, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
		res = {}
		for k in range(w + 1, w + r + 1):
		    for x in json.load(open(f'{sd}/index-{k}.json'))['results']:
		        res.setdefault(x['command'], []).extend(x['times'])
		json.dump({'results': [{'command': c, 'times': t} for c, t in res.items()]},
		          open(f'{sd}/index.json', 'w'))
	PY
	kv "$sd/meta.tsv" index_rss_kb "$(grep -E '^[0-9]+$' "$sd/rss-index" | sort -n | tail -n 1)"
	kv "$sd/meta.tsv" sqlite_rss_kb "$(grep -E '^[0-9]+$' "$sd/rss-sqlite" | sort -n | tail -n 1)"

	# Both databases as the last run left them.
	kv "$sd/meta.tsv" db_bytes "$(cat "$db" "$db-wal" 2>/dev/null | wc -c)"
	kv "$sd/meta.tsv" sqlite_db_bytes "$(cat "$sdb" "$sdb-wal" 2>/dev/null | wc -c)"
	local rows
	rows=$(sqlite3 "$sdb" "SELECT count(*) || ' ' || sum(length(CAST(body AS BLOB))) FROM docs")
	[ "$rows" = "$nfiles $raw" ] || die "sqlite3 loaded $rows (files bytes), expected $nfiles $raw"
	rm -f "$sdb" "$sdb-wal" "$sdb-shm"
}

# 2. Re-index when nothing changed (the nightly cron job on a quiet day): one
#    stat per note and no writes.
measure_noop() {
	local size=$1 r=20
	[ "$size" = 200k ] && r=10
	[ "$quick" = 1 ] && r=3
	# One run by hand (not quiet): how many notes the index holds and skips.
	"$NI" --db "$db" "$dir" >/dev/null 2>"$sd/noop.log" || die "notes-index failed: $(tail -n 3 "$sd/noop.log")"
	kv "$sd/meta.tsv" noop_summary "$(tail -n 1 "$sd/noop.log")"
	log "$size: no-op reindex, hyperfine $r runs ($(tail -n 1 "$sd/noop.log"))"
	hyperfine -N -w 1 -r "$r" --export-json "$sd/noop.json" \
		-n noop "$(sq "$NI") -q --db $(sq "$db") $(sq "$dir")" >&2
}

# 3. Re-index after 1% of the notes changed: the prepare step rewrites a
#    different 1% before every run (edit-notes.py).  One run by hand first
#    checks that notes-index really sees them as changed.
measure_changed() {
	local size=$1 r=5
	[ "$size" = 200k ] && r=3
	[ "$quick" = 1 ] && r=2
	local edit="python3 $(sq "$work/edit-notes.py") $(sq "$dir") $(sq "$sd/files.txt") $(sq "$sd/edit.state") $(sq "$sd/edit.log")"
	log "$size: 1% changed, check run"
	python3 "$work/edit-notes.py" "$dir" "$sd/files.txt" "$sd/edit.state" "$sd/edit.log"
	"$NI" --db "$db" "$dir" >/dev/null 2>"$sd/changed.log" || die "notes-index failed: $(tail -n 3 "$sd/changed.log")"
	kv "$sd/meta.tsv" changed_summary "$(tail -n 1 "$sd/changed.log")"
	kv "$sd/meta.tsv" changed_files "$(tail -n 1 "$sd/edit.log" | cut -d' ' -f2)"
	log "$size: 1% changed, hyperfine $r runs ($(tail -n 1 "$sd/changed.log"))"
	hyperfine -N -w 0 -r "$r" --export-json "$sd/changed.json" --prepare "$edit" \
		-n changed "$(sq "$NI") -q --db $(sq "$db") $(sq "$dir")" >&2
}

# The query set: words (all of them, any form), phrases (one argument holding
# the quotes, as a shell user types '"rolling update"'), prefixes.
queries=(
	"graceful termination" "kubelet" "pod disruption budget" "scheduler"
	"etcd backup" "persistent volume claim" "network policy" "rolling update"
	"service account token" "node affinity" '"rolling update"' '"persistent volume"'
	"kube*" "contain*" "container runtime" "ingress controller" "resource quota"
	"daemonset" "kube-proxy" "admission webhook" "liveness probe" "cluster upgrade"
	"namespace" "configmap secret"
)

# query_args Q: sets qargs (argv for notes-search) and rgargs (argv for the
# ripgrep peer, which gets the cheaper job: files holding ANY of the words).
query_args() {
	local q=$1 w
	qargs=() rgargs=(-i -l)
	if [[ $q == \"*\" ]]; then
		qargs=("$q")
		rgargs+=(-F "${q//\"/}")
	elif [[ $q == *\* ]]; then
		qargs=("$q")
		rgargs+=("${q%\*}\\w*")
	else
		read -ra qargs <<<"$q"
		for w in "${qargs[@]}"; do rgargs+=(-e "$w"); done
	fi
}

# joined ARGS...: the words quoted for a hyperfine -N command line.
joined() { local a s=; for a in "$@"; do s+=" $(sq "$a")"; done; printf '%s' "${s# }"; }

# 4. Query latency, human and vimgrep formats and rg, in one hyperfine
#    invocation per query (so the three share the machine's mood).  Output goes
#    through a pipe: rg stops at the first match when stdout is /dev/null.
# 5. Peak RSS of every query in both formats.
measure_queries() {
	local size=$1 i=0 q rc count rgcount hrc vrc
	local w=3
	[ "$quick" = 1 ] && w=1
	: >"$sd/queries.tsv"
	kv "$sd/meta.tsv" query_warmup "$w"
	# rg takes ~1 s per run over the 1 GB of 200k: 103 runs x 24 queries would
	# be 40 minutes, so there it gets its own hyperfine call right after, with
	# 5 runs (only its p50 is used, for the ratio).
	local rg_runs=$runs
	[ "$size" = 200k ] && [ "$quick" = 0 ] && rg_runs=5
	kv "$sd/meta.tsv" rg_runs "$rg_runs"
	# The index runs above leave dirty pages (the database, the edited
	# notes): write them back now, not under the kernel's flusher during
	# the timed queries.
	sync
	for q in "${queries[@]}"; do
		i=$((i + 1))
		query_args "$q"
		local ns_h=("$NS" --db "$db" --color never "${qargs[@]}")
		local ns_v=("$NS" --db "$db" --vimgrep "${qargs[@]}")
		local rg_c=(rg "${rgargs[@]}" "$dir")

		# Direct runs, untimed: peak RSS, exit codes (1 = no results), the
		# number of files rg lists.  (No full result count for notes-search:
		# `-l -n 100000 'kube*'` takes minutes at 20k today.)
		hrc=0; /usr/bin/time -f %M -o "$sd/rss-h" "${ns_h[@]}" >"$sd/q-direct.out" 2>"$sd/q.err" || hrc=$?
		vrc=0; /usr/bin/time -f %M -o "$sd/rss-v" "${ns_v[@]}" >/dev/null 2>>"$sd/q.err" || vrc=$?
		[ "$hrc" -ge 2 ] || [ "$vrc" -ge 2 ] && die "query $q: notes-search exited $hrc/$vrc: $(head -c 300 "$sd/q.err")"
		count=$([ "$hrc" = 0 ] && echo yes || echo NONE)
		rc=0; rg "${rgargs[@]}" "$dir" >"$sd/q.out" || rc=$?
		[ "$rc" -ge 2 ] && die "query $q: rg exited $rc"
		rgcount=$(wc -l <"$sd/q.out")

		local hcmd vcmd rcmd
		hcmd=$(joined "${ns_h[@]}")
		vcmd=$(joined "${ns_v[@]}")
		rcmd=$(joined "${rg_c[@]}")

		# hyperfine -N parses the command line itself: check that the query
		# reaches notes-search as the same arguments (same output as direct).
		rm -f "$sd/q-hf.out"
		hyperfine -N -w 0 -r 1 -i --output="$sd/q-hf.out" "$hcmd" >/dev/null 2>&1 ||
			die "query $q: hyperfine could not run: $hcmd"
		cmp -s "$sd/q-hf.out" "$sd/q-direct.out" ||
			die "query $q: output under hyperfine differs from a direct run (argument splitting?): $hcmd"

		local ign=()
		# No results means exit 1: let hyperfine time it anyway (reported).
		[ "$count" = NONE ] || [ "$rgcount" -eq 0 ] && ign=(-i)
		log "$size: query $i/${#queries[@]} [$q] (results: $count, rg: $rgcount files)"
		if [ "$rg_runs" = "$runs" ]; then
			hyperfine -N -w "$w" -r "$runs" "${ign[@]}" --output=pipe \
				--export-json "$sd/q-$i.json" \
				-n human "$hcmd" -n vimgrep "$vcmd" -n rg "$rcmd" >/dev/null 2>"$sd/hf.err" ||
				die "query $q: hyperfine failed: $(tail -n 5 "$sd/hf.err")"
		else
			hyperfine -N -w "$w" -r "$runs" "${ign[@]}" --output=pipe \
				--export-json "$sd/q-$i.json" \
				-n human "$hcmd" -n vimgrep "$vcmd" >/dev/null 2>"$sd/hf.err" ||
				die "query $q: hyperfine failed: $(tail -n 5 "$sd/hf.err")"
			hyperfine -N -w 1 -r "$rg_runs" "${ign[@]}" --output=pipe \
				--export-json "$sd/q-$i-rg.json" \
				-n rg "$rcmd" >/dev/null 2>"$sd/hf.err" ||
				die "query $q: hyperfine failed: $(tail -n 5 "$sd/hf.err")"
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$q" "$count" "$rgcount" \
			"$(cat "$sd/rss-h")" "$(cat "$sd/rss-v")" >>"$sd/queries.tsv"
	done
	# The exact command lines of the first phrase query, for the report.
	query_args '"rolling update"'
	kv "$sd/meta.tsv" cmd_human "$(joined notes-search --db "$db" --color never "${qargs[@]}")"
	kv "$sd/meta.tsv" cmd_vimgrep "$(joined notes-search --db "$db" --vimgrep "${qargs[@]}")"
	kv "$sd/meta.tsv" cmd_rg_phrase "$(joined rg "${rgargs[@]}" "$dir")"
	query_args 'kube*'
	kv "$sd/meta.tsv" cmd_rg_prefix "$(joined rg "${rgargs[@]}" "$dir")"
	query_args 'pod disruption budget'
	kv "$sd/meta.tsv" cmd_rg_words "$(joined rg "${rgargs[@]}" "$dir")"
}

bench_size() {
	local size=$1 t0=$SECONDS
	sd=$work/$size
	mkdir -p "$sd"
	prepare_corpus "$size"
	dir=$(cd "$dir" && pwd -P)
	db=$bench_dir/db-$size/notes.db
	sdb=$bench_dir/db-$size/fts5-peer.db
	mkdir -p "$bench_dir/db-$size"

	read -r nfiles raw < <(python3 "$work/list-notes.py" "$dir" "$sd/files.txt")
	log "$size: $nfiles notes, $raw bytes in $dir"
	kv "$sd/meta.tsv" dir "$dir"
	kv "$sd/meta.tsv" origin "$origin"
	kv "$sd/meta.tsv" files "$nfiles"
	kv "$sd/meta.tsv" raw_bytes "$raw"
	kv "$sd/meta.tsv" db "$db"

	measure_full_index "$size"
	measure_noop "$size"
	measure_changed "$size"
	measure_queries "$size"

	kv "$sd/meta.tsv" wall_s $((SECONDS - t0))
	log "$size: done in $((SECONDS - t0)) s"
}

probe start
for s in "${size_list[@]}"; do
	bench_size "$s"
	probe "$s"
done
kv "$machine" total_wall_s "$SECONDS"

# ---- report --------------------------------------------------------------------
# Statistics from hyperfine's per-run "times": p50 = median; p99 = nearest
# rank, ceil(0.99 n)-th smallest, which is the slowest run whenever n < 100.
mkdir -p "$(dirname "$out")"
python3 - "$work" "$out" "${size_list[@]}" <<'PY'
import json, math, os, statistics, sys

work, out, sizes = sys.argv[1], sys.argv[2], sys.argv[3:]

def tsv(path):
    d = {}
    with open(path) as fh:
        for line in fh:
            k, _, v = line.rstrip('\n').partition('\t')
            d[k] = v
    return d

def hf(path):
    return {r['command']: r for r in json.load(open(path))['results']}

def p50(ts): return statistics.median(ts)
def p99(ts):
    s = sorted(ts)
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]

M = tsv(os.path.join(work, 'machine.tsv'))
quick = M['quick'] == '1'
R = {}  # per-size numbers for the bars
L = []  # markdown lines
w = L.append

w('# notes-search performance benchmark (issue 5)')
w('')
if quick:
    w('**QUICK SMOKE TEST (`--quick`): few runs, 2k only — not a report.**')
    w('')
w(f"Run {M['date']} by `{M['argv']}` (`make bench`), total wall time "
  f"{int(M['total_wall_s']) // 60} min {int(M['total_wall_s']) % 60} s.")
w('')
w('## Machine')
w('')
w(f"- {M['nproc']} CPUs ({M['cpu']}), {M['memory']} memory; {M['kernel']}; Debian {M['debian']}")
w(f"- sqlite3 {M['sqlite3']}; {M['hyperfine']}; {M['rg']}; {M['python3']}")
w(f"- {M['notes_version']}; commit {M['git']} ({M['git_dirty']})")
w(f"- binaries from `{M['bin_dir']}` (copied at start; sha256 {M['bin_sha'].strip()})")
w(f"- scratch: `{M['bench_dir']}`; a shared, noisy VM, so read the numbers as ± 10–20 %")
probes = [(k[6:], v) for k, v in M.items() if k.startswith('probe_')]
if probes:
    w('- speed of the machine during the run, as the p50 of `/bin/true` (300 runs): '
      + ', '.join(f"{'at the start' if k == 'start' else 'after ' + k} {v} ms" for k, v in probes)
      + ' (the host\'s load moves absolute times; ratios to a peer of the same hyperfine call do not move with it)')
if M.get('damon', 'none') != 'none':
    w(f"- the host's DAMON memory monitor runs a scheme \"{M['damon']}\": page cache not read in "
      'the last half minute or so may be gone, so "warm" means recently read')
w('')
w('## Method')
w('')
w('All times are whole processes on a warm page cache, measured with hyperfine in the '
  'same run as the peers. p50 is the median run; p99 is the nearest-rank 99th '
  'percentile, which is the slowest run when there are fewer than 100 runs. '
  'MB = 10^6 bytes for throughput and sizes; RSS in MiB (GNU time `%M` KiB / 1024). '
  'Raw text = total size of the notes indexed (regular `*.md`/`*.markdown` files, '
  'hidden files and folders skipped, as notes-index does).')
w('')
w('1. **Full index** on a fresh database, `--prepare` removes DB, -wal, -shm, .lock, .building: '
  '`notes-index -q --db DB DIR`, interleaved with its peer (one run of each per hyperfine call). '
  'Peer: a plain FTS5 load of the same files with the '
  'sqlite3 CLI, `sqlite3 -bail PEER.db ".read load.sql"` where load.sql is')
w('')
w('   ```sql')
w('   PRAGMA journal_mode=WAL;')
w('   CREATE VIRTUAL TABLE docs USING fts5(path, body);')
w("   INSERT INTO docs(path, body)")
w("     SELECT name, CAST(data AS TEXT) FROM fsdir('DIR')")
w("     WHERE (mode & 61440) = 32768                        -- regular files (fsdir uses lstat)")
w("       AND (name GLOB '*.md' OR name GLOB '*.markdown')")
w("       AND substr(name, length('DIR') + 1) NOT LIKE '%/.%'; -- no hidden files/folders")
w('   ```')
w('')
w('   The peer\'s row count and byte total are checked against the notes-index '
  'selection. The page cache is warmed by one `rg` pass over the notes, plus one hyperfine '
  'warm-up run at 2k and 20k (none at 200k, where a run takes minutes). GNU time wraps '
  'each run for the peak RSS (max over runs); database sizes are as the last run left them. '
  'Ratio = sqlite3 time / notes-index time (≥ 0.7: notes-index is at least 0.7× as fast).')
w('2. **No-op reindex**: the same notes-index command again, nothing changed (1 warm-up).')
w('3. **1% changed**: before every run (`--prepare`) a helper rewrites the last line of '
  'every 100th note (a rotating start, so each run edits different notes; content, size '
  'and mtime change; a new unique word is added, none removed). One checked run first.')
w('4. **Queries**: per query one `hyperfine -N -w 3 -r RUNS --output=pipe` invocation with '
  'three commands: `notes-search --db DB --color never QUERY` (human), '
  '`notes-search --db DB --vimgrep QUERY`, and the ripgrep peer `rg -i -l -e w1 -e w2 … DIR` '
  '(files holding ANY of the words — a cheaper job than ranking notes holding all of '
  'them), `rg -i -l -F \'a b\' DIR` for phrases, `rg -i -l \'kube\\w*\' DIR` for prefixes. '
  'Phrases reach notes-search as one argument with the quotes (checked: same output '
  'under hyperfine as a direct run). Ratio = rg p50 / human p50. '
  'Output goes through a pipe because rg stops at the first match when stdout is /dev/null. '
  'At 200k rg (about 1 s a run) gets its own hyperfine call right after, with 5 runs, to '
  'keep the whole run under 30 minutes.')
w('5. **Peak RSS**: GNU time `%M`, max over the full-index runs, and over every query in both formats (one untimed run each).')
w('')

def ms(x): return f'{x * 1000:.1f}' if x < 10 else f'{x * 1000:.0f}'
def mb(b): return b / 1e6
def mib(kb): return kb / 1024

for size in sizes:
    sd = os.path.join(work, size)
    S = tsv(os.path.join(sd, 'meta.tsv'))
    raw = int(S['raw_bytes'])
    r = R[size] = {}
    w(f'## {size}: {int(S["files"]):,} notes, {mb(raw):.1f} MB raw text')
    w('')
    w(f'- archive: {S["origin"]}')
    w(f'- wall time for this size: {int(S["wall_s"]) // 60} min {int(S["wall_s"]) % 60} s')
    w(f'- no-op check run: `{S["noop_summary"]}`')
    w(f'- 1% changed check run: {S["changed_files"]} notes edited → `{S["changed_summary"]}`')
    w('')

    I = hf(os.path.join(sd, 'index.json'))
    ni, sq = I['notes-index']['times'], I['sqlite3']['times']
    ni50, sq50 = p50(ni), p50(sq)
    r['index_ratio'] = sq50 / ni50
    w('### Full index')
    w('')
    w('| command | runs | median s | min s | max s | MB/s | peak RSS MiB | database MB | DB / raw |')
    w('|---|---|---|---|---|---|---|---|---|')
    dbb, sdbb = int(S['db_bytes']), int(S['sqlite_db_bytes'])
    r['index_rss'] = mib(int(S['index_rss_kb']))
    r['db_ratio'] = dbb / raw
    w(f'| notes-index | {len(ni)} | {ni50:.2f} | {min(ni):.2f} | {max(ni):.2f} | '
      f'{mb(raw) / ni50:.1f} | {r["index_rss"]:.1f} | {mb(dbb):.1f} | {dbb / raw:.2f}× |')
    w(f'| sqlite3 FTS5 load | {len(sq)} | {sq50:.2f} | {min(sq):.2f} | {max(sq):.2f} | '
      f'{mb(raw) / sq50:.1f} | {mib(int(S["sqlite_rss_kb"])):.1f} | {mb(sdbb):.1f} | {sdbb / raw:.2f}× |')
    w('')
    w(f'Ratio sqlite3 / notes-index: **{r["index_ratio"]:.2f}×** '
      f'(notes-index runs at {r["index_ratio"]:.2f}× the plain load\'s speed).')
    note = ''
    if len(ni) < 3:
        why = '`--quick`' if quick else 'one run takes minutes at this size'
        note = (f' Only {len(ni)} ({why}): '
                f'{"the median is their mean" if len(ni) == 2 else "no spread"}.')
    w(f'Runs: {len(ni)} each, {S["index_warmup"]} warm-up.{note}')
    w('')

    N = hf(os.path.join(sd, 'noop.json'))['noop']['times']
    C = hf(os.path.join(sd, 'changed.json'))['changed']['times']
    r['noop'], r['changed'] = p50(N), p50(C)
    w('### Re-index')
    w('')
    w('| case | runs | p50 ms | p99 ms | min ms | max ms |')
    w('|---|---|---|---|---|---|')
    w(f'| no-op (nothing changed) | {len(N)} | {ms(p50(N))} | {ms(p99(N))} | {ms(min(N))} | {ms(max(N))} |')
    w(f'| 1% of notes changed ({S["changed_files"]} notes) | {len(C)} | {ms(p50(C))} | {ms(p99(C))} | {ms(min(C))} | {ms(max(C))} |')
    w('')

    w('### Queries')
    w('')
    rgnote = '' if S['rg_runs'] == M['runs'] else (
        f' — except rg: {S["rg_runs"]} runs (1 warm-up) in its own hyperfine call right '
        'after, as one rg run over this archive takes about a second')
    w(f'{M["runs"]} runs per command ({S["query_warmup"]} warm-up){rgnote}. Results: whether '
      'notes-search found any note (exit 0); rg files: how many files rg lists (any of the '
      'words, the phrase, or the prefix).')
    w('')
    w('| # | query | results | rg files | human p50 ms | human p99 ms | vimgrep p50 ms | vimgrep p99 ms | rg p50 ms | rg / human | RSS MiB h / v |')
    w('|---|---|---|---|---|---|---|---|---|---|---|')
    hp, vp, ratios, worst, rss, zero = [], [], [], (0, ''), 0, []
    for line in open(os.path.join(sd, 'queries.tsv')):
        i, q, cnt, rgcnt, rh, rv = line.rstrip('\n').split('\t')
        Q = hf(os.path.join(sd, f'q-{i}.json'))
        if os.path.exists(os.path.join(sd, f'q-{i}-rg.json')):
            Q.update(hf(os.path.join(sd, f'q-{i}-rg.json')))
        h, v, g = Q['human']['times'], Q['vimgrep']['times'], Q['rg']['times']
        h50, v50, g50 = p50(h), p50(v), p50(g)
        hp.append(h50); vp.append(v50); ratios.append(g50 / h50)
        for fmt, ts in (('human', h), ('vimgrep', v)):
            t = p99(ts) / p50(ts)
            if t > worst[0]:
                worst = (t, f'{fmt} `{q}`')
        rss = max(rss, int(rh), int(rv))
        if cnt != 'yes':
            zero.append(q)
        w(f'| {i} | `{q}` | {cnt} | {rgcnt} | {ms(h50)} | {ms(p99(h))} | '
          f'{ms(v50)} | {ms(p99(v))} | {ms(g50)} | {g50 / h50:.1f}× | '
          f'{mib(int(rh)):.1f} / {mib(int(rv)):.1f} |')
    r['q50'], r['q50v'] = statistics.median(hp), statistics.median(vp)
    r['qratio'], r['worst'], r['qrss'] = statistics.median(ratios), worst, mib(rss)
    w('')
    w(f'- median over queries of p50: human **{ms(r["q50"])} ms**, vimgrep **{ms(r["q50v"])} ms**')
    w(f'- worst p99 / p50: **{worst[0]:.2f}×** ({worst[1]})')
    w(f'- median ratio rg / human: **{r["qratio"]:.1f}×**')
    w(f'- peak RSS of notes-search over all queries: **{r["qrss"]:.1f} MiB**')
    if zero:
        w(f'- ⚠ no results (exit 1) at this size: {", ".join("`%s`" % z for z in zero)}')
    w('')
    w('Command lines (hyperfine -N; indexing, then the queries, e.g. for `"rolling update"`):')
    w('')
    w('```')
    w(S['cmd_index'])
    w(S['cmd_sqlite'])
    for k in ('cmd_human', 'cmd_vimgrep', 'cmd_rg_words', 'cmd_rg_phrase', 'cmd_rg_prefix'):
        w(S[k])
    w('```')
    w('')

# ---- the bars ----
B = []  # (bar, size, measured, ok)
def bar(name, size, text, ok):
    B.append((name, size, text, ok))
def have(size): return size in R
def na(name, size): B.append((name, size, 'not measured', None))

for size, lim in (('2k', 3e-3), ('200k', 15e-3)):
    n = f'query p50 ≤ {lim * 1000:.0f} ms (median over queries, human)'
    if have(size):
        bar(n, size, f'{ms(R[size]["q50"])} ms (vimgrep {ms(R[size]["q50v"])} ms)', R[size]['q50'] <= lim)
    else: na(n, size)
for size, lim in (('2k', 10), ('200k', 50)):
    n = f'≥ {lim}× faster than rg -i (median ratio)'
    if have(size): bar(n, size, f'{R[size]["qratio"]:.1f}×', R[size]['qratio'] >= lim)
    else: na(n, size)
for size in ('2k', '20k', '200k'):
    n = 'p99 ≤ 3× p50 (every query, both formats; worst)'
    if have(size): bar(n, size, f'{R[size]["worst"][0]:.2f}× ({R[size]["worst"][1]})', R[size]['worst'][0] <= 3)
    else: na(n, size)
for size in ('2k', '20k', '200k'):
    n = 'full index ≥ 0.7× plain sqlite3 FTS5 load speed'
    if have(size): bar(n, size, f'{R[size]["index_ratio"]:.2f}×', R[size]['index_ratio'] >= 0.7)
    else: na(n, size)
for size, lim in (('2k', 0.030), ('200k', 1.5)):
    n = f'no-op reindex ≤ {ms(lim)} ms (p50)'
    if have(size): bar(n, size, f'{ms(R[size]["noop"])} ms', R[size]['noop'] <= lim)
    else: na(n, size)
n = '1% changed reindex ≤ 3 s (p50)'
if have('200k'): bar(n, '200k', f'{R["200k"]["changed"]:.2f} s', R['200k']['changed'] <= 3)
else: na(n, '200k')
for size in ('2k', '20k', '200k'):
    n = 'indexer peak RSS ≤ 100 MiB'
    if have(size): bar(n, size, f'{R[size]["index_rss"]:.1f} MiB', R[size]['index_rss'] <= 100)
    else: na(n, size)
for size in ('2k', '20k', '200k'):
    n = 'query peak RSS ≤ 20 MiB (all queries, both formats)'
    if have(size): bar(n, size, f'{R[size]["qrss"]:.1f} MiB', R[size]['qrss'] <= 20)
    else: na(n, size)
for size in ('2k', '20k', '200k'):
    n = 'database ≤ 1.6× raw text (DB + -wal)'
    if have(size): bar(n, size, f'{R[size]["db_ratio"]:.2f}×', R[size]['db_ratio'] <= 1.6)
    else: na(n, size)

bl = ['## Bar', '']
if quick:
    bl += ['(quick smoke test: too few runs to judge; shown to exercise the report)', '']
bl += ['| bar | size | measured | result |', '|---|---|---|---|']
for name, size, text, ok in B:
    res = '—' if ok is None else ('PASS' if ok else '**FAIL**')
    bl.append(f'| {name} | {size} | {text} | {res} |')
done = [b for b in B if b[3] is not None]
npass = sum(1 for b in done if b[3])
bl += ['', f'{npass} of {len(done)} measured bars pass.', '']
# The bar table comes right after the title block, before the details.
at = L.index('## Machine')
L[at:at] = bl

with open(out, 'w') as fh:
    fh.write('\n'.join(L).rstrip('\n') + '\n')

# The summary on stdout.
print('\n'.join(bl))
for size in sizes:
    r = R[size]
    print(f'{size}: index {r["index_ratio"]:.2f}× sqlite3, no-op {ms(r["noop"])} ms, '
          f'1% changed {ms(r["changed"])} ms, query p50 {ms(r["q50"])} ms '
          f'(vimgrep {ms(r["q50v"])}), rg/human {r["qratio"]:.1f}×, worst p99/p50 '
          f'{r["worst"][0]:.2f}×, RSS index {r["index_rss"]:.0f} / query {r["qrss"]:.1f} MiB, '
          f'DB {r["db_ratio"]:.2f}× raw')
print(f'written: {out}')
PY
log "done in $SECONDS s: $out"
