"""Access-matrix cases (tests/core/test_access_matrix.py) for the risk app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused.

The check is 苏州甲科技's (江苏), handled by center 甲: an enterprise asks for its own check; the handling center's
staff run it, chart it and report. Another center, an office of another province (浙江) and an expert are refused."""

from __future__ import annotations

import datetime as dt

from tests.core.test_access_matrix import CENTER_OUTSIDERS, TODAY, Call, case

FEATURES = ["热成像相机安装于云台", "云台由无人机搭载", "控制器根据温度阈值报警"]


def _check(w):
    from ipoc.risk import services

    return services.check_create(actor=None, requester=w.o["ent_a"], center=w.o["center_a"],
                                 product_name="无人机巡检热成像云台", description="出口用巡检云台", features=FEATURES,
                                 markets=["CN"], horizon_date=TODAY + dt.timedelta(days=3 * 365))


def _candidate(w, check):
    from ipoc.risk import services

    return services.candidate_add(actor=None, check=check, patent_id=w.patents["univ"].pk)


@case("POST", "/risk/checks")
def _(w):
    # asking in another enterprise's name
    body = {"product_name": "无人机巡检热成像云台", "features": FEATURES, "markets": ["CN"],
            "horizon_date": str(TODAY + dt.timedelta(days=365)), "requester_id": w.o["ent_a"].pk,
            "center_id": w.o["center_a"].pk}
    return Call("/risk/checks", "ent_a", body, other_org="ent_b", other_office="zj_office")


@case("POST", "/risk/checks/{check_id}/run")
def _(w):
    w.patents  # noqa: B018  (something to find)
    return Call(f"/risk/checks/{_check(w).pk}/run", "center_a", **CENTER_OUTSIDERS)


@case("POST", "/risk/checks/{check_id}/candidates")
def _(w):
    return Call(f"/risk/checks/{_check(w).pk}/candidates", "center_a", {"patent_id": w.patents["univ"].pk},
                **CENTER_OUTSIDERS)


@case("POST", "/risk/checks/{check_id}/candidates/{candidate_id}/remove")
def _(w):
    check = _check(w)
    candidate = _candidate(w, check)
    return Call(f"/risk/checks/{check.pk}/candidates/{candidate.pk}/remove", "center_a",
                {"reason": "技术领域不同"}, **CENTER_OUTSIDERS)


@case("POST", "/risk/checks/{check_id}/elements/{element_id}")
def _(w):
    from ipoc.risk.models import ClaimElement

    check = _check(w)
    candidate = _candidate(w, check)
    element = candidate.elements.first() or ClaimElement.objects.create(
        candidate=candidate, claim_number=1, position=1, text="一种空气污染物浓度监测传感器")
    return Call(f"/risk/checks/{check.pk}/elements/{element.pk}", "center_a",
                {"mapping": "absent", "note": "产品不具备该特征"}, **CENTER_OUTSIDERS)


@case("POST", "/risk/checks/{check_id}/report")
def _(w):
    from ipoc.risk import services

    check = _check(w)
    # a candidate looked at and set aside: the report has something behind it and no open chart
    services.candidate_remove(actor=None, candidate=_candidate(w, check), reason="技术领域不同")
    return Call(f"/risk/checks/{check.pk}/report", "center_a", **CENTER_OUTSIDERS)
