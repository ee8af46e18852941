#!/usr/bin/env bats
# notes-index on the bundled sample archive: build, incremental updates,
# roots, lock, rebuilds, permissions.

load helpers

setup() { common_setup; sample_archive; }
teardown() { common_teardown; }

@test "indexes the sample archive and reports a summary" {
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"14 new, 0 changed, 0 renamed, 0 deleted, 0 unchanged"* ]]
	[ "$(note_count)" -eq 14 ]
}

@test "a second run changes nothing" {
	"$INDEX" -q "$T/notes"
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"0 new, 0 changed, 0 renamed, 0 deleted, 14 unchanged"* ]]
}

@test "--quiet prints nothing when all is well" {
	run --separate-stderr "$INDEX" --quiet "$T/notes"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -z "$output" ]
}

@test "touch, edit, delete and rename are reflected" {
	"$INDEX" -q "$T/notes"
	# touch: same content, counted unchanged
	touch -d '2001-01-01' "$T/notes/inbox.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[[ "$stderr" == *"0 new, 0 changed, 0 renamed, 0 deleted, 14 unchanged"* ]]
	# edit
	echo "A freshly added zebracorn paragraph." >> "$T/notes/inbox.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[[ "$stderr" == *"0 new, 1 changed"* ]]
	run paths_for zebracorn
	[ "$output" = "$T/notes/inbox.md" ]
	# rename (content unchanged)
	mv "$T/notes/inbox.md" "$T/notes/journal/renamed-inbox.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[[ "$stderr" == *"0 new, 0 changed, 1 renamed, 0 deleted"* ]]
	run paths_for zebracorn
	[ "$output" = "$T/notes/journal/renamed-inbox.md" ]
	# delete
	rm "$T/notes/journal/renamed-inbox.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[[ "$stderr" == *"1 deleted"* ]]
	run paths_for zebracorn
	[ -z "$output" ]
	[ "$(note_count)" -eq 13 ]
}

@test "remembered roots are re-indexed when no DIR is given" {
	"$INDEX" -q "$T/notes"
	echo "remembered rootword here" > "$T/notes/new-note.md"
	run --separate-stderr "$INDEX"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"1 new"* ]]
	run paths_for rootword
	[ "$output" = "$T/notes/new-note.md" ]
	[ "$(sqlite3 "$DB" 'SELECT path FROM roots')" = "$T/notes" ]
}

@test "no DIR and no remembered root is a clear usage error" {
	run --separate-stderr "$INDEX"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no archive roots known"* ]]
}

@test "a missing DIR is a usage error" {
	run --separate-stderr "$INDEX" "$T/does-not-exist"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"does-not-exist"* ]]
}

@test "--forget removes a root and its notes" {
	mkdir "$T/other" && echo "otherrootword" > "$T/other/o.md"
	"$INDEX" -q "$T/notes" "$T/other"
	[ "$(note_count)" -eq 15 ]
	run --separate-stderr "$INDEX" --forget "$T/other"
	[ "$status" -eq 0 ]
	[ "$(note_count)" -eq 14 ]
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM roots')" -eq 1 ]
	run paths_for otherrootword
	[ -z "$output" ]
}

@test "default database location is XDG, folder 0700, file 0600" {
	unset NOTES_DB
	export XDG_DATA_HOME="$T/xdg"
	"$INDEX" -q "$T/notes"
	[ -f "$T/xdg/notes-search/index.db" ]
	[ "$(stat -c %a "$T/xdg/notes-search")" = 700 ]
	[ "$(stat -c %a "$T/xdg/notes-search/index.db")" = 600 ]
	run "$SEARCH" -l graceful termination
	[ "$status" -eq 0 ]
	# HOME fallback
	unset XDG_DATA_HOME
	HOME="$T/home" "$INDEX" -q "$T/notes"
	[ -f "$T/home/.local/share/notes-search/index.db" ]
}

