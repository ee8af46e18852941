#!/bin/sh
# deps.sh PKG... — make sure the Debian packages the build and tests need are
# installed.  As root, installs the missing ones with apt-get; otherwise prints
# the exact command to run and fails.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "notes-search: installing missing packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2 && exit 0
	echo "notes-search: apt-get failed; run: apt-get install$missing" >&2
	exit 1
fi
echo "notes-search: missing packages:$missing" >&2
echo "run:  sudo apt-get install$missing" >&2
exit 1
