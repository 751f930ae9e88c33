"""开放许可声明的资格核查 (eligibility check before filing): each blocker names its rule and the records behind it.

Blockers: not granted; not in force; annual fees unpaid; an 独占/排他 licence in force (the platform's deals, its
encumbrance records, legal-status events); pledged without the pledgee's consent; ownership dispute or court
preservation; a utility model or design without a 专利权评价报告; a co-owner's consent missing; a declaration
already standing. Which 细则第八十六条 obstacles refuse is configuration (``rules.REGS_86_OBSTACLES``, 待核实).
Fee sanity flags are warnings, never refusals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.licensing import rules
from ipoc.licensing.models import (
    CoOwnerConsent,
    DeclarationStatus,
    EncumbranceKind,
    FeeMethod,
    OpenLicenceDeclaration,
    PatentEncumbrance,
    RoyaltyBase,
)

# Legal-status event keywords: an event whose text has one of ``start`` opens the encumbrance, one that also has a
# ``release`` word closes it; the latest event decides.
EVENT_KEYWORDS = {
    "exclusive_licence": (("独占许可", "排他许可", "独占实施许可", "排他实施许可"), ("注销", "解除", "终止", "变更为普通")),
    "pledge": (("质押",), ("注销", "解除", "终止")),
    "dispute_or_preservation": (("保全", "权属纠纷", "中止"), ("解除", "恢复", "终结", "结案")),
    "annuity_unpaid": (("未缴年费", "年费未缴", "欠缴年费"), ("恢复", "补缴")),
}


def _event_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def open_events(patent, category: str) -> list[dict]:
    """The legal-status events that leave ``category`` open: the events since the latest release (empty if the
    latest matching event released it)."""
    start_words, release_words = EVENT_KEYWORDS[category]
    matched = []
    for event in patent.legal_events or []:
        text = str((event or {}).get("text") or (event or {}).get("code") or "") if isinstance(event, dict) else str(event)
        if any(w in text for w in start_words):
            matched.append({"date": _event_date(event.get("date")) if isinstance(event, dict) else None,
                            "text": text, "released": any(w in text for w in release_words)})
    matched.sort(key=lambda e: e["date"] or dt.date.min)
    if not matched or matched[-1]["released"]:
        return []
    last_release = max((i for i, e in enumerate(matched) if e["released"]), default=-1)
    return matched[last_release + 1:]


def _encumbrances(patent_id: int, kinds: tuple[str, ...], on_date: dt.date) -> list[PatentEncumbrance]:
    return list(PatentEncumbrance.objects.filter(patent_id=patent_id, kind__in=kinds, start_date__lte=on_date)
                .filter(Q(end_date__isnull=True) | Q(end_date__gt=on_date)).order_by("start_date", "pk"))


def _enc_record(e: PatentEncumbrance) -> dict:
    label = f"{e.get_kind_display()}（{e.start_date:%Y-%m-%d} 起{'，' + e.party if e.party else ''}" \
            f"{'，' + e.reference if e.reference else ''}）"
    return {"model": "licensing.patentencumbrance", "id": e.pk, "label": label, "url": ""}


def _event_record(e: dict) -> dict:
    date = e["date"].isoformat() if e["date"] else "—"
    return {"model": "patents.legal_event", "id": None, "label": _("法律事件 %(d)s：%(t)s") % {"d": date, "t": e["text"]},
            "url": ""}


def _patent_record(patent, text: str) -> dict:
    return {"model": "patents.patent", "id": patent.pk, "label": f"{patent.number}：{text}",
            "url": reverse("patent_detail", args=[patent.pk])}


def is_granted(patent) -> bool:
    """授权: a grant date or number, a status of 有效, or a CN granted kind code (B/C/U/S/Y)."""
    if patent.legal_status == "pending":
        return False
    if patent.grant_date or patent.grant_number or patent.legal_status == "valid":
        return True
    number = (patent.publication_number or "").upper()
    return number.startswith("CN") and number[-1:] in ("B", "C", "U", "S", "Y")


def co_owners(patent, patentee) -> list[dict]:
    """The patent's other holders (else other applicants): {"name", "organization_id"}. Without a patentee the
    first holder is taken as the one declaring."""
    parties = list(patent.parties.all())
    holders = [p for p in parties if p.role == "holder"] or [p for p in parties if p.role == "applicant"]
    holders.sort(key=lambda p: p.position)
    if patentee is None:
        holders = holders[1:]
    out, seen = [], set()
    for p in holders:
        if patentee is not None and (p.organization_id == patentee.pk or p.name == patentee.name):
            continue
        if p.name in seen:
            continue
        seen.add(p.name)
        out.append({"name": p.name, "organization_id": p.organization_id})
    return out


def _blocker(code: str, message: str, records: list[dict]) -> dict:
    rule = rules.BLOCKER_RULES[code]
    return {"code": code, "message": message, "rule": rule.as_dict(), "records": records}


def check(patent, *, patentee=None, declaration: OpenLicenceDeclaration | None = None,
          on_date: dt.date | None = None) -> dict:
    """The eligibility of ``patent`` for an open-licence declaration by ``patentee`` (default: its declaration's
    patentee) on ``on_date`` (default today): {"eligible", "blockers": [...], "flags": [...], "co_owners": [...]}.
    ``declaration`` supplies the evaluation report, the pledgee's consent and the co-owners' consents."""
    from ipoc.deals import selectors as deal_selectors

    on_date = on_date or timezone.localdate()
    if declaration is not None and patentee is None:
        patentee = declaration.patentee
    enabled = set(rules.REGS_86_OBSTACLES.value or [])
    blockers: list[dict] = []
    status_text = f"{patent.get_legal_status_display() or _('法律状态未知')}" \
                  f"{'（' + patent.legal_status_detail + '）' if patent.legal_status_detail else ''}"

    granted = is_granted(patent)
    if not granted:
        blockers.append(_blocker("not_granted", _("专利尚未授权（%(s)s），授权后才能声明开放许可") % {"s": status_text},
                                 [_patent_record(patent, status_text)]))
    elif not patent.in_force_on(on_date):
        if not patent.legal_status:
            message = _("平台没有该专利的法律状态，无法确认专利权有效；请导入最新法律状态后再核查")
        else:
            message = _("专利权在 %(d)s 不处于有效状态（%(s)s）") % {"d": on_date, "s": status_text}
        records = [_patent_record(patent, status_text)]
        if patent.lapse_date:
            records.append(_patent_record(patent, _("失效日期 %(d)s") % {"d": patent.lapse_date}))
        blockers.append(_blocker("not_in_force", message, records))

    if "annuity_unpaid" in enabled:
        encs = _encumbrances(patent.pk, (EncumbranceKind.ANNUITY_UNPAID,), on_date)
        events = open_events(patent, "annuity_unpaid")
        if encs or events or "未缴年费" in (patent.legal_status_detail or ""):
            records = [_enc_record(e) for e in encs] + [_event_record(e) for e in events]
            if not records:
                records = [_patent_record(patent, patent.legal_status_detail)]
            blockers.append(_blocker("annuity_unpaid", _("专利年费未按规定缴纳"), records))

    if "exclusive_licence" in enabled:
        deals = deal_selectors.exclusive_licence_deals(patent.pk, on_date)
        encs = _encumbrances(patent.pk, (EncumbranceKind.EXCLUSIVE_LICENCE,), on_date)
        events = open_events(patent, "exclusive_licence")
        if deals or encs or events:
            records = [{"model": "deals.deal", "id": d["id"], "url": d["url"],
                        "label": _("交易“%(t)s”：%(k)s，期限 %(s)s 至 %(e)s")
                        % {"t": d["title"], "k": d["kind_label"], "s": d["start"] or "—", "e": d["end"] or "—"}}
                       for d in deals]
            records += [_enc_record(e) for e in encs] + [_event_record(e) for e in events]
            blockers.append(_blocker("exclusive_licence", _("专利处于独占或排他许可有效期内"), records))

    if "pledged_without_consent" in enabled:
        encs = _encumbrances(patent.pk, (EncumbranceKind.PLEDGE,), on_date)
        events = open_events(patent, "pledge")
        consented = declaration is not None and bool(declaration.pledgee_consent or declaration.pledgee_consent_note)
        if (encs or events) and not consented:
            blockers.append(_blocker(
                "pledged_without_consent", _("专利已质押，尚未提供质权人同意开放许可的书面文件"),
                [_enc_record(e) for e in encs] + [_event_record(e) for e in events]))

    if "dispute_or_preservation" in enabled:
        encs = _encumbrances(patent.pk, (EncumbranceKind.DISPUTE, EncumbranceKind.PRESERVATION), on_date)
        events = open_events(patent, "dispute_or_preservation")
        if encs or events:
            blockers.append(_blocker("dispute_or_preservation",
                                     _("专利存在权属纠纷或被采取保全措施（相关程序中止）"),
                                     [_enc_record(e) for e in encs] + [_event_record(e) for e in events]))

    if patent.patent_type in ("utility_model", "design"):
        has_report = declaration is not None and bool(declaration.evaluation_report_number
                                                      or declaration.evaluation_report)
        if not has_report:
            blockers.append(_blocker(
                "no_evaluation_report",
                _("%(t)s专利声明开放许可须提供专利权评价报告，尚未提交") % {"t": patent.get_patent_type_display()},
                [_patent_record(patent, str(patent.get_patent_type_display()))]))

    owners = co_owners(patent, patentee)
    consents = {c.name: c for c in CoOwnerConsent.objects.filter(declaration=declaration)} if declaration else {}
    owner_rows = []
    missing = []
    for owner in owners:
        consent = consents.get(owner["name"])
        ok = consent is not None and consent.consented
        owner_rows.append({**owner, "consented": ok, "consented_on": consent.consented_on if consent else None})
        if not ok:
            missing.append(owner["name"])
    if missing:
        blockers.append(_blocker(
            "co_owner_consent_missing", _("共有人尚未同意：%(n)s") % {"n": "、".join(missing)},
            [_patent_record(patent, _("共有人 %(n)s") % {"n": n}) for n in missing]))

    standing = OpenLicenceDeclaration.objects.filter(
        patent=patent, status__in=(DeclarationStatus.FILED, DeclarationStatus.PUBLISHED))
    if declaration is not None and declaration.pk:
        standing = standing.exclude(pk=declaration.pk)
    standing = list(standing)
    if standing:
        blockers.append(_blocker(
            "already_declared", _("该专利已有提交或公告中的开放许可声明"),
            [{"model": "licensing.openlicencedeclaration", "id": d.pk, "label": str(d),
              "url": reverse("licensing_declaration_detail", args=[d.pk])} for d in standing]))

    flags = fee_flags(declaration) if declaration is not None else []
    annuity = rules.ANNUITY_REDUCTION
    return {"patent": {"id": patent.pk, "number": patent.number, "title": patent.title,
                       "patent_type": patent.patent_type, "legal_status": patent.legal_status},
            "patentee": patentee.name if patentee is not None else "", "on_date": on_date,
            "eligible": not blockers, "blockers": blockers, "flags": flags, "co_owners": owner_rows,
            "annuity_reduction": {"rate": str(annuity.value), "rule": annuity.as_dict()}}


def fee_flags(declaration: OpenLicenceDeclaration) -> list[dict]:
    """Fee sanity flags (提示，不是拒绝) against the configured guidance ceilings."""
    flags = []
    if declaration.fee_method == FeeMethod.FIXED and declaration.fixed_fee is not None:
        ceiling = Decimal(str(rules.FIXED_FEE_CEILING.value))
        if declaration.fixed_fee > ceiling:
            flags.append({"code": "fixed_fee_high", "rule": rules.FIXED_FEE_CEILING.as_dict(),
                          "message": _("一次性许可费 %(v)s 元高于参考上限 %(c)s 元") % {"v": declaration.fixed_fee,
                                                                                  "c": ceiling}})
    if declaration.is_royalty and declaration.royalty_rate is not None:
        if declaration.royalty_base == RoyaltyBase.PROFIT:
            r = rules.ROYALTY_PROFIT_CEILING
            base = _("利润")
        else:
            r = rules.ROYALTY_NET_SALES_CEILING
            base = _("净销售额")
        ceiling = Decimal(str(r.value))
        if declaration.royalty_rate > ceiling:
            flags.append({"code": "royalty_high", "rule": r.as_dict(),
                          "message": _("提成比例 %(v)s%% 高于%(b)s的参考上限 %(c)s%%")
                          % {"v": declaration.royalty_rate.normalize(), "b": base, "c": ceiling}})
    return flags
