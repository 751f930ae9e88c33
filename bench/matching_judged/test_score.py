"""Checks of score.py's measures and of the --system hook on a tiny hand-computed example.

    .venv/bin/python -m pytest bench/matching_judged/test_score.py -q -p no:django
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_pools import check_blind, demand_kind, pair_id  # noqa: E402


def write(path: Path, items) -> None:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path / "pools.jsonl", [
        {"demand_id": "d001", "row": 1, "split": "dev", "title": "高性能全固态锂电池", "detail": "略", "category": "",
         "systems": {"ipoc": ["a", "b", "c", "d", "e", "f"], "bm25": ["c", "x"]}},
        {"demand_id": "d002", "row": 2, "split": "heldout", "title": "污水除氯", "detail": "", "category": "",
         "systems": {"ipoc": ["y"], "bm25": ["y"]}},
    ])
    write(tmp_path / "patents.jsonl", [{"key": k, "title": f"专利{k}", "abstract": ""} for k in "abcdefxy"])
    grades = {"a": 2, "b": 0, "c": 1, "e": 2, "x": 2, "f": 1}  # d is not judged
    write(tmp_path / "judgments.jsonl", [{"pair": pair_id("d001", k), "grade": g} for k, g in grades.items()]
          + [{"pair": pair_id("d002", "y"), "grade": 0}])
    # an earlier sheet that holds the pair (d001, d), not yet graded
    write(tmp_path / "to_grade.jsonl", [{"pair": pair_id("d001", "d"), "demand": {"title": "高性能全固态锂电池",
                                         "detail": "略"}, "patent": {"title": "专利d", "abstract": ""}}])
    return tmp_path


def run(folder: Path, *extra: str) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "score.py"), "--dir", str(folder), "--json", *extra],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_measures_by_hand(folder: Path) -> None:
    res = run(folder)
    dev = res["splits"]["dev"]["systems"]
    # ipoc top-5 gains 2,0,1,(unjudged→0),2; ideal from every judged pair of d001: 2,2,2,1,1
    ideal = 2 + 2 / math.log2(3) + 2 / 2 + 1 / math.log2(5) + 1 / math.log2(6)
    assert dev["ipoc"]["p5"] == 0.6 and dev["ipoc"]["strict_p5"] == 0.4
    assert dev["ipoc"]["ndcg5"] == round((2 + 1 / 2 + 2 / math.log2(6)) / ideal, 4)
    assert dev["ipoc"]["unjudged_in_top5"] == 1
    # bm25 returned two patents: the three missing places are misses
    assert dev["bm25"]["p5"] == 0.4 and dev["bm25"]["strict_p5"] == 0.2
    assert dev["bm25"]["ndcg5"] == round((1 + 2 / math.log2(3)) / ideal, 4)
    held = res["splits"]["heldout"]
    assert held["demands_without_relevant_judged"] == 1 and held["systems"]["ipoc"]["ndcg5"] == 0.0
    assert res["splits"]["all"]["demands"] == 2


def test_system_hook_writes_a_blind_sheet_of_its_unjudged_top5(folder: Path) -> None:
    write(folder / "new_run.jsonl", [
        {"demand_id": "d001", "ranked": ["d", "g", "a", "h", "i", "zz"],
         "patents": {k: {"title": f"新专利{k}", "abstract": "摘要"} for k in "ghi"}},
        {"demand_id": "d002", "ranked": []},
    ])
    res = run(folder, "--system", f"later_v2={folder / 'new_run.jsonl'}")
    sheet = res["new_sheets"]["later_v2"]
    # d is on the earlier sheet, a is judged, zz is below the top-5: g, h, i need grading
    assert sheet["new_pairs_to_grade"] == 3 and sheet["pending_on_earlier_sheets"] == 1
    lines = [json.loads(x) for x in open(folder / "to_grade_later_v2.jsonl", encoding="utf-8")]
    assert {x["pair"] for x in lines} == {pair_id("d001", k) for k in "ghi"}
    check_blind(folder / "to_grade_later_v2.jsonl", forbidden=("ipoc", "bm25", "later_v2"))
    assert res["splits"]["dev"]["systems"]["later_v2"]["unjudged_in_top5"] == 4  # d, g, h, i
    assert res["splits"]["heldout"]["systems"]["later_v2"]["p5"] == 0.0


def test_a_run_must_cover_the_pooled_demands(folder: Path) -> None:
    write(folder / "short.jsonl", [{"demand_id": "d001", "ranked": ["a"]}])
    proc = subprocess.run([sys.executable, str(HERE / "score.py"), "--dir", str(folder),
                           "--system", f"short={folder / 'short.jsonl'}"], capture_output=True, text=True)
    assert proc.returncode != 0 and "d002" in proc.stderr


def test_demand_kinds() -> None:
    assert demand_kind("【人才引进】调理品深加工研发方面的高层次人才") == "talent"
    assert demand_kind("寻求真空技术研发人才") == "talent"
    assert demand_kind("【项目落地对接】人工智能型健康体检机器人") == "project_landing"
    assert demand_kind("针状焦") == "technology"
    assert demand_kind("【寻求合作】大孔容活性氧化铝催化剂载体生产工艺技术") == "technology"
