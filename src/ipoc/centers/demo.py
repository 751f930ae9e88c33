"""``ipoc demo`` steps for the centers registry and its workflows, all through ``ipoc.centers.services``.

``centers`` (order 50) enters a cast of demo centers in several provinces, each at a different status, and moves
every one with a 认定 application to its own step of the workflow (申报 → 推荐 → 形式审查 → 专家评审 → 公示 → 认定):
the national office (``office``) has a 形式审查, an expert review to close, a publicity with an objection and a
decision to make; the Jiangsu office (``office_js``) has a 推荐 and a 形式审查; the expert (``expert``) has a
scoring sheet waiting. The demo center (``center``) went the whole way and holds a certificate.

``center_reports`` (order 90, after deals, events and 存量盘活 have records) has the centers write their annual
reports and the offices review and evaluate them (one 定期评价 fails and leads to 限期整改).

Every run moves each record only as far as its target, so running the demo twice changes nothing. The workflow
happened "over the past months": while a step runs, the centers' clock (``clock.today``, the one date every
deadline is measured from) is set back to the day the step took place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
DEMO_HOST = "新一代信息技术产业园（演示）"

# The office user who acts for each managing/recommending office.
OFFICE_USERS = {"国家知识产权局": "office", "江苏省知识产权局": "office_js", "浙江省知识产权局": "office_zj",
                "广东省知识产权局": "office_gd"}

# 认定 workflow targets, in order; "returned" (退回补正) branches off after 形式审查.
TARGETS = ("draft", "submitted", "recommended", "expert_review", "publicity", "decision_due", "recognised")


@dataclass(frozen=True)
class CenterSpec:
    key: str                 # the staff user is center_<key> ("center" for the demo center)
    name: str
    host: str
    host_kind: str           # OrganizationKind of the host organisation
    host_type: str           # HostType
    industry: str
    chain: str
    level: str
    office: str              # managing office
    region: str
    staff_count: int
    started: str             # ISO date
    initial: str = "building"
    path: tuple[str, ...] = ()       # status decisions an office records after registration
    application: str = ""            # target of the 认定 workflow
    revoke: str = ""                 # 取消资格 ground after the path
    scores: tuple[float, float] = (0.88, 0.84)  # expert, expert2: share of each criterion's maximum
    days: dict = field(default_factory=dict)    # workflow step → days ago


CENTERS = [
    CenterSpec("center", DEMO_CENTER, DEMO_HOST, "industrial_park", "other", "新一代信息技术", "集成电路、通信设备、光电子器件",
               "provincial", "江苏省知识产权局", "320500", 6, "2023-03-01", application="recognised",
               days={"create": 150, "submit": 148, "accept": 135, "assign": 134, "score": 125, "close": 118,
                     "decide": 100}),
    CenterSpec("zb", "高端装备制造产业知识产权运营中心（演示）", "无锡高端装备产业园（演示）", "industrial_park", "other",
               "高端装备制造", "数控机床、工业机器人、智能检测装备", "provincial", "江苏省知识产权局", "320200", 5,
               "2024-01-15", application="recommended", days={"create": 12, "submit": 9}),
    CenterSpec("yy", "生物医药产业知识产权运营中心（演示）", "苏州生物医药产业园（演示）", "industrial_park", "other", "生物医药",
               "创新药、医疗器械、体外诊断", "provincial", "江苏省知识产权局", "320500", 4, "2022-06-01",
               path=("applying", "recognised")),
    CenterSpec("cl", "新材料产业知识产权运营中心（演示）", "常州新材料产业园（演示）", "industrial_park", "other", "新材料",
               "石墨烯、碳纤维、高性能膜材料", "provincial", "江苏省知识产权局", "320400", 3, "2025-05-10",
               application="draft", days={"create": 4}),
    CenterSpec("jc", "集成电路产业知识产权运营中心（演示）", "南京集成电路产业创新园（演示）", "industrial_park", "national_park",
               "集成电路", "芯片设计、制造、封装测试", "national", "国家知识产权局", "320100", 12, "2022-09-01",
               application="submitted", days={"create": 6, "submit": 4}),
    CenterSpec("qc", "智能网联汽车产业知识产权运营中心（演示）", "深圳智能网联汽车产业园（演示）", "industrial_park",
               "national_park", "智能网联汽车", "车规芯片、车载通信、自动驾驶", "national", "国家知识产权局", "440300", 10,
               "2023-02-20", application="recommended", days={"create": 20, "submit": 18, "recommend": 6}),
    CenterSpec("ny", "新能源产业知识产权运营中心（演示）", "杭州新能源产业园（演示）", "industrial_park", "national_park", "新能源",
               "光伏、储能、氢能", "national", "国家知识产权局", "330100", 9, "2022-11-01", application="expert_review",
               days={"create": 35, "submit": 33, "recommend": 25, "accept": 12, "assign": 11, "score": 4}),
    CenterSpec("ai", "人工智能产业知识产权运营中心（演示）", "上海人工智能创新中心（演示）", "research_institute",
               "research_institute", "人工智能", "算力芯片、大模型、智能终端", "national", "国家知识产权局", "310115", 11,
               "2022-08-01", application="publicity",
               days={"create": 45, "submit": 43, "accept": 30, "assign": 29, "score": 8, "close": 2, "objection": 1}),
    CenterSpec("hb", "节能环保产业知识产权运营中心（演示）", "广州节能环保产业园（演示）", "industrial_park", "national_park",
               "节能环保", "高效节能装备、环境监测、资源循环利用", "national", "国家知识产权局", "440100", 8, "2022-05-01",
               application="decision_due",
               days={"create": 60, "submit": 58, "recommend": 50, "accept": 40, "assign": 39, "score": 20,
                     "close": 10}),
    CenterSpec("zy", "现代种业产业知识产权运营中心（演示）", "青岛种业创新研究院（演示）", "research_institute",
               "research_institute", "现代种业", "育种、制种、种质资源", "national", "国家知识产权局", "370200", 7,
               "2021-12-01", application="recognised",
               days={"create": 200, "submit": 198, "accept": 185, "assign": 184, "score": 175, "close": 170,
                     "decide": 150}),
    CenterSpec("sz", "数字创意产业知识产权运营中心（演示）", "杭州数字创意产业园（演示）", "industrial_park", "other", "数字创意",
               "数字内容、动漫游戏、创意设计", "provincial", "浙江省知识产权局", "330100", 4, "2024-04-01",
               application="returned", days={"create": 25, "submit": 23, "return": 7}),
    CenterSpec("gf", "光伏产业知识产权运营中心（演示）", "南昌光伏产业园（演示）", "industrial_park", "national_park", "光伏",
               "硅材料、电池片、组件", "national", "国家知识产权局", "360100", 5, "2020-10-01",
               initial="letter_supported"),
    CenterSpec("fz", "现代纺织产业知识产权运营中心（演示）", "绍兴纺织产业园（演示）", "industrial_park", "other", "现代纺织",
               "化纤、印染、家纺", "provincial", "浙江省知识产权局", "330600", 3, "2021-07-01",
               path=("applying", "recognised"), revoke="sub_center"),
    CenterSpec("hy", "海洋装备产业知识产权运营中心（演示）", "珠海海洋装备产业园（演示）", "industrial_park", "other", "海洋装备",
               "海工平台、船舶配套、海洋观测", "provincial", "广东省知识产权局", "440400", 2, "2023-09-01",
               path=("exited",)),
]


# ---------------------------------------------------------------- helpers


@contextmanager
def days_ago(days: int) -> Iterator[dt.date]:
    """Run a workflow step as if it happened ``days`` days ago (deadlines, publicity period, certificate year)."""
    from django.utils import timezone

    from ipoc.centers import clock

    real = clock.today
    day = timezone.localdate() - dt.timedelta(days=days)
    clock.today = lambda: day
    try:
        yield day
    finally:
        clock.today = real


def _user(username: str):
    from ipoc.core.demo import demo_user

    return demo_user(username)


def _office_user(office):
    return _user(OFFICE_USERS.get(office.name, "")) if office is not None else None


def _staff(spec: CenterSpec, org):
    from ipoc.core.demo import ensure_user
    from ipoc.core.models import Role

    if spec.key == "center":
        return _user("center")
    short = spec.industry
    return ensure_user(f"center_{spec.key}", Role.CENTER_STAFF, org, f"{short}中心工作人员")


def _org(name: str, kind: str, region: str, **fields):
    from ipoc.core import services as core_services
    from ipoc.core.demo import DEMO_SOURCE
    from ipoc.core.models import Organization

    org = Organization.objects.filter(name=name).first()
    return org or core_services.organization_create(actor=None, name=name, kind=kind, region_code=region,
                                                    source=DEMO_SOURCE, **fields)


def center_for(name: str):
    """The demo center registered as ``name``: a recognised national center (and its organisation) carries the
    national name since, and its recognition decision records the name it had before."""
    from django.db.models import Q

    from ipoc.centers.models import Center

    return (Center.objects.filter(Q(name=name) | Q(organization__name=name) | Q(decisions__name_before=name))
            .select_related("managing_office", "organization").distinct().first())


def _text(spec: CenterSpec) -> dict:
    return {
        "summary": f"依托{spec.host}建设，设有专门工作机构和固定办公场地，专职工作人员{spec.staff_count}名，"
                   f"年度运行经费由建设主体保障；聚焦{spec.industry}产业，覆盖{spec.chain}等环节。（演示数据）",
        "achievements": "开展产业专利技术需求征集与发布、专利导航与专利池构建、高校院所存量专利盘活、路演推介和供需对接活动，"
                        "促成专利转让、许可和作价入股项目（演示数据；工作成效数字以平台记录为准）。",
        "plan": f"下一年度拟围绕{spec.industry}产业链关键环节组建专利池，扩大中小企业服务覆盖面，"
                "每季度举办一场路演推介活动。（演示数据）",
    }


# ---------------------------------------------------------------- registry


def _register(spec: CenterSpec) -> tuple[object, bool]:
    from ipoc.centers import services
    from ipoc.core.models import Organization, OrganizationKind

    center = center_for(spec.name)
    if center is not None:
        return center, False
    office = Organization.objects.get(name=spec.office)
    org = _org(spec.name, OrganizationKind.OPERATION_CENTER, spec.region)
    host = _org(spec.host, spec.host_kind, spec.region)
    center = services.center_create(
        actor=_office_user(office), organization=org, name=spec.name, host_organization=host,
        host_type=spec.host_type, industry=spec.industry, industry_chain=spec.chain, level=spec.level,
        managing_office=office, region_code=spec.region, staff_count=spec.staff_count,
        started_on=dt.date.fromisoformat(spec.started), status=spec.initial)
    staff = _staff(spec, org)
    if spec.application or spec.path:
        for kind, text in (("work_unit", f"设立{spec.industry}产业知识产权运营中心运营部，负责日常运营"),
                           ("premises", f"位于{spec.host}的专用办公和路演场地约600平方米"),
                           ("personnel", f"专职工作人员{spec.staff_count}名，其中专利代理师2名"),
                           ("funding", "建设主体承诺年度运行经费不少于200万元")):
            services.center_evidence_add(actor=staff, center=center, kind=kind, description=f"{text}（演示数据）")
    return center, True


def _follow_path(spec: CenterSpec, center) -> int:
    """Record the office's status decisions along ``spec.path`` from wherever the center stands."""
    from ipoc.centers import services

    if center.status not in (spec.initial, *spec.path):
        return 0
    done = 0
    start = spec.path.index(center.status) + 1 if center.status in spec.path else 0
    office = _office_user(center.managing_office)
    reasons = {"applying": ("建设主体提出认定申请（平台上线前线下办理，补录）", "认定申请材料（线下）"),
               "recognised": ("平台上线前已完成认定，补录认定决定", f"{center.managing_office.name}认定通知（补录）"),
               "exited": ("建设主体因产业调整申请退出建设", "建设主体退出申请函")}
    for to_status in spec.path[start:]:
        reason, document = reasons[to_status]
        services.center_transition(actor=office, center=center, to_status=to_status, reason=reason,
                                   document_ref=document)
        center.refresh_from_db()
        done += 1
    if spec.revoke and center.status in ("recognised", "rectifying"):
        services.center_revoke(actor=office, center=center, ground=spec.revoke,
                               content="经核查，该中心未经批准在外地设立“分中心”并以其名义开展业务。（演示数据）",
                               document_ref=f"{center.managing_office.name}取消资格决定（演示）")
        done += 1
    return done


