#!/usr/bin/env bash
# bench/card/verify.sh — requests per second of POST /api/v1/cards/verify with wrk, against an
# nginx in the same run that answers the same POST with a static file of the same size as the
# verify answer. Results go in docs/PERFORMANCE.md ("Card verification").
#
#   bench/card/verify.sh                 # THREADS=2 CONNECTIONS=32 DURATION=10s ROUNDS=3
#   KAPAL=/path/to/kapal bench/card/verify.sh
#
# What it does: installs wrk and nginx-light (apt-get; benchmark-only, not in
# scripts/install-deps.sh), makes a data directory under a temporary folder (kapal init,
# demo-data, one card issued), raises the per-address rate limits in its config, starts
# `kapal serve` and nginx on free loopback ports, reads the card's QR text through the API
# (an API token of the first admin), checks that both answer the POST with 200 and the same
# number of bytes, then runs wrk against kapal and nginx in turn, ROUNDS times, with the same
# threads, connections and duration, and prints the medians and the ratio. Everything it
# started is stopped by its pid, and the temporary folder is removed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
KAPAL=${KAPAL:-$root/build/release/kapal}

need=()
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
if ((${#need[@]})); then
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -x "$KAPAL" ]; then
  scripts/build.sh release kapal
fi

tmp=$(mktemp -d /tmp/kapal-bench-verify.XXXXXX)
kapal_pid=
nginx_pid=
cleanup() {
  [ -n "$kapal_pid" ] && kill "$kapal_pid" 2>/dev/null && wait "$kapal_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# A free loopback port: bind port 0 and read what the kernel gave.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # URL
  for _ in $(seq 100); do
    if curl -s -o /dev/null "$1"; then
      return 0
    fi
    sleep 0.1
  done
  echo "verify.sh: nothing answers at $1" >&2
  return 1
}

data=$tmp/data
"$KAPAL" init --data "$data" >/dev/null
"$KAPAL" demo-data --data "$data" --persons 200 --seed 1 >/dev/null
"$KAPAL" export persons --data "$data" --format csv --out "$tmp/persons.csv" >/dev/null
person=$(python3 -c 'import csv, sys; print(next(csv.DictReader(open(sys.argv[1])))["ID"])' \
  "$tmp/persons.csv")
issued=$("$KAPAL" card issue --data "$data" --person "$person")
number=$(awk '{print $3}' <<<"$issued" | tr -d -)
echo "$issued"

# The server's per-address limits (50 requests/s, burst 100) would answer most of a load test
# with 429; raise them for this run only.
sed -i -e 's/^requests_per_second_per_address = .*/requests_per_second_per_address = 1000000/' \
  -e 's/^burst_per_address = .*/burst_per_address = 1000000/' "$data/config"
kapal_port=$(free_port)
"$KAPAL" serve --data "$data" --listen "127.0.0.1:$kapal_port" >"$tmp/serve.log" 2>&1 &
kapal_pid=$!
wait_for "http://127.0.0.1:$kapal_port/"

token=$("$KAPAL" token create --data "$data" --user admin --name bench --expires 1h 2>/dev/null | tail -1)
qr=$(curl -sf -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$kapal_port/api/v1/cards/$number" | jq -r .qr)
jq -cn --arg qr "$qr" '{qr: $qr}' >"$tmp/body.json"
url_kapal="http://127.0.0.1:$kapal_port/api/v1/cards/verify"
curl -s -o "$tmp/answer.json" -w '%{http_code}\n' -H 'Content-Type: application/json' \
  --data-binary @"$tmp/body.json" "$url_kapal" >"$tmp/status"
if [ "$(cat "$tmp/status")" != 200 ] || [ "$(jq -r .status "$tmp/answer.json")" != valid ]; then
  echo "verify.sh: the card does not verify: $(cat "$tmp/status") $(cat "$tmp/answer.json")" >&2
  exit 1
fi
size=$(stat -c %s "$tmp/answer.json")

# nginx: a static file of the same size; the static module refuses POST (405), and error_page
# turns that into the file with 200 (an internal redirect as GET).
mkdir -p "$tmp/www/api/v1/cards" "$tmp/nginx"
cp "$tmp/answer.json" "$tmp/www/api/v1/cards/verify"
# nginx's workers run as an unprivileged user: let them through to the file (the data
# directory beside it keeps its own modes).
chmod 711 "$tmp"
chmod -R a+rX "$tmp/www"
nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
    location = /api/v1/cards/verify { error_page 405 =200 \$uri; }
  }
}
EOF
/usr/sbin/nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" &
nginx_pid=$!
url_nginx="http://127.0.0.1:$nginx_port/api/v1/cards/verify"
wait_for "$url_nginx"
got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H 'Content-Type: application/json' \
  --data-binary @"$tmp/body.json" "$url_nginx")
if [ "$got" != "200 $size" ]; then
  echo "verify.sh: nginx answers the POST with '$got', not '200 $size'" >&2
  exit 1
fi

cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/body.json", "rb")
wrk.body = f:read("*a")
f:close()
EOF

run() { # NAME URL -> prints requests/s; fails on errors or non-2xx answers
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$tmp/post.lua" "$2")
  echo "$out" >"$tmp/wrk-$1-$round.txt"
  if grep -q -e 'Non-2xx' -e 'Socket errors' <<<"$out"; then
    echo "verify.sh: $1 round $round had errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}

echo "card $number, body $(stat -c %s "$tmp/body.json") bytes, answer $size bytes"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
kapal_rps=()
nginx_rps=()
for round in $(seq "$ROUNDS"); do
  k=$(run kapal "$url_kapal")
  n=$(run nginx "$url_nginx")
  kapal_rps+=("$k")
  nginx_rps+=("$n")
  k50=$(awk '/^ +50%/ {print $2}' "$tmp/wrk-kapal-$round.txt")
  n50=$(awk '/^ +50%/ {print $2}' "$tmp/wrk-nginx-$round.txt")
  echo "round $round: kapal $k requests/s (median latency $k50), nginx $n requests/s ($n50)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
km=$(median "${kapal_rps[@]}")
nm=$(median "${nginx_rps[@]}")
echo "median: kapal $km requests/s, nginx $nm requests/s, ratio kapal/nginx $(awk -v k="$km" -v n="$nm" 'BEGIN {printf "%.3f", k/n}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
