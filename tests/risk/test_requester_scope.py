"""Probe (hostile user): any center's staff could open a 出口前风险预警 check — or a 供应链合规排查 review — naming any
enterprise as requester, and have it counted among the members the center served. Center staff now name only an
organisation their center serves (a party of a deal it brokers, the requester of a demand it handles, or one that
itself asked this center before); enterprises ask for themselves; administrators and the system are unrestricted.

The cast (tests/conftest.py): center 甲 and 乙, 苏州甲科技 (ent_a), 杭州乙材料 (ent_b), 浙江大学 (univ)."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.risk import selectors, services
from ipoc.risk.models import RiskCheck, SupplyReview
from tests.risk.conftest import FEATURES
from tests.risk.test_supply import bom

HORIZON = dt.date.today() + dt.timedelta(days=365)


def _check(actor, **kw):
    return services.check_create(actor=actor, product_name="预充电控制器", features=FEATURES, markets=["CN"],
                                 horizon_date=HORIZON, **kw)


def _demand(org, center, *, by_center=None):
    """A demand the organisation's own user submits to the center (or, ``by_center``, one the center registers)."""
    from ipoc.core.models import User
    from ipoc.demands import services as demand_services

    actor = by_center or User.objects.filter(organization=org).first()
    return demand_services.demand_create(actor=actor, title="预充电技术需求", organization=org, center=center)


def _deal(center_user, seller, buyer, *, signed=True):
    from decimal import Decimal

    from ipoc.deals import services as deal_services
    from ipoc.deals.models import Deal, DealStage

    deal = deal_services.deal_create(actor=center_user, title="预充电专利许可", deal_type="license",
                                     sellers=[seller], buyers=[buyer], intention_date=dt.date.today(),
                                     amount=Decimal("100000"))
    if signed:
        Deal.objects.filter(pk=deal.pk).update(stage=DealStage.SIGNED)
    return deal


def test_a_center_cannot_make_itself_serve_anyone(db, users, orgs):
    """An intention-stage deal a center records alone, or a demand it registers in an enterprise's name, does not
    make the center serve that enterprise (else any center could act in anyone's name)."""
    _deal(users["center_b"], orgs["univ"], orgs["ent_a"], signed=False)
    with pytest.raises(ApplicationError):  # nor may it register a demand in the enterprise's name
        _demand(orgs["ent_a"], orgs["center_b"], by_center=users["center_b"])
    with pytest.raises(PermissionDenied):
        _check(users["center_b"], requester=orgs["ent_a"])


def test_a_center_may_not_name_an_enterprise_it_does_not_serve(db, users, orgs, tmp_path):
    with pytest.raises(PermissionDenied) as err:
        _check(users["center_a"], requester=orgs["ent_b"])
    assert err.value.field == "requester" and "本中心尚未服务杭州乙材料有限公司" in err.value.message
    with pytest.raises(PermissionDenied) as err:  # the supply review follows the same rule
        services.review_import(actor=users["center_a"], path=bom(tmp_path, [["电池", "某公司", "中国", "1"]]),
                               requester=orgs["ent_b"])
    assert err.value.field == "requester"
    assert not RiskCheck.objects.exists() and not SupplyReview.objects.exists()
    assert selectors.center_members_served(orgs["center_a"].pk, dt.date.today().year)["members"] == []


def test_a_center_names_an_organisation_it_serves(db, users, orgs, tmp_path):
    _demand(orgs["ent_b"], orgs["center_a"])                   # a demand center 甲 handles
    _deal(users["center_a"], orgs["univ"], orgs["ent_a"])      # a deal center 甲 brokers: both parties
    for org in ("ent_b", "ent_a", "univ"):
        check = _check(users["center_a"], requester=orgs[org])
        assert check.requester == orgs[org] and check.center == orgs["center_a"]
    review = services.review_import(actor=users["center_a"], path=bom(tmp_path, [["电池", "某公司", "中国", "1"]]),
                                    requester=orgs["ent_b"])
    assert review.requester == orgs["ent_b"]
    # serving is per center: center 乙 still may not name them
    with pytest.raises(PermissionDenied):
        _check(users["center_b"], requester=orgs["ent_a"])


