from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from ipoc.core.bounds import DbId


class BlockerRecord(Schema):
    model: str
    id: int | None = None
    label: str
    url: str = ""


class RuleRead(Schema):
    code: str
    title: str
    text: str
    source: str
    confidence: str
    to_confirm: bool


class Blocker(Schema):
    code: str
    message: str
    rule: RuleRead
    records: list[BlockerRecord]


class EligibilityRead(Schema):
    patent: dict
    patentee: str
    on_date: date
    eligible: bool
    blockers: list[Blocker]
    flags: list[dict]
    co_owners: list[dict]


class DeclarationRead(Schema):
    id: int
    patent_id: DbId
    patent_number: str = Field(..., alias="patent.number")
    patentee_id: int
    patentee_name: str = Field(..., alias="patentee.name")
    center_id: int | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    field: str
    fee_method: str
    fee_method_label: str = Field(..., alias="get_fee_method_display")
    fixed_fee: Decimal | None
    entry_fee: Decimal | None
    royalty_rate: Decimal | None
    royalty_base: str
    payment_terms: str
    term_years: int
    contact_name: str
    filed_on: date | None
    published_on: date | None
    announcement_number: str
    withdrawn_on: date | None
    withdrawal_reason: str


class DeclarationCreate(Schema):
    patent_id: DbId
    patentee_id: DbId | None = None
    center_id: DbId | None = None
    field: str = ""
    fee_method: str = Field(..., description="fixed 一次性 / royalty 提成 / entry_plus_royalty 入门费加提成 / free 免费")
    fixed_fee: Decimal | None = None
    entry_fee: Decimal | None = None
    royalty_rate: Decimal | None = Field(None, description="提成比例（%）")
    royalty_base: str = "net_sales"
    payment_terms: str = ""
    term_years: int
    contact_name: str
    contact_phone: str = ""
    contact_email: str = ""
    other_terms: str = ""
    evaluation_report_number: str = ""
    pledgee_consent_note: str = ""


class ConsentIn(Schema):
    name: str
    consented: bool = True
    consented_on: date | None = None
    note: str = ""


class PublishIn(Schema):
    on: date | None = None
    announcement_number: str = ""


class WithdrawIn(Schema):
    reason: str
    requested_on: date | None = None
    announced_on: date | None = None


class NoticeIn(Schema):
    licensee_id: DbId | None = Field(None, description="运营中心代为登记时填写；企业用户为本单位")
    notice_text: str
    notice_date: date | None = None
    payment_amount: Decimal | None = None
    payment_date: date | None = None
    payment_reference: str = ""


class LicenceRead(Schema):
    id: int
    declaration_id: int
    patent_number: str = Field(..., alias="declaration.patent.number")
    licensor: str = Field(..., alias="declaration.patentee.name")
    licensee_id: int
    licensee: str = Field(..., alias="licensee.name")
    status: str
    notice_date: date
    payment_amount: Decimal
    payment_date: date | None
    formed_on: date
    term_end: date
    filed_on: date | None
    terms: dict
    payment_status: str = Field("", description="通知时付款的确认：空 无需付款 / pending 待许可人确认（付款待确认）/ "
                                                 "confirmed 许可人已确认收款 / disputed 对账异议")


class ReportIn(Schema):
    period_start: date
    period_end: date
    base_amount: Decimal


class PaymentIn(Schema):
    report_id: DbId
    amount: Decimal
    paid_on: date | None = None
    reference: str = ""


class PaymentDisputeIn(Schema):
    reason: str = Field(..., description="对账异议理由（必填），例如：未收到该笔款项")


class PledgeRead(Schema):
    id: int
    title: str
    pledgor_id: int
    pledgor: str = Field(..., alias="pledgor.name")
    pledged_on: date
    summary: str
    mechanism: str
    conditions: list[str]
    field_of_use: str
    valid_until: date | None
    scope_kind: str
    scope_numbers: list[str]
    scope_ipc: str
    scope_keywords: str
    scope_applicant: str
    status: str
    patent_ids: list[int] = []

    @staticmethod
    def resolve_patent_ids(obj) -> list[int]:
        return sorted(c.patent_id for c in obj.covered.all() if c.dropped_on is None)


class PledgeCreate(Schema):
    title: str
    pledgor_id: DbId | None = None
    pledged_on: date | None = None
    summary: str
    mechanism: str = Field(..., description="covenant 不起诉 / royalty_free 依申请免费许可 / contract 签订合同")
    conditions: list[str] = []
    field_of_use: str = ""
    valid_until: date | None = None
    signatories: str = ""
    scope_kind: str = "list"
    scope_numbers: list[str] = []
    scope_ipc: str = ""
    scope_keywords: str = ""
    scope_applicant: str = ""
