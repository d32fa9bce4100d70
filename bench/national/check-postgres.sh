#!/usr/bin/env bash
# check-postgres.sh BENCH SERVER_CONNINFO — runs kapal_bench_national --check on 10,000 persons
# in a fresh database copied from kapal_template on the test server, and drops it afterwards.
set -euo pipefail
bench=$1
server=$2
db="kapal_bench_$$"
psql=/usr/lib/postgresql/15/bin/psql
[ -x "$psql" ] || psql=psql
"$psql" -q "$server" -c "CREATE DATABASE $db TEMPLATE kapal_template"
trap '"$psql" -q "$server" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
conninfo=${server/\/postgres\?//$db?}
"$bench" --store "$conninfo" --persons 10000 --queries 200 --check
