"""Pledges (专利开源): scope by list or by definition, resolved to patents and refreshed after each import, with alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, Role, User
from ipoc.core.permissions import settled_by_role
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.licensing.models import (
    AlertKind,
    PatentPledge,
    PledgeAlert,
    PledgeCondition,
    PledgedPatent,
    PledgeMechanism,
    PledgeStatus,
    ScopeKind,
)
from ipoc.licensing.services.declarations import (
    MAX_SCOPE_NUMBERS,
    MAX_SCOPE_PATENTS,
    _actor_pk,
    _center_of,
    _check_attachment,
    _users_of,
    today,
)

# ---------------------------------------------------------------- pledges (专利开源)


def may_manage_pledge(actor: User | None, pledge: PatentPledge) -> bool:
    if (settled := settled_by_role(actor)) is not None:
        return settled
    org = actor.organization_id
    if actor.role == Role.CENTER_STAFF:
        return bool(org) and org == pledge.center_id
    return bool(org) and org == pledge.pledgor_id


def _clean_numbers(numbers: Any) -> list[str]:
    if isinstance(numbers, str):
        numbers = numbers.replace("，", ",").replace("；", ",").replace(";", ",").replace("\n", ",").split(",")
    out = []
    for n in numbers or []:
        n = str(n).strip().replace(" ", "").upper()
        if n and n not in out:
            out.append(n[:40])
    if len(out) > MAX_SCOPE_NUMBERS:
        raise ApplicationError(_("专利号清单最多 %(n)s 件") % {"n": MAX_SCOPE_NUMBERS}, field="scope_numbers")
    return out


PLEDGE_FIELDS = ("title", "pledged_on", "summary", "mechanism", "conditions", "field_of_use", "valid_until",
                 "signatories", "scope_kind", "scope_numbers", "scope_ipc", "scope_keywords", "scope_applicant")


def _check_pledge(data: dict[str, Any]) -> None:
    if "mechanism" in data and data["mechanism"] not in PledgeMechanism.values:
        raise ApplicationError(_("未知的实现方式：%(v)s") % {"v": data["mechanism"]}, field="mechanism")
    if "conditions" in data:
        bad = [c for c in data["conditions"] or [] if c not in PledgeCondition.values]
        if bad:
            raise ApplicationError(_("未知的条件：%(v)s") % {"v": "、".join(bad)}, field="conditions")
        data["conditions"] = list(dict.fromkeys(data["conditions"] or []))
    if "scope_kind" in data and data["scope_kind"] not in ScopeKind.values:
        raise ApplicationError(_("未知的范围方式：%(v)s") % {"v": data["scope_kind"]}, field="scope_kind")
    if "scope_numbers" in data:
        data["scope_numbers"] = _clean_numbers(data["scope_numbers"])
    for name in ("scope_ipc", "scope_keywords", "scope_applicant", "title", "summary", "field_of_use", "signatories"):
        if name in data and data[name] is not None:
            data[name] = str(data[name]).strip()


def _check_pledge_dates(data: dict[str, Any]) -> None:
    from ipoc.core.bounds import check_date

    pledged_on = data.get("pledged_on")
    if pledged_on is not None:
        check_date(pledged_on, "pledged_on")
        if pledged_on > today():
            raise ApplicationError(_("承诺日期不能晚于今天"), field="pledged_on")
        if pledged_on.year < 1985:  # 专利法 came into force on 1 April 1985
            raise ApplicationError(_("承诺日期不能早于 1985 年"), field="pledged_on")
    valid_until = data.get("valid_until")
    if valid_until is not None:
        check_date(valid_until, "valid_until")
        if pledged_on is not None and valid_until < pledged_on:
            raise ApplicationError(_("有效期不能早于承诺日期"), field="valid_until")


@transaction.atomic
def pledge_create(*, actor: User | None, pledgor: Organization | None = None, center: Organization | None = None,
                  full_text: UploadedFile | None = None, **data: Any) -> PatentPledge:
    """A pledge, its scope resolved to patents at once."""
    if actor is not None:
        if not actor.is_authenticated:
            raise PermissionDenied(_("请先登录"), status=401)
        if actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER):
            if pledgor is not None and pledgor.pk != actor.organization_id:
                raise PermissionDenied(_("只能以本单位名义作出承诺"), field="pledgor")
            pledgor = actor.organization
        elif not (actor.is_platform_admin or actor.role == Role.CENTER_STAFF):
            raise PermissionDenied(_("只有专利权人或运营中心可以登记专利开源承诺"))
    if pledgor is None:
        raise ApplicationError(_("请选择承诺人"), field="pledgor")
    if (actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin
            and _users_of([pledgor.pk])):
        # A pledge binds the pledgor: one with users on the platform makes it itself; a center registers the
        # published pledge of a pledgor that is not on the platform.
        raise PermissionDenied(_("%(o)s 在平台有账户：专利开源承诺须由承诺人自行登记") % {"o": pledgor.name},
                               field="pledgor")
    unknown = set(data) - set(PLEDGE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_pledge(data)
    data.setdefault("pledged_on", today())
    _check_pledge_dates(data)
    pledge = PatentPledge(pledgor=pledgor, center=_center_of(actor, center), created_by=_actor_pk(actor), **data)
    if pledge.scope_kind == ScopeKind.LIST and not pledge.scope_numbers:
        raise ApplicationError(_("按专利清单承诺时请列出专利号"), field="scope_numbers")
    if pledge.scope_kind == ScopeKind.DEFINITION and not (pledge.scope_ipc or pledge.scope_keywords
                                                          or pledge.scope_applicant):
        raise ApplicationError(_("按检索条件承诺时请至少填写 IPC、关键词或申请人之一"), field="scope_ipc")
    if pledge.scope_kind == ScopeKind.LIST:
        _ids, unknown_or_other = scope_patent_ids(pledge)
        others = [n for n in unknown_or_other if _exists(n)]
        if others:
            raise ApplicationError(_("以下专利不属于承诺人 %(o)s（申请人或权利人），不能纳入承诺：%(n)s")
                                   % {"o": pledgor.name, "n": "、".join(others[:10])}, field="scope_numbers")
    if full_text is not None:
        _check_attachment("full_text", full_text)
        pledge.full_text.save(full_text.name, full_text, save=False)
    validated_save(pledge)
    audit_record(actor=actor, action="create", obj=pledge, changes={"title": [None, pledge.title],
                                                                    "pledgor": [None, pledgor.name]})
    pledge_resolve(pledge=pledge)
    return pledge


def _numbered(pledge: PatentPledge, ids: list[int]) -> list[tuple[str, int]]:
    """(publication number, id) of the listed patents found."""
    from django.apps import apps

    Patent = apps.get_model("patents", "Patent")
    return list(Patent.objects.filter(pk__in=ids).values_list("publication_number", "pk"))


def scope_patent_ids(pledge: PatentPledge) -> tuple[list[int], list[str]]:
    """The pledgor's patents the scope names now, and the listed numbers not found on the platform or not the
    pledgor's."""
    from ipoc.patents import selectors as patent_selectors

    # A pledgor pledges its own patents only (applicant or holder): a pledge never reaches another's patents.
    own = patent_selectors.patents_held_by(user=None, organization=pledge.pledgor)
    if pledge.scope_kind == ScopeKind.LIST:
        ids, missing = [], []
        for number in pledge.scope_numbers or []:
            try:
                ids.append(patent_selectors.patent_get(user=None, key_or_number=number).pk)
            except ApplicationError:
                missing.append(number)
        held = set(own.filter(pk__in=ids).values_list("pk", flat=True))
        return sorted(held), missing + [n for n, pk in _numbered(pledge, ids) if pk not in held]

    from ipoc.patents.selectors import PatentFilters, filter_patents

    qs = own  # the system reads every patent the pledgor holds
    filters = PatentFilters(ipc=pledge.scope_ipc, applicant=pledge.scope_applicant)
    qs = filter_patents(qs, filters)
    words = [w for w in (pledge.scope_keywords or "").replace("，", " ").replace(",", " ").split() if w]
    if words:
        cond = Q()
        for w in words:
            cond |= Q(title__icontains=w) | Q(abstract__icontains=w)
        qs = qs.filter(cond)
    return sorted(qs.values_list("pk", flat=True)[:MAX_SCOPE_PATENTS]), []


