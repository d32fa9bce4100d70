#!/usr/bin/env bash
# bench/spatial/run.sh [N] [SEED] — the in-memory point index against PostGIS on the same N
# homes (default 1,000,000): memory, build time, radius and k-nearest latency (medians, p99);
# then map clusters over N homes in one city (zoom 12 whole city, zoom 14-16 views).
# Starts a private PostgreSQL (scripts/test-postgres.sh) under /tmp and stops it afterwards.
# Results go in docs/PERFORMANCE.md ("Spatial queries").
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
SEED=${2:-42}
scripts/build.sh bench kapal_bench_spatial
dir=/tmp/kapal-bench-spatial
port=54339
trap 'scripts/test-postgres.sh stop "$dir" >/dev/null 2>&1 || true' EXIT
scripts/test-postgres.sh start "$dir" "$port" >/dev/null
/usr/lib/postgresql/15/bin/psql -q "postgresql:///postgres?host=$dir/run&port=$port&user=kapal" \
  -c "CREATE DATABASE bench TEMPLATE kapal_template"
build/bench/bench/kapal_bench_spatial "$N" "$SEED" \
  "postgresql:///bench?host=$dir/run&port=$port&user=kapal"
