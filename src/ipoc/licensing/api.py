"""/api/v1/licensing: 专利开放许可与专利开源 — the check, declarations (public list without login), licences by
notice and payment, the royalty ledger, pledges."""

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ipoc.core.bounds import DbId, Year
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.licensing import selectors, services
from ipoc.licensing.schemas import (
    ConsentIn,
    DeclarationCreate,
    DeclarationRead,
    EligibilityRead,
    LicenceRead,
    NoticeIn,
    PaymentDisputeIn,
    PaymentIn,
    PledgeCreate,
    PledgeRead,
    PublishIn,
    ReportIn,
    WithdrawIn,
)

router = Router(tags=["licensing"])


def _org(user, pk, field: str | None = None):
    from ipoc.core import selectors as core_selectors

    return core_selectors.organization_get(user=user, pk=pk, field=field) if pk else None


def _patent(user, pk):
    from ipoc.patents import selectors as patent_selectors

    return patent_selectors.patent_get(user=user, key_or_number=pk)


class PublicFilters(Schema):
    q: str = ""
    ipc: str = ""
    holder: str = ""
    field: str = ""
    fee_method: str = ""


@router.get("/public", response=list[dict], auth=None, summary="公告的开放许可声明（公开，无需登录）")
@paginate(LimitOffsetPagination)
def public_list(request, filters: Query[PublicFilters]):
    return [selectors.public_row(d) for d in selectors.public_declarations(**filters.dict())]


@router.get("/check/{number}", response=EligibilityRead, summary="开放许可声明前的资格核查（每项障碍含依据与记录）")
def check(request, number: str):
    return services.check_for(actor=request.auth, patent=_patent(request.auth, number))


class DeclarationFilters(Schema):
    q: str = ""
    status: str = ""
    fee_method: str = ""
    patentee: DbId | None = None
    year: Year | None = None


@router.get("/declarations", response=list[DeclarationRead], summary="开放许可声明列表")
@paginate(LimitOffsetPagination)
def declaration_list(request, filters: Query[DeclarationFilters]):
    return selectors.declaration_list(user=request.auth, **filters.dict())


@router.get("/declarations/{declaration_id}", response=DeclarationRead, summary="开放许可声明")
def declaration_detail(request, declaration_id: DbId):
    return selectors.declaration_get(user=request.auth, pk=declaration_id)


@router.post("/declarations", response={201: DeclarationRead}, summary="起草开放许可声明")
def declaration_create(request, payload: DeclarationCreate):
    user = request.auth
    data = payload.dict()
    patent = _patent(user, data.pop("patent_id"))
    patentee = _org(user, data.pop("patentee_id"), "patentee_id")
    center = _org(user, data.pop("center_id"), "center_id")
    return Status(201, services.declaration_create(actor=user, patent=patent, patentee=patentee, center=center,
                                                   **data))


@router.get("/declarations/{declaration_id}/check", response=EligibilityRead, summary="该声明的资格核查")
def declaration_check(request, declaration_id: DbId):
    return services.declaration_check(declaration=selectors.declaration_get(user=request.auth, pk=declaration_id))


@router.post("/declarations/{declaration_id}/consents", response=DeclarationRead, summary="记录共有人同意")
def declaration_consent(request, declaration_id: DbId, payload: ConsentIn):
    decl = selectors.declaration_get(user=request.auth, pk=declaration_id)
    services.consent_record(actor=request.auth, declaration=decl, **payload.dict())
    return decl


@router.post("/declarations/{declaration_id}/file", response=DeclarationRead, summary="提交声明（先核查）")
def declaration_file(request, declaration_id: DbId):
    decl = selectors.declaration_get(user=request.auth, pk=declaration_id)
    return services.declaration_file(actor=request.auth, declaration=decl)


@router.post("/declarations/{declaration_id}/publish", response=DeclarationRead, summary="登记公告")
def declaration_publish(request, declaration_id: DbId, payload: PublishIn):
    decl = selectors.declaration_get(user=request.auth, pk=declaration_id)
    return services.declaration_publish(actor=request.auth, declaration=decl, **payload.dict())


@router.post("/declarations/{declaration_id}/withdraw", response=DeclarationRead, summary="撤回声明")
def declaration_withdraw(request, declaration_id: DbId, payload: WithdrawIn):
    decl = selectors.declaration_get(user=request.auth, pk=declaration_id)
    return services.declaration_withdraw(actor=request.auth, declaration=decl, **payload.dict())


@router.post("/declarations/{declaration_id}/notice", response={201: LicenceRead},
             summary="书面通知并付费，获得开放许可（专利法第五十一条）")
def licence_notice(request, declaration_id: DbId, payload: NoticeIn):
    user = request.auth
    decl = selectors.public_declaration_get(declaration_id)
    data = payload.dict()
    licensee = _org(user, data.pop("licensee_id"), "licensee_id") or user.organization
    if licensee is None:
        from ipoc.core.errors import ApplicationError

        raise ApplicationError("请指定被许可人", field="licensee_id")
    return Status(201, services.licence_form(actor=user, declaration=decl, licensee=licensee, **data))


class LicenceFilters(Schema):
    q: str = ""
    declaration: DbId | None = None
    licensee: DbId | None = None
    year: Year | None = None


