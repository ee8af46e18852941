#!/bin/bash
# run.sh BUILD_DIR — run every test: the cmocka unit binaries in
# BUILD_DIR/tests/ and the bats end-to-end suites in tests/e2e/, both as TAP,
# and end with the line "N passed, N failed, N skipped".  Exits non-zero when
# anything failed.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export NOTES_BUILD="$top/$build"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=TAP
log=$(mktemp); trap 'rm -f "$log"' EXIT
pass=0 fail=0 skip=0

count() {   # read TAP on stdin, echo it, tally into the globals via $log
	tee -a "$log"
}

for t in "$top/$build"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $(basename "$t")"
	"$t" 2>&1 | count
	rc=${PIPESTATUS[0]}
	# A crash before TAP output still counts as a failure.
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $(basename "$t") exited $rc" | count
	fi
done

if ls "$top"/tests/e2e/*.bats >/dev/null 2>&1; then
	echo "# end-to-end (bats)"
	bats --tap "$top"/tests/e2e/*.bats 2>&1 | count
fi

pass=$(grep -cE '^ok [0-9]+' "$log" || true)
skip=$(grep -cE '^ok [0-9]+.*# (skip|SKIP)' "$log" || true)
fail=$(grep -cE '^not ok' "$log" || true)
pass=$((pass - skip))
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
