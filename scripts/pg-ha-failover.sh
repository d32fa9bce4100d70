#!/usr/bin/env bash
# scripts/pg-ha-failover.sh — does every acknowledged write survive a PostgreSQL failover?
#
# On this one machine, as root: starts etcd (one member) and a 3-node Patroni cluster of
# PostgreSQL 15 on loopback ports, with synchronous_mode and synchronous_mode_strict, so that a
# commit is acknowledged only once a synchronous replica has it. Then `kapal init` + `kapal
# serve` on the cluster through a libpq multi-host URI (target_session_attrs=read-write), and a
# stream of POST /api/v1/persons. During the stream the leader node "crashes" (SIGKILL to its
# Patroni, its postmaster and the postmaster's children); Patroni promotes a replica; the stream
# goes on. At the end every person whose POST was answered 201 must be in the new leader (psql)
# and readable through kapal (GET /api/v1/persons/{id}). Exit 0 if so, 1 if any is missing,
# 2 on a setup failure. Everything it started is stopped on exit (also on Ctrl-C).
#
# Not part of `make test` (it installs packages and takes a minute or two). See the section
# "High availability with Patroni and etcd" of docs/operations-postgres.md.
#
# Usage: scripts/pg-ha-failover.sh [KAPAL_BINARY]      (default: build/kapal, else build/release/kapal)
# Environment: PORT_BASE (default 25400): etcd uses PORT_BASE+79/+80, PostgreSQL +1..+3,
#   Patroni's REST API +11..+13, kapal +90. WRITES_BEFORE / WRITES_AFTER (default 100 / 100):
#   acknowledged writes to see before the kill and after the new leader. KEEP=1 keeps the
#   temporary directory (logs) after the run.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
PORT_BASE=${PORT_BASE:-25400}
WRITES_BEFORE=${WRITES_BEFORE:-100}
WRITES_AFTER=${WRITES_AFTER:-100}
PGBIN=/usr/lib/postgresql/15/bin
KAPAL=${1:-}
if [ -z "$KAPAL" ]; then
  if [ -x build/kapal ]; then KAPAL=build/kapal; else KAPAL=build/release/kapal; fi
fi
KAPAL=$(readlink -f "$KAPAL")

ETCD_CLIENT=$((PORT_BASE + 79))
ETCD_PEER=$((PORT_BASE + 80))
KAPAL_PORT=$((PORT_BASE + 90))
NODES=(1 2 3)
pg_port() { echo $((PORT_BASE + $1)); }
api_port() { echo $((PORT_BASE + 10 + $1)); }

fmt_s() { awk -v ms="$1" 'BEGIN {printf "%.1f s", ms / 1000}'; }
say() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
die() {
  say "FAILED: $*" >&2
  exit 2
}

[ "$(id -u)" -eq 0 ] || { echo "pg-ha-failover: run as root (installs packages, runs the cluster as 'postgres')" >&2; exit 2; }
[ -x "$KAPAL" ] || { echo "pg-ha-failover: no kapal binary at '$KAPAL' (make build)" >&2; exit 2; }

# ---- packages ---------------------------------------------------------------------------------
need=()
for p in patroni etcd-server postgresql-15 postgresql-15-postgis-3 postgresql-client-15 curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  say "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >/tmp/pg-ha-failover-apt.log 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
        >/tmp/pg-ha-failover-apt.log 2>&1; } ||
    { tail -20 /tmp/pg-ha-failover-apt.log >&2; die "apt-get install ${need[*]}"; }
fi
for c in patroni etcd psql curl "$PGBIN/initdb"; do
  command -v "$c" >/dev/null || die "$c not found after installing packages"
done

for port in "$ETCD_CLIENT" "$ETCD_PEER" "$KAPAL_PORT" $(for n in "${NODES[@]}"; do pg_port "$n"; api_port "$n"; done); do
  if ss -Hltn "sport = :$port" | grep -q .; then
    die "port $port is in use (set PORT_BASE to move every port)"
  fi
done

# ---- cleanup ------------------------------------------------------------------------------------
W=$(mktemp -d /tmp/kapal-ha-XXXXXX)
chmod 755 "$W"
WRITER_PID=""
KAPAL_PID=""

