"""Access-matrix cases (tests/core/test_access_matrix.py) for the licensing app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused.

The declarations are 浙江大学's (the patentee, 浙江), served by center 乙: another university, an office of another
province (江苏) and an expert are refused. The licence is 苏州甲科技's (江苏), taken by notice on 浙江大学's declaration:
another enterprise, 浙江's office (which may view the licence, in its area, but is no party to it) and an expert
are refused. A payment on that licence is 浙江大学's to confirm or dispute (确认收款 / 对账异议): the licensee
itself (the payer) and 浙江's office are refused."""

from __future__ import annotations

import datetime as dt

from tests.core.test_access_matrix import TODAY, Call, case

PATENTEE_OUTSIDERS = {"other_org": "univ_b", "other_office": "js_office"}  # for 浙江大学's declarations and pledges
LICENCE_OUTSIDERS = {"other_org": "ent_b", "other_office": "zj_office"}  # for 苏州甲科技's licence
TERMS = {"fee_method": "royalty", "royalty_rate": "3", "term_years": 5, "contact_name": "王老师",
         "field": "环境监测传感器"}
CO_OWNER = "杭州丙环保科技有限公司"


def _patent(w, number: str, co_owner: str | None = None):
    """A granted, valid invention held by 浙江大学 (and, with ``co_owner``, by a co-owner named on the patent)."""
    from ipoc.patents.models import Patent, PatentParty

    patent = Patent.objects.create(key=number, publication_number=number, title="一种空气污染物浓度在线监测装置",
                                   abstract="本发明公开了一种空气污染物浓度在线监测装置，提高检测精度。",
                                   patent_type="invention", legal_status="valid", application_date=dt.date(2019, 3, 1),
                                   grant_date=dt.date(2021, 6, 1), ipc_main="G01N33/00")
    holders = [(w.o["univ"].name, w.o["univ"])] + ([(co_owner, None)] if co_owner else [])
    for i, (name, org) in enumerate(holders):
        for role in ("applicant", "holder"):
            PatentParty.objects.create(patent=patent, role=role, position=i, name=name, organization=org)
    return patent


def _declaration(w, until: str = "draft", co_owner: str | None = None):
    """浙江大学's declaration at center 乙, walked by the system to ``until`` (draft, filed, published)."""
    from ipoc.licensing import services

    decl = services.declaration_create(actor=None, patent=_patent(w, "CN112233445B", co_owner),
                                       patentee=w.o["univ"], center=w.o["center_b"], **TERMS)
    if until in ("filed", "published"):
        decl = services.declaration_file(actor=None, declaration=decl, on=TODAY - dt.timedelta(days=30))
    if until == "published":
        decl = services.declaration_publish(actor=None, declaration=decl, on=TODAY - dt.timedelta(days=20),
                                            announcement_number="KF2026-101", push=False)
    return decl


def _licence(w):
    """苏州甲科技's licence by notice on 浙江大学's published declaration (royalties, nothing paid up front)."""
    from ipoc.licensing import services

    return services.licence_form(actor=None, declaration=_declaration(w, "published"), licensee=w.o["ent_a"],
                                 notice_text="本单位愿按公告条件实施", notice_date=TODAY - dt.timedelta(days=10))


# ---------------------------------------------------------------- declarations


@case("POST", "/licensing/declarations")
def _(w):
    # declaring in another university's name
    body = {"patent_id": _patent(w, "CN112233446B").pk, "patentee_id": w.o["univ"].pk,
            "center_id": w.o["center_b"].pk, **TERMS}
    return Call("/licensing/declarations", "univ", body, owner_status=(201,), **PATENTEE_OUTSIDERS)


@case("POST", "/licensing/declarations/{declaration_id}/consents")
def _(w):
    decl = _declaration(w, co_owner=CO_OWNER)
    return Call(f"/licensing/declarations/{decl.pk}/consents", "univ", {"name": CO_OWNER, "consented": True},
                **PATENTEE_OUTSIDERS)


@case("POST", "/licensing/declarations/{declaration_id}/file")
def _(w):
    return Call(f"/licensing/declarations/{_declaration(w).pk}/file", "univ", **PATENTEE_OUTSIDERS)


