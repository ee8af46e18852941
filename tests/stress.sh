#!/bin/bash
# stress.sh BUILD_DIR — the long versions of the reliability tests (make
# stress): 200 kills of notes-index over the whole corpus (crash.sh) and
# 5,000 searches during full re-indexes (concurrent.sh), with the binaries
# of BUILD_DIR.  Ends with "N passed, N failed"; exits non-zero on failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export NOTES_BUILD=$top/${1:-build}
work=$(mktemp -d "${TMPDIR:-/tmp}/notes-stress.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
step() {
	local name=$1; shift
	echo "# stress: $name"
	if "$@"; then pass=$((pass + 1)); echo "ok - $name"; else fail=$((fail + 1)); echo "not ok - $name"; fi
}
step "200 kills at random moments" "$top/tests/e2e/crash.sh" --kills 200 --notes 0 "$work/crash"
step "5000 searches during full re-indexes" "$top/tests/e2e/concurrent.sh" --searches 5000 --notes 0 "$work/conc"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
