"""Reads for 专利开放许可与专利开源, restricted to what the user may see; the public list needs no login.

Cross-app reads (CONTRACTS.md): ``open_licence_patent_ids``, ``pledged_patent_ids``, ``patent_licensing_status``,
``organization_licences``, ``organization_pledges`` — callers tolerate empty results.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import VIEW, restrict
from ipoc.licensing.models import (
    UNCONFIRMED_STATUSES,
    DeclarationPush,
    DeclarationStatus,
    LicenceStatus,
    OpenLicence,
    OpenLicenceDeclaration,
    PatentEncumbrance,
    PatentPledge,
    PaymentKind,
    PaymentStatus,
    PledgeAlert,
    PledgedPatent,
    PledgeStatus,
    RoyaltyPayment,
    RoyaltyReport,
)

CENTS = Decimal("0.01")


def _formation_payment_status():
    """Annotation: the status of the licence's payment made with the notice (None when nothing was due)."""
    return Subquery(RoyaltyPayment.objects.filter(licence=OuterRef("pk"), kind=PaymentKind.INITIAL)
                    .order_by("pk").values("status")[:1])


def _awaiting_confirmation() -> Exists:
    """Condition on licences: the payment made with the notice is not confirmed (待许可人确认 or 对账异议)."""
    return Exists(RoyaltyPayment.objects.filter(licence=OuterRef("pk"), kind=PaymentKind.INITIAL,
                                                status__in=UNCONFIRMED_STATUSES))


# ---------------------------------------------------------------- cross-app reads


def open_licence_patent_ids() -> set[int]:
    """Patents whose 开放许可声明 is in force (published, not withdrawn)."""
    return set(OpenLicenceDeclaration.objects.filter(status=DeclarationStatus.PUBLISHED)
               .values_list("patent_id", flat=True))


def open_licence_declarations_for(patent_ids) -> list[dict]:
    """The published declarations on any of ``patent_ids``: {"id", "patent_id", "patent_number", "published_on",
    "url"} (the records behind the deals app's refusal of an exclusive licence)."""
    ids = [int(i) for i in patent_ids if i is not None]
    if not ids:
        return []
    qs = (OpenLicenceDeclaration.objects.filter(status=DeclarationStatus.PUBLISHED, patent_id__in=ids)
          .select_related("patent").order_by("patent_id", "pk"))
    return [{"id": d.pk, "patent_id": d.patent_id, "patent_number": d.patent.number,
             "published_on": d.published_on.isoformat() if d.published_on else "",
             "url": reverse("licensing_declaration_detail", args=[d.pk])} for d in qs]


def pledged_patent_ids() -> set[int]:
    """Patents covered by an active 专利开源 pledge (resolved scope, not dropped)."""
    return set(PledgedPatent.objects.filter(pledge__status=PledgeStatus.ACTIVE, dropped_on__isnull=True)
               .values_list("patent_id", flat=True))


def patent_licensing_status(patent_id: int) -> dict:
    """{"open_licence": {"id", "status", "status_label", "published_on", "fee", "url"} | None,
    "pledges": [{"id", "title", "url"}]} — for the patent page and matching explanations."""
    decl = (OpenLicenceDeclaration.objects.filter(patent_id=patent_id, status=DeclarationStatus.PUBLISHED)
            .order_by("-published_on", "-pk").first())
    open_licence = None
    if decl is not None:
        open_licence = {"id": decl.pk, "status": decl.status, "status_label": str(decl.get_status_display()),
                        "published_on": decl.published_on, "fee": fee_text(decl),
                        "url": reverse("licensing_declaration_detail", args=[decl.pk])}
    pledges = [{"id": c.pledge_id, "title": c.pledge.title, "url": reverse("licensing_pledge_detail",
                                                                           args=[c.pledge_id])}
               for c in PledgedPatent.objects.filter(patent_id=patent_id, dropped_on__isnull=True,
                                                     pledge__status=PledgeStatus.ACTIVE)
               .select_related("pledge").order_by("pledge_id")]
    return {"open_licence": open_licence, "pledges": pledges}