# ---------------------------------------------------------------- 认定 workflow


def _reached(target: str, step: str) -> bool:
    """Whether the workflow must go past ``step`` to reach ``target``."""
    return TARGETS.index(target) > TARGETS.index(step)


def _score_sheet(application, share: float) -> dict:
    return {c["code"]: round(c["max"] * share, 1) for c in application.scoring_sheet}


def _review(application, expert, share: float, comment: str) -> None:
    """The expert declares no conflict and submits the scoring sheet (each at most once)."""
    from ipoc.centers import services

    review = application.reviews.filter(expert=expert).first()
    if review is None or review.submitted_at is not None:
        return
    if not review.declaration:
        services.review_declare(actor=expert, review=review, conflict=False)
        review.refresh_from_db()
    services.review_submit(actor=expert, review=review, scores=_score_sheet(application, share), comment=comment)


def _advance(spec: CenterSpec, center, staff) -> str:
    """Move the center's latest application towards ``spec.application``; returns its status."""
    from ipoc.centers import services
    from ipoc.centers.models import ApplicationStatus as S

    target, days = spec.application, spec.days
    application = center.applications.order_by("-id").first()
    if application is None:
        if center.status not in ("building", "letter_supported"):
            return ""
        with days_ago(days.get("create", 10)) as day:
            application = services.application_create(actor=staff, center=center, year=day.year - 1, **_text(spec))
    expert, expert2 = _user("expert"), _user("expert2")
    deciding = _office_user(application.deciding_office)
    for _ in range(12):  # one move per turn; a finished application stops the loop
        application.refresh_from_db()
        status = application.status
        if status == S.DRAFT and target != "draft":
            with days_ago(days.get("submit", 8)):
                services.application_submit(actor=staff, application=application)
        elif status == S.SUBMITTED and target != "submitted":
            with days_ago(days.get("recommend", days.get("submit", 8) - 2)):
                services.application_recommend(
                    actor=_office_user(application.recommending_office), application=application, recommend=True,
                    opinion="经审核，该中心建设主体、条件保障和工作成效符合推荐条件，同意推荐。")
        elif status == S.RECOMMENDED and target == "returned":
            with days_ago(days.get("return", 5)):
                services.application_formal_review(
                    actor=deciding, application=application, outcome="return",
                    reason="申报书缺少经费保障证明材料，工作成效数据未附合同清单，请补正后重新提交。")
        elif status == S.RECOMMENDED and target not in ("recommended", "submitted", "draft"):
            with days_ago(days.get("accept", 20)):
                services.application_formal_review(actor=deciding, application=application, outcome="accept",
                                                   reason="申报材料齐全，形式审查通过。")
        elif status == S.EXPERT_REVIEW:
            with days_ago(days.get("assign", 19)):
                for reviewer in (expert, expert2):
                    if reviewer is not None and not application.reviews.filter(expert=reviewer).exists():
                        services.review_assign(actor=deciding, expert=reviewer, application=application)
            with days_ago(days.get("score", 10)):
                if expert2 is not None:
                    _review(application, expert2, spec.scores[1], "建设条件扎实，转化对接成效明显，建议认定。")
                if target == "expert_review":
                    break
                if expert is not None:
                    _review(application, expert, spec.scores[0], "产业聚焦度高，存量专利盘活有成效，建议认定。")
            with days_ago(days.get("close", 5)):
                services.application_close_review(actor=deciding, application=application)
        elif status == S.PUBLICITY and target == "publicity":
            if not application.objections.exists():
                with days_ago(days.get("objection", 1)):
                    services.objection_create(
                        actor=None, application=application, submitter_name="苏州芯测电子科技有限公司（演示）",
                        submitter_contact="0512-6000 0000",
                        content="申报材料所列2025年度转化金额中，有一项许可合同尚未履行，请核实。")
            break
        elif status == S.PUBLICITY and target == "recognised":
            with days_ago(days.get("decide", 1)):
                services.application_decide(
                    actor=deciding, application=application, recognise=True,
                    reason="经专家评审和公示，公示期内无异议，予以认定。",
                    document_ref=f"{application.deciding_office.name}关于认定{center.industry}产业知识产权运营中心的通知（演示）")
        else:
            break
    application.refresh_from_db()
    return application.status


