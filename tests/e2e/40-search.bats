#!/usr/bin/env bats
# notes-search on the sample archive: query language, filters, sorting,
# output formats, exit codes, typo correction, hostile queries, and the
# vimgrep format loaded into vim's quickfix list.

load helpers

setup_file() {
	export ST=$(mktemp -d "${BATS_TMPDIR:-/tmp}/notes-search.XXXXXX")
	cp -r "$BATS_TEST_DIRNAME/../../examples/notes" "$ST/notes"
	# a file name that would break path:line:col:text
	printf '# Colon note\n\ncolonfilemarker here\n' > "$ST/notes/odd:name.md"
	export NOTES_DB="$ST/index.db"
	"$INDEX" -q "$ST/notes"
}

teardown_file() { rm -rf "$ST"; }

@test "search: exit 0 with results, 1 without, 2 on errors" {
	run "$SEARCH" graceful termination
	[ "$status" -eq 0 ]
	run "$SEARCH" zzzznothingmatchesthis
	[ "$status" -eq 1 ]
	run "$SEARCH" --limit banana x
	[ "$status" -eq 2 ]
	run "$SEARCH"
	[ "$status" -eq 2 ]
	run --separate-stderr "$SEARCH" '"unbalanced'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unbalanced quote"* ]]
}

@test "search: no index says which command builds it" {
	run --separate-stderr "$SEARCH" --db "$ST/none.db" anything
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no index at $ST/none.db"*"notes-index"* ]]
}

@test "search: --help documents the query language and --version answers" {
	run "$SEARCH" --help
	[ "$status" -eq 0 ]
	for w in '"exact phrase"' 'kube*' ' OR ' '-word' 'title:' 'tag:' 'path:' 'date:2015-05..2015-06' 'author:alice' '--vimgrep' '--explain' '--sort'; do
		[[ "$output" == *"$w"* ]] || { echo "help lacks $w"; return 1; }
	done
	run "$SEARCH" --version
	[[ "$output" == "notes-search "* ]]
}

@test "search: human output has rank, title, date, tags, path:line, heading and [hits]" {
	run "$SEARCH" --color never graceful termination
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "1. Graceful termination of pods  (2015-06-02)  [kubernetes, design, shutdown]" ]]
	[[ "${lines[1]}" == *"/design/graceful-termination.md:10  § Graceful termination of pods" ]]
	[[ "${lines[2]}" == *"[graceful] [termination]"* ]]
}

@test "search: colour only when asked or on a terminal, NO_COLOR honoured" {
	run "$SEARCH" --color always graceful
	[[ "$output" == *$'\033['* ]]
	run "$SEARCH" graceful
	[[ "$output" != *$'\033['* ]]
	NO_COLOR=1 script -qec "'$SEARCH' graceful" /dev/null > "$ST/tty" || true
	! grep -aq $'\033\\[1;31m' "$ST/tty"
	script -qec "'$SEARCH' graceful" /dev/null > "$ST/tty2" || true
	grep -aq $'\033\\[1;31m' "$ST/tty2"
}

@test "search: vimgrep lines point at the word, paths escaped, --relative" {
	run "$SEARCH" --vimgrep graceful termination
	[ "${lines[0]}" = "$ST/notes/design/graceful-termination.md:10:32:This page explains how we want graceful termination to work for the" ]
	run "$SEARCH" --vimgrep colonfilemarker
	[ "$output" = "$ST/notes/odd%3Aname.md:3:1:colonfilemarker here" ]
	cd "$ST"
	run "$SEARCH" --vimgrep --relative graceful termination
	[[ "${lines[0]}" == "notes/design/graceful-termination.md:10:32:"* ]]
}

