"""Same-class P@10 on the 958 BDCI gold records **through the product's batch CLI** (issue 15, points 3/2).

For each instance given (``--home``, repeatable) — a fresh instance into which the 958 ``label_source ==
"gold"`` records of ``cn/patents_bdci.jsonl`` were imported (``ipoc import``), then ``ipoc index encode`` run
with the encoder under test — this writes one query per record (its title), runs
``ipoc search --queries FILE --json --limit 11`` in that instance (the path users run), drops the record
itself from its hits and scores P@10: the share of the first 10 other records that carry the same label.
Labels are read only here, to score.

    python bench/encode_quality.py --gold /tmp/enc/bdci_gold.jsonl --home /tmp/bdci-base --home /tmp/bdci-fast

Making the gold file and an instance::

    python -c "import json; [print(l.strip()) for l in open('../shared/data/cn/patents_bdci.jsonl')
               if json.loads(l)['label_source'] == 'gold']" > /tmp/bdci_gold.jsonl
    IPOC_HOME=/tmp/bdci-x ipoc migrate && IPOC_HOME=/tmp/bdci-x ipoc import /tmp/bdci_gold.jsonl
    IPOC_HOME=/tmp/bdci-x ipoc index encode          # with the encoder under test
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(home: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "IPOC_HOME": home, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    exe = Path(sys.executable).with_name("ipoc")
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, check=True)


def score_home(home: str, gold: list[dict]) -> dict:
    label = {r["id"]: r["label"] for r in gold}
    con = sqlite3.connect(f"file:{home}/ipoc.sqlite3?mode=ro", uri=True)
    by_number: dict[str, str] = {}
    for key, number in con.execute("select key, publication_number from patents_patent"):
        rid = key.rsplit(":", 1)[-1]
        by_number[number or key] = rid
        by_number[key] = rid
    con.close()
    status = json.loads(cli(home, "index", "status", "--json").stdout)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for r in gold:
            fh.write(json.dumps({"id": r["id"], "q": r["title"]}, ensure_ascii=False) + "\n")
        qpath = fh.name
    w0 = time.perf_counter()
    out = cli(home, "search", "--queries", qpath, "--json", "--limit", "11").stdout
    wall = time.perf_counter() - w0
    os.unlink(qpath)
    p10, missing = [], 0
    for line in out.splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        hits = [by_number.get(h["patent"]) for h in item.get("hits", [])]
        missing += sum(h is None for h in hits)
        others = [h for h in hits if h and h != item["id"]][:10]
        p10.append(sum(label.get(h) == label[item["id"]] for h in others) / 10)
    return {"home": home, "encoder": status["encoder"], "encoded": status["encoded"], "indexed": status["indexed"],
            "queries": len(p10), "p_at_10": round(sum(p10) / len(p10), 4), "unmapped_hits": missing,
            "cli_seconds": round(wall, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", required=True, help="the 958 gold records as JSONL (as imported)")
    ap.add_argument("--home", action="append", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()
    gold = [json.loads(x) for x in open(args.gold, encoding="utf-8")]
    res = [score_home(h, gold) for h in args.home]
    for r in res:
        print(f"| {r['encoder']} ({r['encoded']}/{r['indexed']} encoded) | P@10 {r['p_at_10']:.3f} | "
              f"{r['queries']} queries, CLI {r['cli_seconds']} s | {r['home']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
