#!/usr/bin/env bats
# A hostile archive (tests/e2e/hostile.sh): bad UTF-8, NUL bytes, broken
# front matter, an alias bomb, a FIFO, symlink loops and escapes, an
# unreadable file, a 40 MB one-line file, Markdown bombs, a Unicode zoo,
# terminal escapes, odd file names.  The indexer must finish in bounded time
# and memory, warn about each bad file (file + reason), and keep every good
# note findable; nothing outside the root and nothing hidden gets in; no
# output format lets a note's control characters reach the terminal.

load helpers

setup_file() {
	export HT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/notes-hostile.XXXXXX")
	sh "$BATS_TEST_DIRNAME/hostile.sh" "$HT/archive"
	export NOTES_DB="$HT/index.db"
	# A hang would be the bug: bound the run.  The cap is raised so that
	# the 40 MB one-line note is really parsed.
	timeout 120 "$INDEX" --max-size 64M "$HT/archive" > "$HT/out" 2> "$HT/err"
	echo $? > "$HT/status"
}

teardown_file() {
	chmod -R u+rwx "$HT" 2>/dev/null
	rm -rf "$HT"
}

@test "hostile: the run completes with exit 0" {
	[ "$(cat "$HT/status")" -eq 0 ]
	grep -q 'skipped' "$HT/err"
}

@test "hostile: every good note is findable" {
	for m in hostilegoodmarker badutf8marker unclosedmarker invalidyamlmarker \
		 aliasbombmarker bigonelinemarker crlfbommarker colonnamemarker \
		 cronlymarker listfmmarker scalarfmmarker oddtypesmarker deepquotemarker \
		 deeplistmarker manyheadingsmarker emphasisbombmarker linkbombmarker \
		 unicodezoomarker htmlshortcodesmarker escapesmarker newlinenamemarker \
		 badnamemarker escnamemarker longnamemarker; do
		n=$("$SEARCH" -l "$m" | wc -l)
		[ "$n" -eq 1 ] || { echo "$m found $n times"; return 1; }
	done
	[ "$("$SEARCH" -l loopinnermarker | wc -l)" -eq 1 ]
}

@test "hostile: binary, outside and hidden files are not indexed" {
	for m in nulmarker outsidesecretmarker hiddenmarker; do
		run "$SEARCH" -l "$m"
		[ "$status" -eq 1 ] || { echo "$m found: $output"; return 1; }
	done
}

@test "hostile: each bad file is warned about with its path and a reason" {
	grep -q "archive/nul.md: skipped: binary file" "$HT/err"
	grep -q "archive/fifo.md: skipped: not a regular file" "$HT/err"
	grep -q "archive/outside.md: skipped: symbolic link points outside" "$HT/err"
	grep -q "archive/dangling.md: skipped: .*dangling" "$HT/err"
	grep -q "archive/invalid-fm.md:[0-9]*: front matter" "$HT/err"
	grep -q "archive/unclosed-fm.md:[0-9]*: front matter not closed" "$HT/err"
	grep -q "archive/bad-utf8.md:[0-9]*: invalid UTF-8" "$HT/err"
	grep -Eq "archive/loop/self: skipped: .*(loop|already visited)" "$HT/err"
}

@test "hostile: the CRLF+BOM note keeps its front-matter title" {
	[ "$(sqlite3 "$NOTES_DB" "SELECT title FROM notes WHERE path LIKE '%crlf-bom.md'")" = "CRLF note" ]
}

@test "hostile: a second run reports no changes" {
	run --separate-stderr timeout 60 "$INDEX" --max-size 64M "$HT/archive"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *" 0 new, 0 changed, 0 renamed, 0 deleted,"* ]]
}

@test "hostile: with the default 16 MiB cap the 40 MB note is skipped with a warning" {
	run --separate-stderr timeout 60 "$INDEX" "$HT/archive"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"archive/big-line.md: skipped: larger than 16 MiB"* ]]
	[[ "$stderr" == *" 1 deleted,"* ]]
	run "$SEARCH" -l bigonelinemarker
	[ "$status" -eq 1 ]
}

@test "hostile: the FTS5 index passes its integrity check" {
	# The sqlite3 CLI opens the index through the loadable tokenizer.
	[ -f "$TOP/build/notes_fts5.so" ] || skip "no build/notes_fts5.so"
	run sqlite3 "$NOTES_DB" ".load $TOP/build/notes_fts5" "INSERT INTO fts(fts) VALUES('integrity-check');" "PRAGMA integrity_check;"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "hostile: the whole archive indexes in under 60 s and 200 MB (release build)" {
	[ -x "$TOP/build/notes-index" ] || skip "no release build in build/"
	[ -x /usr/bin/time ] || skip "GNU time is not installed"
	run /usr/bin/time -f '%e s %M KiB' -o "$HT/time" timeout 60 "$TOP/build/notes-index" -q \
		--db "$HT/release.db" --max-size 64M "$HT/archive"
	cat "$HT/time"
	[ "$status" -eq 0 ]
	read -r secs _ kib _ < "$HT/time"
	[ "${secs%.*}" -lt 60 ]
	[ "$kib" -lt $((200 * 1024)) ]
}

# No byte of a note's control characters may reach the output raw: C0
# controls but newline and tab, DEL, C1 controls (as UTF-8).  Our own
# colour sequences are the only escapes allowed, and only when asked for.
no_raw_controls() {
	LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$1" && {
		echo "raw control characters in $1:"; cat -v "$1"; return 1; }
	return 0
}

@test "hostile: escapes, control characters and NUL in notes never reach the terminal raw" {
	for q in escapesmarker escnamemarker newlinenamemarker; do
		for fmt in human vimgrep paths; do
			"$SEARCH" --format "$fmt" --color never "$q" > "$HT/o.$fmt"
			no_raw_controls "$HT/o.$fmt"
		done
		# Only our own colours may be raw (output.c's C_* codes, exactly).
		"$SEARCH" --color always "$q" |
			sed $'s/\x1b\\[1m//g; s/\x1b\\[35m//g; s/\x1b\\[32m//g; s/\x1b\\[1;31m//g; s/\x1b\\[2m//g; s/\x1b\\[0m//g' \
			> "$HT/o.color"
		no_raw_controls "$HT/o.color"
		"$SEARCH" --json "$q" > "$HT/o.json"
		no_raw_controls "$HT/o.json"
		jq -e . "$HT/o.json" > /dev/null
	done
	# The note's own sequences are shown, escaped, also among our colours
	# (the same bytes as some of ours, so they must not come out raw).
	"$SEARCH" --color always escapesmarker > "$HT/o.color"
	grep -qF 'esc \x1b]0;pwned\x07 \x1b[31mred' "$HT/o.color"
	grep -qF 'head \x1b[1mbold\x1b[0m' "$HT/o.color"
	grep -qF '\x1b[5mblink\x07 \x01' "$HT/o.color"
	# The note's \x02 and \x03 bytes are not taken for hit markers.
	"$SEARCH" --json escapesmarker | jq -e -s '.[0].highlights == [[0,13]]' > /dev/null
	"$SEARCH" --color never escapesmarker | grep -qF '[escapesmarker] '
	"$SEARCH" --color never escapesmarker | grep -qF $'\\x01\xef\xbf\xbd\xef\xbf\xbd'
	"$SEARCH" --json escapesmarker | jq -r 'select(.title) | .title' | grep -q $'\x1b]0;pwned'
}
