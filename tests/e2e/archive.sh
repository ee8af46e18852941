# archive.sh — sourced by crash.sh, concurrent.sh and 60-reliability.bats:
#
#   copy_archive DEST N
#
# Fills DEST with the first N notes (sorted paths; all of them when N is 0)
# of the real corpus ($NOTES_SHARED/corpus, default ../shared/corpus beside
# the repository), keeping their folders.  Without the corpus it writes N
# notes (400 when N is 0): copies of examples/notes, 50 to a folder, each
# ending with words of its own.  Returns non-zero when a copy fails.
copy_archive() {
	local dest=$1 n=$2 f i=0
	local top corpus
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	corpus=${NOTES_SHARED:-$top/../shared}/corpus
	mkdir -p "$dest" || return 1
	if [ -d "$corpus" ]; then
		(cd "$corpus" && find . -name '*.md' -type f | LC_ALL=C sort |
			{ if [ "$n" -gt 0 ]; then head -n "$n"; else cat; fi } |
			while IFS= read -r f; do
				mkdir -p "$dest/$(dirname "$f")" && cp -p "$f" "$dest/$f" || exit 1
			done)
		return
	fi
	[ "$n" -gt 0 ] || n=400
	local samples
	mapfile -t samples < <(find "$top/examples/notes" -name '*.md' -type f | LC_ALL=C sort)
	[ "${#samples[@]}" -gt 0 ] || return 1
	while [ "$i" -lt "$n" ]; do
		for f in "${samples[@]}"; do
			[ "$i" -lt "$n" ] || break
			mkdir -p "$dest/g$((i / 50))" || return 1
			{ cat "$f"; printf '\ngenerated%d word%d of copy %d\n' "$i" $((i % 97)) "$i"; } \
				> "$dest/g$((i / 50))/n$i-$(basename "$f")" || return 1
			i=$((i + 1))
		done
	done
}
