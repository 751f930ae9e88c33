"""The access matrix (issue 14, standing check): every write endpoint of /api/v1, walked from the ninja routers,
is tried by three outsiders of the record it writes — a user of another organisation, an office of another
province and an unassigned expert — and each must be refused (403 or 404). Then the record's owner makes the
same call, which must succeed: the refusals were about who asked, not about a bad request.

Data-driven: ``CASES`` maps (method, path) to a builder that makes the record and says who owns it; a new write
endpoint without a case (or an entry in ``EXEMPT`` with the reason) fails ``test_every_write_endpoint_is_covered``
by name. A category that cannot apply to an endpoint is left out in ``Call.not_applicable`` with the reason.

The authority fields of an organisation are refused to everyone but platform administrators
(``test_authority_fields_only_for_platform_administrators``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core import services as core_services
from ipoc.core.models import Notification, OrganizationKind, Role
from ipoc.search.testing import search_index  # noqa: F401  (an isolated index for the patents the cases import)
from tests.conftest import PASSWORD

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
OUTSIDERS = ("other_org", "other_office", "expert")
OK = (200, 201, 202, 204)
YEAR = dt.date.today().year
TODAY = dt.date.today()


def write_operations() -> list[tuple[str, str]]:
    """(METHOD, path under /api/v1 with ``{param}`` placeholders) of every write operation on the API."""
    from ipoc.api import api

    found = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = re.sub(r"/+", "/", f"/{prefix}/{path}").rstrip("/") or "/"
            full = re.sub(r"\{\w+:(\w+)\}", r"{\1}", full)  # {int:center_id} → {center_id}
            for operation in path_view.operations:
                for method in operation.methods:
                    if method in WRITE_METHODS:
                        found.add((method, full))
    return sorted(found, key=lambda op: (op[1], op[0]))


# Write endpoints with no owned record of another party to address, and why.
EXEMPT: dict[tuple[str, str], str] = {
    ("POST", "/tokens"): "creates a token for the caller only; no other party's record can be named",
    ("POST", "/search/ipc-suggest"): "a computation on the text the caller sends; reads and writes no record",
    ("POST", "/centers/publicity/{application_id}/objections"):
        "公示期内任何人（含未登录者）均可实名提出异议 — open to everyone by design (tests/centers/test_lifecycle.py)",
}


@dataclass
class Call:
    """One concrete request against a record, who owns it, and who must be refused."""

    path: str
    owner: str | None  # user key whose same call must succeed (None: nobody may; see owner_note)
    body: object = None
    form: Callable[[], dict] | None = None  # multipart fields, fresh for each request (files are read once)
    other_org: str | None = None
    other_office: str | None = None
    expert: str | None = "expert"
    not_applicable: dict[str, str] = field(default_factory=dict)
    owner_status: tuple[int, ...] = OK
    owner_note: str = ""
    outsider_ok: Callable | None = None  # for endpoints that answer 200 but must do nothing for outsiders


# ---------------------------------------------------------------- the world


PATENTS_CSV = (
    "申请号,公开（公告）号,授权公告号,专利类型,专利名称,申请（专利权）人,发明人,申请日,公开日,申请摘要,主权项,法律状态,"
    "主分类号,分类号,国省代码,申请人类型,专利转移次数,失效日期\n"
    "CN202321234567.6,CN219123456U,CN219123456U,实用新型,一种无人机巡检用热成像云台,苏州甲科技有限公司,赵一,"
    "2023-05-10,2023-11-21,本实用新型公开了一种无人机巡检用热成像云台。,1.一种无人机巡检用热成像云台。,有权-审定授权,"
    "B64C 39/02,B64C39/02,江苏(32),企业,0,\n"
    "CN202210987654.2,CN115234567A,,发明,一种空气污染物浓度监测传感器,浙江大学,钱二,2022-08-16,2022-10-25,"
    "本发明公开了一种空气污染物浓度监测传感器。,1.一种空气污染物浓度监测传感器。,审中-实质审查,G01N 33/00,G01N33/00,"
    "浙江(33),高校,0,\n")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHEET = {"conditions": 18, "collaboration": 12, "academia": 13, "transfer": 16, "industrialisation": 11,
         "services": 12}


class World:
    """The shared cast (tests/conftest.py) plus what the cases need, each built on first use with the services
    as the system (actor None)."""

    def __init__(self, orgs, users, tmp_path, monkeypatch):
        self.o, self.u, self.tmp, self.monkeypatch = orgs, users, tmp_path, monkeypatch
        mk_org, mk_user = core_services.organization_create, core_services.user_create
        self.o["univ_b"] = mk_org(actor=None, name="苏州甲大学", kind=OrganizationKind.UNIVERSITY, region_code="320505")
        for key, role, org in (("zj_office", Role.OFFICE_STAFF, "zj_office"),
                               ("univ_b", Role.INSTITUTION_USER, "univ_b"),
                               ("univ_dept", Role.INSTITUTION_USER, "univ"), ("expert3", Role.EXPERT, None)):
            self.u[key] = mk_user(actor=None, username=key, password=PASSWORD, role=role,
                                  organization=self.o[org] if org else None)
        self._headers: dict[str, dict] = {}

    def headers(self, key: str) -> dict:
        if key not in self._headers:
            _token, plain = core_services.api_token_create(actor=None, user=self.u[key], name="matrix")
            self._headers[key] = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
        return self._headers[key]

    # ---- organisations' records

    @cached_property
    def hosts(self):
        mk = core_services.organization_create
        return {"leader": mk(actor=None, name="苏州甲新材料集团股份有限公司", kind=OrganizationKind.ENTERPRISE,
                             is_sme=False, region_code="320505"),
                "institute": mk(actor=None, name="杭州乙材料研究院", kind=OrganizationKind.RESEARCH_INSTITUTE,
                                region_code="330106")}

    @cached_property
    def center_a(self):
        """Provincial, managed by 江苏省知识产权局, in 苏州."""
        from ipoc.centers import services

        return services.center_create(
            actor=None, organization=self.o["center_a"], name="甲产业知识产权运营中心",
            host_organization=self.hosts["leader"], host_type="leading_enterprise", industry="纳米新材料",
            level="provincial", managing_office=self.o["js_office"])

    @cached_property
    def center_b(self):
        """National, managed by 国家知识产权局, in 杭州 (recommended by 浙江省知识产权局)."""
        from ipoc.centers import services

        return services.center_create(
            actor=None, organization=self.o["center_b"], name="乙产业知识产权运营中心",
            host_organization=self.hosts["institute"], host_type="research_institute", industry="新材料",
            level="national", managing_office=self.o["cnipa"])

    def recognised_center_a(self):
        from ipoc.centers import services

        center = self.center_a
        for status in ("applying", "recognised"):
            services.center_transition(actor=None, center=center, to_status=status, reason="评审通过",
                                       document_ref=f"苏知发〔{YEAR}〕{len(status)}号")
            center.refresh_from_db()
        return center

    def application(self, until: str):
        """Center 乙's application walked by the system to ``until``."""
        from ipoc.centers import services

        app = services.application_create(actor=None, center=self.center_b, year=YEAR, summary="已建成工作机构",
                                          achievements="盘活高校存量专利", plan="服务中小企业")
        steps = ["draft", "submitted", "recommended", "expert_review", "scored", "publicity"]
        if until == "returned":
            steps = ["draft", "submitted", "recommended", "returned"]
        for step in steps[1:steps.index(until) + 1]:
            if step == "submitted":
                services.application_submit(actor=None, application=app)
            elif step == "recommended":
                services.application_recommend(actor=None, application=app, recommend=True, opinion="同意推荐")
            elif step == "expert_review":
                services.application_formal_review(actor=None, application=app, outcome="accept")
            elif step == "returned":
                services.application_formal_review(actor=None, application=app, outcome="return", reason="缺材料")
            elif step == "scored":
                for expert in ("expert2", "expert3"):
                    review = services.review_assign(actor=None, application=app, expert=self.u[expert])
                    services.review_declare(actor=self.u[expert], review=review, conflict=False)
                    services.review_submit(actor=self.u[expert], review=review, scores=SHEET)
            elif step == "publicity":
                services.application_close_review(actor=None, application=app)
            app.refresh_from_db()
        return app

    def after_publicity(self, app):
        from ipoc.centers import clock

        end = app.publicity_end
        self.monkeypatch.setattr(clock, "today", lambda: end + dt.timedelta(days=1))

    def report(self, status: str = "draft"):
        from ipoc.centers import services

        report = services.report_generate(actor=None, center=self.center_a, year=YEAR)
        if status in ("submitted",):
            services.report_submit(actor=None, report=report)
        report.refresh_from_db()
        return report

    def evaluation(self, graded: str | None = None):
        """An evaluation of the recognised center 甲; ``graded``: finalised as fail/excellent."""
        from ipoc.centers import services

        center = self.recognised_center_a()
        evaluation = services.evaluation_create(actor=None, center=center, year=YEAR)
        if graded:
            review = services.review_assign(actor=None, evaluation=evaluation, expert=self.u["expert2"])
            expert = self.u["expert2"]
            services.review_declare(actor=expert, review=review, conflict=False)
            services.review_submit(actor=expert, review=review, scores={"expert_overall": 100 if graded == "excellent"
                                                                        else 0})
            if graded == "excellent":  # the office's own grade lines (按本地标准)
                services.rule_override_set(actor=None, office=self.o["js_office"], code="grade_thresholds",
                                           value={"excellent": 1, "good": 0.5, "pass": 0.1}, reason="矩阵测试")
            services.evaluation_finalise(actor=None, evaluation=evaluation)
        evaluation.refresh_from_db()
        return evaluation

    # ---- demands, matching, events, deals

    def demand(self, status: str = "draft", owner: str = "ent_a", center: str = "center_a"):
        from ipoc.demands import services

        return services.demand_create(actor=None, title="高纯氧化铝连续化制备", organization=self.o[owner],
                                      center=self.o[center], status=status, description="寻求合作")

    @cached_property
    def patents(self):
        from ipoc.patents import selectors as patent_selectors
        from ipoc.patents import services as patent_services

        path = self.tmp / "matrix_patents.csv"
        path.write_text(PATENTS_CSV, encoding="utf-8")
        batch = patent_services.patent_import(actor=None, path=path)
        assert batch.counts()["rejected"] == 0, batch.counts()
        get = patent_selectors.patent_get
        return {"ent_a": get(user=None, key_or_number="CN219123456U"),
                "univ": get(user=None, key_or_number="CN115234567A")}

    def event(self, status: str = "draft"):
        from ipoc.events import services

        event = services.event_create(actor=None, title="新材料专利路演", held_on=TODAY + dt.timedelta(days=30),
                                      organizer=self.o["center_a"], place="苏州国际博览中心")
        if status == "published":
            services.event_transition(actor=None, event=event, to_status="published")
            event.refresh_from_db()
        return event

    def deal(self):
        from ipoc.deals import services

        return services.deal_create(actor=None, title="耐磨涂层专利许可", deal_type="license", center=self.o["center_a"],
                                    sellers=[self.o["univ"]], buyers=[self.o["ent_a"]])

    # ---- 存量专利盘活

    @cached_property
    def reviewers(self):
        from ipoc.revitalization import services

        services.reviewer_appoint(actor=None, institution=self.o["univ"], user=self.u["univ"], level="school")
        services.reviewer_appoint(actor=None, institution=self.o["univ"], user=self.u["univ_dept"],
                                  level="department")
        return True

    def stock(self, until: str = "draft"):
        from ipoc.revitalization import services
        from ipoc.revitalization.models import StockPatent

        self.reviewers  # noqa: B018
        stock = services.stock_create(actor=None, institution=self.o["univ"], patent=self.patents["univ"],
                                      department="材料学院")
        if until in ("dept_review", "stored", "resource"):
            services.stock_submit(actor=None, stock=stock)
        if until in ("stored", "resource"):
            services.stock_review(actor=None, stock=stock, approve=True)
            services.stock_review(actor=None, stock=stock, approve=True)
        if until == "resource":
            StockPatent.objects.filter(pk=stock.pk).update(recommendation="key")
            services.stock_screen(actor=None, stock=StockPatent.objects.get(pk=stock.pk))
        return StockPatent.objects.get(pk=stock.pk)

    def serve(self, center: str = "center_a", institution: str = "univ"):
        from ipoc.revitalization import services

        return services.service_link_create(actor=None, center=self.o[center], institution=self.o[institution])

    def push(self):
        from ipoc.revitalization import services

        self.serve()
        return services.push_create(actor=self.u["center_a"], stock=self.stock("resource"),
                                    enterprise=self.o["ent_a"], match={"reason": "矩阵测试"})


