"""Probe finding: any center's staff could record a 权利限制 (pledge, dispute, preservation…) — a blocker of the
patentee's open-licence declaration — on any patent. Now a center records one only on a patent held by an
organisation it serves (``deals.selectors.center_serves``) or on a patent no organisation on the platform holds;
administrators on any; a patentee's users on their own patents."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.core.errors import PermissionDenied
from ipoc.licensing import services
from ipoc.licensing.models import PatentEncumbrance
from ipoc.patents.models import PatentParty

from .conftest import TODAY

pytestmark = pytest.mark.django_db
START = TODAY - dt.timedelta(days=3)


def record(actor, patent, **kw):
    return services.encumbrance_record(actor=actor, patent=patent, kind=kw.pop("kind", "preservation"),
                                       party=kw.pop("party", "某区人民法院"), start_date=START, **kw)


def test_a_center_that_does_not_serve_the_holder_is_refused(patent, users):
    with pytest.raises(PermissionDenied) as exc:
        record(users["center_b"], patent)
    assert exc.value.field == "patent" and exc.value.status == 403
    assert "未服务" in exc.value.message and "浙江大学" in exc.value.message
    assert not PatentEncumbrance.objects.exists()


def test_a_center_serving_the_holder_records(patent, users, serves):
    serves("center_b", "univ")
    enc = record(users["center_b"], patent)
    assert enc.recorded_by == users["center_b"]
    with pytest.raises(PermissionDenied):  # serving 浙江大学 is center 乙's, not 甲's
        record(users["center_a"], patent)


def test_an_outside_patent_may_be_noted_by_any_center(make_patent, users):
    outside = make_patent("CN110000091B", holders=["平台外某公司"])
    assert services.holder_organization_ids(outside) == []
    assert record(users["center_b"], outside, kind="pledge", party="某银行").patent == outside


def test_a_holder_named_but_not_linked_is_still_a_platform_holder(make_patent, users):
    named = make_patent("CN110000092B", holders=["浙江大学"])  # no link, but the exact name of an organisation
    with pytest.raises(PermissionDenied):
        record(users["center_b"], named)


def test_the_current_holder_decides_not_an_earlier_applicant(make_patent, users, orgs, serves):
    """Transferred from 浙江大学 to 杭州乙材料: the holder is who a center must serve."""
    moved = make_patent("CN110000093B", holders=[])
    PatentParty.objects.create(patent=moved, role="applicant", position=0, name=orgs["univ"].name,
                               organization=orgs["univ"])
    PatentParty.objects.create(patent=moved, role="holder", position=0, name=orgs["ent_b"].name,
                               organization=orgs["ent_b"])
    assert services.holder_organization_ids(moved) == [orgs["ent_b"].pk]
    serves("center_b", "univ")
    with pytest.raises(PermissionDenied):
        record(users["center_b"], moved)
    serves("center_b", "ent_b")
    assert record(users["center_b"], moved).patent == moved


def test_administrators_anywhere_patentees_on_their_own_others_refused(patent, make_patent, users):
    assert record(users["admin"], patent).patent == patent
    assert record(users["univ"], patent, kind="pledge", party="某银行").patent == patent
    for who in ("ent_a", "js_office", "expert"):
        with pytest.raises(PermissionDenied):
            record(users[who], patent)
    assert record(None, patent, kind="dispute").recorded_by is None  # the system


def test_the_form_says_why(client, patent, users):
    client.force_login(users["center_b"])
    r = client.post("/licensing/encumbrances/new/", {"patent": patent.pk, "kind": "pledge", "party": "某银行",
                                                     "start_date": START.isoformat()})
    assert r.status_code == 200 and "未服务" in r.content.decode()
    assert not PatentEncumbrance.objects.exists()