def organization_licences(org_id: int) -> list[dict]:
    """Open licences formed where the organisation is licensee or licensor ("payment_status": the payment made with
    the notice — "" when none was due, else pending / confirmed / disputed)."""
    qs = (OpenLicence.objects.filter(Q(licensee_id=org_id) | Q(declaration__patentee_id=org_id))
          .select_related("declaration__patent", "declaration__patentee", "licensee")
          .annotate(formation_payment_status=_formation_payment_status()).order_by("-formed_on", "-pk"))
    return [{"id": lic.pk, "patent_number": lic.declaration.patent.number, "licensor": lic.declaration.patentee.name,
             "licensee": lic.licensee.name, "formed_on": lic.formed_on, "status": lic.status,
             "payment_status": lic.payment_status,
             "role": "licensee" if lic.licensee_id == org_id else "licensor",
             "url": reverse("licensing_licence_detail", args=[lic.pk])} for lic in qs]


def organization_pledges(org_id: int) -> list[dict]:
    """Pledges the organisation made."""
    return [{"id": p.pk, "title": p.title, "pledged_on": p.pledged_on, "status": p.status,
             "url": reverse("licensing_pledge_detail", args=[p.pk])}
            for p in PatentPledge.objects.filter(pledgor_id=org_id).order_by("-pledged_on", "-pk")]


# ---------------------------------------------------------------- declarations


def fee_text(d: OpenLicenceDeclaration) -> str:
    """The fee terms in one line, as the public list shows them."""
    from django.utils.translation import gettext as _

    def money(v):
        return f"{Decimal(v or 0):,.2f}"

    base = d.get_royalty_base_display()
    rate = f"{d.royalty_rate.normalize():f}" if d.royalty_rate is not None else "—"
    if d.fee_method == "fixed":
        return _("一次性付费 %(f)s 元") % {"f": money(d.fixed_fee)}
    if d.fee_method == "royalty":
        return _("按%(b)s提成 %(r)s%%") % {"b": base, "r": rate}
    if d.fee_method == "entry_plus_royalty":
        return _("入门费 %(f)s 元，另按%(b)s提成 %(r)s%%") % {"f": money(d.entry_fee), "b": base, "r": rate}
    return _("免费（%(y)s 年）") % {"y": d.term_years}


