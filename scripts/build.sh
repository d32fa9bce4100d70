#!/usr/bin/env bash
# scripts/build.sh PRESET [TARGET...]: configure (once) and build with a CMake preset.
# The release program is linked to ./build/kapal.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
dir=build/$preset
if [ ! -f "$dir/build.ninja" ]; then
  cmake --preset "$preset" >/dev/null
fi
jobs=${KAPAL_JOBS:-$(nproc)}
if (($#)); then
  cmake --build "$dir" -j"$jobs" --target "$@"
else
  cmake --build "$dir" -j"$jobs"
fi
if [ -x build/release/kapal ]; then
  ln -sfn release/kapal build/kapal
fi
