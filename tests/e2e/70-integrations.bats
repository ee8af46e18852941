#!/usr/bin/env bats
# The user's world (issue 7): make install/uninstall, man pages against
# --help, shell completion in bash (and zsh), the vim plugin in vim, the
# emacs package in emacs, the fzf command in fzf, the systemd units in
# systemd-analyze, --status and --list.  Each test runs the real program
# and skips when it is not installed.

load helpers

setup() {
	common_setup
	sample_archive
	"$INDEX" -q "$T/notes"
	# The integrations call notes-search by name.
	export PATH="$BUILD:$PATH"
}
teardown() { common_teardown; }

@test "install: make install puts every file in its place, make uninstall takes them away" {
	local stage="$T/stage"
	run make -C "$TOP" --no-print-directory install PREFIX=/usr/local DESTDIR="$stage"
	[ "$status" -eq 0 ]
	local p="$stage/usr/local"
	for f in bin/notes-index bin/notes-search; do
		[ -x "$p/$f" ] || { echo "missing $f"; return 1; }
	done
	for f in share/man/man1/notes-index.1 share/man/man1/notes-search.1 \
		 share/bash-completion/completions/notes-search \
		 share/bash-completion/completions/notes-index \
		 share/zsh/site-functions/_notes-search \
		 share/vim/vimfiles/plugin/notes.vim share/emacs/site-lisp/notes-search.el \
		 share/doc/notes-search/README.md \
		 share/doc/notes-search/contrib/systemd/notes-index.service \
		 share/doc/notes-search/contrib/systemd/notes-index.timer \
		 share/doc/notes-search/contrib/cron/notes-index.crontab \
		 share/doc/notes-search/contrib/fzf/notes-fzf; do
		[ -f "$p/$f" ] || { echo "missing $f"; return 1; }
	done
	[ -x "$p/share/doc/notes-search/contrib/fzf/notes-fzf" ]
	"$p/bin/notes-search" --version | grep -q '^notes-search '
	"$p/bin/notes-index" --version | grep -q '^notes-index '
	grep -q '^ExecStart=/usr/local/bin/notes-index --quiet$' \
		"$p/share/doc/notes-search/contrib/systemd/notes-index.service"
	# Another prefix is written into the units and the crontab line.
	run make -C "$TOP" --no-print-directory install PREFIX=/opt/notes DESTDIR="$T/stage2"
	[ "$status" -eq 0 ]
	grep -q '^ExecStart=/opt/notes/bin/notes-index --quiet$' \
		"$T/stage2/opt/notes/share/doc/notes-search/contrib/systemd/notes-index.service"
	grep -q '^15 3 \* \* \*  /opt/notes/bin/notes-index --quiet$' \
		"$T/stage2/opt/notes/share/doc/notes-search/contrib/cron/notes-index.crontab"
	run make -C "$TOP" --no-print-directory uninstall PREFIX=/usr/local DESTDIR="$stage"
	[ "$status" -eq 0 ]
	[ -z "$(find "$stage" -type f)" ]
	[ ! -e "$p/share/doc/notes-search" ]
}

@test "man: both pages are mandoc -T lint clean" {
	need mandoc
	for m in notes-index notes-search; do
		run mandoc -T lint -W warning "$TOP/docs/man/$m.1"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		mandoc -T utf8 "$TOP/docs/man/$m.1" > /dev/null
	done
}

# Long options of a program's --help, and of its man page's OPTIONS.
help_opts() { "$1" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u; }
man_opts() {
	sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$TOP/docs/man/$1.1" |
		grep -oE 'Fl -[a-z][a-z-]*' | sed 's/^Fl -/--/' | sort -u
}

