"""/api/v1/centers: the public list (no login), registry CRUD, status decisions and corrections,
evidence, the basic-conditions check, the office dashboard and the rules with their sources."""

import datetime as dt

from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from ipoc.centers import rules, selectors, services
from ipoc.centers.schemas import (
    CenterCreate,
    CenterPublic,
    CenterRead,
    CenterTransition,
    CenterUpdate,
    DecisionCorrect,
    DecisionRead,
    EvidenceRead,
    SubCenterCreate,
)
from ipoc.core import selectors as core_selectors
from ipoc.core.errors import PermissionDenied

router = Router(tags=["centers"])


class CenterFilters(Schema):
    q: str = ""
    level: str = ""
    industry: str = ""
    status: str = ""
    region: str = ""
    flagged: bool = False


class PublicFilters(Schema):
    q: str = ""
    level: str = ""
    industry: str = ""


@router.get("/public", response=list[CenterPublic], auth=None, summary="已认定运营中心名录（公开，无需登录）")
@paginate(LimitOffsetPagination)
def center_public_list(request, filters: Query[PublicFilters]):
    return selectors.center_public_list(**filters.dict())


@router.get("/rules", response=list[dict], auth=None, summary="运营中心规则及其依据（[S] 为待核实配置）")
def rule_list(request):
    return [r.as_dict() for r in rules.RULES.values()]


@router.get("/dashboard", response=dict, summary="管理部门看板：按层级、产业、状态统计")
def center_dashboard(request):
    user = request.auth
    if not (user.is_platform_admin or user.role == "office_staff"):
        raise PermissionDenied("看板仅限知识产权管理部门和平台管理员")
    return selectors.dashboard(user=user)


@router.get("", response=list[CenterRead], summary="运营中心登记列表")
@paginate(LimitOffsetPagination)
def center_list(request, filters: Query[CenterFilters]):
    return selectors.center_list(user=request.auth, **filters.dict())


@router.get("/{center_id}", response=CenterRead, summary="运营中心详情")
def center_detail(request, center_id: int):
    return selectors.center_get(user=request.auth, pk=center_id)


def _org(request, pk):
    return core_selectors.organization_get(user=request.auth, pk=pk)


@router.post("", response={201: CenterRead}, summary="登记运营中心（不得自行设立分中心）")
def center_create(request, payload: CenterCreate):
    data = payload.dict()
    parent_id = data.pop("parent_center_id")
    parent = selectors.center_get(user=request.auth, pk=parent_id) if parent_id else None
    for key in ("organization", "host_organization", "managing_office"):
        data[key] = _org(request, data.pop(f"{key}_id"))
    center = services.center_create(actor=request.auth, parent_center=parent, **data)
    return Status(201, center)


@router.patch("/{center_id}", response=CenterRead, summary="修改运营中心登记信息")
def center_update(request, center_id: int, payload: CenterUpdate):
    center = selectors.center_get(user=request.auth, pk=center_id)
    data = payload.dict(exclude_unset=True)
    for key in ("host_organization", "managing_office"):
        if f"{key}_id" in data:
            data[key] = _org(request, data.pop(f"{key}_id"))
    return services.center_update(actor=request.auth, center=center, data=data)


@router.post("/{center_id}/sub-centers", response={201: CenterRead}, summary="设立分中心（一律拒绝：不得自行设立分中心）")
def center_sub_center(request, center_id: int, payload: SubCenterCreate):
    parent = selectors.center_get(user=request.auth, pk=center_id)
    services.center_create_sub_center(actor=request.auth, parent=parent, name=payload.name)


@router.post("/{center_id}/transition", response={201: DecisionRead}, summary="状态决定（管理部门）")
def center_transition(request, center_id: int, payload: CenterTransition):
    center = selectors.center_get(user=request.auth, pk=center_id)
    decision = services.center_transition(actor=request.auth, center=center, **payload.dict())
    return Status(201, decision)


@router.get("/{center_id}/decisions", response=list[DecisionRead], summary="状态决定记录")
def decision_list(request, center_id: int):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return list(selectors.decision_list(user=request.auth, center=center))


@router.post("/decisions/{decision_id}/correct", response={201: DecisionRead},
             summary="更正决定（新建一条引用原决定的记录）")
def decision_correct(request, decision_id: int, payload: DecisionCorrect):
    decision = selectors.decision_get(user=request.auth, pk=decision_id)
    return Status(201, services.center_decision_correct(actor=request.auth, decision=decision, **payload.dict()))


@router.get("/{center_id}/evidence", response=list[EvidenceRead], summary="条件保障材料")
def evidence_list(request, center_id: int):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return list(selectors.evidence_list(user=request.auth, center=center))


@router.post("/{center_id}/evidence", response={201: EvidenceRead}, summary="提交条件保障材料（附件）")
def evidence_add(request, center_id: int, kind: Form[str], description: Form[str],
                 file: File[UploadedFile] = None):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return Status(201, services.center_evidence_add(actor=request.auth, center=center, kind=kind,
                                                    description=description, file=file))


@router.get("/{center_id}/check", response=dict, summary="基础条件核查（先建设、后认定）")
def center_check(request, center_id: int, level: str = "", year: int | None = None):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return selectors.center_check(user=request.auth, center=center, level=level,
                                  year=year or dt.date.today().year - 1)
