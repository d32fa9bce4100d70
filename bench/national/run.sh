#!/usr/bin/env bash
# bench/national/run.sh [N] [SEED] — the registry at national scale: N persons (default
# 23,000,000) into PostgreSQL through the Store interface, secondary indexes built after the
# load, then NIK lookups, radius and k-nearest (in-memory index and PostGIS) and an area
# aggregate, as medians and p99; and the same program on SQLite at min(N, 1,000,000) persons
# beside it. Figures go in docs/PERFORMANCE.md ("National scale").
#
# PostgreSQL is a private cluster under $KAPAL_BENCH_DIR (default /var/tmp/kapal-bench-national),
# started with scripts/test-postgres.sh (fsync off: load figures are optimistic; query figures
# are not affected). Checks free disk first: this benchmark's persons (one version each, short
# documents) took 1.06 KB each with their indexes at 2,000,000 (docs/PERFORMANCE.md); it asks
# for 2 KB per person, for WAL and the index builds' sort space, plus 3 KB per SQLite person.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-23000000}
SEED=${2:-42}
QUERIES=${QUERIES:-1000}
dir=${KAPAL_BENCH_DIR:-/var/tmp/kapal-bench-national}
port=54349

mkdir -p "$(dirname "$dir")"
need_kb=$(( N * 2 ))
sqlite_n=$(( N < 1000000 ? N : 1000000 ))
need_kb=$(( need_kb + sqlite_n * 3 ))
free_kb=$(df -Pk "$(dirname "$dir")" | awk 'NR==2 {print $4}')
if (( free_kb < need_kb )); then
  echo "bench/national: needs about $(( need_kb / 1048576 )) GiB free under $(dirname "$dir"), has $(( free_kb / 1048576 )) GiB" >&2
  echo "  (set KAPAL_BENCH_DIR to a bigger disk, or give a smaller N)" >&2
  exit 1
fi

scripts/build.sh bench kapal_bench_national
bench=build/bench/bench/national/kapal_bench_national

trap 'scripts/test-postgres.sh stop "$dir/pg" >/dev/null 2>&1 || true; rm -rf "$dir/sqlite"' EXIT
scripts/test-postgres.sh start "$dir/pg" "$port" >/dev/null
psql=/usr/lib/postgresql/15/bin/psql
server="postgresql:///postgres?host=$dir/pg/run&port=$port&user=kapal"
"$psql" -q "$server" -c "CREATE DATABASE national TEMPLATE kapal_template"
echo "== PostgreSQL, $N persons"
"$bench" --store "postgresql:///national?host=$dir/pg/run&port=$port&user=kapal" \
  --persons "$N" --seed "$SEED" --queries "$QUERIES"
scripts/test-postgres.sh stop "$dir/pg" >/dev/null

mkdir -p "$dir/sqlite"
echo "== SQLite, $sqlite_n persons"
"$bench" --store "sqlite:$dir/sqlite/store.db" --persons "$sqlite_n" --seed "$SEED" \
  --queries "$QUERIES"