@pytest.fixture
def world(db, orgs, users, tmp_path, monkeypatch, settings, search_index):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    return World(orgs, users, tmp_path, monkeypatch)


# ---------------------------------------------------------------- the cases

CASES: dict[tuple[str, str], Callable[[World], Call]] = {}


def case(method: str, path: str):
    def register(builder: Callable[[World], Call]) -> Callable[[World], Call]:
        assert (method, path) not in CASES, (method, path)
        CASES[(method, path)] = builder
        return builder
    return register


CENTER_OUTSIDERS = {"other_org": "center_b", "other_office": "zj_office"}  # for records of center 甲 (江苏)
APP_OUTSIDERS = {"other_org": "center_a", "other_office": "js_office"}  # for center 乙's application (浙江)
STOCK_OUTSIDERS = {"other_org": "univ_b", "other_office": "js_office"}  # for 浙江大学's inventory
SHARED_STORE = "the patent store is shared: offices of every province may import and value patents"
OWN_OFFICE = "acts on the caller's own office only (request.auth.organization); no other office's record is named"
OWN_CENTER = "acts on the caller's own center only (request.auth.organization); no other center's record is named"


# -- core

@case("POST", "/organizations")
def _(w):
    return Call("/organizations", "js_office", {"name": "苏州矩阵测试有限公司", "kind": "enterprise",
                                                "region_code": "320505"},
                other_org="ent_b", other_office="zj_office")