def _exists(number: str) -> bool:
    from ipoc.patents import selectors as patent_selectors

    try:
        patent_selectors.patent_get(user=None, key_or_number=number)
    except ApplicationError:
        return False
    return True


def _holders(patent) -> str:
    names = [p.name for p in patent.parties.all() if p.role == "holder"] or \
            [p.name for p in patent.parties.all() if p.role == "applicant"]
    return "；".join(names)[:500]


def _lapsed(patent, on_date: dt.date) -> bool:
    """Dropped when known to be lapsed or expired (an unknown status keeps the patent)."""
    if patent.legal_status == "lapsed":
        return True
    if patent.lapse_date and patent.lapse_date <= on_date:
        return True
    return bool(patent.expiry_date and patent.expiry_date < on_date)


@transaction.atomic
def pledge_resolve(*, pledge: PatentPledge, on_date: dt.date | None = None) -> dict:
    """Resolve the scope: add newly named patents, drop lapsed ones (and, by definition, those no longer named),
    alert on a change of holder. Returns {"added", "dropped", "transferred", "missing"}."""
    from django.apps import apps

    on_date = on_date or today()
    result = {"added": [], "dropped": [], "transferred": [], "missing": []}
    if pledge.status != PledgeStatus.ACTIVE:
        return result
    Patent = apps.get_model("patents", "Patent")
    ids, missing = scope_patent_ids(pledge)
    result["missing"] = missing
    current = {c.patent_id: c for c in pledge.covered.all()}
    patents = {p.pk: p for p in Patent.objects.filter(pk__in=set(ids) | set(current)).prefetch_related("parties")}
    alerts = []
    for pid in ids:
        patent = patents[pid]
        row = current.get(pid)
        if _lapsed(patent, on_date):
            if row is not None and row.dropped_on is None:
                row.dropped_on, row.drop_reason = on_date, _("专利失效")
                row.save(update_fields=["dropped_on", "drop_reason"])
                result["dropped"].append(pid)
                alerts.append(PledgeAlert(pledge=pledge, patent=patent, kind=AlertKind.LAPSED,
                                          message=_("专利 %(p)s 已失效，移出承诺范围") % {"p": patent.number}))
            continue
        holders = _holders(patent)
        if row is None:
            PledgedPatent.objects.create(pledge=pledge, patent=patent, added_on=on_date, holders_seen=holders)
            result["added"].append(pid)
            if pledge.resolved_at is not None:
                alerts.append(PledgeAlert(pledge=pledge, patent=patent, kind=AlertKind.ADDED,
                                          message=_("专利 %(p)s 符合承诺范围，已纳入") % {"p": patent.number}))
        elif row.dropped_on is not None:
            row.dropped_on, row.drop_reason, row.holders_seen = None, "", holders
            row.save(update_fields=["dropped_on", "drop_reason", "holders_seen"])
            result["added"].append(pid)
        elif row.holders_seen and holders and holders != row.holders_seen:
            alerts.append(PledgeAlert(pledge=pledge, patent=patent, kind=AlertKind.TRANSFERRED,
                                      message=_("专利 %(p)s 权利人由“%(a)s”变更为“%(b)s”")
                                      % {"p": patent.number, "a": row.holders_seen, "b": holders}))
            row.holders_seen = holders
            row.save(update_fields=["holders_seen"])
            result["transferred"].append(pid)
    for pid, row in current.items():
        if pid not in ids and row.dropped_on is None and pledge.scope_kind == ScopeKind.DEFINITION:
            row.dropped_on, row.drop_reason = on_date, _("不再符合检索条件")
            row.save(update_fields=["dropped_on", "drop_reason"])
            result["dropped"].append(pid)
    PledgeAlert.objects.bulk_create(alerts)
    pledge.resolved_at = timezone.now()
    pledge.save(update_fields=["resolved_at"])
    if alerts:
        notify(users=_users_of([pledge.pledgor_id, pledge.center_id]),
               title=_("专利开源承诺“%(t)s”范围有变化") % {"t": pledge.title},
               body="；".join(a.message for a in alerts[:10]),
               url=reverse("licensing_pledge_detail", args=[pledge.pk]), kind="licensing")
    return result


