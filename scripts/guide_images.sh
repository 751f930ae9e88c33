#!/usr/bin/env bash
# Re-take the user guides' pictures (src/ipoc/static/ipoc/guide/<guide>/*.jpg) from a fresh demo instance, so
# the guides show the pages as they are: a temporary IPOC_HOME, ipoc migrate + ipoc demo, ipoc serve on a free
# port, then `ipoc screenshots … --guide`. Run it after a UI change and commit the pictures.
# With --url URL, photograph an instance already running with the demo instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out="src/ipoc/static/ipoc/guide"
if [ "${1:-}" = "--url" ]; then
  exec .venv/bin/ipoc screenshots "$out" --guide --url "$2"
fi
home="$(mktemp -d)"
export IPOC_HOME="$home" IPOC_DEMO_IPC_MODEL=0 IPOC_DEMO_ENCODE=0
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "==> demo instance in $home"
.venv/bin/ipoc migrate --no-input -v0
.venv/bin/ipoc demo > "$home/demo.log"
.venv/bin/ipoc serve --port "$port" > "$home/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$home"' EXIT
url="http://127.0.0.1:$port"
.venv/bin/python - "$url" <<'PY'
import sys, time, urllib.request
for _ in range(240):
    try:
        urllib.request.urlopen(sys.argv[1] + "/login/", timeout=5)
        break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("ipoc serve did not answer")
PY
.venv/bin/ipoc screenshots "$out" --guide --url "$url"