@case("PATCH", "/organizations/{org_id}")
def _(w):
    return Call(f"/organizations/{w.o['ent_a'].pk}", "ent_a", {"address": "苏州工业园区"},
                other_org="ent_b", other_office="zj_office")


@case("DELETE", "/tokens/{token_id}")
def _(w):
    token, _plain = core_services.api_token_create(actor=None, user=w.u["ent_a"], name="脚本")
    return Call(f"/tokens/{token.pk}", "ent_a", other_org="ent_b", other_office="js_office")


@case("POST", "/notifications/read")
def _(w):
    core_services.notify(users=[w.u["ent_a"]], title="需求已发布")
    note = Notification.objects.get(recipient=w.u["ent_a"])

    def untouched(response):
        note.refresh_from_db()
        return response.status_code == 200 and response.json()["marked"] == 0 and note.read_at is None

    return Call("/notifications/read", "ent_a", [note.pk], other_org="ent_b", other_office="js_office",
                outsider_ok=untouched)


# -- patents, valuation

@case("POST", "/patents/imports")
def _(w):
    path = w.tmp / "one.csv"
    path.write_text(PATENTS_CSV, encoding="utf-8")
    return Call("/patents/imports", "center_a", other_org="ent_b",
                form=lambda: {"file": SimpleUploadedFile("one.csv", path.read_bytes(), content_type="text/csv")},
                not_applicable={"other_office": SHARED_STORE})


