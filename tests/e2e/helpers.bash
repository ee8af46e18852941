# helpers.bash — shared set-up for the end-to-end suites.
#
# NOTES_BUILD (set by tests/run.sh) names the build folder holding the
# binaries under test; SHARED is ../shared beside the repository (the real
# corpus), and tests that need it skip cleanly when it is absent.

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD=${NOTES_BUILD:-$TOP/build}
INDEX="$BUILD/notes-index"
SEARCH="$BUILD/notes-search"
SHARED=${NOTES_SHARED:-$TOP/../shared}
CORPUS="$SHARED/corpus"

# Each test gets its own scratch folder and database.
common_setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/notes-e2e.XXXXXX")
	DB="$T/index.db"
	export NOTES_DB="$DB"
	unset NO_COLOR
}

common_teardown() {
	[ -n "${T:-}" ] && chmod -R u+rwx "$T" 2>/dev/null
	[ -n "${T:-}" ] && rm -rf "$T"
}

need_corpus() {
	[ -d "$CORPUS" ] || skip "no shared corpus at $CORPUS"
}

need() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

# Copy the sample archive to the scratch folder (tests edit it).
sample_archive() {
	cp -r "$TOP/examples/notes" "$T/notes"
}

# The paths (one per line) notes-search returns for a query.
paths_for() {
	"$SEARCH" -l -n 1000 "$@" 2>/dev/null || true
}

# Number of notes in the index.
note_count() {
	sqlite3 "$DB" 'SELECT count(*) FROM notes'
}
