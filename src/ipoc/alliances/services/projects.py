"""A consortium's joint projects, milestones and joint patents, the shared patents (contribution ledger) and joint
protection (共同保护)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.alliances import rules
from ipoc.alliances.models import (
    Consortium,
    ConsortiumStatus,
    JointPatent,
    JointProject,
    Milestone,
    ProjectStatus,
    ProtectionAction,
    ProtectionKind,
    ProtectionShare,
    ProtectionStatus,
    SharedPatent,
)
from ipoc.alliances.services.consortia import (
    _actor,
    _choice,
    _not_future,
    _text,
    active_member,
    clean_money,
    may_contribute,
    may_manage,
    may_record_for_members,
    require_manager,
    today,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, User
from ipoc.core.services import audit_record, model_update, validated_save

# ---------------------------------------------------------------- joint projects, milestones, joint patents


def _members_on(consortium: Consortium, orgs: Iterable[Organization], on: dt.date, field: str) -> None:
    for org in orgs:
        if active_member(consortium, org.pk, on) is None:
            raise ApplicationError(_("%(o)s 在 %(d)s 不是该联合体成员") % {"o": org.name, "d": on.isoformat()},
                                   field=field)


PROJECT_FIELDS = ("title", "leader", "budget", "status", "start_date", "end_date", "description")


def _check_project(consortium: Consortium, data: dict[str, Any]) -> None:
    if "title" in data:
        data["title"] = _text(data["title"], "title", _("项目名称"), max_length=200)
    if "budget" in data:
        data["budget"] = clean_money(data["budget"], "budget", required=True)
    if "status" in data:
        _choice(data["status"], ProjectStatus, "status", _("项目状态"))
    if "description" in data:
        data["description"] = _text(data["description"], "description", _("攻关内容"), required=False,
                                    max_length=4000)


@transaction.atomic
def project_create(*, actor: User | None, consortium: Consortium, title: str, leader: Organization | None,
                   budget: Any, start_date: dt.date | None, end_date: dt.date | None = None,
                   participants: Iterable[Organization] = (), status: str = ProjectStatus.PLANNED,
                   description: str = "") -> JointProject:
    """A joint project: undertaken by a member, with other members taking part, a budget and dates."""
    require_manager(actor, consortium)
    if consortium.status == ConsortiumStatus.DISSOLVED:
        raise ApplicationError(_("联合体已解散，不能再立项"), field="title")
    data = {"title": title, "budget": budget, "status": status, "description": description}
    _check_project(consortium, data)
    if leader is None:
        raise ApplicationError(_("请选择承担单位"), field="leader")
    if start_date is None:
        raise ApplicationError(_("请填写开始日期"), field="start_date")
    if end_date is not None and end_date < start_date:
        raise ApplicationError(_("计划结束日期不能早于开始日期"), field="end_date")
    participants = [p for p in participants if p.pk != leader.pk]
    check_on = min(start_date, today())
    _members_on(consortium, [leader], check_on, "leader")
    _members_on(consortium, participants, check_on, "participants")
    project = JointProject(consortium=consortium, leader=leader, start_date=start_date, end_date=end_date, **data)
    validated_save(project)
    project.participants.set(participants)
    audit_record(actor=actor, action="create", obj=project, changes={
        "consortium": [None, consortium.name], "title": [None, project.title], "leader": [None, leader.name],
        "budget": [None, project.budget], "start_date": [None, start_date], "end_date": [None, end_date],
        "participants": [None, sorted(p.pk for p in participants)]})
    return project


@transaction.atomic
def project_update(*, actor: User | None, project: JointProject, data: dict[str, Any]) -> JointProject:
    consortium = project.consortium
    require_manager(actor, consortium)
    data = dict(data)
    participants = data.pop("participants", None)
    unknown = set(data) - set(PROJECT_FIELDS)
    if unknown:
        raise ApplicationError(_("字段“%(f)s”不可修改") % {"f": sorted(unknown)[0]}, field=sorted(unknown)[0])
    _check_project(consortium, data)
    start = data.get("start_date") or project.start_date
    data.setdefault("start_date", project.start_date)
    end = data.get("end_date", project.end_date)
    if end is not None and end < start:
        raise ApplicationError(_("计划结束日期不能早于开始日期"), field="end_date")
    check_on = min(start, today())
    if "leader" in data:
        if data["leader"] is None:
            raise ApplicationError(_("请选择承担单位"), field="leader")
        _members_on(consortium, [data["leader"]], check_on, "leader")
    changes = model_update(instance=project, data=data, fields=PROJECT_FIELDS)
    if participants is not None:
        participants = [p for p in participants if p.pk != project.leader_id]
        _members_on(consortium, participants, check_on, "participants")
        old = sorted(project.participants.values_list("pk", flat=True))
        new = sorted(p.pk for p in participants)
        if old != new:
            project.participants.set(participants)
            changes["participants"] = [old, new]
    if changes:
        audit_record(actor=actor, action="update", obj=project, changes=changes)
    return project


@transaction.atomic
def milestone_add(*, actor: User | None, project: JointProject, title: str, due_on: dt.date | None,
                  note: str = "") -> Milestone:
    require_manager(actor, project.consortium)
    if due_on is None:
        raise ApplicationError(_("请填写计划完成日期"), field="due_on")
    if due_on < project.start_date:
        raise ApplicationError(_("计划完成日期不能早于项目开始日期（%(d)s）") % {"d": project.start_date.isoformat()},
                               field="due_on")
    milestone = Milestone(project=project, title=_text(title, "title", _("里程碑"), max_length=200), due_on=due_on,
                          note=_text(note, "note", _("说明"), required=False))
    validated_save(milestone)
    audit_record(actor=actor, action="create", obj=milestone,
                 changes={"title": [None, milestone.title], "due_on": [None, due_on]})
    return milestone


@transaction.atomic
def milestone_done(*, actor: User | None, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    require_manager(actor, milestone.project.consortium)
    if milestone.done_on is not None:
        raise ApplicationError(_("该里程碑已于 %(d)s 完成") % {"d": milestone.done_on.isoformat()}, field="done_on")
    done_on = done_on or today()
    _not_future(done_on, "done_on", _("完成日期"))
    if done_on < milestone.project.start_date:
        raise ApplicationError(_("完成日期不能早于项目开始日期"), field="done_on")
    milestone.done_on = done_on
    validated_save(milestone)
    audit_record(actor=actor, action="update", obj=milestone, changes={"done_on": [None, done_on]})
    return milestone


def _held_by_member(consortium: Consortium, patent) -> bool:
    from ipoc.patents import selectors as patent_selectors

    orgs = Organization.objects.filter(consortium_memberships__consortium=consortium).distinct()
    return any(patent_selectors.patents_held_by(user=None, organization=o).filter(pk=patent.pk).exists()
               for o in orgs)


@transaction.atomic
def joint_patent_add(*, actor: User | None, project: JointProject, patent, recorded_on: dt.date | None = None,
                     note: str = "") -> JointPatent:
    """联合创造: a patent the project produced — held by a member, filed on or after the project started."""
    consortium = project.consortium
    require_manager(actor, consortium)
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if project.status == ProjectStatus.CANCELLED:
        raise ApplicationError(_("项目已终止，不能再登记产出专利"), field="patent")
    if JointPatent.objects.filter(project=project, patent=patent).exists():
        raise ApplicationError(_("该专利已登记为本项目的产出"), field="patent")
    if patent.application_date and patent.application_date < project.start_date:
        raise ApplicationError(
            _("该专利申请日（%(a)s）早于项目开始日期（%(s)s），不是本项目的联合创造成果") % {
                "a": patent.application_date.isoformat(), "s": project.start_date.isoformat()}, field="patent")
    if not _held_by_member(consortium, patent):
        raise ApplicationError(_("该专利的申请人或专利权人中没有联合体成员：%(t)s") % {"t": patent.title[:60]},
                               field="patent")
    recorded_on = recorded_on or today()
    _not_future(recorded_on, "recorded_on", _("登记日期"))
    link = JointPatent(project=project, patent=patent, recorded_on=recorded_on,
                       note=_text(note, "note", _("说明"), required=False))
    validated_save(link)
    audit_record(actor=actor, action="create", obj=link, changes={
        "project": [None, project.title], "patent": [None, patent.pk]})
    return link


# ---------------------------------------------------------------- shared patents (contribution ledger)


@transaction.atomic
def shared_patent_add(*, actor: User | None, consortium: Consortium, patent, contributed_by: Organization | None,
                      contributed_on: dt.date | None = None, note: str = "") -> SharedPatent:
    """Put a member's patent on the shared list: the ledger says who brought it and when."""
    if not may_contribute(actor, consortium):
        raise PermissionDenied(_("只有联合体成员、牵头单位和组建运营中心可以纳入共享专利：%(c)s") % {"c": consortium})
    # Only the organising center (and administrators) record on a member's behalf; the lead's users, like any
    # member's, bring their own organisation's patents — a lead cannot commit another member's patent.
    if actor is not None and not may_record_for_members(actor):
        if contributed_by is not None and contributed_by.pk != actor.organization_id:
            raise PermissionDenied(_("成员单位只能纳入本单位的专利"), field="contributed_by")
        contributed_by = actor.organization
    if consortium.status == ConsortiumStatus.DISSOLVED:
        raise ApplicationError(_("联合体已解散，不能再纳入共享专利"), field="patent")
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if contributed_by is None:
        raise ApplicationError(_("请选择贡献单位"), field="contributed_by")
    contributed_on = contributed_on or today()
    _not_future(contributed_on, "contributed_on", _("纳入日期"))
    _members_on(consortium, [contributed_by], contributed_on, "contributed_by")
    from ipoc.patents import selectors as patent_selectors

    if not patent_selectors.patents_held_by(user=None, organization=contributed_by).filter(pk=patent.pk).exists():
        raise ApplicationError(_("%(o)s 不是该专利的申请人或专利权人") % {"o": contributed_by.name}, field="patent")
    if SharedPatent.objects.filter(consortium=consortium, patent=patent, withdrawn_on__isnull=True).exists():
        raise ApplicationError(_("该专利已在共享专利清单中"), field="patent")
    row = SharedPatent(consortium=consortium, patent=patent, contributed_by=contributed_by,
                       contributed_on=contributed_on, note=_text(note, "note", _("说明"), required=False),
                       recorded_by=_actor(actor))
    validated_save(row)
    audit_record(actor=actor, action="create", obj=row, changes={
        "consortium": [None, consortium.name], "patent": [None, patent.pk],
        "contributed_by": [None, contributed_by.name], "contributed_on": [None, contributed_on]})
    return row