# The pid in FILE, if that process still runs.
live_pid() {
  local p
  p=$(head -1 "$1" 2>/dev/null) || return 1
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null
  [ -n "$KAPAL_PID" ] && kill "$KAPAL_PID" 2>/dev/null
  # Patroni stops its PostgreSQL on SIGTERM.
  local n p
  for n in "${NODES[@]}"; do
    p=$(live_pid "$W/node$n/patroni.pid") && kill -TERM "$p" 2>/dev/null
  done
  for _ in $(seq 1 40); do
    local alive=0
    for n in "${NODES[@]}"; do
      live_pid "$W/node$n/patroni.pid" >/dev/null && alive=1
    done
    ((alive)) || break
    sleep 0.5
  done
  # Whatever is left (a node that did not stop, the postmaster and backends of the killed node).
  for n in "${NODES[@]}"; do
    p=$(live_pid "$W/node$n/patroni.pid") && kill -KILL "$p" 2>/dev/null
    p=$(live_pid "$W/node$n/data/postmaster.pid") && {
      # shellcheck disable=SC2046 # one pid per word
      kill -KILL $(ps -o pid= --ppid "$p") "$p" 2>/dev/null
    }
  done
  if p=$(live_pid "$W/etcd/etcd.pid"); then
    kill -TERM "$p" 2>/dev/null
    sleep 1
    kill -KILL "$p" 2>/dev/null
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "pg-ha-failover: kept $W" >&3
  else
    rm -rf "$W"
  fi
  exit "$rc"
}
# fd 3: the terminal, for messages from traps (a trap may run inside a command whose output
# goes to /dev/null).
exec 3>&1
trap cleanup EXIT
trap 'echo >&3; say "interrupted, cleaning up" >&3; exit 130' INT TERM

