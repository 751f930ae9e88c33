"""专利开源: scope by list or by definition, resolved to patents, refreshed after an import, with alerts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.licensing import selectors, services
from ipoc.licensing.models import PledgeAlert
from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent, PatentParty

pytestmark = pytest.mark.django_db


def test_pledge_by_list(patent, make_patent, users, orgs):
    other = make_patent("CN110000009B")
    pledge = services.pledge_create(actor=users["univ"], title="低碳技术专利开源", summary="承诺不起诉",
                                    mechanism="covenant", conditions=["good_faith", "defensive"],
                                    scope_kind="list", scope_numbers=f"{patent.publication_number}, CN999999999B")
    assert pledge.pledgor == orgs["univ"]
    assert selectors.pledged_patent_ids() == {patent.pk}
    assert selectors.patent_licensing_status(patent.pk)["pledges"][0]["id"] == pledge.pk
    assert selectors.organization_pledges(orgs["univ"].pk)[0]["title"] == "低碳技术专利开源"
    assert other.pk not in selectors.pledged_patent_ids()
    with pytest.raises(ApplicationError) as exc:
        services.pledge_create(actor=users["univ"], title="x", summary="x", mechanism="covenant", scope_kind="list")
    assert exc.value.field == "scope_numbers"


def test_refresh_after_a_large_import_skips_untouched_list_pledges_without_an_in_of_every_id(patent, users, monkeypatch):
    """An import of millions of patents hands every id to the refresh: a list pledge none of whose patents was
    touched is skipped, one that was is re-resolved, and no query carries the touched ids (at 3M derived patents an
    IN of every id held the end of the import for many minutes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.pledge_create(actor=users["univ"], title="低碳技术专利开源", summary="承诺不起诉", mechanism="covenant",
                           conditions=["good_faith"], scope_kind="list", scope_numbers=patent.publication_number)
    from ipoc.licensing.services import pledges

    resolved = []
    real = pledges.pledge_resolve
    monkeypatch.setattr(pledges, "pledge_resolve", lambda pledge: resolved.append(pledge.pk) or real(pledge=pledge))
    others = list(range(10_000_000, 10_020_000))
    with CaptureQueriesContext(connection) as ctx:
        assert services.pledges_refresh(others) == 0
    assert resolved == []
    assert max(len(q["sql"]) for q in ctx.captured_queries) < 5_000
    assert services.pledges_refresh([*others, patent.pk]) == 1
    assert len(resolved) == 1


def test_pledge_by_definition_picks_up_an_imported_patent_and_drops_a_lapsed_one(make_patent, users, orgs, tmp_path):
    kept = make_patent("CN110000010B", title="一种固态电池电解质")
    lapsing = make_patent("CN110000011B", title="一种固态电池隔膜")
    make_patent("CN110000012B", title="一种纺织机械")
    pledge = services.pledge_create(actor=users["univ"], title="固态电池开源", summary="免费许可",
                                    mechanism="royalty_free", scope_kind="definition", scope_keywords="固态电池",
                                    scope_applicant="浙江大学")
    assert {c.patent_id for c in selectors.pledge_coverage(pledge)} == {kept.pk, lapsing.pk}

    # An import brings a new matching patent and the lapse of another: the pledge follows.
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"publication_number": "CN110000013B", "title": "一种固态电池正极", "abstract": "固态电池",
                                "applicants": ["浙江大学"], "patent_type": "发明", "legal_status": "有效",
                                "application_date": "2020-01-01", "grant_date": "2022-01-01"}, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    Patent.objects.filter(pk=lapsing.pk).update(legal_status="lapsed", lapse_date=dt.date.today())
    patent_services.patent_import(actor=None, path=path, format="jsonl")
    new = Patent.objects.get(publication_number="CN110000013B")
    # A pledge by definition is re-resolved whole after every import: the new patent in, the lapsed one out.
    covered = {c.patent_id for c in selectors.pledge_coverage(pledge)}
    assert covered == {kept.pk, new.pk}
    dropped = selectors.pledge_coverage(pledge, include_dropped=True).get(patent=lapsing)
    assert dropped.drop_reason == "专利失效"
    kinds = set(PledgeAlert.objects.filter(pledge=pledge).values_list("kind", flat=True))
    assert {"added", "lapsed"} <= kinds


def test_transfer_alert_and_withdrawal(patent, users, orgs):
    pledge = services.pledge_create(actor=users["univ"], title="开源", summary="s", mechanism="contract",
                                    scope_kind="list", scope_numbers=[patent.publication_number])
    PatentParty.objects.filter(patent=patent, role="holder").update(name="某受让公司", organization=None)
    services.pledge_resolve(pledge=pledge)
    assert PledgeAlert.objects.filter(pledge=pledge, kind="transferred").exists()
    with pytest.raises(ApplicationError):
        services.pledge_withdraw(actor=users["ent_a"], pledge=pledge, reason="x")
    services.pledge_withdraw(actor=users["univ"], pledge=pledge, reason="战略调整")
    assert selectors.pledged_patent_ids() == set()
    assert PledgeAlert.objects.filter(pledge=pledge, kind="withdrawn").exists()


def test_pledge_page_is_public(client, patent, users):
    pledge = services.pledge_create(actor=users["univ"], title="公开承诺", summary="s", mechanism="covenant",
                                    scope_kind="list", scope_numbers=[patent.publication_number])
    r = client.get(f"/licensing/pledges/{pledge.pk}/")
    assert r.status_code == 200 and patent.publication_number in r.content.decode()