@test "man: every option of --help is in the man page and the other way round" {
	for p in notes-index notes-search; do
		bin="$BUILD/$p"
		diff <(help_opts "$bin" | grep -v -- '--colour') <(man_opts "$p" | grep -v -- '--colour') ||
			{ echo "$p: --help (<) and man page (>) differ"; return 1; }
	done
	# Exit statuses are documented the same way in both.
	"$BUILD/notes-index" --help | grep -q '75 another notes-index is running'
	grep -q '^\.It 75$' "$TOP/docs/man/notes-index.1"
	# The query language of --help is in the man page.
	for w in '"exact phrase"' 'kube\*' 'title:' 'tag:' 'path:' 'date:' 'author:alice'; do
		grep -q "$w" <("$BUILD/notes-search" --help) || { echo "help lacks $w"; return 1; }
	done
	for w in 'exact phrase' 'Cm title:' 'Cm tag:' 'Cm path:' 'Cm date:' 'author:alice'; do
		grep -q "$w" "$TOP/docs/man/notes-search.1" || { echo "man lacks $w"; return 1; }
	done
}

# Complete the command line "$@" (the last word is completed) in bash.
bash_complete() {
	bash -c '
		source "$1/contrib/completions/notes-search.bash"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		complete -p "${COMP_WORDS[0]}" | grep -q -- "-F" || exit 3
		func=$(complete -p "${COMP_WORDS[0]}" | sed "s/.*-F \([^ ]*\).*/\1/")
		"$func"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP" "$@"
}

@test "completion: bash completes options, formats, --db files, tags and roots from the index" {
	need bash
	run bash_complete notes-search --fo
	[ "$output" = "--format" ]
	run bash_complete notes-search --format j
	[ "$output" = "json" ]
	run bash_complete notes-search --format ''
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "human json paths vimgrep " ]
	run bash_complete notes-search --sort -
	[ "$output" = "-date" ]
	touch "$T/other.db" "$T/other.txt"
	run bash_complete notes-search --db "$T/oth"
	[[ "$output" == *"$T/other.db"* ]]
	# bash splits --format=j at '=' and tag:mee at ':' (COMP_WORDBREAKS)
	run bash_complete notes-search --format = j
	[ "$output" = "json" ]
	run bash_complete notes-search graceful tag : mee
	[ "$output" = meetings ]
	run bash_complete notes-search graceful tag :
	[[ "$output" == *kubernetes* ]]
	# Tags come from the index named on the line (or $NOTES_DB).
	run bash_complete notes-search --tag ''
	[[ "$output" == *kubernetes* ]]
	[[ "$output" == *meetings* ]]
	run bash_complete notes-search --db "$DB" --tag kub
	[ "$output" = kubernetes ]
	run bash_complete notes-search --db = "$DB" --tag kub
	[ "$output" = kubernetes ]
	run bash_complete notes-index --forget ''
	[ "$output" = "$T/notes" ]
	run bash_complete notes-index --st
	[ "$output" = "--status" ]
}

@test "completion: a tag is data: completing it runs nothing it holds" {
	need bash
	printf -- '---\ntitle: Trap\ntags: ["$(touch %s/pwned)", "a b `touch %s/pwned2`"]\n---\ntrap\n' \
		"$T" "$T" > "$T/notes/trap.md"
	"$INDEX" -q "$T/notes"
	run bash_complete notes-search --tag ''
	[[ "$output" == *'$(touch'* ]]
	[[ "$output" == *'a b `touch'* ]]
	[ ! -e "$T/pwned" ]
	[ ! -e "$T/pwned2" ]
}

@test "completion: the zsh functions load and know the same options" {
	need zsh
	run zsh -n "$TOP/contrib/completions/_notes-search"
	[ "$status" -eq 0 ]
	# Every long option of --help is offered by the zsh spec.
	for p in notes-index notes-search; do
		for o in $(help_opts "$BUILD/$p" | grep -v -- '--colour'); do
			grep -q -- "'$o\|{.*$o" "$TOP/contrib/completions/_notes-search" ||
				grep -q -- "$o[=\[]" "$TOP/contrib/completions/_notes-search" ||
				{ echo "zsh spec lacks $o"; return 1; }
		done
	done
	# The function is found and defined through fpath and compinit.
	run zsh -fc "fpath=($TOP/contrib/completions \$fpath); autoload -U compinit; compinit -u -d $T/zcd;
		print -r -- \${_comps[notes-search]} \${_comps[notes-index]}"
	[ "$output" = "_notes-search _notes-search" ]
}

