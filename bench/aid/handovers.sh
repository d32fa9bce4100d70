#!/usr/bin/env bash
# bench/aid/handovers.sh — handovers per second (POST /api/v1/aid/cycles/{id}/handovers) under
# 64 concurrent clients with wrk, each request a different beneficiary, against the anchor of the
# same clients asking who the beneficiary is (POST …/beneficiary: the same sign-in, JSON, cycle
# and person lookups, without the write). Results go in docs/PERFORMANCE.md ("Aid").
#
#   bench/aid/handovers.sh            # PERSONS=30000 THREADS=2 CONNECTIONS=64 DURATION=8s ROUNDS=3
#
# What it does: installs wrk (apt-get; benchmark-only), makes a data directory under a temporary
# folder (kapal init, demo-data), adds a penyalur and a second admin, raises the rate limits,
# starts `kapal serve`, creates a programme (rule "true") assigned to the penyalur, and per round
# a cycle whose list (every person) is generated, proposed by the first admin and approved by the
# second; then wrk posts handovers, one person per request in turn, and lookups, and prints the
# medians, the ratio, and how many handovers were refused (must be 0 within one round).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
PERSONS=${PERSONS:-30000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
ROUNDS=${ROUNDS:-3}
KAPAL=${KAPAL:-$root/build/release/kapal}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
if ((${#need[@]})); then
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi
[ -x "$KAPAL" ] || scripts/build.sh release kapal

tmp=$(mktemp -d /tmp/kapal-bench-aid.XXXXXX)
kapal_pid=
cleanup() {
  [ -n "$kapal_pid" ] && kill "$kapal_pid" 2>/dev/null && wait "$kapal_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

data=$tmp/data
"$KAPAL" init --data "$data" >/dev/null
"$KAPAL" demo-data --data "$data" --persons "$PERSONS" --seed 1 >/dev/null
"$KAPAL" export persons --data "$data" --format csv --out "$tmp/persons.csv" >/dev/null
python3 -c 'import csv, sys
for row in csv.DictReader(open(sys.argv[1])): print(row["ID"])' "$tmp/persons.csv" >"$tmp/ids.txt"
first_admin=admin # made by kapal init
"$KAPAL" user add --data "$data" --username penyalur.bench --role penyalur >/dev/null
"$KAPAL" user add --data "$data" --username admin.kedua --role admin >/dev/null
token() { "$KAPAL" token create --data "$data" --user "$1" --expires 1d | grep -o 'ksg_[A-Za-z0-9_-]*'; }
admin=$(token "$first_admin")
admin2=$(token admin.kedua)
penyalur=$(token penyalur.bench)
sed -i -e 's/^requests_per_second_per_address = .*/requests_per_second_per_address = 0/' \
  -e 's/^requests_per_second_per_user = .*/requests_per_second_per_user = 0/' "$data/config"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KAPAL" serve --data "$data" --listen "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
kapal_pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -s -o /dev/null "$base/healthz" && break; sleep 0.1; done

api() { # TOKEN METHOD PATH [BODY] [ETAG]
  curl -sf -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    ${5:+-H "If-Match: $5"} ${4:+--data "$4"} "$base$3"
}
penyalur_id=$(api "$admin" GET /api/v1/users | jq -r '.items[] | select(.username=="penyalur.bench") | .id')
api "$admin" POST /api/v1/aid/programs "{\"code\":\"bench\",\"name\":\"Bench\",\"source\":\"APBD\",\"kind\":\"barang\",\"channel\":\"langsung\",\"unit_value\":300000,\"rule\":\"true\",\"assignees\":[\"$penyalur_id\"]}" >/dev/null

cat >"$tmp/post.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local n = 0
local tid = 0
local threads = tonumber(os.getenv("THREADS"))
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init() tid = tonumber(wrk.thread:get("tid")) or 0 end
request = function()
  local i = (n * threads + tid) % #ids + 1
  n = n + 1
  return wrk.format("POST", os.getenv("TARGET"), {
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
    ["Content-Type"] = "application/json",
    -- as the phone page sends: a key per attempt, unique for the officer across rounds
    ["Idempotency-Key"] = "b" .. os.getenv("ROUND") .. "-" .. tid .. "-" .. n},
    '{"person_id":"' .. ids[i] .. '","search_reason":"bench"}')
end
LUA

rps() { awk '/Requests\/sec/ {print $2}'; }
hand=()
look=()
for round in $(seq "$ROUNDS"); do
  cycle=$(api "$admin" POST /api/v1/aid/programs/bench/cycles "{\"number\":$round,\"name\":\"Tahap $round\",\"starts_on\":\"2020-01-01\",\"ends_on\":\"2099-12-31\"}" | jq -r .id)
  for step in generate:"$admin" propose:"$admin" approve:"$admin2"; do
    etag=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $admin" "$base/api/v1/aid/cycles/$cycle" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
    api "${step#*:}" POST "/api/v1/aid/cycles/$cycle/list/${step%%:*}" "" "$etag" >/dev/null
  done
  out=$(IDS=$tmp/ids.txt THREADS=$THREADS ROUND=$round TOKEN=$penyalur TARGET=/api/v1/aid/cycles/$cycle/beneficiary \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$tmp/post.lua" "$base")
  look+=("$(rps <<<"$out")")
  out=$(IDS=$tmp/ids.txt THREADS=$THREADS ROUND=$round TOKEN=$penyalur TARGET=/api/v1/aid/cycles/$cycle/handovers \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$tmp/post.lua" "$base")
  hand+=("$(rps <<<"$out")")
  refused=$( (grep -o 'Non-2xx or 3xx responses: [0-9]*' <<<"$out" || true) | awk '{print $NF}')
  delivered=$(api "$admin" GET "/api/v1/aid/cycles/$cycle/realisation" | jq .total.delivered)
  echo "round $round: handovers ${hand[-1]}/s (${delivered} delivered, ${refused:-0} refused), lookups ${look[-1]}/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
h=$(median "${hand[@]}")
l=$(median "${look[@]}")
echo "median of $ROUNDS: handovers $h/s, lookups $l/s, ratio $(awk -v a="$h" -v b="$l" 'BEGIN {printf "%.2f", a/b}') ($CONNECTIONS connections, $THREADS wrk threads, $PERSONS persons)"
