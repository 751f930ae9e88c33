"""Analytics fixtures: a small patent corpus imported through the real importer (so sets are re-evaluated by the
import hook), with every field an analysis counts varied across records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind


def _p(i: int, **fields) -> dict:
    base = {"publication_number": f"CN11{i:07d}A", "title": f"专利{i}", "abstract": "", "jurisdiction": "CN",
            "patent_type": "发明"}
    base.update(fields)
    return base


CORPUS = [
    _p(1, title="一种锂电池正极材料", abstract="提高了能量密度，降低了成本。", application_date="2019-03-01",
       grant_date="2021-05-01", legal_status="有效", region_code="32", region_name="江苏",
       applicants=[{"name": "甲电池有限公司", "type": "企业"}, {"name": "乙大学", "type": "高校"},
                   {"name": "丁研究所", "type": "科研机构"}],
       inventors=["张三", "李四"], ipc_all=["H01M4/36", "H01M10/05"], transfer_count=2,
       last_transfer_date="2022-01-05", forward_citations=["CN1199999A", "CN1199998A", "CN1199997A"]),
    _p(2, title="锂电池电解液", abstract="提高循环寿命，提高了能量密度。", application_date="2019-07-01",
       legal_status="审中", region_code="32", region_name="江苏",
       applicants=[{"name": "甲电池有限公司", "type": "企业"}], inventors=["张三"], ipc_all=["H01M10/0567"],
       backward_citations=["CN110000001A"], licence_count=1, last_licence_date="2023-02-01"),
    _p(3, title="基站天线阵列", abstract="降低了干扰，提高效率。", application_date="2020-02-02", grant_date="2022-03-03",
       legal_status="有效", region_code="44", region_name="广东",
       applicants=[{"name": "丙通信有限公司", "type": "企业"}, {"name": "乙大学", "type": "高校"}],
       inventors=["王五", "李四"], ipc_all=["H01Q1/24", "H04B7/06"], pledge_count=1, last_pledge_date="2023-06-01",
       backward_citations=["CN110000001A", "CN110000002A"], forward_citations=["CN1199990A"]),
    _p(4, title="一种信道估计方法", abstract="降低复杂度。", application_date="2020-05-05", legal_status="失效",
       region_code="44", region_name="广东", applicants=[{"name": "丙通信有限公司", "type": "企业"}],
       inventors=["王五"], ipc_all=["H04L25/02"], jurisdiction="US", patent_type="发明",
       priority_claims=[{"country": "CN", "number": "CN2019000001", "date": "2019-05-05"}]),
    _p(5, title="太阳能电池组件", abstract="提高转换效率。", application_date="2021-01-01", grant_date="2021-09-09",
       legal_status="有效", patent_type="实用新型", region_code="33", region_name="浙江",
       applicants=[{"name": "赵个人", "type": "个人"}], inventors=["赵六"], ipc_all=["H01L31/042"],
       priority_claims=[{"country": "JP", "number": "JP2020-1", "date": "2020-01-01"}]),
    _p(6, title="无日期的材料", abstract="", legal_status="", applicants=[], inventors=[], ipc_all=[],
       jurisdiction="EP"),
]
EXTRA = [
    _p(7, title="5G基站射频模块", abstract="提高效率，降低干扰。", application_date="2022-02-02", legal_status="审中",
       region_code="44", region_name="广东", applicants=[{"name": "丙通信有限公司", "type": "企业"}],
       inventors=["王五"], ipc_all=["H04B1/40"]),
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def corpus(db, tmp_path):
    from ipoc.patents import services as patent_services

    batch = patent_services.patent_import(actor=None, path=write_jsonl(tmp_path / "corpus.jsonl", CORPUS))
    assert batch.rejected_count == 0, list(batch.rejections.values_list("reason", flat=True))
    return batch


@pytest.fixture
def import_extra(tmp_path):
    def run():
        from ipoc.patents import services as patent_services

        return patent_services.patent_import(actor=None, path=write_jsonl(tmp_path / "extra.jsonl", EXTRA))
    return run


@pytest.fixture
def chain_node(orgs):
    from ipoc.matching import services as matching_services

    return matching_services.chain_node_create(actor=None, center=orgs["center_a"], name="通信设备",
                                               position="midstream", keywords=["基站"], ipc_prefixes=["H04"])


@pytest.fixture
def other_center(orgs):
    return core_services.organization_create(actor=None, name="丙产业知识产权运营中心",
                                             kind=OrganizationKind.OPERATION_CENTER, region_code="440100")


from ipoc.search.testing import search_index  # noqa: E402, F401


@pytest.fixture(autouse=True)
def _index(search_index):  # noqa: F811
    """Imports in these tests index into a throwaway index with the hashing encoder (fast, deterministic)."""
    return search_index