@test "vim: :Notes fills the quickfix list with the file and line of each note" {
	need vim
	# A note whose file name needs the percent-encoding of vimgrep output.
	mkdir -p "$T/notes/odd"
	printf '# Odd\n\nfirst line\nzebraquokka lives here\n' > "$T/notes/odd/a:b%c.md"
	printf '# Bad name\n\nwombatquoll\n' > "$T/notes/odd/bad$(printf '\377')name.md"
	"$INDEX" -q "$T/notes"
	run vim -es -N -u NONE -i NONE -c "set rtp^=$TOP/contrib/vim" -c 'runtime plugin/notes.vim' \
		-c 'Notes! graceful termination' \
		-c "call writefile(map(getqflist(), {_, v -> bufname(v.bufnr) . ':' . v.lnum . ':' . v.col}), '$T/qf')" \
		-c 'Notes! zebraquokka' \
		-c "call writefile(map(getqflist(), {_, v -> bufname(v.bufnr) . ':' . v.lnum}), '$T/qf2')" \
		-c 'Notes! wombatquoll' \
		-c "call writefile(map(getqflist(), {_, v -> bufname(v.bufnr) . ':' . v.lnum}), '$T/qf3')" \
		-c 'qa!'
	[ "$status" -eq 0 ]
	head -n 1 "$T/qf" | grep -q "design/graceful-termination.md:10:32$"
	[ "$(wc -l < "$T/qf")" -eq "$("$SEARCH" -l graceful termination | wc -l)" ]
	[ "$(cat "$T/qf2")" = "$T/notes/odd/a:b%c.md:4" ]
	[ "$(cat "$T/qf3")" = "$T/notes/odd/bad$(printf '\377')name.md:3" ]
}