@test "--db beats NOTES_DB" {
	"$INDEX" -q --db "$T/other.db" "$T/notes"
	[ -f "$T/other.db" ]
	[ ! -e "$DB" ]
}

@test "a second indexer exits 75 naming the pid, or waits with --wait" {
	"$INDEX" -q "$T/notes"
	# Hold the lock the way a running indexer does (pid written inside).
	echo 424242 > "$DB.lock"
	flock "$DB.lock" sleep 2 &
	sleep 0.3
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"another notes-index (pid 424242) is indexing $DB"* ]]
	run --separate-stderr "$INDEX" --wait "$T/notes"
	[ "$status" -eq 0 ]
	wait
}

@test "--full rebuilds and gives the same results" {
	"$INDEX" -q "$T/notes"
	before=$(paths_for graceful termination)
	run --separate-stderr "$INDEX" --full
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"rebuilt: 14 new"* ]]
	[ "$(paths_for graceful termination)" = "$before" ]
	[ "$(note_count)" -eq 14 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_new%'")" -eq 0 ]
}

@test "a first build and a --full rebuild end as one FTS5 segment, with FTS5's merge settings back" {
	# A --full rebuild commits every 500 notes, one segment each; the
	# build merges 16 a level (none here) and ends with an 'optimize'.
	# Without both (automerge 4 throughout), these 5 commits leave 5.
	mkdir "$T/many"
	for i in $(seq 1 2100); do
		printf -- '# Note %d\n\nword%d common text, and alpha%d.\n' "$i" "$i" "$((i % 50))" >"$T/many/n$i.md"
	done
	sq() { sqlite3 -bail "$DB" ".load $TOP/build/notes_fts5" "$@"; }
	"$INDEX" -q "$T/many"
	[ "$(sq "SELECT count(DISTINCT segid) FROM fts_idx")" -eq 1 ]
	[ "$(sq "SELECT v FROM fts_config WHERE k = 'automerge'")" -eq 4 ]
	[ "$(sq "SELECT v FROM fts_config WHERE k = 'crisismerge'")" -eq 16 ]
	"$INDEX" -q --full
	[ "$(sq "SELECT count(DISTINCT segid) FROM fts_idx")" -eq 1 ]
	[ "$(sq "SELECT v FROM fts_config WHERE k = 'automerge'")" -eq 4 ]
	[ "$(sq "SELECT v FROM fts_config WHERE k = 'crisismerge'")" -eq 16 ]
	run sq "INSERT INTO fts(fts) VALUES('integrity-check');" "PRAGMA integrity_check;"
	[ "$output" = ok ]
	[ "$("$SEARCH" --json common text | jq -r 'select(.type == "summary") | .total')" -eq 2100 ]
	[ "$(paths_for word1234)" = "$T/many/n1234.md" ]
	# an incremental run adds its segment, and keeps automerge
	printf -- '# Note 7\n\nrewritten zebrafinch\n' >"$T/many/n7.md"
	"$INDEX" -q "$T/many"
	[ "$(sq "SELECT count(DISTINCT segid) FROM fts_idx")" -eq 2 ]
	[ "$(sq "SELECT v FROM fts_config WHERE k = 'automerge'")" -eq 4 ]
	[ "$(paths_for zebrafinch)" = "$T/many/n7.md" ]
}

@test "a changed tokenizer version triggers a full rebuild with a message" {
	"$INDEX" -q "$T/notes"
	sqlite3 "$DB" "UPDATE meta SET value='0/old' WHERE key='tokenizer_version'"
	run --separate-stderr "$INDEX" -q
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"tokenizer version 0/old"*"rebuilding the whole index"* ]]
	[ "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key='tokenizer_version'")" != "0/old" ]
	run paths_for graceful termination
	[ "${lines[0]}" = "$T/notes/design/graceful-termination.md" ]
}

