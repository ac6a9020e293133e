#!/bin/sh
# tests/tools/check_discovery.sh <build dir> <Catch2 binary>...: every test case each binary lists is
# a ctest test of that build. catch_discover_tests turns the list into ctest tests; a case name it
# cannot carry (one with "[" in it, once) silently dropped every case after it, and the suite still
# passed with a third of its tests gone.
set -eu
dir=$1
shift
known=$(mktemp)
trap 'rm -f "$known"' EXIT
ctest --test-dir "$dir" -N | sed -n 's/^ *Test *#[0-9]*: //p' > "$known"
missing=0 listed=0
for binary in "$@"; do
  names=$("$binary" --list-test-names-only --use-colour no || true)  # Catch2 v2 exits with the count
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    listed=$((listed + 1))
    if ! grep -Fxq -- "$name" "$known"; then
      echo "not a ctest test of $dir: '$name' ($(basename "$binary"))" >&2
      missing=$((missing + 1))
    fi
  done <<NAMES
$names
NAMES
done
echo "$listed test cases listed by $# binaries, $missing of them missing from ctest"
[ "$missing" -eq 0 ] && [ "$listed" -gt 0 ]