def demo_centers(data_dir: Path) -> dict:
    from ipoc.core.models import Organization

    if not Organization.objects.filter(name__in=list(OFFICE_USERS)).count() == len(OFFICE_USERS):
        return {"centers": "demo organisations missing (run the organizations step)"}
    created, moves, statuses = 0, 0, {}
    for spec in CENTERS:
        center, new = _register(spec)
        created += int(new)
        moves += _follow_path(spec, center)
        if spec.application:
            statuses[spec.key] = _advance(spec, center, _staff(spec, center.organization))
    return {"centers_created": created, "status_decisions": moves, "applications": statuses}


# ---------------------------------------------------------------- annual reports, evaluations, 动态管理


def _report(center, year: int, staff, *, submit: bool, reviewer=None):
    """The center's annual report for ``year``: generated, written, submitted and (with ``reviewer``) accepted."""
    from ipoc.centers import services
    from ipoc.centers.models import AnnualReport, ReportStatus

    report = AnnualReport.objects.filter(center=center, year=year).first()
    if report is None:
        report = services.report_generate(actor=staff, center=center, year=year)
        services.report_update(actor=staff, report=report, narrative={
            "collaboration": f"联合产业链上下游企业组建{center.industry}专利联盟，梳理重点产品专利布局。",
            "academia": "为高校院所开展存量专利盘点、评价和分层推广，向企业定向推送专利。",
            "transfer": "征集发布产业专利技术需求，组织路演推介和供需对接活动，撮合专利转让、许可项目。",
            "industrialisation": "跟踪转化项目落地，协助企业申报专利产业化项目。",
            "services": "为中小企业提供专利导航、价值评估和运营咨询服务。"})
        report.refresh_from_db()
    if submit and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        report = services.report_submit(actor=staff, report=report)
    if reviewer is not None and report.status == ReportStatus.SUBMITTED:
        report = services.report_review(actor=reviewer, report=report, accept=True,
                                        comment="报告内容完整，数据与平台记录一致，审核通过。")
    return report


