"""Pools fixtures: patents in the store with their lives, and a pool built up to reports (``make_pool``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipoc.core import services as core_services
from ipoc.core.models import Role
from ipoc.patents.models import Patent, PatentParty
from ipoc.pools import services


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_patent(number, org, *, country="CN", status="valid", grant=dt.date(2016, 1, 1),
                expiry=dt.date(2035, 1, 1), lapse=None, title=None, application=dt.date(2015, 1, 1)):
    p = Patent.objects.create(key=number, publication_number=number, title=title or f"视频编码专利 {number}",
                              jurisdiction=country, patent_type="invention", legal_status=status, grant_date=grant,
                              expiry_date=expiry, lapse_date=lapse, application_date=application)
    PatentParty.objects.create(patent=p, role="applicant", name=org.name, organization=org)
    return p


@pytest.fixture
def store(orgs):
    """ent_a: CN in force to 2035; univ: US expired 2024-06-30, CN lapsed 2025-03-01 (fee unpaid)."""
    return {
        "cn_a": make_patent("CN100000001B", orgs["ent_a"]),
        "us_u": make_patent("US9000001B2", orgs["univ"], country="US", grant=dt.date(2006, 1, 1),
                            expiry=dt.date(2024, 6, 30), status="lapsed", lapse=dt.date(2024, 7, 1)),
        "cn_u": make_patent("CN100000002B", orgs["univ"], status="lapsed", lapse=dt.date(2025, 3, 1)),
        "us_a": make_patent("US9000003B2", orgs["ent_a"], country="US", grant=dt.date(2012, 1, 1),
                            expiry=dt.date(2032, 1, 1)),
    }


@pytest.fixture
def make_pool(users, orgs, store):
    """make_pool(fee="10") → a dict with the pool, licensors, programme, category, listed patents (decided by
    two experts), an agreement signed by ent_b."""

    def make(*, fee="10", cap=None, early=None, signed=dt.date(2025, 1, 15), surcharge="0", listed=None):
        center = users["center_a"]
        pool = services.pool_create(actor=center, name="AVS3 视频编码专利池", domain="视频编码",
                                    admin_fee_percent=fee)
        version = services.standard_add(actor=center, pool=pool, code="GB/T 33475.2", name="高效音视频编码 第2部分",
                                        version="2024", published_on=dt.date(2024, 1, 1),
                                        sections=[("6.3", "帧间预测"), ("7.1", "熵编码")])
        sections = list(version.sections.all())
        lic_a = services.licensor_add(actor=center, pool=pool, organization=orgs["ent_a"],
                                      joined_on=dt.date(2024, 1, 1))
        lic_u = services.licensor_add(actor=center, pool=pool, organization=orgs["univ"],
                                      joined_on=dt.date(2024, 1, 1))
        programme = services.programme_create(actor=center, pool=pool, name="终端产品许可计划",
                                              categories=[("TV", "电视机"), ("STB", "机顶盒")])
        tv = programme.categories.get(code="TV")
        services.rate_card_create(actor=center, programme=programme, version="2024版",
                                  effective_from=dt.date(2020, 1, 1), back_royalty_surcharge_percent=surcharge,
                                  rates=[{"category": "TV", "per_unit": "2.00", "annual_cap": cap},
                                         {"category": "STB", "per_unit": "0.50"}],
                                  discounts=[{"group": "新兴市场", "countries": ["IN", "VN"], "percent": "20"}],
                                  early_birds=[early] if early else [])
        listings = {}
        experts = [users["expert"], users["expert2"]]
        for key, lic in (("cn_a", lic_a), ("us_a", lic_a), ("us_u", lic_u), ("cn_u", lic_u)):
            if listed is not None and key not in listed:
                continue
            actor = users["ent_a"] if lic is lic_a else users["univ"]
            listing = services.pool_patent_submit(actor=actor, pool=pool, licensor=lic, patent=store[key],
                                                  family="F-" + key[-1], sections=[sections[0]])
            ev = listing.evaluations.get()
            for ex in experts:
                a = services.evaluator_assign(actor=center, evaluation=ev, expert=ex)
                services.evaluator_declare(actor=ex, assignment=a, conflict=False)
                services.claim_chart_add(actor=ex, assignment=a, element="帧间预测的运动矢量", section=sections[0])
                services.evaluator_opinion(actor=ex, assignment=a, opinion="essential")
            services.evaluation_decide(actor=center, evaluation=ev)
            listing.refresh_from_db()
            listings[key] = listing
        services.pool_update(actor=center, pool=pool, data={"status": "active"})
        agreement = services.agreement_create(actor=center, pool=pool, programme=programme, licensee=orgs["ent_b"],
                                              number="AVS-001", countries=["CN", "US", "IN"],
                                              back_royalty_from=dt.date(2024, 1, 1))
        if signed:
            services.agreement_sign(actor=users["ent_b"], agreement=agreement, signed_on=signed)
        return {"pool": pool, "lic_a": lic_a, "lic_u": lic_u, "programme": programme, "tv": tv,
                "listings": listings, "agreement": agreement, "sections": sections, "version": version}

    return make


@pytest.fixture
def expert3(db):
    return core_services.user_create(actor=None, username="expert3", password="x-pass-2026", role=Role.EXPERT)


D = Decimal
