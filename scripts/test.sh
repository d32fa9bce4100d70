#!/usr/bin/env bash
# scripts/test.sh: everything `make test` runs, each phase timed. CI runs this through
# `make test` (.ci/run). Environment: KAPAL_SKIP_ASAN=1 skips the sanitizer pass (local use).
set -euo pipefail
cd "$(dirname "$0")/.."

phase_start=0
phase() { phase_start=$SECONDS; echo "==> $1"; }
phase_end() { echo "<== $1: $((SECONDS - phase_start)) s"; }

phase "format check"
scripts/format.sh --check
phase_end "format check"

phase "npm ci (web tooling)"
(cd web && npm ci --no-audit --no-fund --loglevel=error)
phase_end "npm ci"

phase "build (release, with tests)"
scripts/build.sh release
phase_end "build"

phase "build web app (web/dist)"
(cd web && npm run --silent format:check)
scripts/build-web.sh
phase_end "build web app"

for label in unit integration; do
  phase "ctest -L $label"
  ctest --test-dir build/release -L "$label" --output-on-failure --timeout 600 -j"$(nproc)"
  phase_end "ctest $label"
done

# The browser tests: Chromium against a real server (its own phase, after the others, so that
# its ~30 s and one browser do not run beside the parallel integration tests).
phase "ctest -L browser"
ctest --test-dir build/release -L browser --output-on-failure --timeout 600
phase_end "ctest browser"

if [ "${KAPAL_SKIP_ASAN:-0}" != 1 ]; then
  phase "build (asan: AddressSanitizer + UBSan)"
  # Only what the unit tests run (scripts/unit-targets.py): the sanitizer pass runs nothing
  # else, so the integration tests, the kapal program and the benchmarks are not built twice.
  mapfile -t asan_targets < <(ctest --test-dir build/release -L unit -N --show-only=json-v1 |
    python3 scripts/unit-targets.py build/release)
  scripts/build.sh asan "${asan_targets[@]}"
  phase_end "build asan"
  phase "ctest -L unit under ASan/UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
    ctest --test-dir build/asan -L unit --output-on-failure --timeout 900 -j"$(nproc)"
  phase_end "ctest unit asan"
fi
echo "make test: all phases passed"