@test "--ext and --max-size select files" {
	echo "plaintextword" > "$T/notes/plain.txt"
	run --separate-stderr "$INDEX" --ext md,txt "$T/notes"
	[ "$status" -eq 0 ]
	run paths_for plaintextword
	[ "$output" = "$T/notes/plain.txt" ]
	run --separate-stderr "$INDEX" --max-size 1K --ext md "$T/notes"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"graceful-termination.md: skipped: larger than"* ]]
	run --separate-stderr "$INDEX" --max-size banana "$T/notes"
	[ "$status" -eq 2 ]
}

@test "front matter values, dates and title fallbacks are stored" {
	"$INDEX" -q "$T/notes"
	q() { sqlite3 "$DB" "$1"; }
	[ "$(q "SELECT date FROM notes WHERE path LIKE '%node-drain-plan.md'")" = 2015-04-18 ]
	[ "$(q "SELECT date FROM notes WHERE path LIKE '%platform-sync.md'")" = 2015-05-22 ]
	[ "$(q "SELECT date FROM notes WHERE path LIKE '%debug-kube-proxy.md'")" = 2015-06-02 ]
	[ "$(q "SELECT date FROM notes WHERE path LIKE '%go-retry-helper.md'")" = 2015-06-02 ]
	[ "$(q "SELECT title FROM notes WHERE path LIKE '%home-backup-box.md'")" = "Setting up the home backup box" ]
	[ "$(q "SELECT title||'|'||date FROM notes WHERE path LIKE '%2016-03-08-standup.md'")" = "2016-03-08-standup|2016-03-08" ]
	[ "$(q "SELECT count(*) FROM fields WHERE key='status' AND value='draft'")" -eq 2 ]
	[ "$(q "SELECT count(*) FROM fields f JOIN notes n ON n.id=f.note WHERE key='tags' AND n.path LIKE '%platform-sync.md'")" -eq 3 ]
}

@test "markdown: comments and shortcode names are not text, shortcode content is" {
	"$INDEX" -q "$T/notes"
	run paths_for zzyzxcomment
	[ -z "$output" ]
	run paths_for shortcodeinner
	[ "$output" = "$T/notes/howto/go-retry-helper.md" ]
	# The shortcode name "note" must not reach the stored text (read the
	# stored body with the extension's notes_unzip()).
	body=$(sqlite3 "$DB" ".load $TOP/build/notes_fts5" "SELECT notes_unzip(body) FROM content WHERE id=(SELECT id FROM notes WHERE path LIKE '%go-retry-helper.md')")
	[[ "$body" == *shortcodeinner* ]]
	[[ "$body" != *"{{"* ]]
	[[ "$body" != *"note >"* ]]
	! grep -qiw note <<< "$body"
	# ...nor is the note found by it ("not" is no French "note" here)
	run paths_for note
	[[ "$output" != *go-retry-helper.md* ]]
}

@test "tokenizer: accents, case, code identifiers and CJK find their notes" {
	"$INDEX" -q "$T/notes"
	[ "$(paths_for Résumé)" = "$(paths_for RESUME)" ]
	[ "$(paths_for resume)" = "$(paths_for RESUME)" ]
	[ -n "$(paths_for resume)" ]
	[[ "$(paths_for pod disruption budget)" == *graceful-termination.md* ]]
	[[ "$(paths_for kubeproxy)" == *debug-kube-proxy.md* ]]
	[[ "$(paths_for kube proxy)" == *debug-kube-proxy.md* ]]
	[[ "$(paths_for 2789)" == *bug-triage-july.md* ]]
	[[ "$(paths_for snake case name)" == *platform-sync.md* ]]
	[[ "$(paths_for 容器)" == *cluster-upgrade-zh.md* ]]
	[[ "$(paths_for 容)" == *cluster-upgrade-zh.md* ]]
	[[ "$(paths_for コンテナ)" == *cluster-upgrade-zh.md* ]]
	[[ "$(paths_for naive)" == *reading-log.md* ]]
}

