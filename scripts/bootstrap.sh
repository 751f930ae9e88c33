#!/usr/bin/env bash
# Shared by scripts/up.sh and scripts/test.sh: make ./.venv with IPOC and its
# dependencies, and node_modules with the browser libraries. Re-runs are cheap
# (stamps skip work whose inputs did not change).
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for py in python3.11 python3.12 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
      echo "$py"; return 0
    fi
  done
  echo "IPOC needs Python 3.11 or 3.12 (python3.11 not found)" >&2; return 1
}

if [ ! -x .venv/bin/python ]; then
  "$(pick_python)" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
stamp=".venv/.ipoc-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing IPOC and its dependencies into .venv"
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

if command -v npm >/dev/null 2>&1; then
  nstamp="node_modules/.ipoc-installed"
  nwant="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$nstamp" ] || [ "$(cat "$nstamp")" != "$nwant" ]; then
    echo "==> installing browser libraries (npm ci)"
    npm ci --no-audit --no-fund --silent
    echo "$nwant" > "$nstamp"
  fi
else
  echo "warning: npm not found; charts (ECharts) will be replaced by tables" >&2
fi