@transaction.atomic
def shared_patent_withdraw(*, actor: User | None, shared: SharedPatent,
                           withdrawn_on: dt.date | None = None) -> SharedPatent:
    consortium = shared.consortium
    own = actor is not None and actor.organization_id == shared.contributed_by_id
    if not (may_manage(actor, consortium) or (own and may_contribute(actor, consortium))):
        raise PermissionDenied(_("只有贡献单位、牵头单位和组建运营中心可以撤出共享专利"))
    if shared.withdrawn_on is not None:
        raise ApplicationError(_("该专利已于 %(d)s 撤出") % {"d": shared.withdrawn_on.isoformat()},
                               field="withdrawn_on")
    withdrawn_on = withdrawn_on or today()
    _not_future(withdrawn_on, "withdrawn_on", _("撤出日期"))
    if withdrawn_on < shared.contributed_on:
        raise ApplicationError(_("撤出日期不能早于纳入日期"), field="withdrawn_on")
    shared.withdrawn_on = withdrawn_on
    validated_save(shared)
    audit_record(actor=actor, action="update", obj=shared, changes={"withdrawn_on": [None, withdrawn_on]})
    return shared


# ---------------------------------------------------------------- joint protection (共同保护)


def clean_shares(consortium: Consortium, shares: Iterable[tuple[Organization, Any]],
                 on: dt.date) -> list[tuple[Organization, Decimal]]:
    """(organisation, percent) pairs: members on ``on``, each once, each > 0, summing to exactly 100."""
    cleaned: list[tuple[Organization, Decimal]] = []
    seen: set[int] = set()
    for org, raw in shares:
        if raw is None or raw == "":
            continue
        try:
            percent = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise ApplicationError(_("承担比例必须是数字：%(v)s") % {"v": raw}, field="shares") from None
        if not percent.is_finite() or percent < 0 or percent > 100:
            raise ApplicationError(_("承担比例须在 0 到 100 之间：%(v)s") % {"v": raw}, field="shares")
        if percent == 0:
            continue
        if percent != percent.quantize(Decimal("0.01")):
            raise ApplicationError(_("承担比例最多两位小数：%(v)s") % {"v": raw}, field="shares")
        if org.pk in seen:
            raise ApplicationError(_("%(o)s 重复出现在费用分担中") % {"o": org.name}, field="shares")
        seen.add(org.pk)
        cleaned.append((org, percent.quantize(Decimal("0.01"))))
    if not cleaned:
        raise ApplicationError(_("请填写各成员的费用承担比例"), field="shares")
    _members_on(consortium, [o for o, _p in cleaned], on, "shares")
    total = sum((p for _o, p in cleaned), Decimal("0"))
    if total != rules.SHARES_TOTAL:
        raise ApplicationError(_("各成员承担比例合计须为 100%%，现为 %(t)s%%") % {"t": f"{total.normalize():f}"},
                               field="shares")
    return cleaned