# On a setup failure, the end of the logs that say why.
show_logs() {
  local f
  for f in "$W"/etcd.log "$W"/node*/patroni.log "$W"/node*/data/log/*.log "$W"/kapal-serve.log; do
    [ -f "$f" ] && { echo "--- $f (end)"; tail -15 "$f"; }
  done >&2
}
setup_fail() {
  show_logs
  die "$*"
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.5 s until it succeeds.
wait_for() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
  say "$what"
}

# ---- etcd ---------------------------------------------------------------------------------------
say "work directory $W; kapal $KAPAL; etcd on 127.0.0.1:$ETCD_CLIENT"
mkdir -p "$W/etcd"
chown postgres "$W/etcd"
chmod 700 "$W/etcd"
runuser -u postgres -- sh -c 'echo $$ > "$0/etcd.pid"; exec etcd "$@"' "$W/etcd" \
  --name e1 --data-dir "$W/etcd/data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "e1=http://127.0.0.1:$ETCD_PEER" --initial-cluster-state new \
  >"$W/etcd.log" 2>&1 &
etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_CLIENT/health" | grep -q '"health":"true"'; }
wait_for 30 "etcd is up" etcd_healthy || setup_fail "etcd did not become healthy in 30 s"
live_pid "$W/etcd/etcd.pid" >/dev/null || setup_fail "etcd's pid file is missing"

# ---- Patroni ------------------------------------------------------------------------------------
SUPER_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
REPL_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
KAPAL_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
SCOPE="kapal-ha-$$"

write_patroni_config() {
  local n=$1 dir=$W/node$1
  cat >"$dir/patroni.yml" <<EOF
scope: $SCOPE
namespace: /kapal-ha/
name: node$n
restapi:
  listen: 127.0.0.1:$(api_port "$n")
  connect_address: 127.0.0.1:$(api_port "$n")
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT
bootstrap:
  dcs:
    ttl: 15
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_mode_strict: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:$(pg_port "$n")
  connect_address: 127.0.0.1:$(pg_port "$n")
  data_dir: $dir/data
  bin_dir: $PGBIN
  pgpass: $dir/pgpass
  authentication:
    superuser:
      username: postgres
      password: $SUPER_PW
    replication:
      username: replicator
      password: $REPL_PW
    rewind:
      username: postgres
      password: $SUPER_PW
  parameters:
    unix_socket_directories: $dir/run
    shared_buffers: 64MB
    logging_collector: "on"
    log_directory: log
EOF
}

for n in "${NODES[@]}"; do
  mkdir -p "$W/node$n/run"
  write_patroni_config "$n"
  chown -R postgres "$W/node$n"
  chmod 700 "$W/node$n"
done
start_node() {
  local n=$1
  runuser -u postgres -- sh -c 'echo $$ > "$0/patroni.pid"; exec patroni "$0/patroni.yml"' \
    "$W/node$n" >"$W/node$n/patroni.log" 2>&1 &
}
start_node 1
say "Patroni node1 bootstraps the cluster (initdb) on 127.0.0.1:$(pg_port 1)"
# GET /leader answers 200 only on the node that holds the leader key and runs as primary.
is_leader() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(api_port "$1")/leader")" = 200 ]; }
node_leader() {
  local n
  for n in "${NODES[@]}"; do
    if is_leader "$n"; then echo "$n"; return 0; fi
  done
  return 1
}
wait_for 120 "node1 is the leader" is_leader 1 || setup_fail "node1 did not become leader in 120 s"
start_node 2
start_node 3
say "node2 and node3 clone the leader (pg_basebackup) and follow it"

# psql as the superuser on node N (TCP, password from the environment).
psql_node() {
  local n=$1
  shift
  PGPASSWORD=$SUPER_PW PGCONNECT_TIMEOUT=3 psql -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$(pg_port "$n")" -U postgres "$@"
}
# WANT other nodes stream from the leader, one of them synchronously. Patroni names each
# replica's connection after its node; pg_basebackup's WAL stream (while a replica is being
# cloned) is also "streaming", and even "sync" while synchronous_standby_names is '*'.
replicas_streaming() {
  local leader=$1 want=$2 got
  got=$(psql_node "$leader" -d postgres -c \
    "SELECT count(*) FILTER (WHERE state = 'streaming') || ' ' || count(*) FILTER (WHERE state = 'streaming' AND sync_state = 'sync')
       FROM pg_stat_replication WHERE application_name IN ('node1', 'node2', 'node3')") ||
    return 1
  [ "${got% *}" -ge "$want" ] && [ "${got#* }" -ge 1 ]
}
wait_for 180 "both replicas stream from node1, one synchronously" replicas_streaming 1 2 ||
  setup_fail "the replicas did not start streaming in 180 s"
patronictl -c "$W/node1/patroni.yml" list 2>/dev/null | sed 's/^/    /'

# ---- the kapal database -------------------------------------------------------------------------
# As a DBA would: a role that owns its database, the extensions created once by the superuser
# (postgis is not a trusted extension); kapal's first migration then finds them in place.
psql_node 1 -d postgres \
  -c "CREATE ROLE kapal LOGIN PASSWORD '$KAPAL_PW'" \
  -c "CREATE DATABASE kapal OWNER kapal ENCODING 'UTF8' TEMPLATE template0" ||
  setup_fail "cannot create the kapal role and database"
psql_node 1 -d kapal -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION pg_trgm" ||
  setup_fail "cannot create the postgis and pg_trgm extensions (is postgresql-15-postgis-3 installed?)"

HOSTS="127.0.0.1:$(pg_port 1),127.0.0.1:$(pg_port 2),127.0.0.1:$(pg_port 3)"
STORE="postgresql://kapal@$HOSTS/kapal?target_session_attrs=read-write&connect_timeout=3"
export PGPASSFILE=$W/kapal.pgpass
for n in "${NODES[@]}"; do
  echo "127.0.0.1:$(pg_port "$n"):kapal:kapal:$KAPAL_PW"
done >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"

D=$W/kapal-data
say "kapal init --store '$STORE'"
"$KAPAL" init --data "$D" --store "$STORE" >"$W/kapal-init.log" 2>&1 ||
  { cat "$W/kapal-init.log" >&2; setup_fail "kapal init"; }
# The writer is one client sending as fast as it can: no rate limit in its way.
sed -i -e 's/^requests_per_second_per_address = .*/requests_per_second_per_address = 0/' \
  -e 's/^requests_per_second_per_user = .*/requests_per_second_per_user = 0/' "$D/config"
TOKEN=$("$KAPAL" token create --data "$D" --user admin --expires 1d 2>"$W/token.log") ||
  { cat "$W/token.log" >&2; setup_fail "kapal token create"; }
case "$TOKEN" in ksg_*) ;; *) setup_fail "kapal token create printed no ksg_ token" ;; esac