def _evaluation(center, year: int, office, expert, overall: float | None):
    """A 定期评价 of ``year``: opened, ``expert`` assigned; with ``overall`` the expert scores and it is graded."""
    from ipoc.centers import services
    from ipoc.centers.models import Evaluation, EvaluationStatus

    evaluation = Evaluation.objects.filter(center=center, year=year).order_by("-id").first()
    if evaluation is None:
        evaluation = services.evaluation_create(actor=office, center=center, year=year)
    if evaluation.status != EvaluationStatus.DRAFT or expert is None:
        return evaluation
    review = evaluation.reviews.filter(expert=expert).first()
    if review is None:
        review = services.review_assign(actor=office, expert=expert, evaluation=evaluation)
    if overall is None:
        return evaluation
    if not review.declaration:
        review = services.review_declare(actor=expert, review=review, conflict=False)
    if review.submitted_at is None:
        codes = [c["code"] for c in services.scoring_sheet_for(review)]
        services.review_submit(actor=expert, review=review, scores={c: overall for c in codes},
                               comment="对照年度工作报告和平台记录逐项评价。")
    return services.evaluation_finalise(actor=office, evaluation=evaluation,
                                        comment="依据年度工作报告、平台记录和专家意见评定。")


# 江苏省知识产权局's own evaluation standard for provincial centers (地方参照开展本级评价，按本地标准).
JIANGSU_INDICATORS = [
    {"code": "annual_deal_amount", "label": "年度转化运营金额", "source": "kpi", "target": 200, "weight": 25},
    {"code": "cumulative_projects", "label": "转化项目、产业化项目累计", "source": "kpi", "target": 4, "weight": 15},
    {"code": "stock_patents_revitalized", "label": "存量专利盘活", "source": "kpi", "target": 5, "weight": 10},
    {"code": "demands_solved", "label": "解决产业专利技术需求", "source": "kpi", "target": 5, "weight": 10},
    {"code": "smes_served", "label": "服务中小企业", "source": "kpi", "target": 5, "weight": 10},
    {"code": "expert_overall", "label": "专家综合评价", "source": "expert", "target": 100, "weight": 30},
]