@transaction.atomic
def protection_create(*, actor: User | None, consortium: Consortium, kind: str, title: str, target: str,
                      decided_on: dt.date | None, shares: Iterable[tuple[Organization, Any]],
                      target_patent=None, patents: Iterable = (), budget: Any = None,
                      status: str = ProtectionStatus.DECIDED, outcome: str = "") -> ProtectionAction:
    """共同保护: the members decide a joint enforcement, invalidation or defence, and who pays which share."""
    require_manager(actor, consortium)
    _choice(kind, ProtectionKind, "kind", _("行动类型"))
    _choice(status, ProtectionStatus, "status", _("状态"))
    title = _text(title, "title", _("事项名称"), max_length=200)
    target = _text(target, "target", _("对象"))
    if decided_on is None:
        raise ApplicationError(_("请填写决定日期"), field="decided_on")
    _not_future(decided_on, "decided_on", _("决定日期"))
    patents = list(patents)
    if kind == ProtectionKind.ENFORCEMENT and not patents:
        raise ApplicationError(_("联合维权须选择据以维权的联合体专利"), field="patents")
    if kind == ProtectionKind.INVALIDATION and target_patent is None:
        raise ApplicationError(_("无效宣告请求须选择所针对的对方专利"), field="target_patent")
    if target_patent is not None and SharedPatent.objects.filter(
            consortium=consortium, patent=target_patent, withdrawn_on__isnull=True).exists():
        raise ApplicationError(_("所针对的专利在本联合体的共享专利清单中"), field="target_patent")
    for p in patents:
        if not _held_by_member(consortium, p):
            raise ApplicationError(_("据以维权的专利须由联合体成员持有：%(t)s") % {"t": p.title[:60]}, field="patents")
    cleaned = clean_shares(consortium, shares, decided_on)
    action = ProtectionAction(consortium=consortium, kind=kind, title=title, target=target,
                              target_patent=target_patent, decided_on=decided_on, status=status,
                              budget=clean_money(budget, "budget"),
                              outcome=_text(outcome, "outcome", _("结果"), required=False, max_length=4000),
                              created_by=_actor(actor))
    validated_save(action)
    action.patents.set(patents)
    ProtectionShare.objects.bulk_create([ProtectionShare(action=action, organization=o, percent=p)
                                         for o, p in cleaned])
    audit_record(actor=actor, action="create", obj=action, changes={
        "consortium": [None, consortium.name], "kind": [None, kind], "title": [None, title], "target": [None, target],
        "target_patent": [None, target_patent.pk if target_patent else None],
        "patents": [None, sorted(p.pk for p in patents)],
        "shares": [None, {o.name: str(p) for o, p in cleaned}]})
    return action


@transaction.atomic
def protection_update(*, actor: User | None, action: ProtectionAction, status: str, outcome: str = "") -> ProtectionAction:
    """Move a protection action on (进行中, 已结案) and record its result."""
    require_manager(actor, action.consortium)
    _choice(status, ProtectionStatus, "status", _("状态"))
    data = {"status": status, "outcome": _text(outcome, "outcome", _("结果"), required=False, max_length=4000)}
    changes = model_update(instance=action, data=data, fields=("status", "outcome"))
    if changes:
        audit_record(actor=actor, action="update", obj=action, changes=changes)
    return action