@router.get("/licences", response=list[LicenceRead], summary="开放许可达成的许可")
@paginate(LimitOffsetPagination)
def licence_list(request, filters: Query[LicenceFilters]):
    return selectors.licence_list(user=request.auth, **filters.dict())


def _payment_json(p) -> dict:
    return {"id": p.pk, "kind": p.kind, "report_id": p.report_id, "paid_on": p.paid_on, "amount": p.amount,
            "reference": p.reference, "status": p.status, "status_label": str(p.get_status_display()),
            "reviewed_at": p.reviewed_at, "dispute_reason": p.dispute_reason}


def _ledger_json(lic) -> dict:
    ledger = selectors.ledger(lic)
    rows = [{k: v for k, v in r.items() if k != "report"} for r in ledger["rows"]]
    return {"licence_id": lic.pk, "payment_status": lic.payment_status, "rows": rows,
            "initial_due": ledger["initial_due"], "initial_paid": ledger["initial_paid"],
            "initial_unconfirmed": ledger["initial_unconfirmed"], "initial_outstanding": ledger["initial_outstanding"],
            "royalty_due": ledger["royalty_due"],
            "royalty_paid": ledger["royalty_paid"], "royalty_unconfirmed": ledger["royalty_unconfirmed"],
            "total_due": ledger["total_due"], "total_paid": ledger["total_paid"],
            "total_unconfirmed": ledger["total_unconfirmed"], "total_disputed": ledger["total_disputed"],
            "balance": ledger["balance"], "payments": [_payment_json(p) for p in ledger["payments"]]}


@router.get("/licences/{licence_id}/ledger",
            summary="许可费台账（应付、已确认收款、待许可人确认、未付，精确对账）")
def licence_ledger(request, licence_id: DbId):
    return _ledger_json(selectors.licence_get(user=request.auth, pk=licence_id))


def _payment(lic, payment_id):
    from ipoc.core.errors import NotFound

    payment = lic.payments.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("该许可没有这笔付款", field="payment_id")
    return payment


@router.post("/licences/{licence_id}/payments/{payment_id}/confirm",
             summary="许可人确认收款（确认后计入已收许可费）")
def payment_confirm(request, licence_id: DbId, payment_id: DbId):
    lic = selectors.licence_get(user=request.auth, pk=licence_id)
    services.payment_confirm(actor=request.auth, payment=_payment(lic, payment_id))
    return _ledger_json(selectors.licence_get(user=request.auth, pk=licence_id))


@router.post("/licences/{licence_id}/payments/{payment_id}/dispute",
             summary="许可人对付款提出对账异议（须说明理由）")
def payment_dispute(request, licence_id: DbId, payment_id: DbId, payload: PaymentDisputeIn):
    lic = selectors.licence_get(user=request.auth, pk=licence_id)
    services.payment_dispute(actor=request.auth, payment=_payment(lic, payment_id), reason=payload.reason)
    return _ledger_json(selectors.licence_get(user=request.auth, pk=licence_id))


@router.post("/licences/{licence_id}/reports", summary="登记提成报告")
def licence_report(request, licence_id: DbId, payload: ReportIn):
    lic = selectors.licence_get(user=request.auth, pk=licence_id)
    services.royalty_report_create(actor=request.auth, licence=lic, **payload.dict())
    return _ledger_json(lic)


@router.post("/licences/{licence_id}/payments", summary="登记提成付款")
def licence_payment(request, licence_id: DbId, payload: PaymentIn):
    from ipoc.core.errors import NotFound

    lic = selectors.licence_get(user=request.auth, pk=licence_id)
    data = payload.dict()
    report = lic.reports.filter(pk=data.pop("report_id")).first()
    if report is None:
        raise NotFound("提成报告不存在", field="report_id")
    services.royalty_payment_record(actor=request.auth, licence=lic, report=report, **data)
    return _ledger_json(lic)


class RoyaltyQuery(Schema):
    year: Year | None = None


@router.get("/royalties", summary="年度许可费汇总（已确认收款；待许可人确认的另列）")
def royalties(request, params: Query[RoyaltyQuery]):
    year = params.year or timezone.localdate().year
    return selectors.royalty_totals(user=request.auth, year=year)


@router.get("/pledges", response=list[PledgeRead], summary="专利开源承诺")
@paginate(LimitOffsetPagination)
def pledge_list(request, q: str = "", status: str = ""):
    return selectors.pledge_list(user=request.auth, q=q, status=status).prefetch_related("covered")


@router.get("/pledges/{pledge_id}", response=PledgeRead, summary="专利开源承诺（含涵盖专利）")
def pledge_detail(request, pledge_id: DbId):
    return selectors.pledge_get(user=request.auth, pk=pledge_id)


@router.post("/pledges", response={201: PledgeRead}, summary="登记专利开源承诺（范围按清单或检索条件）")
def pledge_create(request, payload: PledgeCreate):
    user = request.auth
    data = payload.dict()
    pledgor = _org(user, data.pop("pledgor_id"), "pledgor_id")
    if data.get("pledged_on") is None:
        data.pop("pledged_on")
    return Status(201, services.pledge_create(actor=user, pledgor=pledgor, **data))


@router.get("/patents/{patent_id}/status", summary="专利是否开放许可、是否在开源承诺中")
def patent_status(request, patent_id: DbId):
    _patent(request.auth, patent_id)
    return selectors.patent_licensing_status(patent_id)