@test "every hit position printed is where the word really is" {
	"$INDEX" -q "$T/notes"
	for q in graceful termination SIGTERM shortcodeinner zebra preStop 容器 déploiement kubectl; do
		# Exact tier only: corrected and widened hits are other words.
		"$SEARCH" --vimgrep --no-correct -n 50 "$q" > "$T/hits" || true
		while IFS= read -r hit; do
			path=${hit%%:*}; rest=${hit#*:}
			line=${rest%%:*}; rest=${rest#*:}
			col=${rest%%:*}
			text=$(sed -n "${line}p" "$path")
			# the hit is at byte col of that line (stem: compare 6 characters)
			word=$(printf '%s' "$text" | tail -c +"$col" | head -c 40)
			lc_word=$(printf '%s' "$word" | tr '[:upper:]' '[:lower:]')
			lc_q=$(printf '%s' "$q" | tr '[:upper:]' '[:lower:]')
			[[ "$lc_word" == "${lc_q:0:6}"* ]] || { echo "bad position for $q: $hit -> '$word'"; return 1; }
		done < "$T/hits"
	done
}

@test "on a terminal a progress line is drawn; --quiet and pipes get none" {
	need script
	# The first file always draws the line; later ones every 0.1 s.
	script -qec "'$INDEX' '$T/notes'" /dev/null > "$T/tty" || true
	grep -aq $'\r\033\[Knotes-index: [0-9]* files, [0-9.]* MB/s' "$T/tty"
	grep -aq "notes-index: 14 new" "$T/tty"
	script -qec "'$INDEX' --quiet --full '$T/notes'" /dev/null > "$T/tty-quiet" || true
	[ ! -s "$T/tty-quiet" ]
	run --separate-stderr "$INDEX" --full "$T/notes"
	[[ "$stderr" != *" files, "* ]]
	[[ "$stderr" != *$'\r'* ]]
}

@test "--full with an unreadable root keeps the old index and says so" {
	mkdir "$T/other" && echo "otherrootword" > "$T/other/o.md"
	"$INDEX" -q "$T/notes" "$T/other"
	mv "$T/other" "$T/other-away"
	run --separate-stderr "$INDEX" --full
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"archive root not readable"* ]]
	[[ "$stderr" == *"not rebuilt"* ]]
	[ "$(note_count)" -eq 15 ]
	mv "$T/other-away" "$T/other"
	run paths_for otherrootword
	[ "$output" = "$T/other/o.md" ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_new%'")" -eq 0 ]
}

@test "a rename that puts a date in the file name gives the note that date" {
	printf 'plain note, renamedatemarker\n' > "$T/notes/meeting.md"
	"$INDEX" -q "$T/notes"
	[ -z "$(sqlite3 "$DB" "SELECT date FROM notes WHERE path LIKE '%/meeting.md'")" ]
	mv "$T/notes/meeting.md" "$T/notes/2015-04-17-meeting.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[[ "$stderr" == *"1 renamed"* ]]
	[ "$(sqlite3 "$DB" "SELECT date FROM notes WHERE path LIKE '%/2015-04-17-meeting.md'")" = 2015-04-17 ]
}

@test "notes below a folder that cannot be read are kept, not swept" {
	need setpriv
	mkdir -p "$T/own/sub" && echo "subfoldermarker" > "$T/own/sub/g.md" && echo "top" > "$T/own/t.md"
	chmod -R a+rwX "$T" && chmod 777 "$T"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
	as_nobody "$INDEX" -q --db "$T/own.db" "$T/own"
	[ "$(sqlite3 "$T/own.db" 'SELECT count(*) FROM notes')" -eq 2 ]
	chmod 311 "$T/own/sub"   # searchable, not listable
	run --separate-stderr as_nobody "$INDEX" --db "$T/own.db" "$T/own"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"sub: skipped"* ]]
	[[ "$stderr" == *" 0 deleted"* ]]
	[ "$(sqlite3 "$T/own.db" 'SELECT count(*) FROM notes')" -eq 2 ]
}

