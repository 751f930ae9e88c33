"""Demand understanding (issue 15, points 1 and 4): the kind of a demand and its routing, the need apart from
the company profile, key terms weighted by how specific they are among demands, editable by the center and
shown as the query the match used; confidence bands and the honest "nothing strong" answer."""

import json

import pytest

from ipoc.core.errors import PermissionDenied
from ipoc.demands import services as demand_services
from ipoc.demands.models import Demand, DemandStatus
from ipoc.matching import ranking, services, understanding
from ipoc.matching.models import Match, MatchQuery
from ipoc.patents import services as patent_services
from ipoc.search import testing

search_index = testing.search_index

PATENTS = [
    {"id": "u1", "title": "高性能计算集群的作业调度方法", "abstract": "提高高性能计算集群的作业吞吐量与调度效率。",
     "applicants": [{"name": "甲计算公司", "type": "企业"}], "patent_type": "发明"},
    {"id": "u2", "title": "一种全固态锂电池及其正极材料", "abstract": "硫化物固态电解质的全固态锂电池，正极材料包覆。",
     "applicants": [{"name": "清华大学", "type": "高校"}], "patent_type": "发明",
     "inventors": ["张三", "李四"]},
    {"id": "u3", "title": "固态电解质薄膜的制备方法", "abstract": "用于全固态电池的固态电解质薄膜。",
     "applicants": [{"name": "中国科学院物理研究所", "type": "科研机构"}], "patent_type": "发明"},
    {"id": "u4", "title": "锂电池极片辊压设备", "abstract": "锂电池生产用辊压机。",
     "applicants": [{"name": "乙装备有限公司", "type": "企业"}], "patent_type": "实用新型"},
    {"id": "u5", "title": "一种服装面料染色工艺", "abstract": "活性染料染色。",
     "applicants": [{"name": "丙纺织公司", "type": "企业"}], "patent_type": "发明"},
]
PROFILE = ("公司成立于2003年，注册资本5000万元，现有员工800余人，主要产品为锂电池正极材料和电池管理系统，"
           "产品远销欧美。公司是国家高新技术企业。")


@pytest.fixture
def corpus(search_index, tmp_path, db):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")


@pytest.fixture
def other_demands(orgs):
    """Open demands of the platform: request words (研发、技术) recur in their titles."""
    understanding.forget_corpus_stats()
    titles = ["智能装备研发", "新材料技术研发", "环保工艺研发", "高性能涂料研发", "食品加工技术研发", "医药中间体研发",
              "高性能纤维研发", "水处理技术研发", "机器人控制研发", "高性能轴承研发"]
    for t in titles:
        Demand.objects.create(title=t, organization=orgs["ent_a"], center=orgs["center_a"],
                              status=DemandStatus.PUBLISHED)
    yield
    understanding.forget_corpus_stats()


def _publish(users, orgs, title, description=""):
    d = demand_services.demand_create(actor=users["ent_a"], title=title, description=description,
                                      center=orgs["center_a"])
    demand_services.demand_transition(actor=users["ent_a"], demand=d, to_status=DemandStatus.PENDING)
    return demand_services.demand_transition(actor=users["center_a"], demand=d, to_status=DemandStatus.PUBLISHED)


@pytest.mark.parametrize("title,kind", [
    ("【人才引进】锂电池材料方向高层次人才", understanding.TALENT),
    ("智能马桶核心部件设计开发专家", understanding.TALENT),
    ("【项目落地对接】创新性生活污水资源化处理", understanding.PROJECT),
    ("采购全自动灌装生产线", understanding.PURCHASE),
    ("高性能全固态锂电池及关键材料的研发", understanding.TECHNOLOGY),
])
def test_the_kind_of_a_demand_is_read_from_its_title(title, kind):
    assert understanding.demand_kind(title) == kind


def test_need_sentences_are_told_from_the_company_profile():
    need, profile = understanding.split_description(
        PROFILE + "目前正极材料循环寿命不足，希望解决高镍正极的包覆问题。")
    assert need == ["目前正极材料循环寿命不足，希望解决高镍正极的包覆问题"]
    assert all("公司" in s or "产品" in s for s in profile)


def test_terms_come_from_the_need_and_request_words_weigh_less(users, orgs, corpus, other_demands):
    demand = _publish(users, orgs, "高性能全固态锂电池及关键材料的研发", PROFILE)
    u = services.demand_understanding(demand)
    weights = {t.word: t.weight for t in u.need_terms}
    assert {"高性能", "全固态", "锂电池", "研发"} <= set(weights)
    assert weights["研发"] < weights["高性能"] < weights["全固态"]  # 研发 is in every other demand, 高性能 in 3
    assert "员工" not in u.query and "注册资本" not in u.query  # the profile is not the need
    assert all(t.weight <= understanding.PROFILE_WEIGHT for t in u.context_terms)
    assert "高性" not in weights and "性能" not in weights  # one word, not its sub-words


