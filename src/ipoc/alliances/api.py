"""/api/v1/alliances: 创新联合体 — consortia, members, agreement, joint projects (milestones, joint patents), shared
patents, joint protection decisions, 大手拉小手 service records, and the center's figures."""

import functools

from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ipoc.alliances import schemas as s
from ipoc.alliances import selectors, services
from ipoc.core.bounds import DbId, Year
from ipoc.core.errors import ApplicationError, NotFound
from ipoc.core.pagination import LimitOffsetPagination

router = Router(tags=["alliances"])

# The services name a model field; the API's payload names the id it was given.
PAYLOAD_FIELDS = {"lead": "lead_id", "center": "center_id", "organization": "organization_id", "leader": "leader_id",
                  "participants": "participant_ids", "patent": "patent_id", "contributed_by": "contributed_by_id",
                  "target_patent": "target_patent_id", "patents": "patent_ids", "provider": "provider_id",
                  "sme": "sme_id"}


def payload_fields(fn):
    """Report a service's refusal under the payload's field name (``lead`` → ``lead_id``)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ApplicationError as exc:
            if exc.field in PAYLOAD_FIELDS:
                exc.field = PAYLOAD_FIELDS[exc.field]
            raise

    return wrapper


def _org(user, pk, field: str):
    from ipoc.core import selectors as core_selectors

    if pk is None:
        return None
    org = core_selectors.organization_list(user=user).filter(pk=pk).first()
    if org is None:
        raise NotFound(f"组织机构 {pk} 不存在", field=field)
    return org


def _orgs(user, ids, field: str) -> list:
    return [_org(user, pk, field) for pk in sorted(set(ids or ()))]


def _patent(user, pk, field: str):
    from ipoc.patents import selectors as patent_selectors

    if pk is None:
        return None
    patent = patent_selectors.patent_list(user=user).filter(pk=pk).first()
    if patent is None:
        raise NotFound(f"专利 {pk} 不存在或无权查看", field=field)
    return patent


def _detail(consortium):
    return selectors.consortium_list(user=None).filter(pk=consortium.pk).get()


class ConsortiumFilters(Schema):
    q: str = ""
    status: str = ""
    center: DbId | None = None
    member: DbId | None = None


class KpiQuery(Schema):
    center: DbId
    year: Year | None = None


@router.get("/kpi", summary="运营中心创新联合体年度指标（成员单位、联合攻关项目、联合创造专利、服务中小企业，各含记录）")
def alliance_kpi(request, params: Query[KpiQuery]):
    year = params.year or timezone.localdate().year
    center = selectors.center_for_kpi(user=request.auth, pk=params.center)
    return {"center": {"id": center.pk, "name": center.name}, "year": year,
            "figures": selectors.kpi_lines(center, year)}


@router.get("", response=list[s.ConsortiumRead], summary="创新联合体列表")
@paginate(LimitOffsetPagination)
def consortium_list(request, filters: Query[ConsortiumFilters]):
    return selectors.consortium_list(user=request.auth, **filters.dict())


@router.post("", response={201: s.ConsortiumDetail}, summary="组建创新联合体（牵头单位自动成为成员）")
@payload_fields
def consortium_create(request, payload: s.ConsortiumCreate):
    user = request.auth
    data = payload.dict()
    consortium = services.consortium_create(
        actor=user, name=data["name"], industry=data["industry"], lead=_org(user, data["lead_id"], "lead_id"),
        center=_org(user, data["center_id"], "center_id"), status=data["status"],
        established_on=data["established_on"], goal=data["goal"])
    return Status(201, _detail(consortium))


@router.get("/{consortium_id}", response=s.ConsortiumDetail, summary="联合体详情（成员、协议）")
def consortium_detail(request, consortium_id: DbId):
    return selectors.consortium_get(user=request.auth, pk=consortium_id)


@router.patch("/{consortium_id}", response=s.ConsortiumDetail, summary="修改联合体（含解散）")
@payload_fields
def consortium_update(request, consortium_id: DbId, payload: s.ConsortiumUpdate):
    consortium = selectors.consortium_get(user=request.auth, pk=consortium_id)
    services.consortium_update(actor=request.auth, consortium=consortium, data=payload.dict(exclude_unset=True))
    return _detail(consortium)


@router.post("/{consortium_id}/members", response={201: s.MemberRead}, summary="加入成员（角色须与单位类型一致）")
@payload_fields
def member_add(request, consortium_id: DbId, payload: s.MemberCreate):
    user = request.auth
    consortium = selectors.consortium_get(user=user, pk=consortium_id)
    member = services.member_add(actor=user, consortium=consortium,
                                 organization=_org(user, payload.organization_id, "organization_id"),
                                 role=payload.role, joined_on=payload.joined_on, note=payload.note)
    return Status(201, member)


@router.post("/members/{member_id}/leave", response=s.MemberRead, summary="登记成员退出")
@payload_fields
def member_leave(request, member_id: DbId, payload: s.MemberLeave):
    member = selectors.member_get(user=request.auth, pk=member_id)
    return services.member_leave(actor=request.auth, member=member, left_on=payload.left_on, reason=payload.reason)


@router.put("/{consortium_id}/agreement", response=s.AgreementRead, summary="登记或修改联合体协议条款")
@payload_fields
def agreement_save(request, consortium_id: DbId, payload: s.AgreementWrite):
    consortium = selectors.consortium_get(user=request.auth, pk=consortium_id)
    return services.agreement_save(actor=request.auth, consortium=consortium,
                                   data=payload.dict(exclude_unset=True))


@router.post("/{consortium_id}/agreement/document", response=s.AgreementRead, summary="上传协议文本")
@payload_fields
def agreement_attach(request, consortium_id: DbId, document: File[UploadedFile] = None):
    consortium = selectors.consortium_get(user=request.auth, pk=consortium_id)
    return services.agreement_attach(actor=request.auth, consortium=consortium, document=document)


@router.get("/{consortium_id}/projects", response=list[s.ProjectRead], summary="联合攻关项目")
def project_list(request, consortium_id: DbId):
    return list(selectors.projects(selectors.consortium_get(user=request.auth, pk=consortium_id)))


@router.post("/{consortium_id}/projects", response={201: s.ProjectRead}, summary="新建联合攻关项目")
@payload_fields
def project_create(request, consortium_id: DbId, payload: s.ProjectCreate):
    user = request.auth
    consortium = selectors.consortium_get(user=user, pk=consortium_id)
    project = services.project_create(
        actor=user, consortium=consortium, title=payload.title, leader=_org(user, payload.leader_id, "leader_id"),
        participants=_orgs(user, payload.participant_ids, "participant_ids"), budget=payload.budget,
        status=payload.status, start_date=payload.start_date, end_date=payload.end_date,
        description=payload.description)
    return Status(201, project)


@router.patch("/projects/{project_id}", response=s.ProjectRead, summary="修改联合攻关项目")
@payload_fields
def project_update(request, project_id: DbId, payload: s.ProjectUpdate):
    user = request.auth
    project = selectors.project_get(user=user, pk=project_id)
    data = payload.dict(exclude_unset=True)
    if "leader_id" in data:
        data["leader"] = _org(user, data.pop("leader_id"), "leader_id")
    if "participant_ids" in data:
        data["participants"] = _orgs(user, data.pop("participant_ids") or [], "participant_ids")
    return services.project_update(actor=user, project=project, data=data)


@router.post("/projects/{project_id}/milestones", response={201: s.MilestoneRead}, summary="添加里程碑")
@payload_fields
def milestone_add(request, project_id: DbId, payload: s.MilestoneCreate):
    project = selectors.project_get(user=request.auth, pk=project_id)
    return Status(201, services.milestone_add(actor=request.auth, project=project, **payload.dict()))


@router.post("/milestones/{milestone_id}/done", response=s.MilestoneRead, summary="里程碑完成")
@payload_fields
def milestone_done(request, milestone_id: DbId, payload: s.MilestoneDone):
    milestone = selectors.milestone_get(user=request.auth, pk=milestone_id)
    return services.milestone_done(actor=request.auth, milestone=milestone, done_on=payload.done_on)


@router.post("/projects/{project_id}/patents", response={201: s.JointPatentRead}, summary="登记联合创造专利")
@payload_fields
def joint_patent_add(request, project_id: DbId, payload: s.JointPatentCreate):
    user = request.auth
    project = selectors.project_get(user=user, pk=project_id)
    link = services.joint_patent_add(actor=user, project=project, patent=_patent(user, payload.patent_id, "patent_id"),
                                     recorded_on=payload.recorded_on, note=payload.note)
    return Status(201, link)


@router.get("/{consortium_id}/shared-patents", response=list[s.SharedPatentRead], summary="共享专利清单与贡献台账")
def shared_patent_list(request, consortium_id: DbId):
    return list(selectors.shared_patents(selectors.consortium_get(user=request.auth, pk=consortium_id)))


@router.post("/{consortium_id}/shared-patents", response={201: s.SharedPatentRead}, summary="纳入共享专利")
@payload_fields
def shared_patent_add(request, consortium_id: DbId, payload: s.SharedPatentCreate):
    user = request.auth
    consortium = selectors.consortium_get(user=user, pk=consortium_id)
    row = services.shared_patent_add(
        actor=user, consortium=consortium, patent=_patent(user, payload.patent_id, "patent_id"),
        contributed_by=_org(user, payload.contributed_by_id, "contributed_by_id"),
        contributed_on=payload.contributed_on, note=payload.note)
    return Status(201, row)


@router.post("/shared-patents/{shared_id}/withdraw", response=s.SharedPatentRead, summary="撤出共享专利")
@payload_fields
def shared_patent_withdraw(request, shared_id: DbId):
    shared = selectors.shared_patent_get(user=request.auth, pk=shared_id)
    return services.shared_patent_withdraw(actor=request.auth, shared=shared)


@router.get("/{consortium_id}/protection", response=list[s.ProtectionRead], summary="共同保护决定")
def protection_list(request, consortium_id: DbId):
    return list(selectors.protection_actions(selectors.consortium_get(user=request.auth, pk=consortium_id)))


@router.post("/{consortium_id}/protection", response={201: s.ProtectionRead},
             summary="登记共同保护决定（成员分担比例合计 100%）")
@payload_fields
def protection_create(request, consortium_id: DbId, payload: s.ProtectionCreate):
    user = request.auth
    consortium = selectors.consortium_get(user=user, pk=consortium_id)
    shares = [(_org(user, sh.organization_id, "shares"), sh.percent) for sh in payload.shares]
    action = services.protection_create(
        actor=user, consortium=consortium, kind=payload.kind, title=payload.title, target=payload.target,
        target_patent=_patent(user, payload.target_patent_id, "target_patent_id"),
        patents=[_patent(user, pk, "patent_ids") for pk in sorted(set(payload.patent_ids))],
        decided_on=payload.decided_on, status=payload.status, budget=payload.budget, shares=shares)
    return Status(201, action)


@router.get("/{consortium_id}/sme-services", response=list[s.SmeServiceRead], summary="“大手拉小手”服务记录")
def sme_service_list(request, consortium_id: DbId):
    return list(selectors.sme_services(selectors.consortium_get(user=request.auth, pk=consortium_id)))


@router.post("/{consortium_id}/sme-services", response={201: s.SmeServiceRead}, summary="登记“大手拉小手”服务记录")
@payload_fields
def sme_service_create(request, consortium_id: DbId, payload: s.SmeServiceCreate):
    user = request.auth
    consortium = selectors.consortium_get(user=user, pk=consortium_id)
    record = services.sme_service_create(
        actor=user, consortium=consortium, provider=_org(user, payload.provider_id, "provider_id"),
        sme=_org(user, payload.sme_id, "sme_id"), kind=payload.kind, served_on=payload.served_on,
        content=payload.content, outcome=payload.outcome)
    return Status(201, record)
