#!/usr/bin/env bash
# Set up everything on a fresh machine and start IPOC on http://127.0.0.1:8000
# (embedded SQLite + embedded search index under $IPOC_HOME, default ./var).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export IPOC_HOME="${IPOC_HOME:-$PWD/var}"
.venv/bin/ipoc migrate --no-input -v0
.venv/bin/ipoc demo
exec .venv/bin/ipoc serve --host "${IPOC_HOST:-127.0.0.1}" --port "${IPOC_PORT:-8000}"