@case("POST", "/valuation/runs")
def _(w):
    return Call("/valuation/runs", "center_a", {"patent_ids": [w.patents["ent_a"].pk]}, other_org="ent_b",
                not_applicable={"other_office": SHARED_STORE})


@case("PUT", "/valuation/tree")
def _(w):
    from ipoc.valuation import services

    body = {"tree": services.tree_active().tree, "note": "矩阵测试"}
    return Call("/valuation/tree", "admin", body, other_org="ent_b", other_office="zj_office")


# -- demands

@case("POST", "/demands")
def _(w):
    return Call("/demands", "ent_a", {"title": "钠离子电池正极材料", "organization_id": w.o["ent_a"].pk},
                other_org="ent_b", other_office="zj_office")


@case("POST", "/demands/import")
def _(w):
    demand = w.demand()
    from ipoc.demands.models import Demand

    def upload():
        content = ("title,category,company,created,detail\n"
                   f"{demand.title},新材料,{w.o['ent_a'].name},{TODAY.isoformat()},改写\n").encode()
        return SimpleUploadedFile("demands.csv", content, content_type="text/csv")

    def unchanged(response):
        return response.status_code in (200, 202, 403) and Demand.objects.get(pk=demand.pk).description == "寻求合作"

    return Call("/demands/import", "ent_a", form=lambda: {"file": upload()}, other_org="ent_b",
                other_office="zj_office", outsider_ok=unchanged)


@case("PATCH", "/demands/{demand_id}")
def _(w):
    return Call(f"/demands/{w.demand().pk}", "ent_a", {"description": "改为许可"}, other_org="ent_b",
                other_office="zj_office")


@case("POST", "/demands/{demand_id}/transition")
def _(w):
    return Call(f"/demands/{w.demand().pk}/transition", "ent_a", {"to_status": "pending"}, other_org="ent_b",
                other_office="zj_office")


# -- matching

@case("POST", "/matching/demands/{demand_id}/match")
def _(w):
    w.patents  # noqa: B018  (something to match)
    return Call(f"/matching/demands/{w.demand('published').pk}/match", "center_a", other_org="center_b",
                other_office="zj_office")


@case("POST", "/matching/matches/{match_id}/decision")
def _(w):
    from ipoc.matching.models import Match

    match = Match.objects.create(demand=w.demand("published"), patent=w.patents["univ"], score=0.8, rank=1,
                                 retrieval_score=0.8)
    return Call(f"/matching/matches/{match.pk}/decision", "center_a", {"confirm": True, "reason": "契合"},
                other_org="center_b", other_office="zj_office")


@case("POST", "/matching/listings")
def _(w):
    return Call("/matching/listings", "ent_a", {"patent_id": w.patents["ent_a"].pk, "holder_id": w.o["ent_a"].pk,
                                                "modes": ["license"]},
                other_org="ent_b", other_office="zj_office")


@case("POST", "/matching/chain-nodes")
def _(w):
    return Call("/matching/chain-nodes", "center_a", {"name": "纳米粉体", "position": "upstream"},
                other_org="ent_b", not_applicable={"other_office": OWN_CENTER})


@case("POST", "/matching/runs")
def _(w):
    w.demand("published")
    return Call("/matching/runs", "center_a", other_org="ent_b", not_applicable={"other_office": OWN_CENTER})


@case("POST", "/matching/demands/{demand_id}/chain-tags")
def _(w):
    from ipoc.matching import services

    node = services.chain_node_create(actor=None, center=w.o["center_a"], name="纳米粉体", position="upstream")
    return Call(f"/matching/demands/{w.demand('published').pk}/chain-tags", "center_a",
                {"node_id": node.pk, "include": True}, other_org="center_b", other_office="zj_office")


# -- centers: registry, rules, decisions

@case("PUT", "/centers/rules/{code}")
def _(w):
    return Call("/centers/rules/pass_score", "js_office", {"value": 65, "reason": "按本地标准"}, other_org="ent_b",
                not_applicable={"other_office": OWN_OFFICE})


@case("DELETE", "/centers/rules/{code}")
def _(w):
    from ipoc.centers import services

    services.rule_override_set(actor=None, office=w.o["js_office"], code="pass_score", value=65, reason="本地标准")
    return Call("/centers/rules/pass_score", "js_office", other_org="ent_b",
                not_applicable={"other_office": OWN_OFFICE})


@case("POST", "/centers")
def _(w):
    org = core_services.organization_create(actor=None, name="丙产业知识产权运营中心",
                                            kind=OrganizationKind.OPERATION_CENTER, region_code="320500")
    body = {"organization_id": org.pk, "name": "丙产业知识产权运营中心", "host_organization_id": w.hosts["leader"].pk,
            "host_type": "leading_enterprise", "industry": "高端装备", "level": "provincial",
            "managing_office_id": w.o["js_office"].pk}
    return Call("/centers", "js_office", body, other_org="center_b", other_office="zj_office")


