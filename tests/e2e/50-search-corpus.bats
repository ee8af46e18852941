#!/usr/bin/env bats
# notes-search over the real archives (skipped when ../shared is absent).

load helpers

setup_file() {
	[ -d "$CORPUS" ] || return 0
	export QT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/notes-qcorpus.XXXXXX")
	export NOTES_DB="$QT/index.db"
	"$INDEX" -q "$CORPUS" 2> /dev/null
}

teardown_file() {
	[ -n "${QT:-}" ] && rm -rf "$QT"
	return 0
}

@test "corpus search: graceful termination lists the 2015 hangout note, vimgrep on the phrase" {
	need_corpus
	run "$SEARCH" -l "graceful termination"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/blog/_posts/2015-06-00-Weekly-Kubernetes-Community-Hangout.md"* ]]
	line=$("$SEARCH" --vimgrep "graceful termination" | grep 'Weekly-Kubernetes-Community-Hangout.md:' | head -1)
	path=${line%%:*}; rest=${line#*:}; ln=${rest%%:*}; rest=${rest#*:}; col=${rest%%:*}
	text=$(sed -n "${ln}p" "$path")
	[[ "$text" == *"graceful termination"* ]]
	[ "$(printf '%s' "$text" | tail -c +"$col" | head -c 20)" = "graceful termination" ]
}

@test "corpus search: every vimgrep position holds the searched word" {
	need_corpus
	for q in scheduler kubelet etcd volume preemption; do
		"$SEARCH" --vimgrep --no-correct -n 20 "$q" > "$QT/hits" || true
		[ -s "$QT/hits" ]
		while IFS= read -r hit; do
			path=${hit%%:*}; rest=${hit#*:}; ln=${rest%%:*}; rest=${rest#*:}; col=${rest%%:*}
			n=${#q}; [ "$n" -gt 5 ] && n=5   # stems: compare 5 letters at most
			# joined forms match across connectors: pre-emption = preemption
			word=$(sed -n "${ln}p" "$path" | tail -c +"$col" | head -c 40 | tr -d '._-' |
				head -c "$n" | tr '[:upper:]' '[:lower:]')
			[ "$word" = "${q:0:$n}" ] || { echo "$q: $hit -> $word"; return 1; }
		done < "$QT/hits"
	done
}

@test "corpus search: a typo query finds the note" {
	need_corpus
	run --separate-stderr "$SEARCH" -l -n 20 gracefull termnation
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"showing results for"* ]]
	[[ "$output" == *"Weekly-Kubernetes-Community-Hangout.md"* ]]
}

@test "corpus search: a Chinese query finds the zh page" {
	need_corpus
	run "$SEARCH" -l -n 5 容器运行时
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == */content/zh/* ]]
}

@test "corpus search: filters and sort work, JSON parses" {
	need_corpus
	need jq
	"$SEARCH" --json -n 20 --since 2015-01-01 --until 2015-12-31 --sort date hangout > "$QT/j"
	jq -e . "$QT/j" > /dev/null
	dates=$(jq -r 'select(.type=="match") | .date' "$QT/j")
	[ -n "$dates" ]
	[ "$dates" = "$(sort <<< "$dates")" ]
	while read -r d; do [[ "$d" == 2015-* ]]; done <<< "$dates"
	run paths_for --path '*/k8s-community/*' scheduling
	for l in "${lines[@]}"; do [[ "$l" == */k8s-community/* ]]; done
}

@test "corpus search: the pruned ranking of plain queries equals the full ranking" {
	need_corpus
	# A query without filters is ranked by FTS5 alone, skipping matches
	# that cannot reach the page; `path:/` (true of every note) forces
	# the joined query that scores every match with its date.
	for q in kubelet "rolling update" "graceful termination" "kube*" \
		'"persistent volume"' "how do i drain a node without downtime"; do
		for opts in "-n 10" "-n 37" "--offset 5 -n 7"; do
			a=$("$SEARCH" --json $opts "$q" | jq -c 'select(.path) | [.path, .score, .tier]')
			b=$("$SEARCH" --json $opts "$q path:/" | jq -c 'select(.path) | [.path, .score, .tier]')
			[ -n "$a" ]
			[ "$a" = "$b" ] || { echo "differs: $q $opts"; diff <(echo "$a") <(echo "$b"); return 1; }
		done
	done
}

@test "corpus search: a question's total is the same whatever the sort" {
	need_corpus
	q="how do i drain a node without downtime"
	a=$("$SEARCH" --json "$q" | jq -r 'select(.type == "summary") | .total')
	b=$("$SEARCH" --json --sort date "$q" | jq -r 'select(.type == "summary") | .total')
	[ "$a" -gt 0 ]
	[ "$a" = "$b" ]
}