"$KAPAL" serve --data "$D" --listen "127.0.0.1:$KAPAL_PORT" >"$W/kapal-serve.log" 2>&1 &
KAPAL_PID=$!
URL=http://127.0.0.1:$KAPAL_PORT
kapal_serving() { grep -q "serving on http://" "$W/kapal-serve.log"; }
wait_for 30 "kapal serve: $(grep -o 'serving on http://[^ ]*' "$W/kapal-serve.log" 2>/dev/null || echo "$URL")" kapal_serving ||
  setup_fail "kapal serve did not start in 30 s"

# ---- the stream of writes -----------------------------------------------------------------------
# One line per POST in $W/writes.log: "serial http_status person_id_or_- unix_ms".
# NIK: kelurahan 64.74.01, a woman born on day D (D+40) of March 1985, serial 0001..9999.
person_body() {
  local i=$1
  local day=$((1 + i / 9000)) serial=$((1 + i % 9000))
  printf '{"nik":"647401%02d0385%04d","full_name":"Uji Failover %d","sex":"P","birth_date":"1985-03-%02d","address":{"street":"Jl. Pupuk Raya","rt":"007","rw":"02","kelurahan_code":"64.74.01.1003"},"categories":["fisik"]}' \
    $((40 + day)) "$serial" "$i" "$day"
}
writer() {
  local i=0 code id
  while [ ! -f "$W/stop-writer" ]; do
    i=$((i + 1))
    code=$(curl -s --max-time 30 -o "$W/body" -D "$W/headers" -w '%{http_code}' \
      -X POST "$URL/api/v1/persons" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -H "Idempotency-Key: failover-$$-$i" --data-binary "$(person_body "$i")")
    id=-
    if [ "$code" = 201 ]; then
      id=$(sed -n 's#^[Ll]ocation: */api/v1/persons/\([^[:space:]]*\).*#\1#p' "$W/headers")
      [ -n "$id" ] || id=MISSING-LOCATION
    else
      sleep 0.2 # a failed request: a short pause before the next one
    fi
    echo "$i $code $id $(date +%s%3N)" >>"$W/writes.log"
  done
}
acked() { awk '$2 == 201' "$W/writes.log" 2>/dev/null | wc -l; }
acked_at_least() { [ "$(acked)" -ge "$1" ]; }

: >"$W/writes.log"
writer &
WRITER_PID=$!
say "writing persons through kapal (POST /api/v1/persons)"
wait_for 120 "$WRITES_BEFORE writes acknowledged before the failover" acked_at_least "$WRITES_BEFORE" ||
  setup_fail "fewer than $WRITES_BEFORE writes acknowledged in 120 s: $(tail -3 "$W/writes.log")"

# ---- the crash ----------------------------------------------------------------------------------
OLD=$(node_leader) || setup_fail "no leader before the kill"
patroni_pid=$(live_pid "$W/node$OLD/patroni.pid") || setup_fail "node$OLD's Patroni is not running"
postmaster_pid=$(live_pid "$W/node$OLD/data/postmaster.pid") || setup_fail "node$OLD's postmaster is not running"
children=$(ps -o pid= --ppid "$postmaster_pid" | tr '\n' ' ')
acked_before_kill=$(acked)
kill_ms=$(date +%s%3N)
kill -KILL "$patroni_pid" "$postmaster_pid" $children 2>/dev/null
say "KILLED the leader node$OLD (SIGKILL: Patroni $patroni_pid, postmaster $postmaster_pid and its ${children:+$(echo $children | wc -w) }children) after $acked_before_kill acknowledged writes"