def declaration_list(*, user: User | None, q: str = "", status: str = "", fee_method: str = "",
                     patentee: int | None = None, center: int | None = None, year: int | None = None,
                     mine: bool = False) -> QuerySet[OpenLicenceDeclaration]:
    qs = OpenLicenceDeclaration.objects.select_related("patent", "patentee", "center")
    qs = restrict(qs, user, VIEW) if user is not None else qs
    if mine and user is not None and user.organization_id:
        qs = qs.filter(Q(patentee=user.organization_id) | Q(center=user.organization_id))
    if q:
        qs = qs.filter(Q(patent__title__icontains=q) | Q(patent__publication_number__icontains=q.replace(" ", ""))
                       | Q(patentee__name__icontains=q) | Q(field__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if fee_method:
        qs = qs.filter(fee_method=fee_method)
    if patentee:
        qs = qs.filter(patentee=patentee)
    if center:
        qs = qs.filter(center=center)
    if year:
        qs = qs.filter(published_on__year=year)
    return qs


def declaration_get(*, user: User | None, pk: int) -> OpenLicenceDeclaration:
    qs = OpenLicenceDeclaration.objects.select_related("patent", "patentee", "center")
    decl = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if decl is None:
        raise NotFound(f"开放许可声明 {pk} 不存在或无权查看", field="declaration")
    return decl


def public_declarations(*, q: str = "", ipc: str = "", holder: str = "", field: str = "", fee_method: str = "",
                        include_withdrawn: bool = False) -> QuerySet[OpenLicenceDeclaration]:
    """The public list (公告的开放许可声明): no login, searchable by words, IPC, holder, field and fee method."""
    statuses = (DeclarationStatus.PUBLISHED, DeclarationStatus.WITHDRAWN) if include_withdrawn \
        else (DeclarationStatus.PUBLISHED,)
    qs = (OpenLicenceDeclaration.objects.filter(status__in=statuses)
          .select_related("patent", "patentee").order_by("-published_on", "-pk"))
    if q:
        qs = qs.filter(Q(patent__title__icontains=q) | Q(patent__abstract__icontains=q)
                       | Q(patent__publication_number__icontains=q.replace(" ", "")) | Q(field__icontains=q))
    if ipc:
        code = ipc.replace(" ", "").upper()
        qs = qs.filter(Q(patent__ipc_main__startswith=code) | Q(patent__classifications__code__startswith=code))
    if holder:
        qs = qs.filter(patentee__name__icontains=holder)
    if field:
        qs = qs.filter(field__icontains=field)
    if fee_method:
        qs = qs.filter(fee_method=fee_method)
    return qs.distinct()


def public_declaration_get(pk: int) -> OpenLicenceDeclaration:
    decl = public_declarations(include_withdrawn=True).filter(pk=pk).first()
    if decl is None:
        raise NotFound(f"开放许可声明 {pk} 不存在或未公告", field="declaration")
    return decl


def public_row(d: OpenLicenceDeclaration, on_date: dt.date | None = None) -> dict:
    """A declaration as the public list, the export and the API show it (the legal status today)."""
    p = d.patent
    in_force = p.in_force_on(on_date or timezone.localdate())
    return {"id": d.pk, "patent_id": p.pk, "patent_number": p.number, "title": p.title,
            "patent_type": str(p.get_patent_type_display() or "—"), "ipc": p.ipc_main or "—",
            "holder": d.patentee.name, "field": d.field or "—", "fee_method": d.fee_method,
            "fee_method_label": str(d.get_fee_method_display()), "fee": fee_text(d), "term_years": d.term_years,
            "published_on": d.published_on, "status": d.status, "status_label": str(d.get_status_display()),
            "legal_status_today": str(p.get_legal_status_display() or "—") if p.legal_status else "—",
            "in_force_today": in_force, "contact": d.contact_name,
            "contact_phone": d.contact_phone, "contact_email": d.contact_email}


def fee_estimate(patent) -> dict:
    """A starting point for the fee (not a price): signed licence deals on patents of the same IPC subclass
    (per patent, the median) and the patent's latest valuation."""
    import statistics

    from ipoc.deals import selectors as deal_selectors
    from ipoc.valuation import selectors as valuation_selectors

    comps = deal_selectors.licence_deal_amounts(ipc_prefix=(patent.ipc_main or "")[:4])
    amounts = sorted(c["per_patent"] for c in comps)
    valuation = valuation_selectors.valuation_latest(user=None, patent=patent)
    return {"ipc_subclass": (patent.ipc_main or "")[:4], "count": len(amounts),
            "median_per_patent": statistics.median(amounts) if amounts else None,
            "low": amounts[0] if amounts else None, "high": amounts[-1] if amounts else None,
            "comparables": comps[:5],
            "valuation": {"score": valuation.score, "grade": valuation.grade,
                          "recommendation": str(getattr(valuation, "recommendation_label", "") or "")}
            if valuation is not None else None}


# ---------------------------------------------------------------- licences and the royalty ledger


def licence_list(*, user: User | None, q: str = "", declaration: int | None = None, licensee: int | None = None,
                 year: int | None = None, mine: bool = False) -> QuerySet[OpenLicence]:
    """Licences ``user`` may see, each annotated with ``formation_payment_status`` (付款待确认 shows in lists)."""
    qs = OpenLicence.objects.select_related("declaration__patent", "declaration__patentee", "licensee").annotate(
        formation_payment_status=_formation_payment_status())
    qs = restrict(qs, user, VIEW) if user is not None else qs
    if mine and user is not None and user.organization_id:
        org = user.organization_id
        qs = qs.filter(Q(licensee=org) | Q(declaration__patentee=org) | Q(declaration__center=org))
    if q:
        qs = qs.filter(Q(licensee__name__icontains=q) | Q(declaration__patent__title__icontains=q)
                       | Q(declaration__patent__publication_number__icontains=q.replace(" ", "")))
    if declaration:
        qs = qs.filter(declaration=declaration)
    if licensee:
        qs = qs.filter(licensee=licensee)
    if year:
        qs = qs.filter(formed_on__year=year)
    return qs


def licence_get(*, user: User | None, pk: int) -> OpenLicence:
    qs = OpenLicence.objects.select_related("declaration__patent", "declaration__patentee", "declaration__center",
                                            "licensee").annotate(formation_payment_status=_formation_payment_status())
    lic = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if lic is None:
        raise NotFound(f"开放许可 {pk} 不存在或无权查看", field="licence")
    return lic


def _sum(payments) -> Decimal:
    return sum((p.amount for p in payments), Decimal("0"))


def ledger(licence: OpenLicence, on_date: dt.date | None = None) -> dict:
    """The licence's royalty ledger: each report with what was paid against it and what is still due (overdue
    when past its due date); the initial payment; totals that reconcile exactly: due − paid = balance.

    "Paid" is what the licensor confirmed receiving. What the licensee declared but the licensor has not confirmed
    is shown beside it (``*_unconfirmed``: 待许可人确认 and 对账异议 together; ``total_disputed`` the part under
    异议) and is not taken off the balance: declared = paid + unconfirmed."""
    on_date = on_date or timezone.localdate()
    reports = list(licence.reports.order_by("period_start"))
    payments = list(licence.payments.select_related("recorded_by", "reviewed_by").order_by("paid_on", "pk"))
    confirmed = [p for p in payments if p.status == PaymentStatus.CONFIRMED]
    unconfirmed = [p for p in payments if p.status in UNCONFIRMED_STATUSES]
    paid_by_report: dict[int, Decimal] = {}
    unconfirmed_by_report: dict[int, Decimal] = {}
    for p in payments:
        if p.report_id:
            target = paid_by_report if p.status == PaymentStatus.CONFIRMED else unconfirmed_by_report
            target[p.report_id] = target.get(p.report_id, Decimal("0")) + p.amount
    rows = []
    for r in reports:
        paid = paid_by_report.get(r.pk, Decimal("0"))
        outstanding = r.royalty_due - paid
        rows.append({"report": r, "id": r.pk, "period_start": r.period_start, "period_end": r.period_end,
                     "base_amount": r.base_amount, "rate": r.rate, "royalty_due": r.royalty_due, "paid": paid,
                     "unconfirmed": unconfirmed_by_report.get(r.pk, Decimal("0")),
                     "outstanding": outstanding, "due_date": r.due_date,
                     "overdue": outstanding > 0 and r.due_date < on_date})
    initial_due = Decimal(str((licence.terms or {}).get("initial_fee") or "0"))
    initial_paid = _sum(p for p in confirmed if p.kind == PaymentKind.INITIAL)
    initial_unconfirmed = _sum(p for p in unconfirmed if p.kind == PaymentKind.INITIAL)
    royalty_due = sum((r.royalty_due for r in reports), Decimal("0"))
    royalty_paid = _sum(p for p in confirmed if p.kind == PaymentKind.ROYALTY)
    royalty_unconfirmed = _sum(p for p in unconfirmed if p.kind == PaymentKind.ROYALTY)
    total_due = initial_due + royalty_due
    total_paid = initial_paid + royalty_paid
    return {"rows": rows, "payments": payments, "unconfirmed_payments": unconfirmed,
            "initial_due": initial_due, "initial_paid": initial_paid, "initial_unconfirmed": initial_unconfirmed,
            "initial_outstanding": initial_due - initial_paid,
            "royalty_due": royalty_due, "royalty_paid": royalty_paid, "royalty_unconfirmed": royalty_unconfirmed,
            "total_due": total_due, "total_paid": total_paid,
            "total_unconfirmed": initial_unconfirmed + royalty_unconfirmed,
            "total_disputed": _sum(p for p in unconfirmed if p.status == PaymentStatus.DISPUTED),
            "balance": total_due - total_paid, "overdue": [row for row in rows if row["overdue"]]}


def royalty_totals(*, user: User | None = None, year: int, center: int | None = None) -> dict:
    """Licence fees received in the year (payments dated in the year that the licensor confirmed), in total and
    by patent and licensor; beside them, what was declared in the year but not (yet) confirmed:
    {"year", "total", "payment_ids", "unconfirmed_total", "unconfirmed_payment_ids", "disputed_total",
    "disputed_payment_ids", "by_patent": [...], "by_licensor": [...]} — each row with "amount" (confirmed),
    "payments" (their count), "unconfirmed" and "unconfirmed_payments"."""
    qs = RoyaltyPayment.objects.filter(paid_on__year=year).select_related(
        "licence__declaration__patent", "licence__declaration__patentee", "licence__licensee")
    if center:
        qs = qs.filter(licence__declaration__center=center)
    if user is not None:
        visible = licence_list(user=user).values("pk")
        qs = qs.filter(licence__in=visible)
    total = unconfirmed_total = disputed_total = Decimal("0")
    by_patent: dict[int, dict] = {}
    by_licensor: dict[int, dict] = {}
    ids, unconfirmed_ids, disputed_ids = [], [], []
    for p in qs.order_by("paid_on", "pk"):
        d = p.licence.declaration
        row = by_patent.setdefault(d.patent_id, {"patent_id": d.patent_id, "patent_number": d.patent.number,
                                                 "title": d.patent.title, "amount": Decimal("0"), "payments": 0,
                                                 "unconfirmed": Decimal("0"), "unconfirmed_payments": 0})
        lrow = by_licensor.setdefault(d.patentee_id, {"organization_id": d.patentee_id, "name": d.patentee.name,
                                                      "amount": Decimal("0"), "payments": 0,
                                                      "unconfirmed": Decimal("0"), "unconfirmed_payments": 0})
        if p.status == PaymentStatus.CONFIRMED:
            ids.append(p.pk)
            total += p.amount
            amount_key, count_key = "amount", "payments"
        else:
            unconfirmed_ids.append(p.pk)
            unconfirmed_total += p.amount
            if p.status == PaymentStatus.DISPUTED:
                disputed_ids.append(p.pk)
                disputed_total += p.amount
            amount_key, count_key = "unconfirmed", "unconfirmed_payments"
        for r in (row, lrow):
            r[amount_key] += p.amount
            r[count_key] += 1
    return {"year": year, "total": total, "payment_ids": ids,
            "unconfirmed_total": unconfirmed_total, "unconfirmed_payment_ids": unconfirmed_ids,
            "disputed_total": disputed_total, "disputed_payment_ids": disputed_ids,
            "by_patent": sorted(by_patent.values(), key=lambda r: (-r["amount"], -r["unconfirmed"],
                                                                   r["patent_number"])),
            "by_licensor": sorted(by_licensor.values(), key=lambda r: (-r["amount"], -r["unconfirmed"], r["name"]))}


def licences_due_for_filing(*, user: User | None, on_date: dt.date | None = None) -> QuerySet[OpenLicence]:
    """Licences formed but not yet 备案 (a reminder within the configured days of formation)."""
    return licence_list(user=user).filter(filed_on__isnull=True, status=LicenceStatus.IN_FORCE)


def overdue_reports(*, user: User | None, on_date: dt.date | None = None) -> list[RoyaltyReport]:
    """Reports past their due date with royalty still owed (only confirmed payments count as paid, as in the
    ledger)."""
    on_date = on_date or timezone.localdate()
    qs = RoyaltyReport.objects.filter(due_date__lt=on_date).select_related(
        "licence__licensee", "licence__declaration__patent").annotate(
        paid=Sum("payments__amount", filter=Q(payments__status=PaymentStatus.CONFIRMED)))
    if user is not None:
        qs = qs.filter(licence__in=licence_list(user=user).values("pk"))
    return [r for r in qs if (r.paid or Decimal("0")) < r.royalty_due]


# ---------------------------------------------------------------- pledges


def pledge_list(*, user: User | None, q: str = "", status: str = "", pledgor: int | None = None,
                mine: bool = False) -> QuerySet[PatentPledge]:
    qs = PatentPledge.objects.select_related("pledgor")
    qs = restrict(qs, user, VIEW) if user is not None else qs
    if mine and user is not None and user.organization_id:
        qs = qs.filter(Q(pledgor=user.organization_id) | Q(center=user.organization_id))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(pledgor__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if pledgor:
        qs = qs.filter(pledgor=pledgor)
    return qs


def pledge_get(*, user: User | None, pk: int) -> PatentPledge:
    qs = PatentPledge.objects.select_related("pledgor", "center")
    pledge = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if pledge is None:
        raise NotFound(f"专利开源承诺 {pk} 不存在", field="pledge")
    return pledge


def pledge_coverage(pledge: PatentPledge, *, include_dropped: bool = False) -> QuerySet[PledgedPatent]:
    qs = pledge.covered.select_related("patent").order_by("dropped_on", "patent__publication_number", "pk")
    return qs if include_dropped else qs.filter(dropped_on__isnull=True)


def pledge_alerts(pledge: PatentPledge) -> QuerySet[PledgeAlert]:
    return pledge.alerts.select_related("patent")


def encumbrance_list(*, patent_id: int) -> QuerySet[PatentEncumbrance]:
    return PatentEncumbrance.objects.filter(patent_id=patent_id).select_related("recorded_by")


def encumbrance_get(*, pk: int) -> PatentEncumbrance:
    enc = PatentEncumbrance.objects.select_related("patent", "recorded_by").filter(pk=pk).first()
    if enc is None:
        raise NotFound(f"权利限制记录 {pk} 不存在", field="encumbrance")
    return enc


def pushes_for(*, user: User, organization_id: int | None = None) -> QuerySet[DeclarationPush]:
    """Pushes the user may see (an enterprise sees those to itself; the patentee and center those they made)."""
    qs = restrict(DeclarationPush.objects.select_related("declaration__patent", "declaration__patentee", "demand",
                                                         "organization"), user, VIEW)
    qs = qs.filter(declaration__status=DeclarationStatus.PUBLISHED)
    if organization_id:
        qs = qs.filter(organization=organization_id)
    return qs


# ---------------------------------------------------------------- KPI figures (system-wide, by center and year)


def center_declarations(center_org_id: int, year: int) -> list[int]:
    return sorted(OpenLicenceDeclaration.objects.filter(center_id=center_org_id, published_on__year=year)
                  .values_list("pk", flat=True))


def _center_licences_formed(center_org_id: int, year: int) -> QuerySet[OpenLicence]:
    return OpenLicence.objects.filter(declaration__center_id=center_org_id, formed_on__year=year)


def center_licences(center_org_id: int, year: int) -> list[int]:
    """Licences formed in the year on the center's declarations whose payment made with the notice the licensor
    confirmed (or that had nothing to pay up front); those 付款待确认 are ``center_licences_unconfirmed``."""
    return sorted(_center_licences_formed(center_org_id, year).exclude(_awaiting_confirmation())
                  .values_list("pk", flat=True))


def center_licences_unconfirmed(center_org_id: int, year: int) -> list[int]:
    """Licences of the year on the center's declarations still 付款待确认 (declared, not counted)."""
    return sorted(_center_licences_formed(center_org_id, year).filter(_awaiting_confirmation())
                  .values_list("pk", flat=True))


def _center_payments(center_org_id: int, year: int, statuses) -> tuple[Decimal, list[int]]:
    rows = list(RoyaltyPayment.objects.filter(licence__declaration__center_id=center_org_id, paid_on__year=year,
                                              status__in=statuses).values_list("pk", "amount"))
    return sum((a for _pk, a in rows), Decimal("0")), sorted(pk for pk, _a in rows)


def center_royalty_payments(center_org_id: int, year: int) -> tuple[Decimal, list[int]]:
    """Licence fees received in the year on the center's declarations: confirmed payments only."""
    return _center_payments(center_org_id, year, (PaymentStatus.CONFIRMED,))


def center_royalty_payments_unconfirmed(center_org_id: int, year: int) -> tuple[Decimal, list[int]]:
    """Payments of the year declared but not confirmed by the licensor (待许可人确认 or 对账异议): shown beside
    the figure, never in it."""
    return _center_payments(center_org_id, year, UNCONFIRMED_STATUSES)


def center_sme_licensees(center_org_id: int, year: int) -> list[int]:
    """SME licensees of the year's licences on the center's declarations (as ``center_licences``: not those
    付款待确认)."""
    return sorted(set(_center_licences_formed(center_org_id, year).exclude(_awaiting_confirmation())
                      .filter(licensee__is_sme=True, licensee__kind="enterprise")
                      .values_list("licensee_id", flat=True)))


def center_pledged_patents(center_org_id: int, year: int) -> list[int]:
    """Patents covered on 31 December of the year by the center's active pledges (made by then)."""
    end = dt.date(year, 12, 31)
    return sorted(set(PledgedPatent.objects.filter(
        pledge__center_id=center_org_id, pledge__pledged_on__lte=end, added_on__lte=end)
        .filter(Q(dropped_on__isnull=True) | Q(dropped_on__gt=end))
        .exclude(pledge__status=PledgeStatus.WITHDRAWN, pledge__withdrawn_on__lte=end)
        .values_list("patent_id", flat=True)))
