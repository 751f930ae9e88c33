"""交易撮合 workflow: stages, who may move them, amount validation with the field named, attachments, audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry
from ipoc.deals import selectors, services
from ipoc.deals.models import DealStage

D = dt.date(2025, 3, 1)


@pytest.fixture
def deal(users, orgs, patents):
    return services.deal_create(actor=users["center_a"], title="纳米涂层专利许可", deal_type="license",
                                sellers=[orgs["univ"]], buyers=[orgs["ent_a"]], patents=patents[:2],
                                intention_date=D, chain_scope="within_chain")


def test_full_path_records_who_when_why(users, orgs, deal):
    staff = users["center_a"]
    assert deal.stage == DealStage.INTENTION and deal.center == orgs["center_a"]
    deal = services.deal_transition(actor=staff, deal=deal, to_stage="negotiation", reason="双方首次会谈")
    with pytest.raises(ApplicationError) as exc:  # 签约 needs the amount
        services.deal_transition(actor=staff, deal=deal, to_stage="signed", on=D)
    assert exc.value.field == "amount"
    deal = services.deal_transition(actor=staff, deal=deal, to_stage="signed", amount="1200000", on=dt.date(2025, 4, 2),
                                    reason="合同签署")
    assert (deal.amount, deal.signed_date) == (Decimal("1200000.00"), dt.date(2025, 4, 2))
    deal = services.deal_transition(actor=staff, deal=deal, to_stage="performing")
    deal = services.deal_transition(actor=staff, deal=deal, to_stage="completed", on=dt.date(2025, 9, 30))
    assert deal.completed_date == dt.date(2025, 9, 30)
    history = [(c.from_stage, c.to_stage, c.actor, c.reason) for c in deal.stage_changes.all()]
    assert history == [("", "intention", staff, "创建"), ("intention", "negotiation", staff, "双方首次会谈"),
                       ("negotiation", "signed", staff, "合同签署"), ("signed", "performing", staff, ""),
                       ("performing", "completed", staff, "")]
    assert all(c.at is not None for c in deal.stage_changes.all())
    audits = AuditEntry.objects.filter(content_type__model="deal", object_id=str(deal.pk)).order_by("id")
    assert [a.action for a in audits] == ["create"] + ["transition"] * 4
    assert audits[2].changes["amount"] == [None, "1200000.00"] and audits[2].changes["stage"] == ["negotiation", "signed"]
    with pytest.raises(ApplicationError) as exc:  # 完成 is final
        services.deal_transition(actor=staff, deal=deal, to_stage="terminated", reason="x")
    assert exc.value.code == "invalid_transition"


def test_stage_skips_and_termination(users, deal):
    staff = users["center_a"]
    with pytest.raises(ApplicationError) as exc:
        services.deal_transition(actor=staff, deal=deal, to_stage="signed", amount=1)
    assert exc.value.code == "invalid_transition" and exc.value.field == "stage"
    with pytest.raises(ApplicationError) as exc:
        services.deal_transition(actor=staff, deal=deal, to_stage="terminated")
    assert exc.value.field == "reason"
    deal = services.deal_transition(actor=staff, deal=deal, to_stage="terminated", reason="需求方放弃")
    assert deal.stage == "terminated" and deal.stage_changes.last().reason == "需求方放弃"
    with pytest.raises(ApplicationError):
        services.deal_transition(actor=staff, deal=deal, to_stage="negotiation")


def test_signing_needs_both_sides(users, orgs):
    staff = users["center_a"]
    deal = services.deal_create(actor=staff, title="无受让方", deal_type="assignment", sellers=[orgs["univ"]],
                                intention_date=D)
    deal = services.deal_transition(actor=staff, deal=deal, to_stage="negotiation")
    with pytest.raises(ApplicationError) as exc:
        services.deal_transition(actor=staff, deal=deal, to_stage="signed", amount=10, on=D)
    assert exc.value.field == "buyers"
    with pytest.raises(ApplicationError) as exc:
        services.deal_update(actor=staff, deal=deal, data={"buyers": [orgs["univ"]]})
    assert exc.value.field == "buyers"


def test_who_may_create_and_move(users, orgs, deal):
    for who in ("ent_a", "univ", "expert", "js_office"):
        with pytest.raises(PermissionDenied):
            services.deal_create(actor=users[who], title="x", deal_type="license")
    with pytest.raises(PermissionDenied):  # another center's staff may not book deals for center 甲
        services.deal_create(actor=users["center_b"], title="x", deal_type="license", center=orgs["center_a"])
    with pytest.raises(ApplicationError) as exc:
        services.deal_create(actor=users["admin"], title="x", deal_type="license")
    assert exc.value.field == "center"
    by_admin = services.deal_create(actor=users["admin"], title="x", deal_type="license", center=orgs["center_b"])
    assert by_admin.center == orgs["center_b"]
    # the parties see the deal but may not move it; another center neither sees nor moves it
    assert selectors.deal_get(user=users["ent_a"], pk=deal.pk) == deal
    assert selectors.deal_get(user=users["univ"], pk=deal.pk) == deal
    assert not selectors.deal_list(user=users["ent_b"]).filter(pk=deal.pk).exists()
    assert not selectors.deal_list(user=users["center_b"]).filter(pk=deal.pk).exists()
    assert selectors.deal_list(user=users["js_office"]).filter(pk=deal.pk).exists()  # 江苏 covers 苏州
    for who in ("ent_a", "univ", "center_b", "js_office", "expert"):
        with pytest.raises(PermissionDenied):
            services.deal_transition(actor=users[who], deal=deal, to_stage="negotiation")
        with pytest.raises(PermissionDenied):
            services.deal_update(actor=users[who], deal=deal, data={"title": "改"})
    services.deal_transition(actor=users["admin"], deal=deal, to_stage="negotiation")


@pytest.mark.parametrize("amount, fragment", [
    (Decimal("-1"), "不能为负数"),
    (Decimal("100000000000.01"), "超出合理范围"),
    ("abc", "必须是数字"),
])
def test_amount_validation_names_the_field(users, deal, amount, fragment):
    with pytest.raises(ApplicationError) as exc:
        services.deal_update(actor=users["center_a"], deal=deal, data={"amount": amount})
    assert exc.value.field == "amount" and fragment in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        services.deal_create(actor=users["center_a"], title="x", deal_type="license", amount=amount)
    assert exc.value.field == "amount"


def test_amount_ceiling_is_configurable_and_boundaries_pass(settings, users, deal):
    services.deal_update(actor=users["center_a"], deal=deal, data={"amount": Decimal("100000000000")})
    services.deal_update(actor=users["center_a"], deal=deal, data={"amount": Decimal("0")})
    settings.IPOC_DEAL_MAX_AMOUNT_YUAN = Decimal("5000000")
    with pytest.raises(ApplicationError) as exc:
        services.deal_update(actor=users["center_a"], deal=deal, data={"amount": Decimal("5000000.01")})
    assert exc.value.field == "amount"


def test_dates_must_be_in_order(users, deal):
    with pytest.raises(ApplicationError) as exc:
        services.deal_update(actor=users["center_a"], deal=deal, data={"signed_date": D - dt.timedelta(days=1)})
    assert exc.value.field == "signed_date"


def test_attachments(users, deal):
    staff = users["center_a"]
    deal = services.deal_attach(actor=staff, deal=deal, contract_file=SimpleUploadedFile("许可合同.pdf", b"%PDF-1.4"),
                                filing_file=SimpleUploadedFile("备案通知书.jpg", b"\xff\xd8\xff\xe0"))
    assert deal.contract_file.name.startswith("deals/contracts/") and deal.filing_file.name.startswith("deals/filings/")
    assert deal.contract_file.read() == b"%PDF-1.4"
    with pytest.raises(ApplicationError) as exc:
        services.deal_attach(actor=staff, deal=deal, filing_file=SimpleUploadedFile("脚本.exe", b"MZ"))
    assert exc.value.field == "filing_file"
    with pytest.raises(PermissionDenied):
        services.deal_attach(actor=users["ent_a"], deal=deal, contract_file=SimpleUploadedFile("a.pdf", b"x"))
    assert AuditEntry.objects.filter(content_type__model="deal", object_id=str(deal.pk), action="update").count() == 1