@test "search: JSON lines parse, carry the v1 fields and end with a summary" {
	need jq
	"$SEARCH" --json -n 3 kubectl drain > "$ST/out.json"
	jq -e . "$ST/out.json" > /dev/null
	[ "$(jq -s 'length' "$ST/out.json")" -eq 4 ]
	jq -se '.[0] | .v == 1 and .type == "match" and .rank == 1 and (.path|type) == "string"
		and (.line|type) == "number" and (.column|type) == "number" and (.title|type) == "string"
		and (.tags|type) == "array" and (.snippet|type) == "string" and (.matched|type) == "array"
		and (.score|type) == "number"' "$ST/out.json"
	jq -se '.[-1] | .type == "summary" and .total >= 3 and .returned == 3 and .corrected == null
		and (.elapsed_ms|type) == "number"' "$ST/out.json"
	# tags without stray spaces
	jq -se '[.[] | select(.type=="match") | .tags[]] | all(startswith(" ") | not)' "$ST/out.json"
}

@test "search: paths format lists ranked paths" {
	run "$SEARCH" -l kubectl drain
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 3 ]
	for l in "${lines[@]}"; do [ -f "$l" ]; done
}

@test "search: query language — phrase, OR, exclusion, prefix, fields" {
	[ "$(paths_for '"graceful termination"' | head -1)" = "$ST/notes/design/graceful-termination.md" ]
	run paths_for --no-correct drain -termination
	[[ "$output" != *graceful-termination.md* ]]
	[[ "$output" == *cluster-upgrade-zh.md* ]]
	run paths_for --no-correct 'shortcodeinner OR colonfilemarker'
	[ "${#lines[@]}" -eq 2 ]
	run paths_for 'kube-pro*'
	[[ "$output" == *debug-kube-proxy.md* ]]
	run paths_for 'title:sourdough'
	[ "$output" = "$ST/notes/journal/2015-06-20-sourdough.md" ]
	run paths_for 'status:draft'
	[ "${#lines[@]}" -eq 2 ]
	run paths_for 'tag:meetings'
	[[ "$output" == *platform-sync.md* ]]
	run paths_for 'date:2015-06'
	[[ "$output" == *graceful-termination.md* ]]
	[[ "$output" != *node-drain-plan.md* ]]
	run paths_for 'path:journal/*' -termination
	for l in "${lines[@]}"; do [[ "$l" == */journal/* ]]; done
	# punctuation is text, never syntax
	for q in 'c++' 'node.js' "don't" 'e-mail' 'x:y' '50%' '#2789'; do
		run "$SEARCH" -l "$q"
		[ "$status" -le 1 ] || { echo "$q -> $status"; return 1; }
	done
	[[ "$(paths_for '#2789')" == *bug-triage-july.md* ]]
}

@test "search: --tag, --since, --until, --path and --sort" {
	run paths_for --tag kubernetes kubectl
	for l in "${lines[@]}"; do grep -q kubernetes "$l"; done
	run paths_for --since 2015-06-01 --until 2015-06-30 kubectl OR graceful OR retry
	[ "${#lines[@]}" -ge 1 ]
	for l in "${lines[@]}"; do
		d=$(sqlite3 "$NOTES_DB" "SELECT date FROM notes WHERE path='$l'")
		[[ "$d" > "2015-05-31" && "$d" < "2015-07-01" ]] || { echo "$l $d"; return 1; }
	done
	run paths_for --path '*/design/*' kubectl
	for l in "${lines[@]}"; do [[ "$l" == */design/* ]]; done
	run paths_for --sort date -n 50 kubectl OR graceful OR sourdough OR retry
	dates=$(for l in "${lines[@]}"; do sqlite3 "$NOTES_DB" "SELECT ifnull(date,'9999') FROM notes WHERE path='$l'"; done)
	[ "$(wc -l <<< "$dates")" -ge 4 ]
	[ "$dates" = "$(sort <<< "$dates")" ]
	run paths_for --sort -date -n 50 kubectl OR graceful OR sourdough OR retry
	dates=$(for l in "${lines[@]}"; do sqlite3 "$NOTES_DB" "SELECT ifnull(date,'0000') FROM notes WHERE path='$l'"; done)
	[ "$(wc -l <<< "$dates")" -ge 4 ]
	[ "$dates" = "$(sort -r <<< "$dates")" ]
	run "$SEARCH" --sort sideways x
	[ "$status" -eq 2 ]
	run "$SEARCH" --since yesterday x
	[ "$status" -eq 2 ]
}

@test "search: --explain breaks the score down" {
	run "$SEARCH" --explain graceful termination
	[[ "$output" == *"bm25="*"title="*"headings="*"body="*"proximity="*"phrase="*"recency="* ]]
}

@test "search: a typo is corrected, said on stderr, and still finds the note" {
	run --separate-stderr "$SEARCH" -l gracefull termnation
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"showing results for graceful termination"* ]]
	[ "${lines[0]}" = "$ST/notes/design/graceful-termination.md" ]
	run "$SEARCH" --json -n 1 termnation
	[[ "$output" == *'"corrected":"termination"'* ]]
}

@test "search: Résumé, RESUME and resume find the same notes" {
	[ "$(paths_for Résumé)" = "$(paths_for RESUME)" ]
	[ "$(paths_for resume)" = "$(paths_for RESUME)" ]
	[ -n "$(paths_for resume)" ]
}

@test "search: --limit and --offset page through results" {
	all=$(paths_for -n 6 kubectl OR graceful OR retry OR sourdough)
	page=$("$SEARCH" -l -n 2 --offset 2 kubectl OR graceful OR retry OR sourdough)
	[ "$page" = "$(sed -n 3,4p <<< "$all")" ]
}

@test "search: hostile queries get results or a one-line message, never SQL text" {
	long=$(head -c 100000 /dev/zero | tr '\0' a)
	words=$(for i in $(seq 1 300); do printf 'w%d ' "$i"; done)
	queries=( '"' '""' '"""' '*' '**' 'AND' 'OR' 'NOT' 'AND AND' 'a AND' 'OR b' 'a OR' '(' ')' '()'
		'(a' 'a)' '((((a))))' '^' '^a' '+a' 'NEAR(a b)' 'near(' 'NEAR' 'title:' ':' '::' 'a:' ':a'
		'title::x' '-' '--a' '-"' '- a' 'a -' 'tag:' 'date:' 'date:2015-13' 'date:..' 'date:>'
		'path:' $'\x01\x02\x03' $'a\x7fb' $'\xff\xfe' "'; DROP TABLE notes; --" '" OR 1=1 --'
		'{title}: x' 'title : x' 'x:y' 'http://a.b/c?d=e#f' 'c++' 'node.js' "don't" 'e-mail'
		'50%' '#2789' 'a=b' 'why?' 'the of and' '!!! ??? ...' '🙂 🚀' '容器' 'ＡＢＣ' '-a -b'
		'tag:a OR b' "$long" "$words" 'date:banana' 'title:(a OR' $'a\tb\nc' '\' '\"' '%' '_' )
	[ "${#queries[@]}" -ge 60 ]
	for q in "${queries[@]}"; do
		run --separate-stderr "$SEARCH" -- "$q"
		[ "$status" -le 2 ] || { echo "status $status for: $q"; return 1; }
		if [ "$status" -eq 2 ]; then
			[ "$(printf '%s' "$stderr" | wc -l)" -le 1 ] || { echo "multi-line error for: $q"; return 1; }
			[[ "$stderr" == "notes-search: "* ]] || { echo "bad error for $q: $stderr"; return 1; }
		fi
		lc=$(printf '%s' "$stderr" | tr '[:upper:]' '[:lower:]')
		for bad in fts5 sqlite "syntax error" "no such column" "unterminated" "malformed"; do
			[[ "$lc" != *"$bad"* ]] || { echo "raw error for $q: $stderr"; return 1; }
		done
	done
}

@test "search: vimgrep output loads into vim's quickfix list at the right file and line" {
	need vim
	"$SEARCH" --vimgrep graceful termination > "$ST/qf.txt"
	# vim's default grepformat, as :grep would use it
	vim -u NONE -i NONE -es -c 'let &errorformat = &grepformat' -c "cgetfile $ST/qf.txt" \
		-c "call writefile(map(getqflist(), {_, e -> bufname(e.bufnr) . ':' . e.lnum}), '$ST/qf.out')" \
		-c 'qa!' < /dev/null
	[ "$(head -1 "$ST/qf.out")" = "$ST/notes/design/graceful-termination.md:10" ]
	# and the errorformat with columns
	vim -u NONE -i NONE -es -c 'set errorformat=%f:%l:%c:%m' -c "cgetfile $ST/qf.txt" \
		-c "call writefile(map(getqflist(), {_, e -> bufname(e.bufnr) . ':' . e.lnum . ':' . e.col}), '$ST/qf2.out')" \
		-c 'qa!' < /dev/null
	[ "$(head -1 "$ST/qf2.out")" = "$ST/notes/design/graceful-termination.md:10:32" ]
}

@test "search: a question finds its note though the note lacks some of its words" {
	# "how", "do", "i", "a", "for" are left out; the note has most of the
	# other words, not all ("safely" is not in it).
	! grep -qi safely "$ST/notes/design/node-drain-plan.md"
	run paths_for --no-correct how do i drain a node safely for a kernel upgrade
	[ "${lines[0]}" = "$ST/notes/design/node-drain-plan.md" ]
}

@test "search: the language marker of a French note never shows" {
	need jq
	run "$SEARCH" --json -n 5 déploiement
	[ "$status" -eq 0 ]
	[[ "$output" != *'\u0001'* ]]
	run "$SEARCH" --color never -n 5 déploiement
	[[ "$output" != *'\x01'* ]]
	[[ "$output" != *"french"* ]]
}

@test "search: the pruned ranking of plain queries equals the full ranking" {
	# see 50-search-corpus.bats: `path:/` forces the joined, unpruned query
	for q in note graceful "graceful termination" "kube*" design title:graceful \
		 'body:"graceful termination"'; do
		a=$("$SEARCH" --json -n 50 "$q" | jq -c 'select(.path) | [.path, .score, .tier]')
		b=$("$SEARCH" --json -n 50 "$q path:/" | jq -c 'select(.path) | [.path, .score, .tier]')
		[ -n "$a" ]
		[ "$a" = "$b" ]
	done
}

@test "search: the page's first notes do not depend on its size; typo suggestions are real words" {
	d=$(mktemp -d "${BATS_TMPDIR:-/tmp}/notes-prune.XXXXXX")
	mkdir "$d/n"
	filler=$(for i in $(seq 60); do printf 'filler%d ' "$i"; done)
	printf '# Alpha\n\nrun %s\n' "$filler" > "$d/n/a1.md"
	printf '# Beta\n\nrun\n' > "$d/n/a2.md"
	printf '# Gamma\n\nKubernetes deployments need graceful termination.\n' > "$d/n/g.md"
	"$INDEX" -q --db "$d/db" "$d/n"
	# three query words that are one word of the notes (stems): the
	# pruned ranking must keep the order whatever the page size
	one=$("$SEARCH" --db "$d/db" -l -n 1 run running runs)
	two=$("$SEARCH" --db "$d/db" -l -n 2 run running runs | head -1)
	full=$("$SEARCH" --db "$d/db" -l -n 1 'run running runs path:/')
	[ "$one" = "$two" ]
	[ "$one" = "$full" ]
	# corrections are spelled as in the notes, not as their stems
	corrected=$("$SEARCH" --db "$d/db" --json kubernetis deploymnts termnation | jq -r 'select(.type == "summary") | .corrected')
	rm -rf "$d"
	[ "$corrected" = "kubernetes deployments termination" ]
}