@test "index: a first build drops -wal/-shm files left by a database deleted by hand" {
	head -c 4096 /dev/urandom > "$T/stale"
	cp "$T/stale" "$DB-wal"
	printf 'stale' > "$DB-shm"
	run "$INDEX" -q "$T/notes"
	[ "$status" -eq 0 ]
	! cmp -s "$T/stale" "$DB-wal"
	[ "$(cat "$DB-shm" 2>/dev/null)" != stale ]
	run sqlite3 "$DB" ".load $TOP/build/notes_fts5" "INSERT INTO fts(fts) VALUES('integrity-check');" "PRAGMA integrity_check;"
	[ "$output" = ok ]
	run "$SEARCH" -l graceful termination
	[ "$status" -eq 0 ]
}

@test "index: an incremental run writes its changes as one FTS5 segment, not one per note" {
	# FTS5 (3.40) writes its pending postings out as a new segment at
	# every statement savepoint and release; a 'delete' given by
	# INSERT ... SELECT made two per changed note.  With automerge off
	# and 12 changed notes (so the run's closing 'merge', which needs
	# usermerge segments on a level, leaves level 0 alone), the segments
	# a run adds are counted directly.  The edits drop a word and one
	# note goes, so the deletes must really remove postings.
	mkdir "$T/many"
	for i in $(seq 1 13); do
		printf -- '---\ntitle: Note %d\n---\nSegment counting note %d, alpha beta gamma.\n' "$i" "$i" >"$T/many/n$i.md"
	done
	"$INDEX" -q "$T/many"
	sq() { sqlite3 -bail "$DB" ".load $TOP/build/notes_fts5" "$@"; }
	sq "INSERT INTO fts(fts, rank) VALUES('automerge', 0);" "INSERT INTO fts(fts, rank) VALUES('usermerge', 16);"
	before=$(sq "SELECT count(DISTINCT segid) FROM fts_idx")
	[ "$(paths_for gamma | wc -l)" -eq 13 ]
	for i in $(seq 1 12); do
		printf -- '---\ntitle: Note %d\n---\nSegment counting note %d, alpha beta zebrafinch.\n' "$i" "$i" >"$T/many/n$i.md"
	done
	rm "$T/many/n13.md"
	run --separate-stderr "$INDEX" "$T/many"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"0 new, 12 changed, 0 renamed, 1 deleted"* ]]
	after=$(sq "SELECT count(DISTINCT segid) FROM fts_idx")
	[ "$before" -ge 1 ]
	[ "$after" -le $((before + 2)) ]
	run sq "INSERT INTO fts(fts) VALUES('integrity-check');" "PRAGMA integrity_check;"
	[ "$output" = ok ]
	[ -z "$(paths_for gamma)" ]
	[ "$(paths_for zebrafinch | wc -l)" -eq 12 ]
	[ "$(paths_for Segment counting | wc -l)" -eq 12 ]
}

@test "index: an idle index has a rollback journal, so searches open no -wal or -shm" {
	"$INDEX" -q "$T/notes"
	[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = delete ]
	[ ! -e "$DB-wal" ] && [ ! -e "$DB-shm" ]
	run --separate-stderr "$SEARCH" -l graceful termination
	[ "$status" -eq 0 ] && [ -n "$output" ] && [ -z "$stderr" ]
	[ ! -e "$DB-wal" ] && [ ! -e "$DB-shm" ]
	# an incremental run writes in WAL mode and leaves it again
	echo "A late wombatfish paragraph." >>"$T/notes/inbox.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"0 new, 1 changed"* ]]
	[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = delete ]
	[ ! -e "$DB-wal" ] && [ ! -e "$DB-shm" ]
	[ "$(paths_for wombatfish)" = "$T/notes/inbox.md" ]
}

