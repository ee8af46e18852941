#!/bin/bash
# valgrind.sh BUILD_DIR — the end-to-end suites with every notes-index and
# notes-search run under valgrind memcheck (make valgrind).  BUILD_DIR holds
# an unsanitized debug build; the suites see wrappers in BUILD_DIR/wrap.  A
# process with an invalid access, an uninitialised read or a definite or
# indirect leak fails its test (exit 99) and leaves its report in
# BUILD_DIR/valgrind/.  Ends with the bats summary and a valgrind one.
# VALGRIND_SUITES (.bats files) and VALGRIND_FILTER (a bats -f regex) pick
# a part of the suite.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/${1:?usage: valgrind.sh BUILD_DIR}
logs=$build/valgrind
rm -rf "$logs" "$build/wrap"
mkdir -p "$logs" "$build/wrap"
chmod 1777 "$logs"   # some tests run the binaries as another user
for p in notes-index notes-search; do
	cat > "$build/wrap/$p" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
	--log-file="$logs/$p.%p.log" "$build/$p" "\$@"
WRAP
	chmod +x "$build/wrap/$p"
done
export NOTES_BUILD=$build/wrap
bats --tap ${VALGRIND_FILTER:+-f "$VALGRIND_FILTER"} ${VALGRIND_SUITES:-"$top"/tests/e2e/*.bats}
st=$?
runs=$(ls "$logs" | wc -l)
bad=$(find "$logs" -type f -size +0 | wc -l)
echo "valgrind: $runs processes run, $bad with errors or leaks"
[ "$bad" -eq 0 ] || { find "$logs" -type f -size +0 | head -n 3 | xargs head -n 30; }
[ "$st" -eq 0 ] && [ "$bad" -eq 0 ]
