#!/usr/bin/env bash
# Installs every Debian package that building, testing and the demo need. Idempotent and quiet
# when everything is present. Benchmark-only packages are installed by bench/ scripts.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang-format
  # libraries
  libboost-dev libsqlite3-dev libsodium-dev nlohmann-json3-dev libcli11-dev libxlsxwriter-dev
  libminizip-dev zlib1g-dev libssl-dev libexpat1-dev libgtest-dev libpq-dev libgdal-dev
  libcairo2-dev fonts-dejavu-core
  # the card credential: CBOR (libcbor) and QR codes (libqrencode)
  libcbor-dev libqrencode-dev
  # rendering cards: text with Pango in DejaVu Sans Condensed (fonts-dejavu-extra), JPEG
  # photos (TurboJPEG), and reading a QR code back from a picture (zxing-cpp)
  libpango1.0-dev fonts-dejavu-extra libturbojpeg0-dev libzxing-dev
  # tests: certificates for the TLS test, sqlite3 for checking stores by hand, and the
  # PostgreSQL 15 + PostGIS 3 server the postgres store tests start (scripts/test-postgres.sh;
  # pg_trgm ships in postgresql-15 itself, postgresql-contrib only depends on it)
  openssl sqlite3 postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  # tests: ogrinfo and ogr2ogr read our GeoPackage, GeoJSON and OGC API - Features output;
  # pdftotext and pdfinfo read our PDF reports back
  gdal-bin poppler-utils
  # tests: the browser tests drive Debian's Chromium with playwright-core (tests/browser)
  chromium
  # tests: the independent verifier of our card credentials (tests/card/verify_credential.py)
  python3 python3-cbor2 python3-nacl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm for the web tooling: any installed node/npm will do (Debian's or another).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root (or with sudo)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian creates and starts a cluster `15 main` when it installs the server; the tests use
  # their own under /tmp, so stop the one we just caused (it stays configured, not running).
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
fi
