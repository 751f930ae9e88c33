"""Pages of 专利开放许可与专利开源: the landing page, the public list (no login) with Excel export, the eligibility
check, a declaration's page with its blockers, consents and steps, the notice that forms a licence, a licence's
royalty ledger, the royalty totals, pledges and the rules with their sources."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core.bounds import MAX_DB_INT
from ipoc.core.display import yuan_text
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.licensing import eligibility, rules, selectors, services
from ipoc.licensing.forms import (
    AttachForm,
    CheckForm,
    ConsentForm,
    DeclarationForm,
    DisputeForm,
    EditDeclarationForm,
    EncumbranceForm,
    FilingForm,
    ListFilterForm,
    NoticeForm,
    PaymentForm,
    PledgeForm,
    PledgeWithdrawForm,
    PublicFilterForm,
    PublishForm,
    ReportForm,
    WithdrawForm,
)
from ipoc.licensing.models import DeclarationStatus, FeeMethod, LicenceStatus, PledgeStatus
from ipoc.licensing.tables import DeclarationTable, LicenceTable, PledgeTable, PublicDeclarationTable


def _may_declare(user) -> bool:
    return user.is_authenticated and (user.is_platform_admin or user.role in (
        Role.INSTITUTION_USER, Role.ENTERPRISE_USER, Role.CENTER_STAFF))


# ---------------------------------------------------------------- landing


@login_required
def home(request):
    user = request.user
    org = user.organization_id
    ctx = {"may_declare": _may_declare(user), "published": selectors.public_declarations().count(),
           "pledges_active": selectors.pledge_list(user=user, status=PledgeStatus.ACTIVE).count(),
           "year": timezone.localdate().year}
    if org:
        ctx["my_declarations"] = list(selectors.declaration_list(user=user, mine=True)[:8])
        ctx["my_licences"] = list(selectors.licence_list(user=user, mine=True)[:8])
        ctx["my_pledges"] = selectors.organization_pledges(org)[:5]
    if user.role == Role.ENTERPRISE_USER and org:
        ctx["pushes"] = list(selectors.pushes_for(user=user, organization_id=org)[:8])
    ctx["licences_total"] = selectors.licence_list(user=user).count()
    ctx["overdue"] = selectors.overdue_reports(user=user)[:8]
    ctx["recent"] = list(selectors.public_declarations()[:6])
    return render(request, "licensing/home.html", ctx)


# ---------------------------------------------------------------- public list (no login)


def public_list(request):
    """公告的开放许可声明 — public, searchable, exportable (``?export=xlsx``)."""
    form = PublicFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.public_declarations(q=(d.get("q") or "").strip(), ipc=(d.get("ipc") or "").strip(),
                                       holder=(d.get("holder") or "").strip(), field=(d.get("field") or "").strip(),
                                       fee_method=d.get("fee_method") or "")
    table = PublicDeclarationTable(qs, request=request)
    return render_table(request, table, "licensing/public_list.html", {"form": form})


def _may_notice(user, decl) -> bool:
    """Who is offered (and may open) the written notice: an enterprise's users for their own enterprise,
    administrators and the declaration's center on a licensee's behalf — not the patentee, an office or an expert."""
    return (user.is_authenticated
            and (user.role == Role.ENTERPRISE_USER or user.is_platform_admin
                 or (user.role == Role.CENTER_STAFF and user.organization_id == decl.center_id))
            and user.organization_id != decl.patentee_id)


def public_detail(request, pk: int):
    decl = selectors.public_declaration_get(pk)
    row = selectors.public_row(decl)
    status = selectors.patent_licensing_status(decl.patent_id)
    user = request.user
    may_notice = decl.status == DeclarationStatus.PUBLISHED and _may_notice(user, decl)
    return render(request, "licensing/public_detail.html", {
        "d": decl, "row": row, "pledges": status["pledges"], "may_notice": may_notice,
        "law51": rules.LAW_51_FORMATION, "law50w": rules.LAW_50_WITHDRAWAL})


# ---------------------------------------------------------------- the eligibility check


@login_required
def check(request):
    if not services.may_check(request.user):
        raise PermissionDenied(_("只有专利权人、运营中心和知识产权局可以进行开放许可资格核查"))
    form = CheckForm(request.GET or None)
    set_picker_querysets(form, request.user)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = services.check_for(actor=request.user, patent=form.cleaned_data["patent"])
        except ApplicationError as exc:
            handle_application_error(form, exc)
    encumbrances = list(selectors.encumbrance_list(patent_id=result["patent"]["id"])) if result else []
    for e in encumbrances:
        e.may_release = services.may_release_encumbrance(request.user, e)
    return render(request, "licensing/check.html", {"form": form, "result": result, "encumbrances": encumbrances,
                                                    "may_declare": _may_declare(request.user),
                                                    "may_record": services.may_record_encumbrance(request.user),
                                                    "today": timezone.localdate()})


# ---------------------------------------------------------------- declarations


@login_required
def declaration_list(request):
    form = ListFilterForm(request.GET or None, statuses=DeclarationStatus.choices)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.declaration_list(user=request.user, q=(d.get("q") or "").strip(), status=d.get("status") or "")
    table = DeclarationTable(qs, request=request)
    return render_table(request, table, "licensing/declaration_list.html", {
        "form": form, "may_declare": _may_declare(request.user)})


def _form_errors(form, exc: ApplicationError) -> None:
    errors = (exc.extra or {}).get("errors") or {}
    placed = False
    for field, msgs in errors.items():
        if field in form.fields:
            for m in msgs:
                form.add_error(field, m)
            placed = True
    if not placed:
        handle_application_error(form, exc)


def _id_value(value) -> int | None:
    """An id sent by a page (a hidden field or ``?patent=``): ASCII digits within the database's range, else
    None. ``str.isdigit`` alone admits "²" and "１２", on which ``int`` raises or reads another number (probe)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_DB_INT else None


