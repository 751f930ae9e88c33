"""The demand import scales with its rows (issue 14 item 7): near-duplicates found through an index, existing
keys read once, short transactions. No timing: the work is counted."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.conf import settings

from ipoc.demands import services
from ipoc.demands.models import Demand

REAL = Path(settings.IPOC_SAMPLE_DATA) / "cn" / "demands.csv"


def _titles() -> list[str]:
    if REAL.exists():
        import csv

        with REAL.open(encoding="utf-8-sig") as fh:
            return [r["title"] for r in csv.DictReader(fh) if r.get("title")]
    return [f"高端{w}制备技术{i}" for i, w in enumerate("轴承钢 氧化铝 电池 膜电极 传感器 涂层".split() * 20)]


def test_the_title_index_finds_exactly_what_comparing_every_pair_finds():
    rng = random.Random(14)
    titles = _titles()
    variants = []
    for title in titles[:300]:  # near copies: a character dropped, swapped or a tag added
        chars = list(title)
        if len(chars) > 4:
            del chars[rng.randrange(len(chars))]
        variants.append(rng.choice(["", "【寻求合作】"]) + "".join(chars))
    known = [(i, t, services._title_shingles(t)) for i, t in enumerate(titles)]
    index = services.TitleIndex(services.DUPLICATE_THRESHOLD, known)
    for probe in variants + titles[:100] + ["完全无关的标题内容", "", "【】"]:
        shingles = services._title_shingles(probe)
        best = max(((pk, t, services._similarity(shingles, s)) for pk, t, s in known), key=lambda x: x[2])
        expected = best if best[2] >= services.DUPLICATE_THRESHOLD else None
        assert index.best(shingles) == expected, probe


@pytest.mark.django_db
def test_similarity_work_grows_with_the_rows_not_with_rows_times_demands(orgs, tmp_path, monkeypatch):
    rng = random.Random(7)
    alphabet = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"
    Demand.objects.bulk_create([
        Demand(title="".join(rng.choice(alphabet) for _ in range(14)), organization=orgs["ent_b"],
               source="manual", source_key=f"k{i}") for i in range(600)])
    calls = {"n": 0}
    real = services._similarity

    def counting(a, b):
        calls["n"] += 1
        return real(a, b)

    monkeypatch.setattr(services, "_similarity", counting)
    path = tmp_path / "d.csv"
    path.write_text("需求名称\n" + "".join(f"钠离子电池正极材料第{i}代量产工艺\n" for i in range(40)), encoding="utf-8")
    report = services.demand_import(actor=None, path=path, center=orgs["center_a"])
    assert report["counts"]["new"] == 40
    # comparing each row with every demand would be 40 x 600+ = 24,000 comparisons
    assert calls["n"] < 40 * 40, calls["n"]


@pytest.mark.django_db
def test_rows_are_committed_in_short_transactions(orgs, tmp_path, monkeypatch):
    """A failure in the 3rd chunk leaves the first two committed: no transaction holds the whole file."""
    monkeypatch.setattr(services, "IMPORT_CHUNK", 10)
    real, saves = services.validated_save, {"n": 0}

    def failing_save(obj, *args, **kwargs):
        saves["n"] += 1
        if saves["n"] == 25:
            raise RuntimeError("the disk is full")
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(services, "validated_save", failing_save)
    path = tmp_path / "d.csv"
    path.write_text("需求名称\n" + "".join(f"需求{i:03d}号\n" for i in range(35)), encoding="utf-8")
    with pytest.raises(RuntimeError):
        services.demand_import(actor=None, path=path, center=orgs["center_a"])
    assert Demand.objects.count() == 20
    # running it again completes the file: what was committed is recognised, not duplicated
    monkeypatch.setattr(services, "validated_save", real)
    report = services.demand_import(actor=None, path=path, center=orgs["center_a"])
    assert report["counts"]["unchanged"] == 20 and report["counts"]["new"] == 15
    assert Demand.objects.count() == 35