new_leader() {
  local n
  for n in "${NODES[@]}"; do
    [ "$n" = "$OLD" ] && continue
    if is_leader "$n"; then echo "$n" >"$W/new-leader"; return 0; fi
  done
  return 1
}
wait_for 120 "a new leader" new_leader || setup_fail "no replica was promoted within 120 s of the kill"
promoted_ms=$(date +%s%3N)
NEW=$(cat "$W/new-leader")
say "node$NEW is the new leader, $(fmt_s $((promoted_ms - kill_ms))) after the kill"
wait_for 120 "the remaining replica streams from node$NEW, synchronously" replicas_streaming "$NEW" 1 ||
  say "warning: the remaining replica is not streaming synchronously from node$NEW (writes wait for it)"
patronictl -c "$W/node$NEW/patroni.yml" list 2>/dev/null | sed 's/^/    /'

target=$((acked_before_kill + WRITES_AFTER))
wait_for 180 "$WRITES_AFTER more writes acknowledged after the failover" acked_at_least "$target" ||
  say "warning: only $(($(acked) - acked_before_kill)) writes acknowledged in the 180 s after the failover"
touch "$W/stop-writer"
wait "$WRITER_PID"
WRITER_PID=""

# ---- verification -------------------------------------------------------------------------------
awk '$2 == 201 {print $3}' "$W/writes.log" >"$W/acked-ids"
total=$(wc -l <"$W/writes.log")
n_acked=$(wc -l <"$W/acked-ids")
n_failed=$((total - n_acked))
failed_codes=$(awk '$2 != 201 {print $2}' "$W/writes.log" | sort | uniq -c | awk '{printf "%s%s×%s", sep, $1, $2; sep=", "}')
# The outage as the writer saw it: from the kill to the first 201 after the first failure.
first_ack_after_kill=$(awk -v k="$kill_ms" '$4 > k && $2 != 201 {failed = 1} failed && $2 == 201 {print $4; exit}' "$W/writes.log")

# In the new leader, over SQL: which acknowledged ids are not in persons?
missing_sql=$( {
  echo "CREATE TEMP TABLE acked (id text COLLATE \"C\");"
  echo "COPY acked FROM STDIN;"
  cat "$W/acked-ids"
  echo '\.'
  echo "SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = a.id);"
} | psql_node "$NEW" -d kapal) || setup_fail "cannot query the new leader node$NEW"
found_sql=$((n_acked - missing_sql))

# Through kapal: each acknowledged id read back.
found_http=0
while read -r id; do
  code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$URL/api/v1/persons/$id")
  if [ "$code" = 200 ]; then
    found_http=$((found_http + 1))
  else
    echo "  not readable through kapal: $id (HTTP $code)" >&2
  fi
done <"$W/acked-ids"
persons_in_db=$(psql_node "$NEW" -d kapal -c "SELECT count(*) FROM persons")

echo
echo "pg-ha-failover summary"
echo "  cluster:               3 Patroni nodes, synchronous_mode_strict; killed node$OLD, promoted node$NEW"
echo "  writes attempted:      $total"
echo "  acknowledged (201):    $n_acked ($acked_before_kill before the kill)"
echo "  failed (not acked):    $n_failed${failed_codes:+ ($failed_codes)}"
echo "  found after failover:  $found_sql of $n_acked in the new leader (SQL), $found_http of $n_acked through kapal (GET)"
echo "  persons in database:   $persons_in_db (acknowledged + any committed whose answer was lost)"
echo "  time without a leader: $(fmt_s $((promoted_ms - kill_ms))) (kill to new leader)"
if [ -n "$first_ack_after_kill" ]; then
  echo "  writes resumed:        $(fmt_s $((first_ack_after_kill - kill_ms))) after the kill"
fi
if [ "$found_sql" -eq "$n_acked" ] && [ "$found_http" -eq "$n_acked" ] && [ "$n_acked" -gt "$acked_before_kill" ]; then
  echo "PASS: every acknowledged write survived the failover"
  exit 0
fi
echo "FAIL: acknowledged writes are missing (or none were acknowledged after the failover)"
KEEP=1
exit 1