@case("PATCH", "/centers/{center_id}")
def _(w):
    return Call(f"/centers/{w.center_a.pk}", "center_a", {"staff_count": 12}, **CENTER_OUTSIDERS)


@case("POST", "/centers/{center_id}/sub-centers")
def _(w):
    return Call(f"/centers/{w.center_a.pk}/sub-centers", None, {"name": "甲产业知识产权运营中心苏州分中心"},
                owner_note="不得自行设立分中心: refused to everyone (tests/centers/test_registry.py)",
                **CENTER_OUTSIDERS)


@case("POST", "/centers/{center_id}/transition")
def _(w):
    return Call(f"/centers/{w.center_a.pk}/transition", "js_office",
                {"to_status": "applying", "reason": "提交认定申请", "document_ref": "苏知函〔2026〕1号"},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/decisions/{decision_id}/correct")
def _(w):
    from ipoc.centers import services

    decision = services.center_transition(actor=None, center=w.center_a, to_status="applying", reason="申请认定",
                                          document_ref="苏知函〔2026〕2号")
    return Call(f"/centers/decisions/{decision.pk}/correct", "js_office",
                {"reason": "文号有误", "document_ref": "苏知函〔2026〕3号"}, **CENTER_OUTSIDERS)


@case("POST", "/centers/{center_id}/evidence")
def _(w):
    return Call(f"/centers/{w.center_a.pk}/evidence", "center_a",
                form=lambda: {"kind": "funding", "description": "年度经费预算"}, **CENTER_OUTSIDERS)


# -- centers: recognition

@case("POST", "/centers/applications")
def _(w):
    return Call("/centers/applications", "center_b", {"center_id": w.center_b.pk, "year": YEAR}, **APP_OUTSIDERS)


@case("PATCH", "/centers/applications/{application_id}")
def _(w):
    return Call(f"/centers/applications/{w.application('draft').pk}", "center_b", {"plan": "补充经费预算"},
                **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/materials")
def _(w):
    return Call(f"/centers/applications/{w.application('draft').pk}/materials", "center_b",
                form=lambda: {"title": "经费证明",
                              "file": SimpleUploadedFile("经费证明.pdf", PDF, content_type="application/pdf")},
                **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/submit")
def _(w):
    return Call(f"/centers/applications/{w.application('draft').pk}/submit", "center_b", **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/recommend")
def _(w):
    # the recommending office is 浙江; 江苏 is the other province
    return Call(f"/centers/applications/{w.application('submitted').pk}/recommend", "zj_office",
                {"recommend": True, "opinion": "同意推荐"}, other_org="center_a", other_office="js_office")


@case("POST", "/centers/applications/{application_id}/formal-review")
def _(w):
    return Call(f"/centers/applications/{w.application('recommended').pk}/formal-review", "cnipa",
                {"outcome": "accept"}, **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/resubmit")
def _(w):
    return Call(f"/centers/applications/{w.application('returned').pk}/resubmit", "center_b", {"note": "已补充"},
                **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/withdraw")
def _(w):
    return Call(f"/centers/applications/{w.application('submitted').pk}/withdraw", "center_b",
                {"reason": "暂缓申请"}, **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/reviews")
def _(w):
    return Call(f"/centers/applications/{w.application('expert_review').pk}/reviews", "cnipa",
                {"expert_id": w.u["expert2"].pk}, **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/close-review")
def _(w):
    return Call(f"/centers/applications/{w.application('scored').pk}/close-review", "cnipa", {"notice": ""},
                **APP_OUTSIDERS)


@case("POST", "/centers/applications/{application_id}/decide")
def _(w):
    app = w.application("publicity")
    w.after_publicity(app)
    return Call(f"/centers/applications/{app.pk}/decide", "cnipa",
                {"recognise": True, "reason": "评审通过、公示无异议", "document_ref": "国知发运函〔2026〕1号"},
                **APP_OUTSIDERS)


@case("POST", "/centers/reminders")
def _(w):
    return Call("/centers/reminders", "js_office", other_org="ent_b", not_applicable={"other_office": OWN_OFFICE})


@case("POST", "/centers/reviews/{review_id}/declare")
def _(w):
    from ipoc.centers import services

    review = services.review_assign(actor=None, application=w.application("expert_review"), expert=w.u["expert2"])
    return Call(f"/centers/reviews/{review.pk}/declare", "expert2", {"conflict": False}, **APP_OUTSIDERS)


@case("POST", "/centers/reviews/{review_id}/scores")
def _(w):
    from ipoc.centers import services

    review = services.review_assign(actor=None, application=w.application("expert_review"), expert=w.u["expert2"])
    services.review_declare(actor=w.u["expert2"], review=review, conflict=False)
    return Call(f"/centers/reviews/{review.pk}/scores", "expert2", {"scores": SHEET}, **APP_OUTSIDERS)


@case("POST", "/centers/objections/{objection_id}/resolve")
def _(w):
    from ipoc.centers import services

    objection = services.objection_create(actor=None, application=w.application("publicity"), submitter_name="张三",
                                          submitter_contact="13800000000", content="经费证明存疑")
    return Call(f"/centers/objections/{objection.pk}/resolve", "cnipa", {"upheld": False, "resolution": "经核实无误"},
                **APP_OUTSIDERS)


# -- centers: reports, evaluations, dynamic management

@case("POST", "/centers/reports")
def _(w):
    return Call("/centers/reports", "center_a", {"center_id": w.center_a.pk, "year": YEAR}, **CENTER_OUTSIDERS)


@case("PATCH", "/centers/reports/{report_id}")
def _(w):
    return Call(f"/centers/reports/{w.report().pk}", "center_a", {"narrative": {"academia": "服务1家高校"}},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/reports/{report_id}/submit")
def _(w):
    return Call(f"/centers/reports/{w.report().pk}/submit", "center_a", **CENTER_OUTSIDERS)


@case("POST", "/centers/reports/{report_id}/review")
def _(w):
    return Call(f"/centers/reports/{w.report('submitted').pk}/review", "js_office", {"accept": True},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/evaluations")
def _(w):
    return Call("/centers/evaluations", "js_office", {"center_id": w.recognised_center_a().pk, "year": YEAR},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/evaluations/{evaluation_id}/reviews")
def _(w):
    return Call(f"/centers/evaluations/{w.evaluation().pk}/reviews", "js_office", {"expert_id": w.u["expert2"].pk},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/evaluations/{evaluation_id}/finalise")
def _(w):
    from ipoc.centers import services

    evaluation = w.evaluation()
    review = services.review_assign(actor=None, evaluation=evaluation, expert=w.u["expert2"])
    services.review_declare(actor=w.u["expert2"], review=review, conflict=False)
    services.review_submit(actor=w.u["expert2"], review=review, scores={"expert_overall": 60})
    return Call(f"/centers/evaluations/{evaluation.pk}/finalise", "js_office", {"comment": "成效一般"},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/evaluations/{evaluation_id}/rectification")
def _(w):
    return Call(f"/centers/evaluations/{w.evaluation('fail').pk}/rectification", "js_office",
                {"content": "三个月内提升转化成效", "document_ref": "苏知函〔2026〕9号"}, **CENTER_OUTSIDERS)


@case("POST", "/centers/evaluations/{evaluation_id}/commendation")
def _(w):
    return Call(f"/centers/evaluations/{w.evaluation('excellent').pk}/commendation", "js_office",
                {"content": "给予资金支持", "document_ref": "苏知函〔2026〕10号"}, **CENTER_OUTSIDERS)


def _rectification(w):
    from ipoc.centers import services

    return services.center_order_rectification(actor=None, evaluation=w.evaluation("fail"), content="提升转化成效",
                                               document_ref="苏知函〔2026〕9号")


@case("POST", "/centers/management/{action_id}/reports")
def _(w):
    return Call(f"/centers/management/{_rectification(w).pk}/reports", "center_a", {"content": "已新增两项许可"},
                **CENTER_OUTSIDERS)


@case("POST", "/centers/management/{action_id}/follow-up")
def _(w):
    from ipoc.centers import services

    action = _rectification(w)
    services.rectification_report_submit(actor=None, action=action, content="已新增两项许可")
    return Call(f"/centers/management/{action.pk}/follow-up", "js_office",
                {"passed": True, "content": "整改到位", "document_ref": "苏知函〔2026〕12号"}, **CENTER_OUTSIDERS)


@case("POST", "/centers/{center_id}/revoke")
def _(w):
    return Call(f"/centers/{w.recognised_center_a().pk}/revoke", "js_office",
                {"ground": "fraud", "content": "弄虚作假", "document_ref": "苏知函〔2026〕13号"}, **CENTER_OUTSIDERS)


# -- 存量专利盘活

def _stock_sheet():
    content = "专利号,所属院系\nCN202210987654.2,材料学院\n".encode()
    return SimpleUploadedFile("清单.csv", content, content_type="text/csv")


@case("POST", "/stock/imports")
def _(w):
    w.patents  # noqa: B018
    return Call("/stock/imports", "univ", form=lambda: {"file": _stock_sheet(), "institution_id": str(w.o["univ"].pk)},
                **STOCK_OUTSIDERS)


@case("POST", "/stock/select")
def _(w):
    return Call("/stock/select", "univ", {"numbers": [w.patents["univ"].publication_number],
                                          "institution_id": w.o["univ"].pk}, **STOCK_OUTSIDERS)


@case("PATCH", "/stock/items/{stock_id}")
def _(w):
    return Call(f"/stock/items/{w.stock().pk}", "univ", {"contact_name": "张老师"}, **STOCK_OUTSIDERS)


@case("POST", "/stock/items/{stock_id}/submit")
def _(w):
    return Call(f"/stock/items/{w.stock().pk}/submit", "univ", {"reason": ""}, **STOCK_OUTSIDERS)


@case("POST", "/stock/items/{stock_id}/review")
def _(w):
    return Call(f"/stock/items/{w.stock('dept_review').pk}/review", "univ_dept", {"approve": True},
                **STOCK_OUTSIDERS)


@case("POST", "/stock/items/{stock_id}/screen")
def _(w):
    return Call(f"/stock/items/{w.stock('stored').pk}/screen", "univ", {"passed": True}, **STOCK_OUTSIDERS)


@case("POST", "/stock/grade")
def _(w):
    w.stock()
    return Call("/stock/grade", "univ", {"institution_id": w.o["univ"].pk}, **STOCK_OUTSIDERS)


@case("POST", "/stock/screen")
def _(w):
    from ipoc.revitalization.models import StockPatent

    stock = w.stock("stored")
    StockPatent.objects.filter(pk=stock.pk).update(recommendation="key")
    return Call("/stock/screen", "univ", {"institution_id": w.o["univ"].pk}, **STOCK_OUTSIDERS)


@case("POST", "/stock/items/{stock_id}/pushes")
def _(w):
    w.serve()
    return Call(f"/stock/items/{w.stock('resource').pk}/pushes", "center_a", {"enterprise_id": w.o["ent_a"].pk},
                other_org="center_b", other_office="js_office")


@case("POST", "/stock/pushes/{push_id}/responses")
def _(w):
    return Call(f"/stock/pushes/{w.push().pk}/responses", "ent_a", {"response": "interested"},
                other_org="ent_b", other_office="zj_office")


@case("POST", "/stock/pushes/{push_id}/deals")
def _(w):
    return Call(f"/stock/pushes/{w.push().pk}/deals", "center_a", {"mode": "license", "signed_on": str(TODAY)},
                other_org="center_b", other_office="zj_office")


@case("POST", "/stock/reviewers")
def _(w):
    w.reviewers  # noqa: B018
    user = core_services.user_create(actor=None, username="univ_new", password=PASSWORD, role=Role.INSTITUTION_USER,
                                     organization=w.o["univ"])
    return Call("/stock/reviewers", "univ", {"user_id": user.pk, "level": "department", "department": "材料学院",
                                             "institution_id": w.o["univ"].pk}, **STOCK_OUTSIDERS)


@case("POST", "/stock/services")
def _(w):
    # a center asks for itself; another center asking in its name, another office or an expert are refused
    return Call("/stock/services", "center_a", {"center_id": w.o["center_a"].pk, "institution_id": w.o["univ"].pk},
                other_org="center_b", other_office="js_office")


@case("POST", "/stock/services/requests/{request_id}/decide")
def _(w):
    from ipoc.revitalization import services

    request = services.service_link_create(actor=w.u["center_a"], center=w.o["center_a"], institution=w.o["univ"])
    return Call(f"/stock/services/requests/{request.pk}/decide", "univ", {"accept": True}, **STOCK_OUTSIDERS)


# -- events

@case("POST", "/events")
def _(w):
    return Call("/events", "center_a", {"title": "路演", "held_on": str(TODAY + dt.timedelta(days=7)),
                                        "place": "苏州", "organizer_id": w.o["center_a"].pk}, **CENTER_OUTSIDERS)


@case("PATCH", "/events/{event_id}")
def _(w):
    return Call(f"/events/{w.event().pk}", "center_a", {"place": "苏州"}, **CENTER_OUTSIDERS)


@case("POST", "/events/{event_id}/transition")
def _(w):
    return Call(f"/events/{w.event().pk}/transition", "center_a", {"to_status": "published"}, **CENTER_OUTSIDERS)


@case("POST", "/events/{event_id}/registrations")
def _(w):
    # registering in another organisation's name
    return Call(f"/events/{w.event('published').pk}/registrations", "ent_a", {"organization_id": w.o["ent_a"].pk},
                other_org="ent_b", other_office="zj_office")


@case("POST", "/events/{event_id}/registrations/{registration_id}/attendance")
def _(w):
    from ipoc.events import services

    event = w.event("published")
    registration = services.event_register(actor=None, event=event, organization=w.o["ent_a"])
    return Call(f"/events/{event.pk}/registrations/{registration.pk}/attendance", "center_a", {"attended": True},
                **CENTER_OUTSIDERS)


@case("POST", "/events/{event_id}/outcomes")
def _(w):
    return Call(f"/events/{w.event('published').pk}/outcomes", "center_a",
                {"party_a_id": w.o["univ"].pk, "party_b_id": w.o["ent_a"].pk, "note": "签约意向"},
                **CENTER_OUTSIDERS)


# -- deals

@case("POST", "/deals")
def _(w):
    return Call("/deals", "center_a", {"title": "专利许可", "deal_type": "license", "center_id": w.o["center_a"].pk,
                                       "seller_ids": [w.o["univ"].pk], "buyer_ids": [w.o["ent_a"].pk]},
                **CENTER_OUTSIDERS)


@case("PATCH", "/deals/{deal_id}")
def _(w):
    return Call(f"/deals/{w.deal().pk}", "center_a", {"note": "补充说明"}, **CENTER_OUTSIDERS)


@case("POST", "/deals/{deal_id}/transition")
def _(w):
    return Call(f"/deals/{w.deal().pk}/transition", "center_a", {"to_stage": "negotiation"}, **CENTER_OUTSIDERS)


@case("POST", "/deals/{deal_id}/attachments")
def _(w):
    def form():
        return {"contract_file": SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")}

    return Call(f"/deals/{w.deal().pk}/attachments", "center_a", form=form, **CENTER_OUTSIDERS)


# The duty apps' cases live beside their tests (tests/<app>/access_cases.py) and register with @case above.
DUTY_APPS = ("licensing", "pools", "alliances", "risk", "industrialization", "analytics")
for _app in DUTY_APPS:
    importlib.import_module(f"tests.{_app}.access_cases")


# ---------------------------------------------------------------- the tests


def test_every_write_endpoint_is_covered():
    operations = write_operations()
    assert len(operations) >= 70, operations  # the walk found the API
    missing = [f"{m} /api/v1{p}" for m, p in operations if (m, p) not in CASES and (m, p) not in EXEMPT]
    assert not missing, ("write endpoints without an access-matrix case in tests/core/test_access_matrix.py "
                         "(add a @case, or an EXEMPT entry with the reason): " + ", ".join(missing))
    stale = [f"{m} {p}" for m, p in [*CASES, *EXEMPT] if (m, p) not in operations]
    assert not stale, "cases for endpoints that no longer exist: " + ", ".join(stale)


def _send(client, world, key, method, call):
    headers = world.headers(key)
    url = "/api/v1" + call.path
    if call.form is not None:
        assert method == "POST", "multipart requests are POSTs"
        return client.post(url, call.form(), **headers)
    if method == "DELETE":
        return client.delete(url, **headers)
    body = call.body if call.body is not None else {}
    return client.generic(method, url, _json(body), content_type="application/json", **headers)


def _json(body):
    import json

    return json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda op: f"{op[0]} {op[1]}")
def test_outsiders_are_refused_and_the_owner_is_not(client, world, operation):
    method, _path = operation
    call = CASES[operation](world)
    for category in OUTSIDERS:
        who = getattr(call, category)
        if category in call.not_applicable:
            continue
        assert who, f"{method} {call.path}: no {category} user given and no reason in not_applicable"
        response = _send(client, world, who, method, call)
        if call.outsider_ok is not None:
            assert call.outsider_ok(response), (
                f"{method} {call.path} by {who} ({category}) acted on the owner's record: "
                f"{response.status_code} {response.content[:300]!r}")
            continue
        assert response.status_code in (403, 404), (
            f"{method} {call.path} by {who} ({category}) was not refused: "
            f"{response.status_code} {response.content[:300]!r}")
    if call.owner is None:
        assert call.owner_note, "a case without an owner says why"
        return
    response = _send(client, world, call.owner, method, call)
    assert response.status_code in call.owner_status, (
        f"{method} {call.path} by its owner {call.owner} failed, so the refusals prove nothing: "
        f"{response.status_code} {response.content[:500]!r}")


# ---------------------------------------------------------------- authority fields

AUTHORITY_CHANGES = {"kind": "enterprise", "office_level": "national"}


@pytest.mark.parametrize("who,org", [("js_office", "js_office"), ("cnipa", "cnipa"), ("center_a", "center_a"),
                                     ("ent_a", "ent_a"), ("univ", "univ")])
def test_authority_fields_only_for_platform_administrators(client, world, who, org):
    """Each authority field of the user's own organisation (which they may otherwise edit) is refused to them;
    the same change by a platform administrator goes through."""
    organization = world.o[org]
    fields = dict(AUTHORITY_CHANGES, region_code="110108" if organization.region_code != "110108" else "320505")
    if organization.kind == OrganizationKind.IP_OFFICE:
        fields["name"] = organization.name + "（改）"
        fields["office_level"] = "national" if organization.office_level != "national" else "provincial"
    else:
        fields["kind"] = "ip_office"
    for name, value in fields.items():
        response = client.patch(f"/api/v1/organizations/{organization.pk}", _json({name: value}),
                                content_type="application/json", **world.headers(who))
        assert response.status_code == 403 and response.json()["error"]["field"] == name, (name, response.content)
    assert client.patch(f"/api/v1/organizations/{organization.pk}", _json({"address": "某路 1 号"}),
                        content_type="application/json", **world.headers(who)).status_code == 200
    admin_change = {"region_code": "330106" if organization.region_code != "330106" else "320505"}
    response = client.patch(f"/api/v1/organizations/{organization.pk}", _json(admin_change),
                            content_type="application/json", **world.headers("admin"))
    assert response.status_code == 200, response.content


def test_a_centers_registry_authority_is_its_offices(client, world):
    """A center's level, managing office and region decide who recognises and recommends it: its staff may
    not change them; its managing office may."""
    center = world.center_a
    for name, value in (("region_code", "330100"), ("level", "national"),
                        ("managing_office_id", world.o["cnipa"].pk)):
        response = client.patch(f"/api/v1/centers/{center.pk}", _json({name: value}),
                                content_type="application/json", **world.headers("center_a"))
        assert response.status_code == 403, (name, response.content)
    response = client.patch(f"/api/v1/centers/{center.pk}", _json({"region_code": "320506"}),
                            content_type="application/json", **world.headers("js_office"))
    assert response.status_code == 200, response.content