@login_required
def declaration_create(request):
    user = request.user
    if not _may_declare(user):
        raise PermissionDenied(_("只有专利权人或运营中心可以起草开放许可声明"))
    own = user.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER)
    initial = {"contact_name": user.get_full_name(), "term_years": 5,
               "fee_method": FeeMethod.ROYALTY}
    if _id_value(request.GET.get("patent")) is not None:
        initial["patent"] = _id_value(request.GET.get("patent"))
    form = DeclarationForm(request.POST or None, initial=initial)
    set_picker_querysets(form, user)
    if own:
        del form.fields["patentee"]
    if user.role == Role.CENTER_STAFF:
        del form.fields["center"]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("patent", "patentee", "center")}
        data = {k: ("" if v is None and k in ("field", "payment_terms", "contact_phone", "contact_email",
                                              "other_terms", "evaluation_report_number", "pledgee_consent_note")
                    else v) for k, v in data.items()}
        try:
            decl = services.declaration_create(actor=user, patent=form.cleaned_data["patent"],
                                               patentee=form.cleaned_data.get("patentee"),
                                               center=form.cleaned_data.get("center"), **data)
            messages.success(request, _("开放许可声明草稿已保存，请查看资格核查结果"))
            return redirect("licensing_declaration_detail", pk=decl.pk)
        except ApplicationError as exc:
            _form_errors(form, exc)
    return render(request, "licensing/declaration_form.html", {"form": form, "decl": None})


@login_required
def declaration_edit(request, pk: int):
    decl = selectors.declaration_get(user=request.user, pk=pk)
    services.require_manager(request.user, decl)
    if decl.status != DeclarationStatus.DRAFT:
        messages.error(request, _("已提交的声明不能修改；如需变更请撤回后重新声明"))
        return redirect("licensing_declaration_detail", pk=decl.pk)
    form = EditDeclarationForm(request.POST or None, instance=decl)
    if request.method == "POST" and form.is_valid():
        try:
            decl.refresh_from_db()
            services.declaration_update(actor=request.user, declaration=decl, data={
                k: ("" if v is None and k not in ("fixed_fee", "entry_fee", "royalty_rate", "term_years") else v)
                for k, v in form.cleaned_data.items()})
            messages.success(request, _("声明已保存"))
            return redirect("licensing_declaration_detail", pk=decl.pk)
        except ApplicationError as exc:
            _form_errors(form, exc)
    return render(request, "licensing/declaration_form.html", {"form": form, "decl": decl})


