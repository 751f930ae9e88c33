"""Fixtures of the risk tests: patents imported through the patents importer (JSONL), a check of 苏州甲科技
at 甲中心."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ipoc.patents import services as patent_services
from ipoc.risk import services


@pytest.fixture
def import_jsonl(tmp_path):
    """Import records (dicts) through the patents importer; returns the new patent ids by ``id``."""
    counter = {"n": 0}

    def run(records: list[dict]) -> dict[str, int]:
        from django.apps import apps

        counter["n"] += 1
        path = tmp_path / f"risk-{counter['n']}.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        patent_services.patent_import(actor=None, path=path, format="jsonl")
        patent = apps.get_model("patents", "Patent")
        return {r["id"]: patent.objects.get(external_id=r["id"]).pk for r in records}

    return run


FEATURES = ["电池组通过预充电电阻连接到直流母线", "控制器检测母线电压达到阈值后闭合主接触器", "倒车时由电机驱动车辆"]


@pytest.fixture
def check(users, orgs):
    return services.check_create(actor=users["ent_a"], center=orgs["center_a"], product_name="混合动力车预充电控制器",
                                 description="用于混合动力车辆的预充电控制器", features=FEATURES,
                                 markets=["CN"], horizon_date=dt.date.today() + dt.timedelta(days=3 * 365))
