"""Licences formed by the licensee's written notice plus payment on the declared terms (专利法第五十一条), the royalty
ledger, and payments the licensor confirms (确认收款) or disputes (对账异议)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import settled_by_role
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.licensing import rules
from ipoc.licensing.models import (
    DeclarationStatus,
    DisputeRoute,
    FeeMethod,
    LicenceDispute,
    LicenceStatus,
    OpenLicence,
    OpenLicenceDeclaration,
    PaymentKind,
    PaymentStatus,
    RoyaltyPayment,
    RoyaltyReport,
)
from ipoc.licensing.services.declarations import (
    CENTS,
    NOTICE_MAX,
    REFERENCE_MAX,
    _actor_pk,
    _max_chars,
    _users_of,
    money,
    today,
)

# ---------------------------------------------------------------- licences formed by notice and payment


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def licence_form(*, actor: User | None, declaration: OpenLicenceDeclaration, licensee: Organization,
                 notice_text: str, notice_date: dt.date | None = None, payment_amount: Any = None,
                 payment_date: dt.date | None = None, payment_reference: str = "") -> OpenLicence:
    """专利法第五十一条: the licensee's written notice plus payment per the published terms forms an ordinary
    licence, dated the later of notice and payment. The patentee is told, with a reminder to 备案.

    Payment is a fact the platform cannot see. 第五十一条第一款 ("以书面方式通知专利权人，并依照公告的许可使用费支付
    方式、标准支付许可使用费后，即获得专利实施许可") makes the licence turn on the notice and the payment, not on the
    licensor's consent, so the licence record is made (status 有效, dated as declared) on the notice and the declared
    payment — but the payment is the licensee's declaration: it is 待许可人确认, the licence is shown as 付款待确认,
    and neither counts as received (ledger, royalty totals) nor as a licence formed (the centers' KPIs) until the
    licensor confirms receipt (``payment_confirm``). A licensor that has not received the money disputes it
    (``payment_dispute``), which opens a 第五十二条 dispute on the licence. A licence with nothing to pay up front
    (免费, 提成) has no payment to confirm."""
    if actor is not None:
        if not actor.is_authenticated:
            raise PermissionDenied(_("请先登录"), status=401)
        if not (actor.is_platform_admin or (actor.role == Role.CENTER_STAFF
                                            and actor.organization_id == declaration.center_id)
                or (actor.organization_id == licensee.pk
                    and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER))):
            raise PermissionDenied(_("只能以本单位名义发出实施开放许可的通知"), field="licensee")
    if licensee.kind == OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("知识产权局不能作为被许可人"), field="licensee")
    declaration = OpenLicenceDeclaration.objects.select_for_update().get(pk=declaration.pk)
    rule = rules.LAW_51_FORMATION
    notice_date = notice_date or today()
    if notice_date > today():
        raise ApplicationError(_("通知日期不能晚于今天"), field="notice_date")
    if declaration.status != DeclarationStatus.PUBLISHED or (declaration.published_on
                                                             and notice_date < declaration.published_on):
        raise ApplicationError(_("该专利在通知日没有公告中的开放许可声明，不能据此获得许可 %(r)s")
                               % {"r": rule.quote()}, field="declaration", code="not_published")
    if licensee.pk == declaration.patentee_id:
        raise ApplicationError(_("专利权人不能成为自己专利的被许可人"), field="licensee")
    if OpenLicence.objects.filter(declaration=declaration, licensee=licensee, status=LicenceStatus.IN_FORCE).exists():
        raise ApplicationError(_("%(o)s 已获得该专利的开放许可") % {"o": licensee.name}, field="licensee")
    notice_text = (notice_text or "").strip()
    if not notice_text:
        raise ApplicationError(_("请填写书面通知内容"), field="notice_text")
    _max_chars(notice_text, NOTICE_MAX, "notice_text")
    _max_chars((payment_reference or "").strip(), REFERENCE_MAX, "payment_reference")
    initial = declaration.initial_fee().quantize(CENTS)
    amount = money(payment_amount, "payment_amount") or Decimal("0.00")
    if amount < initial:
        raise ApplicationError(_("按公告的标准应支付 %(f)s 元，付款记录为 %(a)s 元：付款后方能获得许可 %(r)s")
                               % {"f": f"{initial:,.2f}", "a": f"{amount:,.2f}", "r": rule.quote()},
                               field="payment_amount", code="payment_short")
    if amount > initial:
        raise ApplicationError(_("付款金额 %(a)s 元多于公告的标准 %(f)s 元；提成请在许可成立后按报告支付")
                               % {"a": f"{amount:,.2f}", "f": f"{initial:,.2f}"}, field="payment_amount")
    if initial > 0 and payment_date is None:
        raise ApplicationError(_("请填写付款日期"), field="payment_date")
    self_declared = actor is not None and not actor.is_platform_admin and actor.role != Role.CENTER_STAFF
    if initial > 0 and self_declared and not (payment_reference or "").strip():
        # The platform does not see the money: a licensee's own notice names the transfer, and the patentee is
        # told to check it against its account.
        raise ApplicationError(_("请填写付款凭证号（银行流水号等），专利权人据此核对收款"), field="payment_reference")
    if payment_date is not None:  # also for a free licence: a future date would date the licence in the future
        if payment_date > today():
            raise ApplicationError(_("付款日期不能晚于今天"), field="payment_date")
        if payment_date < declaration.published_on:
            raise ApplicationError(_("付款日期不能早于声明公告日期"), field="payment_date")
    formed_on = max(notice_date, payment_date or notice_date)
    terms = {"fee_method": declaration.fee_method, "fee_text": _fee_text(declaration),
             "initial_fee": str(initial), "royalty_rate": str(declaration.royalty_rate or ""),
             "royalty_base": declaration.royalty_base, "term_years": declaration.term_years,
             "payment_terms": declaration.payment_terms, "announcement_number": declaration.announcement_number,
             "published_on": declaration.published_on.isoformat()}
    licence = OpenLicence(declaration=declaration, licensee=licensee, notice_date=notice_date,
                          notice_text=notice_text, payment_date=payment_date if initial > 0 else payment_date,
                          payment_amount=amount, payment_reference=(payment_reference or "").strip(),
                          formed_on=formed_on,
                          term_end=_add_years(formed_on, declaration.term_years) - dt.timedelta(days=1),
                          terms=terms, created_by=_actor_pk(actor))
    validated_save(licence)
    if amount > 0:
        # Never confirmed here: the licensor is never the one giving notice (it cannot license itself).
        RoyaltyPayment.objects.create(licence=licence, kind=PaymentKind.INITIAL, paid_on=payment_date, amount=amount,
                                      reference=licence.payment_reference, recorded_by=_actor_pk(actor),
                                      status=PaymentStatus.PENDING)
    audit_record(actor=actor, action="create", obj=licence, changes={
        "declaration": [None, declaration.pk], "licensee": [None, licensee.name], "formed_on": [None, formed_on],
        "payment_amount": [None, amount]})
    days = int(rules.FILING_REMINDER_DAYS.value)
    url = reverse("licensing_licence_detail", args=[licence.pk])
    notify(users=_users_of([declaration.patentee_id, declaration.center_id]),
           title=_("%(o)s 已通过开放许可获得专利 %(p)s 的实施许可") % {"o": licensee.name, "p": declaration.patent.number},
           body=(_("付款 %(a)s 元（凭证号 %(r)s）待许可人确认：请核对收款后在许可页确认收款；如未收到，请提出对账异议。")
                 % {"a": f"{amount:,.2f}", "r": licence.payment_reference or "—"} if amount > 0 else "")
           + _("请在 %(d)s 前办理许可备案（%(s)s）。") % {
               "d": formed_on + dt.timedelta(days=days), "s": rules.REGS_87_FILING.source},
           url=url, kind="licensing")
    notify(users=_users_of([licensee.pk]), title=_("开放许可已成立：%(p)s") % {"p": declaration.patent.number},
           body=_("许可自 %(f)s 起至 %(e)s 止，普通许可。") % {"f": formed_on, "e": licence.term_end}
           + (_("所报付款待许可人确认收款，确认前不计入已收许可费。") if amount > 0 else ""), url=url,
           kind="licensing")
    return licence


def _fee_text(declaration) -> str:
    from ipoc.licensing.selectors import fee_text

    return fee_text(declaration)


def may_manage_licence(actor: User | None, licence: OpenLicence) -> bool:
    if (settled := settled_by_role(actor)) is not None:
        return settled
    org = actor.organization_id
    return bool(org) and org in (licence.licensee_id, licence.declaration.patentee_id, licence.declaration.center_id)


def require_licence_party(actor: User | None, licence: OpenLicence) -> None:
    if not may_manage_licence(actor, licence):
        raise PermissionDenied(_("只有许可双方或服务运营中心可以办理"))


@transaction.atomic
def licence_file(*, actor: User | None, licence: OpenLicence, filed_on: dt.date | None = None,
                 filing_number: str = "") -> OpenLicence:
    """备案 (细则第八十七条): record the filing date and number."""
    require_licence_party(actor, licence)
    filed_on = filed_on or today()
    if filed_on < licence.formed_on:
        raise ApplicationError(_("备案日期不能早于许可生效日期"), field="filed_on")
    old = licence.filed_on
    licence.filed_on = filed_on
    licence.filing_number = (filing_number or "").strip()[:60]
    validated_save(licence)
    audit_record(actor=actor, action="update", obj=licence, changes={"filed_on": [old, filed_on]})
    return licence


@transaction.atomic
def royalty_report_create(*, actor: User | None, licence: OpenLicence, period_start: dt.date, period_end: dt.date,
                          base_amount: Any, reported_on: dt.date | None = None) -> RoyaltyReport:
    """提成报告: the royalty due is base × the declared rate, rounded to the fen (half up); due within the
    configured days after the period."""
    require_licence_party(actor, licence)
    if licence.terms.get("fee_method") not in (FeeMethod.ROYALTY, FeeMethod.ENTRY_PLUS_ROYALTY):
        raise ApplicationError(_("该许可不是提成方式，无需提成报告"), field="licence")
    if period_end < period_start:
        raise ApplicationError(_("报告期止不能早于报告期起"), field="period_end")
    if period_start < licence.formed_on or period_start > licence.term_end or period_end > licence.term_end:
        raise ApplicationError(_("报告期应在许可期限内（%(f)s 至 %(e)s）") % {"f": licence.formed_on,
                                                                            "e": licence.term_end},
                               field="period_start")
    if licence.reports.filter(period_start__lte=period_end, period_end__gte=period_start).exists():
        raise ApplicationError(_("该报告期与已有报告重叠"), field="period_start")
    base = money(base_amount, "base_amount", allow_none=False)
    rate = Decimal(str(licence.terms.get("royalty_rate") or "0"))
    due = (base * rate / Decimal(100)).quantize(CENTS, rounding=ROUND_HALF_UP)
    report = RoyaltyReport(licence=licence, period_start=period_start, period_end=period_end, base_amount=base,
                           rate=rate, royalty_due=due,
                           due_date=period_end + dt.timedelta(days=int(rules.ROYALTY_OVERDUE_DAYS.value)),
                           reported_on=reported_on or today(), reported_by=_actor_pk(actor))
    validated_save(report)
    audit_record(actor=actor, action="create", obj=licence, changes={
        "report": [None, f"{period_start}—{period_end}"], "base_amount": [None, base], "royalty_due": [None, due]})
    return report


@transaction.atomic
def royalty_payment_record(*, actor: User | None, licence: OpenLicence, amount: Any, paid_on: dt.date | None = None,
                           report: RoyaltyReport | None = None, reference: str = "") -> RoyaltyPayment:
    """A royalty payment against a report; never more than what the report still owes (the ledger reconciles;
    a payment under 对账异议 no longer takes up the report, one awaiting confirmation does). Recorded by the
    licensor's own users it is their statement of receipt (confirmed); recorded by anyone else it waits for the
    licensor to confirm it (``payment_confirm``)."""
    require_licence_party(actor, licence)
    value = money(amount, "amount", allow_none=False)
    if value <= 0:
        raise ApplicationError(_("支付金额必须大于 0"), field="amount")
    paid_on = paid_on or today()
    if paid_on > today():
        raise ApplicationError(_("支付日期不能晚于今天"), field="paid_on")
    if report is None:
        raise ApplicationError(_("请选择对应的提成报告"), field="report")
    if report.licence_id != licence.pk:
        raise ApplicationError(_("提成报告不属于该许可"), field="report")
    paid = sum((p.amount for p in report.payments.exclude(status=PaymentStatus.DISPUTED)), Decimal("0"))
    outstanding = report.royalty_due - paid
    if value > outstanding:
        raise ApplicationError(_("支付金额 %(a)s 元超过该报告尚欠的 %(o)s 元") % {"a": value, "o": outstanding},
                               field="amount")
    by_licensor = _licensor_side(actor, licence)
    payment = RoyaltyPayment(licence=licence, report=report, kind=PaymentKind.ROYALTY, paid_on=paid_on, amount=value,
                             reference=_max_chars((reference or "").strip(), REFERENCE_MAX, "reference"),
                             recorded_by=_actor_pk(actor), status=PaymentStatus.CONFIRMED if by_licensor else PaymentStatus.PENDING)
    if by_licensor:
        payment.reviewed_by, payment.reviewed_at = _actor_pk(actor), timezone.now()
    validated_save(payment)
    audit_record(actor=actor, action="create", obj=licence, changes={"payment": [None, str(value)],
                                                                     "report": [None, report.pk],
                                                                     "payment_status": [None, payment.status]})
    if not by_licensor:
        notify(users=_licensor_users(licence),
               title=_("开放许可提成付款待确认：%(p)s") % {"p": licence.declaration.patent.number},
               body=_("%(o)s 登记支付提成 %(a)s 元（%(d)s，凭证号 %(r)s）。请核对收款后确认收款；如未收到，请提出对账异议。")
               % {"o": licence.licensee.name, "a": f"{value:,.2f}", "d": paid_on, "r": payment.reference or "—"},
               url=reverse("licensing_licence_detail", args=[licence.pk]), kind="licensing")
    return payment


# ---------------------------------------------------------------- 确认收款 / 对账异议


def _licensor_side(actor: User | None, licence: OpenLicence) -> bool:
    """The actor speaks for the licensor (the patentee) as one of its own users."""
    return (actor is not None and actor.is_authenticated and bool(actor.organization_id)
            and actor.organization_id == licence.declaration.patentee_id)


def _licensor_users(licence: OpenLicence) -> list[User]:
    """Who is asked to confirm: the patentee's users; for a patentee with none on the platform, the serving
    center's staff (who confirm on its behalf)."""
    return _users_of([licence.declaration.patentee_id]) or _users_of([licence.declaration.center_id])


def payment_review_refusal(actor: User | None, payment: RoyaltyPayment) -> str | None:
    """Why ``actor`` may not confirm or dispute ``payment`` (None: it may).

    Receipt is the licensor's to confirm: the patentee's own users; for a patentee with no users on the platform,
    its serving center's staff or a platform administrator on its behalf. Never the licensee (a payer cannot
    confirm its own payment), nor the organisation (or, for an administrator, the user) that recorded the payment
    — confirmation must come from the other side of the one who declared it. The system (``actor=None``) may."""
    if actor is None:
        return None
    if not actor.is_authenticated:
        return _("请先登录")
    licence = payment.licence
    declaration = licence.declaration
    if actor.organization_id and actor.organization_id == licence.licensee_id:
        return _("被许可人不能确认自己的付款：收款须由许可人（专利权人）确认")
    if _licensor_side(actor, licence):
        return None
    if _users_of([declaration.patentee_id]):
        return _("只有许可人 %(o)s 可以确认收款或提出对账异议") % {"o": declaration.patentee.name}
    on_behalf = actor.is_platform_admin or (actor.role == Role.CENTER_STAFF and bool(actor.organization_id)
                                            and actor.organization_id == declaration.center_id)
    if not on_behalf:
        return _("只有许可人、其服务运营中心或平台管理员可以确认收款或提出对账异议")
    recorder = payment.recorded_by
    if recorder is not None and (recorder.pk == actor.pk or (
            recorder.organization_id and recorder.organization_id == actor.organization_id)):
        return _("该付款由本单位（或本人）登记，不能再由本单位确认收款：请由许可人一方的其他单位或平台管理员确认")
    return None


def may_review_payment(actor: User | None, payment: RoyaltyPayment) -> bool:
    return payment_review_refusal(actor, payment) is None


def _locked_payment(payment: RoyaltyPayment) -> RoyaltyPayment:
    return RoyaltyPayment.objects.select_for_update().get(pk=payment.pk)


def _review_check(actor: User | None, payment: RoyaltyPayment) -> None:
    refusal = payment_review_refusal(actor, payment)
    if refusal is not None:
        raise PermissionDenied(refusal, status=401 if actor is not None and not actor.is_authenticated else 403)


@transaction.atomic
def payment_confirm(*, actor: User | None, payment: RoyaltyPayment) -> RoyaltyPayment:
    """确认收款: the licensor confirms it received the payment; from then on it counts as received (ledger,
    royalty totals, KPIs). A payment under 对账异议 may still be confirmed (the money turned up)."""
    payment = _locked_payment(payment)
    _review_check(actor, payment)
    if payment.status == PaymentStatus.CONFIRMED:
        raise ApplicationError(_("该付款已确认收款"), field="status", code="invalid_transition")
    if payment.status == PaymentStatus.DISPUTED and payment.report_id:
        # A disputed payment freed its report, so the licensee may have paid it again meanwhile: confirming this
        # one as well must not count the report as paid twice (probe: a 3,000 元 report received 6,000 元).
        report = payment.report
        taken = sum((p.amount for p in report.payments.exclude(pk=payment.pk).exclude(status=PaymentStatus.DISPUTED)),
                    Decimal("0"))
        if taken + payment.amount > report.royalty_due:
            raise ApplicationError(
                _("该提成报告应付 %(d)s 元，其他付款已占 %(t)s 元，再确认这笔 %(a)s 元将超付；"
                  "请先对重复登记的付款提出对账异议") % {"d": f"{report.royalty_due:,.2f}", "t": f"{taken:,.2f}",
                                          "a": f"{payment.amount:,.2f}"},
                field="status", code="invalid_transition")
    old = payment.status
    payment.status = PaymentStatus.CONFIRMED
    payment.reviewed_by, payment.reviewed_at = _actor_pk(actor), timezone.now()
    validated_save(payment)
    licence = payment.licence
    audit_record(actor=actor, action="transition", obj=licence,
                 changes={f"payment:{payment.pk}": [old, PaymentStatus.CONFIRMED]})
    notify(users=_users_of([licence.licensee_id]),
           title=_("许可人已确认收款：%(p)s") % {"p": licence.declaration.patent.number},
           body=_("%(o)s 已确认收到 %(a)s 元（%(d)s，凭证号 %(r)s）。") % {
               "o": licence.declaration.patentee.name, "a": f"{payment.amount:,.2f}", "d": payment.paid_on,
               "r": payment.reference or "—"},
           url=reverse("licensing_licence_detail", args=[licence.pk]), kind="licensing")
    return payment


DISPUTE_REASON_MAX = 2000


@transaction.atomic
def payment_dispute(*, actor: User | None, payment: RoyaltyPayment, reason: str) -> RoyaltyPayment:
    """对账异议: the licensor has not received the payment as declared, and says why. The payment stays out of
    what is received, and a dispute on the licence is opened (专利法第五十二条: 协商, then 调解 or 诉讼); a
    disputed royalty payment no longer takes up its report, so the licensee may record the payment again."""
    payment = _locked_payment(payment)
    _review_check(actor, payment)
    if payment.status != PaymentStatus.PENDING:
        raise ApplicationError(_("只能对待确认的付款提出对账异议（当前：%(s)s）") % {"s": payment.get_status_display()},
                               field="status", code="invalid_transition")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("对账异议须说明理由"), field="reason")
    if len(reason) > DISPUTE_REASON_MAX:  # refused, not cut short silently (probe)
        raise ApplicationError(_("对账异议理由最多 %(n)d 字") % {"n": DISPUTE_REASON_MAX}, field="reason")
    payment.status = PaymentStatus.DISPUTED
    payment.dispute_reason = reason
    payment.reviewed_by, payment.reviewed_at = _actor_pk(actor), timezone.now()
    validated_save(payment)
    licence = payment.licence
    description = _("对账异议：%(d)s 付款 %(a)s 元（凭证号 %(r)s）未收到或不符：%(why)s") % {
        "d": payment.paid_on, "a": f"{payment.amount:,.2f}", "r": payment.reference or "—",
        "why": payment.dispute_reason}
    dispute = LicenceDispute(licence=licence, raised_on=today(), route=DisputeRoute.NEGOTIATION,
                             description=description[:5000], recorded_by=_actor_pk(actor))
    validated_save(dispute)
    audit_record(actor=actor, action="transition", obj=licence,
                 changes={f"payment:{payment.pk}": [PaymentStatus.PENDING, PaymentStatus.DISPUTED],
                          "dispute": [None, dispute.pk]}, message=payment.dispute_reason)
    notify(users=_users_of([licence.licensee_id, licence.declaration.center_id]),
           title=_("许可人对付款提出对账异议：%(p)s") % {"p": licence.declaration.patent.number},
           body=_("%(o)s 未确认 %(a)s 元（%(d)s，凭证号 %(r)s）：%(why)s") % {
               "o": licence.declaration.patentee.name, "a": f"{payment.amount:,.2f}", "d": payment.paid_on,
               "r": payment.reference or "—", "why": payment.dispute_reason},
           url=reverse("licensing_licence_detail", args=[licence.pk]), kind="licensing")
    return payment


def reminders_send(*, on_date: dt.date | None = None) -> dict:
    """Daily reminders: royalties overdue (both parties) and licences not yet 备案 past the filing period
    (licensor and licensee). Returns the number of notices sent by kind."""
    on_date = on_date or today()
    days = int(rules.FILING_REMINDER_DAYS.value)
    filing = 0
    for lic in OpenLicence.objects.filter(filed_on__isnull=True, status=LicenceStatus.IN_FORCE,
                                          formed_on__lt=on_date - dt.timedelta(days=days)).select_related(
            "declaration__patent"):
        filing += notify(users=_users_of([lic.licensee_id, lic.declaration.patentee_id]),
                         title=_("开放许可尚未备案：%(p)s") % {"p": lic.declaration.patent.number},
                         body=_("许可自 %(f)s 生效，已超过 %(d)s 天。") % {"f": lic.formed_on, "d": days},
                         url=reverse("licensing_licence_detail", args=[lic.pk]), kind="licensing")
    return {"royalty_overdue": royalty_overdue_remind(on_date=on_date), "filing_overdue": filing}


def royalty_overdue_remind(*, on_date: dt.date | None = None) -> int:
    """Remind both parties of each royalty report past its due date with money still owed; the count sent."""
    from ipoc.licensing import selectors

    sent = 0
    for report in selectors.overdue_reports(user=None, on_date=on_date):
        lic = report.licence
        sent += notify(users=_users_of([lic.licensee_id, lic.declaration.patentee_id]),
                       title=_("开放许可提成逾期：%(p)s %(s)s—%(e)s") % {"p": lic.declaration.patent.number,
                                                                   "s": report.period_start, "e": report.period_end},
                       url=reverse("licensing_licence_detail", args=[lic.pk]), kind="licensing")
    return sent


@transaction.atomic
def dispute_record(*, actor: User | None, licence: OpenLicence, description: str, route: str = "negotiation",
                   raised_on: dt.date | None = None) -> LicenceDispute:
    """专利法第五十二条: 协商, then 国务院专利行政部门调解 or 诉讼."""
    require_licence_party(actor, licence)
    if route not in DisputeRoute.values:
        raise ApplicationError(_("未知的解决途径：%(r)s") % {"r": route}, field="route")
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("请填写纠纷事由"), field="description")
    dispute = LicenceDispute(licence=licence, raised_on=raised_on or today(), description=description[:5000],
                             route=route, recorded_by=_actor_pk(actor))
    validated_save(dispute)
    audit_record(actor=actor, action="create", obj=licence, changes={"dispute": [None, route]})
    return dispute


@transaction.atomic
def dispute_close(*, actor: User | None, dispute: LicenceDispute, outcome: str,
                  closed_on: dt.date | None = None) -> LicenceDispute:
    require_licence_party(actor, dispute.licence)
    if not (outcome or "").strip():
        raise ApplicationError(_("请填写结果"), field="outcome")
    dispute.outcome = outcome.strip()[:5000]
    dispute.closed_on = closed_on or today()
    if dispute.closed_on < dispute.raised_on:
        raise ApplicationError(_("解决日期不能早于发生日期"), field="closed_on")
    validated_save(dispute)
    audit_record(actor=actor, action="update", obj=dispute.licence, changes={"dispute_closed": [None, dispute.pk]})
    return dispute
