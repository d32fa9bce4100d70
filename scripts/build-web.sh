#!/usr/bin/env bash
# scripts/build-web.sh: build the web app (web/, TypeScript + Vite) into web/dist, which
# `kapal serve` serves. Installs the npm packages from the lockfile first when they are missing
# or older than it (npm ci: exactly package-lock.json, from the npm registry only).
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
