#!/bin/bash
# SPDX-License-Identifier: MIT
# Configures and builds hostfish out of tree in $BUILD_DIR (default ./_build).
# Extra configure arguments may follow.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/_build}
[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null)
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "$src/configure" -nt Makefile ]; then
	"$src/configure" --enable-werror "$@" >configure.out 2>&1 || { cat configure.out >&2; exit 1; }
fi
make -j"$(nproc)" >make.out 2>&1 || { tail -50 make.out >&2; exit 1; }
echo "$build"