def _jiangsu_standard() -> None:
    from ipoc.centers import services
    from ipoc.centers.models import RuleOverride
    from ipoc.core.models import Organization

    office = Organization.objects.filter(name="江苏省知识产权局").first()
    if office is None or RuleOverride.objects.filter(office=office, code="evaluation_indicators").exists():
        return
    services.rule_override_set(actor=_user("office_js"), office=office, code="evaluation_indicators",
                               value=JIANGSU_INDICATORS,
                               reason="《江苏省产业知识产权运营中心评价办法》（演示）：省级运营中心按本省目标值评价")


def demo_center_reports(data_dir: Path) -> dict:
    from ipoc.centers import clock, services
    from ipoc.centers.models import EvaluationStatus, Grade, ManagementKind

    this_year = clock.today().year
    last_year = this_year - 1
    out: dict = {}
    expert, expert2 = _user("expert"), _user("expert2")
    _jiangsu_standard()
    # The demo center: last year's report accepted and evaluated, this year's being written.
    center = center_for(DEMO_CENTER)
    if center is not None and center.status == "recognised":
        office, staff = _office_user(center.managing_office), _user("center")
        _report(center, last_year, staff, submit=True, reviewer=office)
        evaluation = _evaluation(center, last_year, office, expert2, overall=86)
        _report(center, this_year, staff, submit=False)
        out["demo_center"] = evaluation.get_grade_display()
    # The biomedicine center fails its evaluation (on its records): 限期整改, and it has sent its 整改报告 for the
    # follow-up; its annual report waits for the office.
    center = center_for("生物医药产业知识产权运营中心（演示）")
    if center is not None and center.status in ("recognised", "rectifying"):
        office = _office_user(center.managing_office)
        staff = _staff(next(s for s in CENTERS if s.key == "yy"), center.organization)
        _report(center, last_year, staff, submit=True)  # waits for the Jiangsu office's review
        evaluation = _evaluation(center, last_year, office, expert2, overall=40)
        if (evaluation.status == EvaluationStatus.FINAL and evaluation.grade == Grade.FAIL
                and not evaluation.actions.filter(kind=ManagementKind.RECTIFICATION).exists()):
            action = services.center_order_rectification(
                actor=office, evaluation=evaluation, document_ref="苏知运〔演示〕1号",
                content="定期评价不合格：转化运营金额和存量专利盘活未达目标。请于期限内补齐专职人员、建立需求台账并提交整改报告。")
            services.rectification_report_submit(
                actor=staff, action=action,
                content="已新增专职人员2名，建立产业技术需求台账，与两所高校签订存量专利盘活服务协议。")
        out["rectifying"] = center_for(center.organization.name).get_status_display()
    # The recognised national center: its report waits for the national office; its evaluation for the expert.
    spec = next(s for s in CENTERS if s.key == "zy")
    center = center_for(spec.name)
    if center is not None and center.status == "recognised":
        office = _office_user(center.managing_office)
        report = _report(center, last_year, _staff(spec, center.organization), submit=True)
        _evaluation(center, last_year, office, expert, overall=None)
        out["national_report"] = report.get_status_display()
    return out


register_demo_step("centers", demo_centers, order=50)
register_demo_step("center_reports", demo_center_reports, order=90)
