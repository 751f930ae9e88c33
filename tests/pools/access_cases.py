"""Access-matrix cases (tests/core/test_access_matrix.py) for the pools app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused.

The record: an operating pool administered by center 甲 (江苏), licensors 浙江大学 and 苏州甲大学, and a signed
agreement with the licensee 苏州甲科技 (ent_a). The pool is active, so every signed-in user sees it: the refusals
come from who may act, not from not seeing it."""

from __future__ import annotations

import datetime as dt

from tests.core.test_access_matrix import CENTER_OUTSIDERS, YEAR, Call, case

LICENSEE_OUTSIDERS = {"other_org": "ent_b", "other_office": "zj_office"}  # for 苏州甲科技's agreement (江苏)


def _pool(w):
    """(pool, agreement): the pool built by the system up to a signed agreement of 苏州甲科技."""
    from ipoc.pools import services

    pool = services.pool_create(actor=None, name="AVS3 视频编码专利池", domain="视频编码",
                                administrator=w.o["center_a"], admin_fee_percent="10")
    services.standard_add(actor=None, pool=pool, code="GB/T 33475.2", name="高效音视频编码 第2部分", version="2024",
                          published_on=dt.date(2024, 1, 1), sections=[("6.3", "帧间预测")])
    for org in ("univ", "univ_b"):
        services.licensor_add(actor=None, pool=pool, organization=w.o[org], joined_on=dt.date(2024, 1, 1))
    programme = services.programme_create(actor=None, pool=pool, name="终端产品许可计划", categories=[("TV", "电视机")])
    services.rate_card_create(actor=None, programme=programme, version="2024版", effective_from=dt.date(2020, 1, 1),
                              rates=[{"category": "TV", "per_unit": "2.00"}])
    services.pool_update(actor=None, pool=pool, data={"status": "active"})
    agreement = services.agreement_create(actor=None, pool=pool, programme=programme, licensee=w.o["ent_a"],
                                          number="AVS-001", countries=["CN"])
    services.agreement_sign(actor=None, agreement=agreement, signed_on=dt.date(YEAR - 1, 1, 15))
    return pool, agreement


@case("POST", "/pools/agreements/{agreement_id}/reports")
def _(w):
    # the licensee reports (and is billed) for its own agreement only
    _p, agreement = _pool(w)
    return Call(f"/pools/agreements/{agreement.pk}/reports", "ent_a",
                {"period": f"{YEAR - 1}Q4", "lines": [{"category": "TV", "country_made": "CN", "country_sold": "CN",
                                                       "units": 1000}]},
                **LICENSEE_OUTSIDERS)


@case("POST", "/pools/{pool_id}/allocations")
def _(w):
    pool, _a = _pool(w)
    return Call(f"/pools/{pool.pk}/allocations", "center_a", {"year": YEAR - 1}, **CENTER_OUTSIDERS)


@case("POST", "/pools/{pool_id}/conflicts/check")
def _(w):
    pool, _a = _pool(w)
    return Call(f"/pools/{pool.pk}/conflicts/check", "center_a", **CENTER_OUTSIDERS)
