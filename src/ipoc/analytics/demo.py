"""``ipoc demo`` step ``analytics`` (order 88), through ``ipoc.analytics.services``: the demo center's two patent
sets — its 产业链 node 集成电路设计与制造 and a saved search (基站 终端 信道) — the search's 技术功效矩阵
edited and reviewed, the node's proposed from the texts and left for review, and one landscape report (PDF) this year. Idempotent: a set is found by its
organisation and name."""

from __future__ import annotations

from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
NODE_NAME = "集成电路设计与制造"
NODE_SET = "产业链节点：集成电路设计与制造"
SEARCH_SET = "保存的检索：无线通信（基站、终端、信道）"
SEARCH_QUERY = "基站 终端 信道"
# reviewed matrix of the saved search: technology branches and effects, each with its words
TECHNOLOGIES = [("基站", ["基站"]), ("用户设备", ["用户设备", "终端"]), ("信道", ["信道"]), ("天线", ["天线"]),
                ("资源调度", ["资源", "调度"])]
EFFECTS = [("传输效率", ["效率", "吞吐"]), ("可靠性", ["可靠"]), ("时延", ["时延", "延迟"]), ("干扰", ["干扰"]),
           ("信令开销", ["开销"]), ("功耗", ["功耗", "节能"])]


def demo_analytics(data_dir: Path) -> dict:
    from ipoc.analytics import selectors, services
    from ipoc.analytics.models import MatrixTerm, PatentSet, SetKind, TermAxis
    from ipoc.core.demo import demo_organization, demo_user

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    if center is None or staff is None:
        return {"skipped": "no demo center"}
    made = {}
    node = next((n for n in selectors.chain_nodes(center.pk) if n["name"] == NODE_NAME), None)
    node_set = PatentSet.objects.filter(organization=center, name=NODE_SET).first()
    if node_set is None and node is not None:
        node_set = services.patent_set_create(actor=staff, name=NODE_SET, kind=SetKind.CHAIN_NODE,
                                              definition={"node_id": node["id"]},
                                              description="本中心产业链图谱“集成电路设计与制造”节点的专利")
    search_set = PatentSet.objects.filter(organization=center, name=SEARCH_SET).first()
    if search_set is None:
        search_set = services.patent_set_create(actor=staff, name=SEARCH_SET, kind=SetKind.SEARCH,
                                                definition={"q": SEARCH_QUERY, "filters": {}},
                                                description="本中心跟踪的无线通信技术：基站、终端与信道（演示）")
    if not MatrixTerm.objects.filter(patent_set=search_set).exists():
        for axis, terms in ((TermAxis.TECHNOLOGY, TECHNOLOGIES), (TermAxis.EFFECT, EFFECTS)):
            for label, words in terms:
                services.matrix_term_save(actor=staff, patent_set=search_set, axis=axis, label=label, words=words,
                                          reviewed=True)
    if node_set is not None and not MatrixTerm.objects.filter(patent_set=node_set).exists():
        services.matrix_terms_propose(actor=staff, patent_set=node_set)  # left unreviewed: shown as 未审核
    if not search_set.reports.exists():
        services.landscape_report_record(actor=staff, patent_set=search_set, format="pdf")
    for s in (node_set, search_set):
        if s is not None:
            made[s.name] = s.size
    return {"sets": made}


register_demo_step("analytics", demo_analytics, order=88)