def _declaration_page(request, decl, **forms):
    user = request.user
    manage = services.may_manage_declaration(user, decl)
    result = services.declaration_check(declaration=decl) if decl.status in (
        DeclarationStatus.DRAFT, DeclarationStatus.FILED) else None
    consents = list(decl.consents.all())
    licences = list(selectors.licence_list(user=user, declaration=decl.pk))
    pushes = list(selectors.pushes_for(user=user).filter(declaration=decl)) if manage else []
    ctx = {"d": decl, "manage": manage, "may_file": manage and services.patentee_files_itself_ok(user, decl),
           "result": result, "consents": consents, "licences": licences,
           "pushes": pushes, "fee": selectors.fee_text(decl), "flags": eligibility.fee_flags(decl),
           "estimate": selectors.fee_estimate(decl.patent) if manage and decl.status == DeclarationStatus.DRAFT
           else None,
           "annuity": rules.ANNUITY_REDUCTION, "law50": rules.LAW_50_DECLARATION,
           "law50w": rules.LAW_50_WITHDRAWAL, "licence_count_total": decl.licences.count(),
           "consent_forms": {c.name: ConsentForm(initial={"name": c.name}, auto_id=f"id_c{c.pk}_%s")
                             for c in consents},
           "attach_form": forms.get("attach_form") or AttachForm(),
           "publish_form": forms.get("publish_form") or PublishForm(),
           "withdraw_form": forms.get("withdraw_form") or WithdrawForm()}
    return render(request, "licensing/declaration_detail.html", ctx)


@login_required
def declaration_detail(request, pk: int):
    return _declaration_page(request, selectors.declaration_get(user=request.user, pk=pk))


DONE = {"file": _("声明已提交，等待公告"), "publish": _("已登记公告，声明进入公开清单并推送给需求相符的企业"),
        "withdraw": _("声明已撤回；此前达成的开放许可继续有效"), "consent": _("已记录共有人同意"),
        "attach": _("附件已上传"), "push": _("已按需求重新匹配推送")}


