"""IPC suggestion on fold 5 **through the product** (issue 15, point 6): the instance's own suggester
(``services.ipc_model()``, as ``ipoc ipc-model train`` left it) on the 1,942 fold-5 titles of ``titles_ipc.csv``.
Run it once, after ``ipoc encoder train FILE`` and ``ipoc ipc-model train FILE`` in that instance:

    IPOC_HOME=/tmp/x OMP_NUM_THREADS=1 python bench/ipc_product.py > bench/results/runs/ipc_product.json
"""

import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")

import django  # noqa: E402

django.setup()

from ipoc.search import services  # noqa: E402

TITLES = ROOT.parent / "shared" / "data" / "cn" / "titles_ipc.csv"
m = services.ipc_model()
rows = [r for r in csv.DictReader(TITLES.open(encoding="utf-8-sig")) if r["fold"] == "5"]
gold = [{c.strip().upper()[:4] for c in r["ipc_subclasses"].split("|") if c.strip()} for r in rows]
sugg = m.suggest_many([r["title"] for r in rows], top=5)
top1 = sum(bool(s) and s[0][0] in g for s, g in zip(sugg, gold, strict=True)) / len(rows)
top5 = sum(bool({c for c, _ in s} & g) for s, g in zip(sugg, gold, strict=True)) / len(rows)
print(json.dumps({"encoder": m.encoder_name, "head": m.head is not None, "params": {k: getattr(m.params, k) for k in
      ("krr_tau", "krr_lam", "lex_lam", "w_lex", "krr_w_head", "beta")}, "fold5_top1": round(top1, 4),
      "fold5_top5_recall": round(top5, 4), "n": len(rows), "selected_by_encoder_train":
      services.ipc_tuned_meta().get("ipc_params")}, ensure_ascii=False))
