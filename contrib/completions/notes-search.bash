# bash completion for notes-search and notes-index.
# Installed as share/bash-completion/completions/notes-search (and a link
# named notes-index); or source it from ~/.bashrc.  Tag names and archive
# roots come from the index itself (notes-search --list tags|roots), read
# from the --db given on the line, else $NOTES_DB, else the default index.

# The --db value already on the command line, if any.
_notes_db_arg() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db) printf '%s' "${COMP_WORDS[i + 1]}"; return ;;
		--db=*) printf '%s' "${COMP_WORDS[i]#--db=}"; return ;;
		esac
	done
}

# Names from notes-search --list WHAT, one per line, for the current word.
_notes_list() {
	local db names
	db=$(_notes_db_arg)
	names=$(notes-search ${db:+--db "$db"} --list "$1" 2>/dev/null | cut -f1)
	local IFS=$'\n'
	COMPREPLY=($(compgen -P "${3-}" -W "$names" -- "$2"))
}

_notes_search() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	case $prev in
	--format) COMPREPLY=($(compgen -W 'human vimgrep json paths' -- "$cur")); return ;;
	--color | --colour) COMPREPLY=($(compgen -W 'auto always never' -- "$cur")); return ;;
	--sort) COMPREPLY=($(compgen -W 'rank date -date' -- "$cur")); return ;;
	--list) COMPREPLY=($(compgen -W 'tags keys roots' -- "$cur")); return ;;
	--tag) _notes_list tags "$cur"; return ;;
	--db | --path)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-n | --limit | --offset | --since | --until) return ;;
	esac
	case $cur in
	-*)
		COMPREPLY=($(compgen -W '--db --limit --offset --format --vimgrep --json
			--files-with-matches --relative --color --colour --tag --since --until
			--path --sort --explain --no-correct --list --help --version -n -l -h' -- "$cur"))
		;;
	tag:*) _notes_list tags "${cur#tag:}" tag: ;;
	esac
}

_notes_index() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	case $prev in
	--db)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--forget)
		_notes_list roots "$cur"
		[ ${#COMPREPLY[@]} -gt 0 ] || COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--ext | --max-size) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--db --ext --max-size --full --forget --wait --status
			--quiet --help --version -q -h' -- "$cur"))
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
	fi
}

complete -F _notes_search notes-search
complete -F _notes_index notes-index
