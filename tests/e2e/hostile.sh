#!/bin/sh
# hostile.sh DIR — build a hostile notes archive in DIR for the end-to-end
# tests of notes-index.  Every file carries a distinctive marker word so a
# test can tell which files were indexed:
#
#   findable:     hostilegoodmarker badutf8marker unclosedmarker
#                 invalidyamlmarker aliasbombmarker loopinnermarker (once)
#                 bigonelinemarker crlfbommarker colonnamemarker
#                 cronlymarker listfmmarker scalarfmmarker oddtypesmarker
#                 deepquotemarker deeplistmarker manyheadingsmarker
#                 emphasisbombmarker linkbombmarker unicodezoomarker
#                 htmlshortcodesmarker escapesmarker newlinenamemarker
#                 badnamemarker escnamemarker longnamemarker
#   not findable: nulmarker (binary) outsidesecretmarker (symlink leaving
#                 the root) hiddenmarker (hidden directories)
#   either:       unreadablemarker (chmod 000; still readable as root)
#   no marker:    fifo.md (must not block), dangling.md, empty.md,
#                 binary.md (random bytes without NUL)
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
	big-line.md crlf-bom.md .hidden .git name:with:colons.md empty.md \
	cr-only.md list-fm.md scalar-fm.md odd-types.md deep-quote.md \
	deep-list.md many-headings.md emphasis-bomb.md link-bomb.md \
	unicode-zoo.md html-shortcodes.md escapes.md binary.md names
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

# One 40 MiB line of words, ending with the marker.
{
	yes 'lorem ipsum dolor sit amet consectetur' | head -c 41943040 | tr '\n' ' '
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

# ---- more kinds of bad input (issue 6) --------------------------------------
# Old Mac line endings: CR only.
printf -- '---\rtitle: CR only\r---\r# CR heading\rcronlymarker in a CR-only file.\r' > cr-only.md

# Front matter that is a YAML list, or a bare scalar, not a mapping.
printf -- '---\n- one\n- two\n---\n\nlistfmmarker body.\n' > list-fm.md
printf -- '---\njust a scalar\n---\n\nscalarfmmarker body.\n' > scalar-fm.md

# Odd dates and types: impossible days, far years, nulls, maps and lists
# where scalars belong, numbers as titles.
cat > odd-types.md <<'EOF'
---
title: 12345
date: 2015-02-30
created: [2015, 4, 17]
updated: 99999-01-01
tags: {a: b, c: [d, e]}
author: ~
draft: yes
weight: 1e400
---

oddtypesmarker body.
EOF

# 200,000 nested block quotes on one line, then text.
{ head -c 200000 /dev/zero | tr '\0' '>'; printf ' deepquotemarker\n'; } > deep-quote.md

# A list nested 5,000 levels deep ("- - - ... item" opens one list per
# marker), and 1,000 levels by indentation.
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "- "
	     printf "deep item\n\n"
	     for (i = 0; i < 1000; i++) printf "%*s- level %d\n", 2 * i, "", i
	     printf "\ndeeplistmarker\n" }' > deep-list.md

# 200,000 headings.
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "# heading %d\n", i
	     printf "\nmanyheadingsmarker\n" }' > many-headings.md

# Emphasis and link bombs: unclosed delimiters by the ten thousand.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "*a **b _c __d "
	     printf "\n\nemphasisbombmarker\n" }' > emphasis-bomb.md
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "[a]("
	     printf "\n\n"; for (i = 0; i < 20000; i++) printf "![b][c"
	     printf "\n\nlinkbombmarker\n" }' > link-bomb.md

# A Unicode zoo: 2,000 combining marks on one letter, a ZWJ emoji family,
# right-to-left text, U+FFFE, U+FEFF, private use, a variation selector,
# fullwidth letters, Hangul jamo, 4-byte characters.
{
	printf '# Unicode zoo\n\ne'
	i=0
	while [ $i -lt 2000 ]; do printf '\314\201'; i=$((i + 1)); done
	printf '\n\360\237\221\250\342\200\215\360\237\221\251\342\200\215\360\237\221\247 family\n'
	printf '\327\251\327\234\327\225\327\235 \330\263\331\204\330\247\331\205 rtl\n'
	printf '\357\277\276\357\273\277\356\200\200\357\270\217 \357\274\246\357\274\254\n'
	printf '\341\204\200\341\205\241\341\206\250 \360\235\220\200\360\235\220\201 \360\240\200\200\n'
	printf 'unicodezoomarker\n'
} > unicode-zoo.md

# HTML blocks, a script, comments, entities and Hugo shortcodes.
cat > html-shortcodes.md <<'EOF'
<script>alert("htmlscriptword")</script>
<!-- a comment <!-- nested? --> -->
<div class="x"><p>inside html</p></div>
{{< note title="x" >}}shortcode body{{< /note >}}
{{% include "file.md" %}}
{{< unclosed
&amp; &#x41; &#99999999; &bogus;

htmlshortcodesmarker body.
EOF

# Terminal escape sequences and control characters in every part of a
# note.  (A NUL byte makes a file binary; the title gets one through YAML's
# "\0" escape.)
printf -- '---\ntitle: "esc \\e]0;pwned\\a \\e[31mred\\0nul"\ntags: ["\\e[2Jtag"]\n---\n# head \033[1mbold\033[0m\n\nescapesmarker \033]8;;http://x\033\\link\033]8;;\033\\ \033[5mblink\007 \001\002\003\177 \302\233 c1\n' > escapes.md

# Random bytes without NUL: not text, but nothing tells it from text.
head -c 65536 /dev/urandom | tr -d '\000' > binary.md

# File names: a newline, invalid UTF-8, an escape sequence, 250 bytes.
mkdir names
printf '# Newline name\n\nnewlinenamemarker\n' > "names/new
line.md"
printf '# Bad name\n\nbadnamemarker\n' > "names/bad$(printf '\377\376')name.md"
printf '# Escape name\n\nescnamemarker\n' > "names/esc$(printf '\033[31m')name.md"
long=$(printf '%0247d' 0 | tr 0 n)
printf '# Long name\n\nlongnamemarker\n' > "names/$long.md"
