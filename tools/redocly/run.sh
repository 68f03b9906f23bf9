#!/usr/bin/env bash
# Runs the Redocly CLI pinned in package-lock.json, installing it first (npm ci, from the npm
# registry) when node_modules is missing or older than the lock file. Telemetry and the update
# check are off, so the only network use is that install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/node_modules/.bin/redocly" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
cd "$here"
exec ./node_modules/.bin/redocly "$@"