@case("POST", "/licensing/declarations/{declaration_id}/publish")
def _(w):
    return Call(f"/licensing/declarations/{_declaration(w, 'filed').pk}/publish", "univ",
                {"announcement_number": "KF2026-102"}, **PATENTEE_OUTSIDERS)


@case("POST", "/licensing/declarations/{declaration_id}/withdraw")
def _(w):
    return Call(f"/licensing/declarations/{_declaration(w, 'published').pk}/withdraw", "univ",
                {"reason": "拟改为独占许可"}, **PATENTEE_OUTSIDERS)


@case("POST", "/licensing/declarations/{declaration_id}/notice")
def _(w):
    # anyone may take the published licence (专利法第五十一条), but only in its own name: the others name 苏州甲科技
    decl = _declaration(w, "published")
    return Call(f"/licensing/declarations/{decl.pk}/notice", "ent_a",
                {"licensee_id": w.o["ent_a"].pk, "notice_text": "本单位愿按公告条件实施"}, owner_status=(201,),
                **LICENCE_OUTSIDERS)


# ---------------------------------------------------------------- the royalty ledger


@case("POST", "/licensing/licences/{licence_id}/reports")
def _(w):
    body = {"period_start": str(TODAY - dt.timedelta(days=10)), "period_end": str(TODAY - dt.timedelta(days=1)),
            "base_amount": "10000"}
    return Call(f"/licensing/licences/{_licence(w).pk}/reports", "ent_a", body, **LICENCE_OUTSIDERS)


@case("POST", "/licensing/licences/{licence_id}/payments")
def _(w):
    from ipoc.licensing import services

    licence = _licence(w)
    report = services.royalty_report_create(actor=None, licence=licence, period_start=TODAY - dt.timedelta(days=10),
                                            period_end=TODAY - dt.timedelta(days=1), base_amount="10000")
    return Call(f"/licensing/licences/{licence.pk}/payments", "ent_a", {"report_id": report.pk, "amount": "100"},
                **LICENCE_OUTSIDERS)


# ---------------------------------------------------------------- 确认收款 / 对账异议 (the licensor's, never the payer's)

# The licensee itself stands as the "other organisation": it may read the licence and its payment but must not
# confirm its own payment (a stranger, 杭州乙材料, is refused in tests/licensing/test_payment_confirmation.py).
PAYMENT_OUTSIDERS = {"other_org": "ent_a", "other_office": "zj_office"}


def _declared_payment(w):
    """A royalty payment 苏州甲科技 (the licensee) recorded on its licence: 待许可人确认 (浙江大学's to confirm)."""
    from ipoc.licensing import services

    licence = _licence(w)
    report = services.royalty_report_create(actor=None, licence=licence, period_start=TODAY - dt.timedelta(days=10),
                                            period_end=TODAY - dt.timedelta(days=1), base_amount="10000")
    payment = services.royalty_payment_record(actor=w.u["ent_a"], licence=licence, report=report, amount="300",
                                              reference="ZF-2026-0001")
    assert payment.status == "pending"
    return licence, payment


@case("POST", "/licensing/licences/{licence_id}/payments/{payment_id}/confirm")
def _(w):
    licence, payment = _declared_payment(w)
    return Call(f"/licensing/licences/{licence.pk}/payments/{payment.pk}/confirm", "univ", **PAYMENT_OUTSIDERS)


@case("POST", "/licensing/licences/{licence_id}/payments/{payment_id}/dispute")
def _(w):
    licence, payment = _declared_payment(w)
    return Call(f"/licensing/licences/{licence.pk}/payments/{payment.pk}/dispute", "univ",
                {"reason": "账户未收到该笔款项"}, **PAYMENT_OUTSIDERS)


# ---------------------------------------------------------------- pledges (专利开源)


@case("POST", "/licensing/pledges")
def _(w):
    # pledging in another university's name
    patent = _patent(w, "CN112233447B")
    body = {"title": "环境监测专利开源承诺", "pledgor_id": w.o["univ"].pk, "summary": "承诺不起诉", "mechanism": "covenant",
            "scope_kind": "list", "scope_numbers": [patent.publication_number]}
    return Call("/licensing/pledges", "univ", body, owner_status=(201,), **PATENTEE_OUTSIDERS)
