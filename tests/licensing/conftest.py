"""Licensing fixtures: granted patents of the university, a published declaration, helpers."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.licensing import services
from ipoc.patents.models import Patent, PatentParty

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_patent(orgs):
    """make_patent(number, holders=[org or name…], **fields) → a granted, valid invention by default."""
    counter = {"n": 0}

    def make(number=None, holders=None, **fields):
        counter["n"] += 1
        number = number or f"CN11{counter['n']:07d}B"
        defaults = {"key": number, "publication_number": number, "title": f"一种石墨烯复合电极材料的制备方法{counter['n']}",
                    "abstract": "本发明公开了一种石墨烯复合电极材料，用于锂电池负极，提高循环寿命。",
                    "patent_type": "invention", "legal_status": "valid", "application_date": dt.date(2019, 3, 1),
                    "grant_date": dt.date(2021, 6, 1), "ipc_main": "H01M4/583"}
        defaults.update(fields)
        patent = Patent.objects.create(**defaults)
        for i, holder in enumerate(holders if holders is not None else [orgs["univ"]]):
            name = holder if isinstance(holder, str) else holder.name
            org = None if isinstance(holder, str) else holder
            for role in ("applicant", "holder"):
                PatentParty.objects.create(patent=patent, role=role, position=i, name=name, organization=org)
        return patent

    return make


@pytest.fixture
def patent(make_patent):
    return make_patent("CN110000001B")


TERMS = {"fee_method": "royalty", "royalty_rate": "3", "term_years": 5, "contact_name": "王老师",
         "field": "新能源电池材料"}


@pytest.fixture
def declare(users, orgs):
    """declare(patent, publish=True, **terms) → a declaration by the university (filed and published)."""

    def make(patent, publish=True, actor=None, **terms):
        actor = actor or users["univ"]
        data = {**TERMS, **terms}
        decl = services.declaration_create(actor=actor, patent=patent, center=orgs["center_a"], **data)
        if publish:
            decl = services.declaration_file(actor=actor, declaration=decl, on=TODAY - dt.timedelta(days=30))
            decl = services.declaration_publish(actor=actor, declaration=decl, on=TODAY - dt.timedelta(days=20),
                                                announcement_number="KF2026-001")
        return decl

    return make


@pytest.fixture
def serves(users, orgs):
    """serves(center_key="center_a", org_key="univ"): the center brokers a signed deal with the organisation as
    seller, so ``deals.selectors.center_serves`` holds (a center records 权利限制 only for those it serves)."""
    from ipoc.deals import services as deal_services
    from ipoc.deals.models import Deal, DealStage

    def make(center_key: str = "center_a", org_key: str = "univ"):
        deal = deal_services.deal_create(actor=users[center_key], title="技术许可对接", deal_type="license",
                                         licence_kind="ordinary", sellers=[orgs[org_key]])
        Deal.objects.filter(pk=deal.pk).update(stage=DealStage.SIGNED)  # an intention alone serves no one
        deal.refresh_from_db()
        return deal

    return make


@pytest.fixture
def fixed_licence(patent, declare, users, orgs):
    """苏州甲科技's licence on 浙江大学's fixed-fee declaration (50,000 元), payment declared by the licensee."""
    decl = declare(patent, fee_method="fixed", fixed_fee="50000", royalty_rate=None)
    return services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                 payment_amount="50000", payment_reference="ZF-0001", payment_date=TODAY)
