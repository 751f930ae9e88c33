#!/usr/bin/env bash
# The whole test suite: lint, the suite on SQLite, the same suite on a real
# PostgreSQL server, and the browser tests (Playwright + Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export IPOC_HOME="$(mktemp -d)"
PY=.venv/bin/python
status=0

step() { echo; echo "==> $*"; }

step "ruff"
.venv/bin/ruff check $(ls -d src tests bench 2>/dev/null) || status=1
step "import contracts"
.venv/bin/lint-imports --no-cache || status=1

step "pytest on SQLite"
env -u DATABASE_URL $PY -m pytest -m "not browser" || status=1

step "pytest on PostgreSQL"
PGURL="${IPOC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if bash scripts/ensure-postgres.sh; then
  DATABASE_URL="$PGURL" $PY -m pytest -m "not browser and not slow" || status=1
else
  echo "PostgreSQL could not be started"; status=1
fi

step "browser tests (Playwright, /usr/bin/chromium)"
if bash scripts/ensure-chromium.sh; then
  env -u DATABASE_URL $PY -m pytest -m browser || status=1
else
  echo "chromium could not be installed"; status=1
fi

echo
if [ $status -eq 0 ]; then echo "ALL CHECKS PASSED"; else echo "SOME CHECKS FAILED"; fi
exit $status
