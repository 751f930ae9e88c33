"""On the real sample: a product described from US 9,358,892's claims, markets US and CN, finds that grant among
the top candidates and charts its claim 1 with every element present."""

from pathlib import Path

import pytest

from ipoc.patents import services as patent_services
from ipoc.risk import services
from ipoc.search.testing import search_index  # noqa: F401

US = Path("/work/shared/data/us/uspto_formats")
OTHERS = ["grant_v4-5-B2.xml", "grant_v4-0-B2.xml", "application_v4-5-A1.xml", "application_v4-4-A1.xml",
          "grant_v2-5-B1.xml"]

FEATURES = [
    "Pre-charging system of a hybrid vehicle that improves hill climb performance in reverse direction",
    "A battery whose state of charge value is monitored",
    "A motor powers the movement of the hybrid vehicle with energy stored in the battery",
    "An engine outputs power for driving the hybrid vehicle or for charging the battery",
    "A grade sensor detects the grade value of the surface on which the hybrid vehicle is positioned",
    "A gear selection sensor detects the gear selection made by the driver",
    "An electronic control unit determines whether to activate a pre-charge mode based on the gear selection, "
    "the grade value and the state of charge value; after the pre-charge mode is activated it determines a target "
    "charge value from the grade value and the state of charge value and charges the battery with power outputted "
    "by the engine until the state of charge value is equal to or greater than the target charge value",
]


@pytest.mark.skipif(not (US / "grant_v4-5-B1.xml").exists(), reason="USPTO sample files not present")
def test_product_from_us9358892_claims_finds_the_grant_and_charts_claim_1_fully(db, users, orgs, search_index):  # noqa: F811
    for name in ["grant_v4-5-B1.xml", *OTHERS]:
        if (US / name).exists():
            patent_services.patent_import(actor=None, path=US / name, format="auto")
    from django.apps import apps

    grant = apps.get_model("patents", "Patent").objects.get(grant_number__contains="9358892")
    check = services.check_create(actor=users["ent_a"], center=orgs["center_a"],
                                  product_name="Hybrid vehicle reverse hill-climb pre-charging controller",
                                  description="Controller that pre-charges the battery of a hybrid vehicle before "
                                              "it climbs a slope in reverse gear.",
                                  features=FEATURES, markets=["US", "CN"], horizon_date="2030-12-31")
    services.check_run(actor=users["center_a"], check=check)
    assert check.rounds.count() >= 3
    assert check.rounds.filter(route="keywords").get().hits >= 1
    top = list(check.candidates.filter(in_scope=True).order_by("rank").values_list("patent_id", flat=True)[:3])
    assert grant.pk in top
    cand = check.candidates.get(patent_id=grant.pk)
    assert cand.markets["US"]["kept"] is True and cand.markets["CN"]["kept"] is False
    claim1 = list(cand.elements.filter(claim_number=1))
    assert len(claim1) >= 7
    assert [e.mapping for e in claim1] == ["literal"] * len(claim1), [(e.text[:40], e.overlap) for e in claim1]
    assert cand.risk == "high"
