# bash completion for notes-search and notes-index.
# Installed as share/bash-completion/completions/notes-search (and a copy
# named notes-index); or source it from ~/.bashrc.  Tag names and archive
# roots come from the index itself (notes-search --list tags|roots), read
# from the --db given on the line, else $NOTES_DB, else the default index.
# Names from the index are data: they are matched as strings, never given
# to compgen -W (which would expand $(...) in a tag).

# The --db value already on the command line, if any.  bash splits
# "--db=PATH" at '=' (COMP_WORDBREAKS), so that form is three words.
_notes_db_arg() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db)
			if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
				printf '%s' "${COMP_WORDS[i + 2]}"
			else
				printf '%s' "${COMP_WORDS[i + 1]}"
			fi
			return ;;
		--db=*) printf '%s' "${COMP_WORDS[i]#--db=}"; return ;;
		esac
	done
}

# COMPREPLY: the names of notes-search --list WHAT starting with $2, each
# with prefix $3.
_notes_list() {
	local db name
	db=$(_notes_db_arg)
	COMPREPLY=()
	while IFS= read -r name; do
		[[ $name == "$2"* ]] && COMPREPLY+=("${3-}$name")
	done < <(notes-search ${db:+--db "$db"} --list "$1" 2>/dev/null | cut -f1)
	# Tags may hold spaces: insert them as one word.
	compopt -o filenames 2>/dev/null
}

# The word being completed, and the option it is the value of: bash splits
# "tag:x" at ':' and "--db=x" at '=' (the default COMP_WORDBREAKS), so the
# value is then a word of its own; without that split the whole word is
# replaced and replies need its "tag:" or "--db=" back.  Sets cur (the
# value typed so far), prev (the option, "tag:" included), and pfx (what
# each reply must start with).
_notes_words() {
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	pfx=
	if [ "$cur" = "=" ] || [ "$cur" = ":" ]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		[ "$cur" = ":" ] && prev=$prev:
		cur=
	elif [ "$prev" = "=" ] || [ "$prev" = ":" ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
		[ "${COMP_WORDS[COMP_CWORD - 1]}" = ":" ] && prev=$prev:
	elif [[ $cur == tag:* ]]; then
		prev=tag: pfx=tag: cur=${cur#tag:}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*} pfx=${cur%%=*}= cur=${cur#*=}
	fi
}

_notes_search() {
	local cur prev pfx
	_notes_words
	COMPREPLY=()
	case $prev in
	tag: | --tag) _notes_list tags "$cur" "$pfx"; return ;;
	--format) COMPREPLY=($(compgen -P "$pfx" -W 'human vimgrep json paths' -- "$cur")); return ;;
	--color | --colour) COMPREPLY=($(compgen -P "$pfx" -W 'auto always never' -- "$cur")); return ;;
	--sort) COMPREPLY=($(compgen -P "$pfx" -W 'rank date -date' -- "$cur")); return ;;
	--list) COMPREPLY=($(compgen -P "$pfx" -W 'tags keys roots' -- "$cur")); return ;;
	--db | --path)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -P "$pfx" -f -- "$cur")
		return ;;
	-n | --limit | --offset | --since | --until) return ;;
	esac
	case $cur in
	-*)
		COMPREPLY=($(compgen -W '--db --limit --offset --format --vimgrep --json
			--files-with-matches --relative --color --colour --tag --since --until
			--path --sort --explain --no-correct --list --help --version -n -l -h' -- "$cur"))
		;;
	esac
}

_notes_index() {
	local cur prev pfx
	_notes_words
	COMPREPLY=()
	case $prev in
	--db)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -P "$pfx" -f -- "$cur")
		return ;;
	--forget)
		_notes_list roots "$cur" "$pfx"
		[ ${#COMPREPLY[@]} -gt 0 ] || mapfile -t COMPREPLY < <(compgen -P "$pfx" -d -- "$cur")
		return ;;
	--ext | --max-size) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--db --ext --max-size --full --forget --wait --status
			--quiet --help --version -q -h' -- "$cur"))
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
	fi
}

complete -F _notes_search notes-search
complete -F _notes_index notes-index
