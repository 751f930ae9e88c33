"""Push targeting through the retrieval engine: enterprises found from their demands, their own patents
(in the search index) and their business scope; ranked with the evidence that explains them."""

from __future__ import annotations

import pytest

from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind
from ipoc.demands import services as demand_services
from ipoc.revitalization import matching, services
from ipoc.revitalization.models import Recommendation, StockPatent
from ipoc.search import services as search_services
from tests.revitalization.conftest import needs_sample

pytestmark = [needs_sample, pytest.mark.django_db]

AIR = ("CN202121635426.6", "CN218824140U", "环境学院")  # 一种大气质量监测系统
DRONE = ("CN202121635235.X", "CN217546176U", "无人机学院")  # 无人机巡检系统


def _stock(cast, number, publication, dept):
    services.stock_select(actor=cast["filer"], institution=cast["institute"], numbers=[number],
                          department=dept, intentions=["assignment"])
    stock = StockPatent.objects.get(patent__publication_number=publication)
    StockPatent.objects.filter(pk=stock.pk).update(recommendation=Recommendation.KEY, library="resource")
    stock.refresh_from_db()
    return stock


def _enterprise(name, profile=""):
    return core_services.organization_create(actor=None, name=name, kind=OrganizationKind.ENTERPRISE,
                                             profile=profile)


def _demand(org, title, description, keywords):
    return demand_services.demand_create(actor=None, organization=org, title=title, description=description,
                                         keywords=keywords, status="published")


def _names(candidates):
    return [c["name"] for c in candidates]


def test_a_relevant_demand_ranks_its_enterprise_above_an_irrelevant_one(cast, orgs):
    stock = _stock(cast, *AIR)
    relevant = _enterprise("无锡清源环境科技有限公司")
    irrelevant = _enterprise("南通鲜味食品有限公司")
    _demand(relevant, "工业园区大气污染在线监测技术需求", "需要对园区空气质量和大气污染物进行实时监测与预警",
            ["大气", "空气质量", "监测"])
    _demand(irrelevant, "果蔬保鲜包装材料技术需求", "寻求延长果蔬保鲜期的可降解包装膜", ["保鲜", "包装"])
    found = matching.find_enterprises(user=cast["center_a"], stock=stock, limit=20)
    names = _names(found)
    assert "无锡清源环境科技有限公司" in names and "南通鲜味食品有限公司" not in names
    top = found[names.index("无锡清源环境科技有限公司")]
    [demand] = top["demands"]
    assert demand["title"] == "工业园区大气污染在线监测技术需求" and "监测" in demand["terms"]
    # checked by the demand's own engine search: it retrieves the stock patent, and says at which rank
    assert isinstance(demand["rank"], int) and demand["rank"] >= 1
    assert f"其检索将本专利排第 {demand['rank']} 位" in top["reason"]
    assert "工业园区大气污染在线监测技术需求" in top["reason"]


def test_business_scope_ranks_a_matching_enterprise_above_an_unrelated_one(cast, orgs):
    stock = _stock(cast, *DRONE)
    _enterprise("常州翔宇智能装备有限公司", profile="经营范围：无人机研发制造、无人机巡检服务、电力线路巡检。")
    _enterprise("扬州味道餐饮管理有限公司", profile="经营范围：餐饮服务、食品销售、会议及展览服务。")
    found = matching.find_enterprises(user=cast["center_a"], stock=stock, limit=20)
    names = _names(found)
    assert "常州翔宇智能装备有限公司" in names and "扬州味道餐饮管理有限公司" not in names
    scoped = found[names.index("常州翔宇智能装备有限公司")]
    assert {"无人机", "巡检"} <= set(scoped["profile_terms"]) and "经营范围含" in scoped["reason"]
    assert scoped["evidence"]["profile"] > 0 and scoped["evidence"]["patents"] == 0


def test_own_patents_come_from_the_search_index(cast, orgs):
    """The enterprise that holds a similar patent ranks first with that patent as evidence; once the
    patent leaves the search index (the database still holds it), that evidence is gone."""
    stock = _stock(cast, *DRONE)
    found = matching.find_enterprises(user=cast["center_a"], stock=stock, limit=20)
    assert found[0]["name"] == "苏州甲科技有限公司"
    [hit] = [h for h in found[0]["patent_hits"] if h["number"] == "CN219123456U"]
    assert hit["rank"] >= 1 and "无人机" in hit["matched_terms"] and "B64C" in hit["ipc"]
    assert "自有专利与本专利相似：CN219123456U" in found[0]["reason"]
    # an irrelevant enterprise patent (air sensor) may be retrieved, but ranks below the drone one
    names = _names(found)
    if "杭州乙材料有限公司" in names:
        assert names.index("杭州乙材料有限公司") > names.index("苏州甲科技有限公司")

    enterprise_patent = [h["id"] for h in found[0]["patent_hits"] if h["number"] == "CN219123456U"]
    search_services.unindex_patents(enterprise_patent)
    again = matching.find_enterprises(user=cast["center_a"], stock=stock, limit=20)
    assert all("CN219123456U" not in c["patents"] for c in again)


def test_never_the_institution_itself_nor_a_non_enterprise(cast, orgs):
    stock = _stock(cast, *DRONE)
    _demand(orgs["univ"], "无人机巡检技术需求", "高校寻求无人机巡检算法", ["无人机", "巡检"])
    found = matching.find_enterprises(user=cast["center_a"], stock=stock, limit=50)
    names = set(_names(found))
    assert cast["institute"].name not in names and orgs["univ"].name not in names
    assert found and all(c["score"] > 0 and c["reason"] for c in found)
    scores = [c["score"] for c in found]
    assert scores == sorted(scores, reverse=True)


def test_candidates_page_explains_the_ranking(client, cast, orgs):
    stock = _stock(cast, *AIR)
    relevant = _enterprise("无锡清源环境科技有限公司")
    _demand(relevant, "工业园区大气污染在线监测技术需求", "需要对园区空气质量和大气污染物进行实时监测与预警",
            ["大气", "空气质量", "监测"])
    client.force_login(cast["center_a"])
    html = client.get(f"/stock/{stock.pk}/?candidates=1").content.decode()
    assert "无锡清源环境科技有限公司" in html and "工业园区大气污染在线监测技术需求" in html
    assert "检索排名" in html and "共同术语" in html
