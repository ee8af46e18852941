#!/bin/sh
# hostile.sh DIR — build a hostile notes archive in DIR for the end-to-end
# tests of notes-index.  Every file carries a distinctive marker word so a
# test can tell which files were indexed:
#
#   findable:     hostilegoodmarker badutf8marker unclosedmarker
#                 invalidyamlmarker aliasbombmarker loopinnermarker (once)
#                 bigonelinemarker crlfbommarker colonnamemarker
#   not findable: nulmarker (binary) outsidesecretmarker (symlink leaving
#                 the root) hiddenmarker (hidden directories)
#   either:       unreadablemarker (chmod 000; still readable as root)
#   no marker:    fifo.md (must not block), dangling.md, empty.md
#
# The outside target lives in DIR/../hostile-outside, so DIR's parent should
# be a scratch directory.  Re-running is safe: the script removes only the
# pieces it creates, inside DIR and DIR/../hostile-outside, and refuses to
# touch a non-empty DIR it did not make (the .hostile-stamp file marks it).
# Prints nothing on success; exits non-zero on failure.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: hostile.sh DIR" >&2
	exit 2
fi

mkdir -p -- "$1"
dir=$(cd -- "$1" && pwd -P)
if [ "$dir" = / ]; then
	echo "hostile.sh: refusing to use / as the archive" >&2
	exit 2
fi
if [ ! -e "$dir/.hostile-stamp" ] && [ -n "$(ls -A -- "$dir")" ]; then
	echo "hostile.sh: $dir is not empty and was not made by hostile.sh" >&2
	exit 2
fi
outside=$(dirname -- "$dir")/hostile-outside

# ---- remove what an earlier run left (only our own names) ----------------
cd -- "$dir"
rm -rf -- good.md bad-utf8.md nul.md unclosed-fm.md invalid-fm.md \
	alias-bomb.md fifo.md loop outside.md dangling.md unreadable.md \
	big-line.md crlf-bom.md .hidden .git name:with:colons.md empty.md
rm -f -- "$outside/secret.md"
: > .hostile-stamp

# ---- the files -----------------------------------------------------------
cat > good.md <<'EOF'
---
title: A well-behaved note
date: 2015-06-02
tags: [control]
---

# A well-behaved note

Plain text with the marker hostilegoodmarker, so the tests know the
indexer ran at all.
EOF

# Invalid UTF-8 (a lone 0xFF 0xFE and a truncated two-byte sequence) right
# next to the marker; the note must still be indexed.
printf '# Broken bytes\n\nbefore \377\376\303\050 badutf8marker \303\050 after\n\377\n' \
	> bad-utf8.md

# NUL bytes mark the file as binary: skipped, marker not findable.
printf '# Binary in disguise\n\nnulmarker\000\000\000 more nulmarker text\n' > nul.md

# Front matter that is opened but never closed: indexed as plain text.
cat > unclosed-fm.md <<'EOF'
---
title: Never closed
date: 2015-06-02

The closing fence never comes, and the word unclosedmarker sits here
in what the indexer must treat as ordinary text.
EOF

cat > invalid-fm.md <<'EOF'
---
title: [oops
date: 2015-06-02
---

# Invalid YAML

The front matter above does not parse; invalidyamlmarker must be found.
EOF

# "Billion laughs": nine levels, each a list of nine aliases of the one
# before, 9^9 leaves if a parser expanded them.
{
	echo ---
	echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
	prev=a
	for k in b c d e f g h i; do
		printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' \
			"$k" "$k" "$prev" "$prev" "$prev" "$prev" "$prev" \
			"$prev" "$prev" "$prev" "$prev"
		prev=$k
	done
	echo 'title: Alias bomb'
	echo ---
	echo
	echo 'The body is harmless: aliasbombmarker.'
} > alias-bomb.md

# Opening a FIFO for reading blocks until a writer appears.
mkfifo fifo.md

# A directory symlink back to the root: a naive walker loops forever or
# indexes inner.md many times.
mkdir loop
ln -s .. loop/self
printf '# Inside the loop\n\nloopinnermarker appears exactly once.\n' > loop/inner.md

# A symlink that leaves the archive root.
mkdir -p -- "$outside"
printf '# Secret\n\noutsidesecretmarker must not be indexed.\n' > "$outside/secret.md"
ln -s ../hostile-outside/secret.md outside.md

ln -s does-not-exist.md dangling.md

printf '# Unreadable\n\nunreadablemarker\n' > unreadable.md
chmod 000 unreadable.md

# One 30 MiB line of words, ending with the marker.
{
	yes 'lorem ipsum dolor sit amet consectetur' | head -c 31457280 | tr '\n' ' '
	printf ' bigonelinemarker\n'
} > big-line.md

# UTF-8 BOM, CRLF line endings, front matter.
printf '\357\273\277---\r\ntitle: CRLF note\r\ndate: 2015-06-02\r\n---\r\n\r\n# Windows heading\r\n\r\nBody text with crlfbommarker in it.\r\n' \
	> crlf-bom.md

mkdir .hidden .git
printf '# Hidden\n\nhiddenmarker in a hidden directory.\n' > .hidden/secret.md
printf '# Git internals\n\nhiddenmarker inside .git.\n' > .git/x.md

printf '# Colons\n\nA file name with colons: colonnamemarker.\n' > name:with:colons.md

: > empty.md