def test_an_organisation_that_asked_the_center_itself_is_served(db, users, orgs):
    with pytest.raises(PermissionDenied):
        _check(users["center_a"], requester=orgs["ent_a"])
    _check(users["ent_a"], center=orgs["center_a"])  # 苏州甲科技 asks center 甲 itself
    assert _check(users["center_a"], requester=orgs["ent_a"]).requester == orgs["ent_a"]
    with pytest.raises(PermissionDenied):  # … center 甲, not center 乙
        _check(users["center_b"], requester=orgs["ent_a"])


def test_a_check_the_center_opened_does_not_make_the_organisation_served(db, users, orgs):
    """Only the organisation's own request counts: an administrator's registration in its name does not open the
    door for the center (otherwise one pass would make the refusal moot)."""
    _check(users["admin"], requester=orgs["ent_b"], center=orgs["center_a"])
    assert not selectors.center_serves_requester(orgs["center_a"].pk, orgs["ent_b"].pk)
    with pytest.raises(PermissionDenied):
        _check(users["center_a"], requester=orgs["ent_b"])


def test_enterprises_ask_for_themselves_and_admins_for_anyone(db, users, orgs, tmp_path):
    with pytest.raises(PermissionDenied) as err:
        _check(users["ent_a"], requester=orgs["ent_b"], center=orgs["center_a"])
    assert err.value.field == "requester"
    assert _check(users["ent_a"], center=orgs["center_b"]).requester == orgs["ent_a"]  # any center it chooses
    assert _check(users["admin"], requester=orgs["ent_b"], center=orgs["center_a"]).requester == orgs["ent_b"]
    assert _check(None, requester=orgs["ent_b"], center=orgs["center_b"]).requester == orgs["ent_b"]
    review = services.review_import(actor=users["admin"], path=bom(tmp_path, [["电池", "某公司", "中国", "1"]]),
                                    requester=orgs["ent_b"], center=orgs["center_a"])
    assert review.requester == orgs["ent_b"]
    for who in ("js_office", "univ", "expert"):
        with pytest.raises(PermissionDenied):
            _check(users[who], requester=orgs["ent_a"], center=orgs["center_a"])


def test_api_refuses_with_403_naming_the_requester(db, api_client, users, orgs):
    body = {"product_name": "预充电控制器", "features": FEATURES, "markets": ["CN"],
            "horizon_date": HORIZON.isoformat(), "requester_id": orgs["ent_b"].pk}
    api = api_client.as_user(users["center_a"])
    r = api.post("/risk/checks", body)
    assert r.status_code == 403
    assert r.json()["error"]["field"] == "requester" and "尚未服务" in r.json()["error"]["message"]
    _demand(orgs["ent_b"], orgs["center_a"])
    r = api.post("/risk/checks", body)
    assert r.status_code == 201 and r.json()["requester_id"] == orgs["ent_b"].pk


def test_the_requester_picker_offers_only_served_organisations(db, api_client, client, users, orgs):
    _demand(orgs["ent_b"], orgs["center_a"])
    center = {h["value"] for h in api_client.as_user(users["center_a"]).get("/lookups/risk_requesters").json()}
    assert center == {orgs["ent_b"].pk}
    assert api_client.as_user(users["center_b"]).get("/lookups/risk_requesters").json() == []
    admin = {h["value"] for h in api_client.as_user(users["admin"]).get("/lookups/risk_requesters").json()}
    assert admin >= {orgs["ent_a"].pk, orgs["ent_b"].pk, orgs["univ"].pk} and orgs["center_a"].pk not in admin
    ent = {h["value"] for h in api_client.as_user(users["ent_a"]).get("/lookups/risk_requesters").json()}
    assert ent == {orgs["ent_a"].pk}
    # every organisation the picker offers a center is one the service accepts
    assert all(selectors.center_serves_requester(orgs["center_a"].pk, pk) for pk in center)
    # the page's form validates against the same list: an unserved requester is refused, a served one accepted
    client.force_login(users["center_a"])
    form = {"product_name": "预充电控制器", "features": "\n".join(FEATURES), "markets": ["CN"],
            "horizon_date": HORIZON.isoformat()}
    r = client.post("/risk/new/", {**form, "requester": orgs["ent_a"].pk})
    assert r.status_code == 200 and not RiskCheck.objects.exists()
    r = client.post("/risk/new/", {**form, "requester": orgs["ent_b"].pk})
    assert r.status_code == 302 and RiskCheck.objects.get().requester == orgs["ent_b"]
    page = client.get("/risk/supply/new/")
    assert page.status_code == 200 and "/api/v1/lookups/risk_requesters" in page.content.decode()
