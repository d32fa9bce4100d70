#!/usr/bin/env bash
# scripts/tidy-changed.sh [BASE]: clang-tidy (config .clang-tidy) on the C++ sources changed
# since BASE (default: origin/main if it exists, else HEAD~1), using build/dev's compile
# database. Not part of `make test` (the Beast file alone takes minutes); run before a review.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-$(git rev-parse --verify -q origin/main || git rev-parse HEAD~1)}
[ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null
mapfile -t files < <(git diff --name-only --diff-filter=AM "$base" -- 'src/*.cpp' | sort -u)
[ ${#files[@]} -gt 0 ] || { echo "tidy: no changed sources"; exit 0; }
# clang-tidy cannot read GCC's precompiled header of the http module; it only needs <utility>
# first, which -include gives it.
clang-tidy -p build/dev --quiet --extra-arg=-Wno-unknown-warning-option \
  --extra-arg=-include --extra-arg=utility "${files[@]}"
