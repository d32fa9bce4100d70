#!/usr/bin/env bash
# scripts/test-postgres.sh start DIR PORT | stop DIR
#
# A private, throw-away PostgreSQL 15 + PostGIS 3 server for the tests (ctest runs `start` as
# a fixture setup test and `stop` as its cleanup; see src/kapal/store/postgres/CMakeLists.txt).
#
# start: removes whatever an earlier run left in DIR, runs initdb in DIR/data (UTF-8, trust
#   authentication, superuser `kapal`), starts the server listening only on the Unix socket
#   DIR/run/.s.PGSQL.PORT (no TCP, so runs of several build trees never collide), and creates
#   the database `kapal_template` with the postgis and pg_trgm extensions, from which each test
#   copies its own database. Connect with
#     postgresql:///postgres?host=DIR/run&port=PORT&user=kapal
# stop: stops that server and removes DIR.
#
# When run as root, the server runs as the `postgres` user (initdb refuses root), like
# bench/import/run.sh. The settings trade durability for speed (fsync off): test data only.
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2
case "$dir" in /*) ;; *) echo "test-postgres: DIR must be absolute" >&2; exit 2 ;; esac

bindir=/usr/lib/postgresql/15/bin
if [ ! -x "$bindir/initdb" ]; then
  echo "test-postgres: $bindir/initdb not found; run scripts/install-deps.sh" >&2
  exit 1
fi

# Runs a server program as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
start)
  [ $# -eq 3 ] || usage
  port=$3
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "test-postgres: running as root needs the 'postgres' user (package postgresql-15)" >&2
    exit 1
  fi
  stop_server
  rm -rf "$dir"
  mkdir -p "$dir/data" "$dir/run"
  chmod 700 "$dir/data"
  chmod 755 "$dir" "$dir/run"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir/data" "$dir/run"
  fi
  as_owner "$bindir/initdb" -D "$dir/data" -U kapal -A trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # Written by the cluster owner: root's file would not be readable when DIR is not ours.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 60 \
    -o "-p $port -k $dir/run -c listen_addresses= -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB" \
    start >/dev/null || { cat "$dir/run/server.log" >&2; exit 1; }
  psql_cmd=(/usr/bin/psql -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U kapal)
  "${psql_cmd[@]}" -d postgres -c "CREATE DATABASE kapal_template"
  "${psql_cmd[@]}" -d kapal_template \
    -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION pg_trgm"
  echo "test-postgres: server on $dir/run port $port"
  ;;
stop)
  stop_server
  rm -rf "$dir"
  ;;
*)
  usage
  ;;
esac