def test_the_battery_demand_is_not_matched_to_a_computing_cluster(users, orgs, corpus, other_demands):
    # issue 15: 高性能 (高性、性能、高性能) once sent a 高性能计算集群 patent to the top of this demand
    demand = _publish(users, orgs, "高性能全固态锂电池及关键材料的研发", PROFILE)
    matches = services.demand_match(actor=users["center_a"], demand=demand)
    order = [m.patent.external_id for m in matches]
    assert order[0] == "u2"
    assert "u1" not in order[:2]
    first = matches[0].explanation
    assert first["band"] == ranking.band(first["coverage"]) and first["coverage"] > matches[-1].explanation["coverage"]
    assert "全固态" in first["matched_terms"] and first["query"].startswith("高性能 全固态 锂电池")
    saved = MatchQuery.objects.get(demand=demand)
    assert saved.kind == understanding.TECHNOLOGY and saved.terms and saved.matched_at
    assert sum(saved.summary.values()) == len(matches)


def test_a_talent_request_is_answered_with_institutions_and_inventors_not_patents(client, users, orgs, corpus):
    demand = _publish(users, orgs, "【人才引进】全固态锂电池方向的博士团队")
    assert services.demand_match(actor=users["center_a"], demand=demand) == []
    assert not Match.objects.filter(demand=demand).exists()
    routed = MatchQuery.objects.get(demand=demand).routed
    names = [p["name"] for p in routed["parties"]]
    assert names[0] == "清华大学" and "甲计算公司" not in names and "乙装备有限公司" not in names
    assert [p["name"] for p in routed["inventors"]][:2] == ["张三", "李四"]
    client.force_login(users["center_a"])
    page = client.get(f"/matching/demands/{demand.pk}/").content.decode()
    assert "这是一条人才需求" in page and "清华大学" in page and "张三" in page


def test_center_staff_edit_the_terms_and_the_next_match_uses_them(client, users, orgs, corpus):
    demand = _publish(users, orgs, "电池相关技术需求", PROFILE)
    with pytest.raises(PermissionDenied):
        services.match_query_set(actor=users["ent_a"], demand=demand, terms_text="固态电解质 薄膜")
    client.force_login(users["center_a"])
    response = client.post(f"/matching/demands/{demand.pk}/query/", {"terms_text": "固态电解质，薄膜", "kind": ""},
                           follow=True)
    assert response.status_code == 200
    saved = MatchQuery.objects.get(demand=demand)
    assert saved.terms_text == "固态电解质 薄膜" and saved.edited_by == users["center_a"]
    first = Match.objects.filter(demand=demand).order_by("rank").first()
    assert first.patent.external_id == "u3" and first.explanation["query"] == "固态电解质 薄膜"
    page = response.content.decode()
    assert "运营中心修改" in page and 'value="固态电解质 薄膜"' in page
    # blank: back to the automatic terms
    services.match_query_set(actor=users["center_a"], demand=demand, terms_text="")
    assert services.demand_query(demand).startswith("电池")


def test_bands_follow_the_calibrated_thresholds():
    assert ranking.band(ranking.STRONG_AT) == ranking.STRONG
    assert ranking.band(ranking.POSSIBLE_AT) == ranking.POSSIBLE
    assert ranking.band(ranking.POSSIBLE_AT - 0.01) == ranking.WEAK and ranking.band(None) == ranking.WEAK


def test_nothing_strong_says_so_with_next_steps_instead_of_weak_rows(client, users, orgs, corpus, monkeypatch):
    demand = _publish(users, orgs, "锂电池回收湿法冶金浸出工艺")
    monkeypatch.setattr(ranking, "STRONG_AT", 1.01)  # nothing can be strong
    monkeypatch.setattr(ranking, "POSSIBLE_AT", 1.01)  # and everything is weak
    matches = services.demand_match(actor=users["center_a"], demand=demand)
    assert matches and all(m.explanation["band"] == ranking.WEAK for m in matches)
    client.force_login(users["center_a"])
    page = client.get(f"/matching/demands/{demand.pk}/").content.decode()
    assert "暂无高度匹配的专利" in page and "放宽或修改匹配关键词" in page and "专利检索及分析系统" in page
    assert 'data-match="' not in page  # the weak rows are not listed …
    assert "条匹配度较弱的候选未列出" in page
    everything = client.get(f"/matching/demands/{demand.pk}/?band=all").content.decode()
    assert everything.count('data-match="') == len(matches)  # … unless asked for