@test "emacs: M-x notes-search lists the notes in a grep-mode buffer at the right places" {
	need emacs
	mkdir -p "$T/notes/odd"
	printf '# Odd\n\nfirst line\nzebraquokka graceful termination\n' > "$T/notes/odd/a:b%c.md"
	"$INDEX" -q "$T/notes"
	cat > "$T/t.el" <<'EOF'
(require 'notes-search)
(notes-search "graceful termination")
(let ((buf (get-buffer "*notes-search*")))
  (while (process-live-p (get-buffer-process buf))
    (accept-process-output nil 0.1))
  (accept-process-output nil 0.2)   ; the sentinel's last words
  (with-current-buffer buf
    (unless (derived-mode-p 'grep-mode) (error "Not in grep-mode"))
    (compilation--ensure-parse (point-max))
    (let ((pos (point-min)))
      (while (setq pos (next-single-property-change pos 'compilation-message))
        (let ((msg (get-text-property pos 'compilation-message)))
          (when msg
            (let ((loc (compilation--message->loc msg)))
              (princ (format "%s:%s\n" (caar (compilation--loc->file-struct loc))
                             (compilation--loc->line loc))))))))))
EOF
	run --separate-stderr emacs --batch -Q -L "$TOP/contrib/emacs" -l "$T/t.el"
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -n 1)" = "$T/notes/design/graceful-termination.md:10" ]
	[ "$(echo "$output" | grep -c "^$T/.*:[0-9]*$")" -eq "$("$SEARCH" -l graceful termination | wc -l)" ]
	# the %XX of vimgrep paths decoded: the real file
	echo "$output" | grep -qxF "$T/notes/odd/a:b%c.md:4"
}

@test "fzf: notes-fzf keeps the hit lines fzf matches for the query" {
	need fzf
	run "$TOP/contrib/fzf/notes-fzf" --filter graceful termination
	[ "$status" -eq 0 ]
	[[ "$output" == "$T/notes/design/graceful-termination.md:10:32:"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	# The interactive bindings parse in this fzf.
	run sh -c "grep -o -- \"--bind \\\"[a-z]*:reload\" '$TOP/contrib/fzf/notes-fzf' | sed 's/--bind \"//' |
		while read -r b; do echo x | fzf --bind \"\$b:true\" --filter x > /dev/null || exit 1; done"
	[ "$status" -eq 0 ]
}

@test "nightly: the systemd units verify and the crontab line is well formed" {
	line=$(grep -v '^#' "$TOP/contrib/cron/notes-index.crontab" | grep .)
	[ "$(echo "$line" | awk '{print NF}')" -eq 7 ]
	[[ "$line" == "15 3 * * *  /usr/local/bin/notes-index --quiet" ]]
	# --help gives the line with the program's own path (cron has no PATH
	# to find it), and it runs as written.
	help_line=$("$INDEX" --help | grep '^  15 3 \* \* \*  ')
	cmd=${help_line#  15 3 \* \* \*  }
	prog=${cmd%% *}
	[[ $prog == /* ]] && [ -x "$prog" ] && [ "$(basename "$prog")" = notes-index ]
	run $cmd
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	need systemd-analyze
	mkdir "$T/units"
	sed "s|/usr/local/bin/notes-index|$BUILD/notes-index|" "$TOP/contrib/systemd/notes-index.service" \
		> "$T/units/notes-index.service"
	cp "$TOP/contrib/systemd/notes-index.timer" "$T/units/"
	run systemd-analyze verify --man=no "$T/units/notes-index.service" "$T/units/notes-index.timer"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^OnCalendar=\*-\*-\* 03:15:00$' "$T/units/notes-index.timer"
}

@test "status: notes-index --status shows roots, notes, last run and size, also during a run" {
	run --separate-stderr "$INDEX" --status
	[ "$status" -eq 0 ]
	[[ "$output" == *"index:     $DB ("*" kB)"* ]]
	[[ "$output" == *"notes:     $(note_count)"* ]]
	[[ "$output" == *"roots:     $T/notes ($(note_count) notes)"* ]]
	[[ "$output" =~ last\ run:\ \ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z,\ [0-9.]+\ s,\ 0\ warnings ]]
	# It takes no lock: it answers while another notes-index holds it.
	exec 9> "$DB.lock"
	flock -n 9
	run "$INDEX" --status
	[ "$status" -eq 0 ]
	exec 9>&-
	run --separate-stderr "$INDEX" --status --db "$T/none.db"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"no index at $T/none.db"* ]]
	run "$INDEX" --status "$T/notes"
	[ "$status" -eq 2 ]
}

@test "list: notes-search --list tags|keys|roots with counts, as text and JSON" {
	run "$SEARCH" --list tags
	[ "$status" -eq 0 ]
	want=$(sqlite3 "$DB" "SELECT count(DISTINCT note) FROM fields WHERE key IN ('tags','tag') AND value = 'meetings'")
	echo "$output" | grep -qx "meetings	$want"
	# most used first
	[ "$(echo "$output" | cut -f2 | sort -rn)" = "$(echo "$output" | cut -f2)" ]
	run "$SEARCH" --list keys
	echo "$output" | grep -q "^title	"
	run "$SEARCH" --list roots
	[ "$output" = "$T/notes	$(note_count)" ]
	"$SEARCH" --list tags --json | jq -s -e 'map(select(.name == "meetings")) | .[0].count > 0' > /dev/null
	run "$SEARCH" --list nothing
	[ "$status" -eq 2 ]
	run "$SEARCH" --list tags graceful
	[ "$status" -eq 2 ]
}
