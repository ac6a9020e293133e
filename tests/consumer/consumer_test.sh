#!/usr/bin/env bash
# Builds tests/consumer against firmnet: via cmake --install + find_package, and via add_subdirectory.
# Usage: consumer_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/lib/cmake/firmnet/firmnetConfig.cmake"
test -f "$work/prefix/include/firmnet/models/two_layer_net.hpp"
# x86-64: the consumer builds for a CPU with FMA, which invites the compiler to fuse a*b+c; the
# -ffp-contract=off firmnet::core carries must keep firmnet's float code unfused (main.cpp checks).
march=
[ "$(uname -m)" = x86_64 ] && march=-DCMAKE_CXX_FLAGS=-march=x86-64-v3
cmake -S "$src/tests/consumer" -B "$work/installed" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release $march > /dev/null
cmake --build "$work/installed" -j2 > /dev/null
"$work/installed/consumer"
cmake -S "$src/tests/consumer" -B "$work/subdir" -DFIRMNET_SOURCE_DIR="$src" -DCMAKE_BUILD_TYPE=Release $march > /dev/null
cmake --build "$work/subdir" -j2 > /dev/null
"$work/subdir/consumer"
echo "PASS: find_package and add_subdirectory consumers"