def pledges_refresh(patent_ids: list[int] | None = None) -> int:
    """After an import: re-resolve every active pledge by definition, and the list pledges naming a touched
    patent. The number of pledges refreshed."""
    touched = set(patent_ids or [])
    count = 0
    for pledge in PatentPledge.objects.filter(status=PledgeStatus.ACTIVE).order_by("pk"):
        # a list pledge names few patents and an import may touch millions: intersect on the small side (an
        # IN of every touched id held the end of a 3M-patent import for many minutes)
        if pledge.scope_kind == ScopeKind.LIST and touched and touched.isdisjoint(
                pledge.covered.values_list("patent_id", flat=True)):
            continue
        pledge_resolve(pledge=pledge)
        count += 1
    return count


@transaction.atomic
def pledge_withdraw(*, actor: User | None, pledge: PatentPledge, reason: str,
                    on: dt.date | None = None) -> PatentPledge:
    if not may_manage_pledge(actor, pledge):
        raise PermissionDenied(_("只有承诺人或其服务运营中心可以撤回承诺"))
    if pledge.status != PledgeStatus.ACTIVE:
        raise ApplicationError(_("承诺已撤回"), field="status", code="invalid_transition")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("撤回须说明理由"), field="reason")
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.withdrawn_on = on or today()
    pledge.withdrawal_reason = reason
    validated_save(pledge)
    PledgeAlert.objects.create(pledge=pledge, kind=AlertKind.WITHDRAWN,
                               message=_("承诺于 %(d)s 撤回：%(r)s") % {"d": pledge.withdrawn_on, "r": reason})
    audit_record(actor=actor, action="transition", obj=pledge,
                 changes={"status": [PledgeStatus.ACTIVE, PledgeStatus.WITHDRAWN]}, message=reason)
    notify(users=_users_of([pledge.pledgor_id, pledge.center_id]),
           title=_("专利开源承诺已撤回：%(t)s") % {"t": pledge.title}, body=reason,
           url=reverse("licensing_pledge_detail", args=[pledge.pk]), kind="licensing")
    return pledge