@login_required
@require_POST
def declaration_action(request, pk: int):
    user = request.user
    decl = selectors.declaration_get(user=user, pk=pk)
    services.require_manager(user, decl)
    action = request.POST.get("action", "")
    forms = {}
    try:
        if action == "file":
            services.declaration_file(actor=user, declaration=decl)
        elif action == "publish":
            form = PublishForm(request.POST)
            forms["publish_form"] = form
            if not form.is_valid():
                raise ApplicationError(_("请按提示更正"), field="on")
            services.declaration_publish(actor=user, declaration=decl, on=form.cleaned_data.get("on"),
                                         announcement_number=form.cleaned_data.get("announcement_number", ""))
        elif action == "withdraw":
            form = WithdrawForm(request.POST)
            forms["withdraw_form"] = form
            if not form.is_valid():
                raise ApplicationError(_("撤回须书面说明理由"), field="reason")
            services.declaration_withdraw(actor=user, declaration=decl, reason=form.cleaned_data["reason"],
                                          announced_on=form.cleaned_data.get("announced_on"))
        elif action == "consent":
            form = ConsentForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ApplicationError(_("请按提示更正"), field="name")
            services.consent_record(actor=user, declaration=decl, name=form.cleaned_data["name"], consented=True,
                                    consented_on=form.cleaned_data.get("consented_on"),
                                    note=form.cleaned_data.get("note", ""),
                                    document=form.cleaned_data.get("document"))
        elif action == "attach":
            form = AttachForm(request.POST, request.FILES)
            forms["attach_form"] = form
            if not form.is_valid():
                raise ApplicationError(_("请选择要上传的附件"), field="evaluation_report")
            services.declaration_attach(actor=user, declaration=decl,
                                        evaluation_report=form.cleaned_data.get("evaluation_report"),
                                        pledgee_consent=form.cleaned_data.get("pledgee_consent"))
        elif action == "push":
            services.declaration_push(declaration=decl)
        else:
            messages.error(request, _("未知的操作"))
            return redirect("licensing_declaration_detail", pk=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for form in forms.values():
            if not form.errors:
                handle_application_error(form, exc)
        decl.refresh_from_db()
        return _declaration_page(request, decl, **forms)
    messages.success(request, str(DONE[action]))
    return redirect("licensing_declaration_detail", pk=pk)


# ---------------------------------------------------------------- licences


@login_required
def licence_notice(request, pk: int):
    """The licensee's written notice and payment: forms the licence (专利法第五十一条)."""
    user = request.user
    decl = selectors.public_declaration_get(pk)
    if not _may_notice(user, decl):
        raise PermissionDenied(_("只有企业（被许可人）或该声明的服务运营中心可以发出实施开放许可的通知"))
    form = NoticeForm(request.POST or None, initial={
        "payment_amount": decl.initial_fee(), "notice_text": _(
            "本单位愿意按贵方公告的开放许可条件（%(f)s，期限 %(y)s 年）实施专利 %(p)s，特此书面通知。")
        % {"f": selectors.fee_text(decl), "y": decl.term_years, "p": decl.patent.number}})
    set_picker_querysets(form, user)
    staff = user.is_platform_admin or user.role == Role.CENTER_STAFF
    if not staff:
        del form.fields["licensee"]
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        licensee = c.get("licensee") if staff else user.organization
        try:
            if licensee is None:
                raise ApplicationError(_("请选择被许可人"), field="licensee")
            licence = services.licence_form(actor=user, declaration=decl, licensee=licensee,
                                            notice_text=c["notice_text"], notice_date=c.get("notice_date"),
                                            payment_amount=c.get("payment_amount"), payment_date=c.get("payment_date"),
                                            payment_reference=c.get("payment_reference", ""))
            if licence.awaiting_payment_confirmation:
                messages.success(request, _("开放许可已登记：自 %(f)s 起，普通许可；所报付款待许可人确认收款")
                                 % {"f": licence.formed_on})
            else:
                messages.success(request, _("开放许可已成立：自 %(f)s 起，普通许可") % {"f": licence.formed_on})
            return redirect("licensing_licence_detail", pk=licence.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "licensing/notice_form.html", {"form": form, "d": decl, "fee": selectors.fee_text(decl),
                                                          "initial_fee": yuan_text(decl.initial_fee()),
                                                          "law51": rules.LAW_51_FORMATION})


@login_required
def licence_list(request):
    form = ListFilterForm(request.GET or None, statuses=LicenceStatus.choices)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.licence_list(user=request.user, q=(d.get("q") or "").strip())
    if d.get("status"):
        qs = qs.filter(status=d["status"])
    table = LicenceTable(qs, request=request)
    return render_table(request, table, "licensing/licence_list.html", {"form": form})


def _licence_page(request, lic, **forms):
    user = request.user
    manage = services.may_manage_licence(user, lic)
    ledger = selectors.ledger(lic)
    royalty = lic.terms.get("fee_method") in (FeeMethod.ROYALTY, FeeMethod.ENTRY_PLUS_ROYALTY)
    reports_open = [row["report"] for row in ledger["rows"] if row["outstanding"] > 0]
    days = int(rules.FILING_REMINDER_DAYS.value)
    for p in ledger["unconfirmed_payments"]:
        p.refusal = services.payment_review_refusal(user, p)
    return render(request, "licensing/licence_detail.html", {
        "lic": lic, "d": lic.declaration, "manage": manage, "ledger": ledger, "royalty": royalty,
        "unconfirmed": ledger["unconfirmed_payments"],
        "may_review": any(p.refusal is None for p in ledger["unconfirmed_payments"]),
        "filing_due": lic.formed_on + dt.timedelta(days=days),
        "filing_overdue": lic.filed_on is None and timezone.localdate() > lic.formed_on + dt.timedelta(days=days),
        "disputes": list(lic.disputes.all()),
        "filing_form": forms.get("filing_form") or FilingForm(),
        "report_form": forms.get("report_form") or ReportForm(),
        "payment_form": forms.get("payment_form") or PaymentForm(reports=reports_open),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "law52": rules.LAW_52_DISPUTES, "regs87": rules.REGS_87_FILING, "withdrawn": lic.declaration.status ==
        DeclarationStatus.WITHDRAWN})


@login_required
def licence_detail(request, pk: int):
    return _licence_page(request, selectors.licence_get(user=request.user, pk=pk))


@login_required
@require_POST
def licence_action(request, pk: int):
    user = request.user
    lic = selectors.licence_get(user=user, pk=pk)
    services.require_licence_party(user, lic)
    action = request.POST.get("action", "")
    forms = {}
    done = {"file": _("已登记备案"), "report": _("提成报告已登记"), "payment": _("付款已登记"),
            "dispute": _("纠纷已登记"), "dispute_close": _("纠纷已登记解决"),
            "payment_confirm": _("已确认收款，计入已收许可费"),
            "payment_dispute": _("已提出对账异议，并登记为许可纠纷")}
    try:
        if action == "file":
            form = forms["filing_form"] = FilingForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请按提示更正"), field="filed_on")
            services.licence_file(actor=user, licence=lic, filed_on=form.cleaned_data.get("filed_on"),
                                  filing_number=form.cleaned_data.get("filing_number", ""))
        elif action == "report":
            form = forms["report_form"] = ReportForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请按提示更正"), field="period_start")
            c = form.cleaned_data
            services.royalty_report_create(actor=user, licence=lic, period_start=c["period_start"],
                                           period_end=c["period_end"], base_amount=c["base_amount"])
        elif action == "payment":
            reports = list(lic.reports.all())
            form = forms["payment_form"] = PaymentForm(request.POST, reports=reports)
            if not form.is_valid():
                raise ApplicationError(_("请按提示更正"), field="amount")
            c = form.cleaned_data
            report = next((r for r in reports if r.pk == c["report"]), None)
            services.royalty_payment_record(actor=user, licence=lic, amount=c["amount"], paid_on=c.get("paid_on"),
                                            report=report, reference=c.get("reference", ""))
        elif action == "dispute":
            form = forms["dispute_form"] = DisputeForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请填写纠纷事由"), field="description")
            c = form.cleaned_data
            services.dispute_record(actor=user, licence=lic, description=c["description"], route=c["route"],
                                    raised_on=c.get("raised_on"))
        elif action in ("payment_confirm", "payment_dispute"):
            payment_id = _id_value(request.POST.get("payment"))
            payment = lic.payments.filter(pk=payment_id).first() if payment_id is not None else None
            if payment is None:
                raise ApplicationError(_("付款记录不存在"), field="payment")
            refusal = services.payment_review_refusal(user, payment)
            if refusal is not None:  # a 403, not a form error: the page never offers it to this user
                raise PermissionDenied(refusal)
            if action == "payment_confirm":
                services.payment_confirm(actor=user, payment=payment)
            else:
                services.payment_dispute(actor=user, payment=payment, reason=request.POST.get("reason", ""))
        elif action == "dispute_close":
            dispute_id = _id_value(request.POST.get("dispute"))
            dispute = lic.disputes.filter(pk=dispute_id).first() if dispute_id is not None else None
            if dispute is None:
                raise ApplicationError(_("纠纷记录不存在"), field="dispute")
            services.dispute_close(actor=user, dispute=dispute, outcome=request.POST.get("outcome", "")[:5000])
        else:
            messages.error(request, _("未知的操作"))
            return redirect("licensing_licence_detail", pk=pk)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for form in forms.values():
            if not form.errors:
                handle_application_error(form, exc)
        return _licence_page(request, lic, **forms)
    messages.success(request, str(done[action]))
    return redirect("licensing_licence_detail", pk=pk)


@login_required
def royalties(request):
    this_year = timezone.localdate().year
    value = request.GET.get("year", "")
    year = int(value) if value.isdecimal() and 1990 <= int(value) <= this_year + 1 else this_year
    data = selectors.royalty_totals(user=request.user, year=year)
    return render(request, "licensing/royalties.html", {
        "data": data, "year": year, "years": list(range(this_year, this_year - 6, -1)),
        "total_text": yuan_text(data["total"]), "unconfirmed_text": yuan_text(data["unconfirmed_total"])})


# ---------------------------------------------------------------- pledges


@login_required
def pledge_list(request):
    form = ListFilterForm(request.GET or None, statuses=PledgeStatus.choices)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.pledge_list(user=request.user, q=(d.get("q") or "").strip(), status=d.get("status") or "")
    table = PledgeTable(qs, request=request)
    return render_table(request, table, "licensing/pledge_list.html", {
        "form": form, "may_pledge": _may_declare(request.user)})


@login_required
def pledge_create(request):
    user = request.user
    if not _may_declare(user):
        raise PermissionDenied(_("只有专利权人或运营中心可以登记专利开源承诺"))
    form = PledgeForm(request.POST or None, request.FILES or None)
    set_picker_querysets(form, user)
    if user.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER):
        del form.fields["pledgor"]
    if request.method == "POST" and form.is_valid():
        c = dict(form.cleaned_data)
        pledgor = c.pop("pledgor", None)
        full_text = c.pop("full_text", None)
        if c.get("pledged_on") is None:
            c.pop("pledged_on", None)
        try:
            pledge = services.pledge_create(actor=user, pledgor=pledgor, full_text=full_text, **c)
            messages.success(request, _("承诺已登记，涵盖 %(n)s 件专利") % {
                "n": pledge.covered.filter(dropped_on__isnull=True).count()})
            return redirect("licensing_pledge_detail", pk=pledge.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "licensing/pledge_form.html", {"form": form})


