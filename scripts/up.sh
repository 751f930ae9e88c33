#!/usr/bin/env bash
# Set up everything on a fresh machine and start IPOC on http://127.0.0.1:8000
# (embedded SQLite + embedded search index under $IPOC_HOME, default ./var).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export IPOC_HOME="${IPOC_HOME:-$PWD/var}"
.venv/bin/ipoc migrate --no-input -v0
# The demo loads the real sample data and builds the lexical index; the two slow parts (training the
# IPC model on titles_ipc.csv folds 1-4 and dense-encoding the corpus) run in the background, so the
# platform answers at once: patents not yet encoded are still found lexically.
IPOC_DEMO_IPC_MODEL=0 IPOC_DEMO_ENCODE=0 .venv/bin/ipoc demo
titles="$(.venv/bin/python -c 'from ipoc.conf import sample_data_dir; print(sample_data_dir() / "cn" / "titles_ipc.csv")')"
# The fast int8 encoder is exported once (≈ 1 min) before encoding; encoding then runs at ≈ 50 patents per CPU second.
nohup bash -c "[ -f '$titles' ] && .venv/bin/ipoc ipc-model train '$titles' --exclude-fold 5; [ -f '$IPOC_HOME/search/encoder/model.onnx' ] || .venv/bin/ipoc encoder export; .venv/bin/ipoc index encode" \
  > "$IPOC_HOME/background-jobs.log" 2>&1 &
echo "IPC model training and dense encoding continue in the background: $IPOC_HOME/background-jobs.log"
exec .venv/bin/ipoc serve --host "${IPOC_HOST:-127.0.0.1}" --port "${IPOC_PORT:-8000}"
