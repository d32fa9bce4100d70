#!/usr/bin/env bash
# scripts/format.sh [--check]: clang-format every C++ file we own, and Prettier the web app's
# TypeScript and browser tests when web/node_modules is installed (in place, or check only).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' | sort -u)
if [ "${1:-}" = "--check" ]; then
  if [ ${#files[@]} -gt 0 ]; then
    clang-format --dry-run -Werror "${files[@]}"
    echo "format: ${#files[@]} files clean"
  fi
else
  [ ${#files[@]} -eq 0 ] || clang-format -i "${files[@]}"
fi
# The web app (scripts/test.sh checks it again after npm ci, so CI never skips it).
if [ -x web/node_modules/.bin/prettier ]; then
  if [ "${1:-}" = "--check" ]; then
    (cd web && npm run --silent format:check)
  else
    (cd web && npm run --silent format >/dev/null)
  fi
fi