def pledge_detail(request, pk: int):
    """A pledge's public page (no login): its terms and the patents it covers with their legal status today."""
    user = request.user
    pledge = selectors.pledge_get(user=None, pk=pk)
    covered = list(selectors.pledge_coverage(pledge, include_dropped=True)[:500])
    manage = user.is_authenticated and services.may_manage_pledge(user, pledge)
    return render(request, "licensing/pledge_detail.html", {
        "p": pledge, "covered": [c for c in covered if c.dropped_on is None],
        "dropped": [c for c in covered if c.dropped_on is not None], "alerts": list(pledge.alerts.all()[:30]),
        "manage": manage, "withdraw_form": PledgeWithdrawForm(), "today": timezone.localdate()})


@login_required
@require_POST
def pledge_action(request, pk: int):
    user = request.user
    pledge = selectors.pledge_get(user=user, pk=pk)
    if not services.may_manage_pledge(user, pledge):
        raise PermissionDenied(_("只有承诺人或其服务运营中心可以办理"))
    action = request.POST.get("action", "")
    try:
        if action == "resolve":
            result = services.pledge_resolve(pledge=pledge)
            messages.success(request, _("已重新解析：新纳入 %(a)s 件，移出 %(d)s 件") % {
                "a": len(result["added"]), "d": len(result["dropped"])})
        elif action == "withdraw":
            form = PledgeWithdrawForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("撤回须说明理由"), field="reason")
            services.pledge_withdraw(actor=user, pledge=pledge, reason=form.cleaned_data["reason"])
            messages.success(request, _("承诺已撤回"))
        else:
            messages.error(request, _("未知的操作"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("licensing_pledge_detail", pk=pk)


# ---------------------------------------------------------------- encumbrances and rules


@login_required
def encumbrance_create(request):
    user = request.user
    if not services.may_record_encumbrance(user):
        raise PermissionDenied(_("只有专利权人、运营中心或平台管理员可以登记权利限制"))
    initial = {}
    if _id_value(request.GET.get("patent")) is not None:
        initial["patent"] = _id_value(request.GET.get("patent"))
    form = EncumbranceForm(request.POST or None, initial=initial)
    set_picker_querysets(form, user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.encumbrance_record(actor=user, patent=c["patent"], kind=c["kind"], start_date=c["start_date"],
                                        end_date=c.get("end_date"), party=c.get("party", ""),
                                        reference=c.get("reference", ""), note=c.get("note", ""))
            messages.success(request, _("权利限制已登记"))
            return redirect(reverse("licensing_check") + f"?patent={c['patent'].pk}")
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "licensing/encumbrance_form.html", {"form": form})


@login_required
@require_POST
def encumbrance_release(request, pk: int):
    enc = selectors.encumbrance_get(pk=pk)
    try:
        services.encumbrance_release(actor=request.user, encumbrance=enc)
        messages.success(request, _("已登记解除"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("licensing_check") + f"?patent={enc.patent_id}")


def rules_page(request):
    return render(request, "licensing/rules.html", {"rules": list(rules.RULES.values())})
