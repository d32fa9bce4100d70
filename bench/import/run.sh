#!/usr/bin/env bash
# bench/import/run.sh [ROWS] [SEED] — rows/s of `kapal import persons` of a generated CSV into a
# fresh store, and, in the same run, PostgreSQL 15 COPY of the same rows into an equivalent
# table with the same indexes (a private cluster under /tmp, started and stopped here).
# Prints medians of RUNS (default 3) runs and the ratio. Results go in docs/PERFORMANCE.md.
# BASELINE=/path/to/kapal also times another build of the program in the same rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
SEED=${2:-42}
RUNS=${RUNS:-3}

# benchmark-only packages
need=()
for p in postgresql-15 libbenchmark-dev bc; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts a cluster on install; this benchmark uses its own.
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi

scripts/build.sh release kapal
scripts/build.sh bench kapal_bench_make_csv

work=$(mktemp -d /tmp/kapal-bench-XXXXXX)
chmod 755 "$work"
trap 'if [ -f "$work/pg/postmaster.pid" ]; then su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -m fast stop" >/dev/null; fi; rm -rf "$work"' EXIT
csv="$work/persons.csv"
build/bench/bench/kapal_bench_make_csv "$ROWS" "$SEED" > "$csv"
chmod 644 "$csv"
echo "bench/import: $ROWS rows, seed $SEED, $(du -h "$csv" | cut -f1) CSV; $(nproc) cores; $RUNS runs"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# --- PostgreSQL, started once ---
PG=/usr/lib/postgresql/15/bin
mkdir -p "$work/pg" "$work/run" && chown postgres "$work/pg" "$work/run"
su postgres -c "$PG/initdb -D $work/pg -A trust" >/dev/null
port=$((20000 + RANDOM % 10000))
su postgres -c "$PG/pg_ctl -D $work/pg -o '-p $port -k $work/run -c listen_addresses=' -l $work/run/pg.log -w start" >/dev/null
psql() { su postgres -c "psql -h $work/run -p $port -v ON_ERROR_STOP=1 -qAt $*"; }

# kapal_run BINARY: one import into a fresh store; prints and returns (in $t) the wall time.
kapal_run() {
  rm -rf "$work/data"
  "$1" init --data "$work/data" >/dev/null
  start=$(date +%s.%N)
  "$1" import persons "$csv" --data "$work/data" > "$work/import.log"
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  echo "  $2 run $r: ${t}s ($(tail -1 "$work/import.log" | cut -c1-120))"
}

# Two anchors, both with the same columns and the same b-tree indexes as our store (unique
# NIK, KK, kelurahan, kecamatan, status, categories): "btree" indexes the name with a plain
# b-tree; "trigram" with pg_trgm's GIN trigram index, the equivalent of our FTS5 trigram name
# index (what makes "name contains" fast in both).
pg_run() {
  local variant=$1
  psql "-c 'DROP TABLE IF EXISTS persons'"
  if [ "$variant" = trigram ]; then
    name_index="CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX ON persons USING gin (full_name gin_trgm_ops);"
  else
    name_index="CREATE INDEX ON persons (full_name);"
  fi
  psql "-c \"CREATE TABLE persons (pk bigserial PRIMARY KEY, nik text NOT NULL UNIQUE, kk text,
      full_name text NOT NULL, sex text, birth_date text, street text, rt text, rw text,
      kelurahan text, kecamatan text, categories text, severity text, lat double precision,
      lon double precision, status text DEFAULT 'aktif');
    CREATE INDEX ON persons (kk); CREATE INDEX ON persons (kelurahan);
    CREATE INDEX ON persons (kecamatan); CREATE INDEX ON persons (status);
    CREATE INDEX ON persons (categories); $name_index\""
  start=$(date +%s.%N)
  psql "-c \"COPY persons (nik, kk, full_name, sex, birth_date, street, rt, rw, kelurahan,
      kecamatan, categories, severity, lat, lon) FROM '$csv' WITH (FORMAT csv, HEADER true)\""
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  pg_times[$variant]+="$t "
  echo "  postgres COPY ($variant name index) run $r: ${t}s"
}

# The runs interleave (ours, btree, trigram; again), so that load from elsewhere on a shared
# machine falls on both sides of the ratio alike.
# BASELINE=path/to/an/older/kapal times that program too, in the same rounds (before/after).
kapal_times=()
baseline_times=()
declare -A pg_times
for r in $(seq "$RUNS"); do
  kapal_run build/kapal "kapal import"
  kapal_times+=("$t")
  if [ -n "${BASELINE:-}" ]; then
    kapal_run "$BASELINE" "baseline kapal import"
    baseline_times+=("$t")
  fi
  for variant in btree trigram; do
    pg_run "$variant"
  done
done

k=$(printf '%s\n' "${kapal_times[@]}" | median)
echo "median kapal import: ${k}s = $(echo "$ROWS / $k" | bc) rows/s"
if ((${#baseline_times[@]})); then
  b=$(printf '%s\n' "${baseline_times[@]}" | median)
  echo "median baseline kapal import: ${b}s = $(echo "$ROWS / $b" | bc) rows/s;" \
       "speed-up: $(echo "scale=2; $b / $k" | bc)"
fi
for variant in btree trigram; do
  p=$(printf '%s\n' ${pg_times[$variant]} | median)
  echo "median postgres COPY ($variant name index): ${p}s = $(echo "$ROWS / $p" | bc) rows/s;" \
       "ratio kapal/COPY: $(echo "scale=2; $p / $k" | bc)"
done