@test "index: a long reader delays the switch to WAL, not the searches started meanwhile" {
	# A reader holding a read transaction for 6 s (beyond a 5 s busy
	# timeout): the indexer must wait it out without holding SQLite's
	# PENDING lock, which would keep every new search out meanwhile.
	"$INDEX" -q "$T/notes"
	sqlite3 "$DB" "BEGIN; SELECT count(*) FROM notes;" ".system sleep 6" "COMMIT;" >/dev/null &
	holder=$!
	sleep 0.5
	echo "A late quokkafish paragraph." >>"$T/notes/inbox.md"
	"$INDEX" -q "$T/notes" 2>"$T/index.err" &
	indexer=$!
	sleep 0.5
	for i in 1 2 3; do
		run --separate-stderr "$SEARCH" -l graceful termination
		[ "$status" -eq 0 ] && [ -n "$output" ] && [ -z "$stderr" ]
	done
	kill -0 "$holder"   # the searches did not wait for the reader
	wait "$indexer"
	[ ! -s "$T/index.err" ]
	wait "$holder" || true
	[ "$(paths_for quokkafish)" = "$T/notes/inbox.md" ]
	[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = delete ]
}

@test "index: a reader that never pauses for 30 s makes the indexer exit 75 and say why" {
	"$INDEX" -q "$T/notes"
	sqlite3 "$DB" "BEGIN; SELECT count(*) FROM notes;" ".system sleep 32" "COMMIT;" >/dev/null 3>&- &
	holder=$!
	sleep 0.5
	echo "A late numbatfish paragraph." >>"$T/notes/inbox.md"
	run --separate-stderr "$INDEX" "$T/notes"
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"has been reading it for 30 s"* ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	run --separate-stderr "$SEARCH" -l graceful termination
	[ "$status" -eq 0 ] && [ -n "$output" ] && [ -z "$stderr" ]
	wait "$holder"
	[ -z "$(paths_for numbatfish)" ]
	"$INDEX" -q "$T/notes"
	[ "$(paths_for numbatfish)" = "$T/notes/inbox.md" ]
}

@test "index: with a reader open at the end the index stays in WAL mode until the next run" {
	"$INDEX" -q "$T/notes"
	sqlite3 "$DB" 'PRAGMA journal_mode=WAL' >/dev/null
	# In WAL mode an open connection keeps a shared lock: leaving WAL
	# is refused, quietly, and the run still succeeds.
	sqlite3 "$DB" "SELECT count(*) FROM notes;" ".system sleep 3" >/dev/null &
	holder=$!
	sleep 0.5
	run --separate-stderr "$INDEX" -q "$T/notes"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ]
	run --separate-stderr "$SEARCH" -l graceful termination
	[ "$status" -eq 0 ] && [ -n "$output" ] && [ -z "$stderr" ]
	wait "$holder"
	"$INDEX" -q "$T/notes"
	[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = delete ]
}

@test "index: a hot journal left by a killed writer is rolled back by the next search" {
	"$INDEX" -q "$T/notes"
	# A writer killed after its cache spilled to the file: the database
	# holds half a transaction and -journal the pages to restore, which a
	# read-only connection may not do.
	run sqlite3 "$DB" "PRAGMA cache_size=2; BEGIN;
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300)
		INSERT INTO meta SELECT 'filler' || i, zeroblob(3000) FROM c;" '.system kill -9 $PPID'
	[ "$status" -eq 137 ]
	[ -s "$DB-journal" ]
	run --separate-stderr "$SEARCH" -l graceful termination
	[ "$status" -eq 0 ] && [ -n "$output" ] && [ -z "$stderr" ]
	[ ! -e "$DB-journal" ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM meta WHERE key LIKE 'filler%'")" -eq 0 ]
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
}
