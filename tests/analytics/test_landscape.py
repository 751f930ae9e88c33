"""Each analysis reconciles exactly with counts computed directly from the fixture set's records, and every
figure drills down to exactly the patents it counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from ipoc.analytics import selectors, services
from ipoc.analytics.models import SetKind, TermAxis
from ipoc.patents.models import Patent, PatentClassification, PatentParty

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def batch_set(corpus, users):
    return services.patent_set_create(actor=users["admin"], name="导入批次", kind=SetKind.IMPORT_BATCH,
                                      definition={"batch_id": corpus.pk})


def _drill_ids(patent_set, analysis, key) -> set[int]:
    qs, _words = selectors.drill(patent_set, analysis, key, today=TODAY)
    return set(qs.values_list("pk", flat=True))


def _check_drills(patent_set, analysis, counted: dict, expected_ids: dict) -> None:
    for key, n in counted.items():
        ids = _drill_ids(patent_set, analysis, key)
        assert len(ids) == n, (analysis, key)
        assert ids == expected_ids[key], (analysis, key)


def test_every_analysis_reconciles_with_the_records(batch_set):
    raw = selectors.landscape_raw(batch_set, today=TODAY)
    patents = list(Patent.objects.all())
    assert batch_set.size == len(patents) == raw["totals"]["patents"] == 6

    # filing / grant trend and life cycle
    apps = Counter(str(p.application_date.year) for p in patents if p.application_date)
    grants = Counter(str(p.grant_date.year) for p in patents if p.grant_date)
    applicants = PatentParty.objects.filter(role="applicant")
    by_year: dict[str, set] = {}
    for a in applicants.select_related("patent"):
        if a.patent.application_date:
            by_year.setdefault(str(a.patent.application_date.year), set()).add(a.name)
    expected = [(y, apps.get(y, 0), grants.get(y, 0), len(by_year.get(y, ()))) for y in sorted(set(apps) | set(grants))]
    assert raw["trend"] == expected
    assert raw["trend"][0] == ("2019", 2, 0, 3)  # two filings in 2019 by three different applicants
    _check_drills(batch_set, "app_year", dict(apps),
                  {y: {p.pk for p in patents if p.application_date and str(p.application_date.year) == y} for y in apps})

    # applicants, types, co-applicants
    per_name: dict[str, set] = {}
    per_type: dict[str, set] = {}
    for a in applicants:
        per_name.setdefault(a.name, set()).add(a.patent_id)
        per_type.setdefault(a.party_type, set()).add(a.patent_id)
    assert dict(raw["applicants"]) == {k: len(v) for k, v in per_name.items()}
    assert raw["applicants"][0] == ("丙通信有限公司", 2) or raw["applicants"][0][1] == 2
    assert raw["applicant_count"] == len(per_name)
    assert dict(raw["applicant_types"]) == {k: len(v) for k, v in per_type.items()}
    _check_drills(batch_set, "applicant", dict(raw["applicants"]), per_name)
    _check_drills(batch_set, "applicant_type", dict(raw["applicant_types"]), per_type)
    pairs: dict[str, set] = {}
    for p in patents:
        names = sorted({a.name for a in applicants if a.patent_id == p.pk})
        for i, x in enumerate(names):
            for y in names[i + 1:]:
                pairs.setdefault(f"{x}|{y}", set()).add(p.pk)
    assert dict(raw["co_applicants"]) == {k: len(v) for k, v in pairs.items()}
    _check_drills(batch_set, "co_applicants", dict(raw["co_applicants"]), pairs)

    # inventors
    inv: dict[str, set] = {}
    for p in patents:
        for name in p.inventors:
            inv.setdefault(name, set()).add(p.pk)
    assert dict(raw["inventors"]) == {k: len(v) for k, v in inv.items()}
    assert raw["inventor_count"] == len(inv)
    _check_drills(batch_set, "inventor", dict(raw["inventors"]), inv)

    # IPC at four levels and IPC × year
    codes = list(PatentClassification.objects.filter(scheme="ipc").select_related("patent"))
    for level, cut in (("section", lambda c: c[:1]), ("class", lambda c: c[:3]), ("subclass", lambda c: c[:4]),
                       ("group", lambda c: c.split("/")[0])):
        got: dict[str, set] = {}
        for c in codes:
            got.setdefault(cut(c.code), set()).add(c.patent_id)
        assert dict(raw[f"ipc_{level}"]) == {k: len(v) for k, v in got.items()}, level
        _check_drills(batch_set, f"ipc_{level}", dict(raw[f"ipc_{level}"]), got)
    heat: dict[str, set] = {}
    for c in codes:
        if c.patent.application_date:
            heat.setdefault(f"{c.subclass}|{c.patent.application_date.year}", set()).add(c.patent_id)
    assert dict(raw["ipc_year"]) == {k: len(v) for k, v in heat.items()}
    assert dict(raw["ipc_section"])["H"] == 5

    # regions, countries, priority flows
    assert dict(raw["regions"]) == dict(Counter(p.region_code for p in patents if p.region_code))
    assert raw["region_names"]["44"] == "广东"
    assert dict(raw["countries"]) == dict(Counter(p.jurisdiction for p in patents if p.jurisdiction))
    flows = Counter(f"{c['country']}|{p.jurisdiction}" for p in patents for c in p.priority_claims if c.get("country"))
    assert dict(raw["priority_flows"]) == dict(flows) == {"CN|US": 1, "JP|CN": 1}
    _check_drills(batch_set, "priority_flow", dict(flows),
                  {k: {p.pk for p in patents for c in p.priority_claims if f"{c['country']}|{p.jurisdiction}" == k}
                   for k in flows})

    # legal status and remaining life (valid patents only)
    assert dict(raw["legal_status"]) == dict(Counter(p.legal_status for p in patents))
    life = Counter()
    for p in patents:
        if p.legal_status != "valid":
            continue
        years = (p.expiry_date - TODAY).days / 365.25 if p.expiry_date else None
        life["unknown" if years is None else "0-1" if years < 1 else "1-3" if years < 3 else "3-5" if years < 5
             else "5-10" if years < 10 else "10+"] += 1
    assert dict(raw["remaining_life"]) == dict(life)
    assert sum(life.values()) == raw["totals"]["valid"] == 3

    # transactions from the store's fields
    t = raw["totals"]
    assert (t["transfers"], t["licences"], t["pledges"]) == (sum(p.transfer_count for p in patents),
                                                             sum(p.licence_count for p in patents),
                                                             sum(p.pledge_count for p in patents)) == (2, 1, 1)
    assert raw["transfer_years"] == [("2022", 1)]
    assert _drill_ids(batch_set, "transfer_year_any", "1") == {p.pk for p in patents if p.transfer_count}

    # citations: most cited, and the network inside the set (numbers resolved to set members)
    cited = sorted(((p.forward_citations_count, p.pk) for p in patents if p.forward_citations_count), reverse=True)
    assert [(r[0], r[-1]) for r in raw["most_cited"]] == [(pk, n) for n, pk in cited]
    by_number = {p.publication_number: p.pk for p in patents}
    edges = sorted({(p.pk, by_number[c["number"]]) for p in patents for c in p.backward_citations
                    if c.get("number") in by_number and by_number[c["number"]] != p.pk})
    assert raw["citation_edges"] == edges and len(edges) == 3


def test_presented_landscape_has_words_units_and_links(batch_set, users):
    land = selectors.landscape(batch_set, user=users["admin"], today=TODAY)
    a = land["analyses"]
    assert a["legal_status"]["rows"][0]["cells"][0] in ("有效", "审中", "失效")
    assert {r["cells"][0] for r in a["countries"]["rows"]} == {"中国", "美国", "欧洲专利局"}
    assert all(r["url"].startswith(f"/analytics/{batch_set.pk}/patents/?") for r in a["applicants"]["rows"])
    assert a["ipc_section"]["rows"][0]["cells"][0] == "H（电学）"
    from ipoc.analytics import charts

    built = charts.build(land)
    for key, chart in built.items():
        assert chart["title"], key
        if chart["option"]:
            assert chart["option"]["title"]["text"], key


def test_matrix_cell_drills_down_to_exactly_its_patents(batch_set, users):
    staff = users["admin"]
    tech = services.matrix_term_save(actor=staff, patent_set=batch_set, axis=TermAxis.TECHNOLOGY, label="电池",
                                     words=["电池", "电解液"])
    effect = services.matrix_term_save(actor=staff, patent_set=batch_set, axis=TermAxis.EFFECT, label="能量密度",
                                       words=["能量密度"], reviewed=False)
    other = services.matrix_term_save(actor=staff, patent_set=batch_set, axis=TermAxis.EFFECT, label="干扰",
                                      words=["干扰"])
    raw = selectors.landscape_raw(batch_set, today=TODAY)
    view = selectors.matrix_view(batch_set, raw)
    cells = {(c["tech"], c["effect"]): c for r in view["rows"] for c in r["cells"]}
    expected = {p.pk for p in Patent.objects.all()
                if any(w in f"{p.title} {p.abstract}" for w in ("电池", "电解液")) and "能量密度" in f"{p.title} {p.abstract}"}
    assert cells[("电池", "能量密度")]["count"] == len(expected) == 2
    assert cells[("电池", "能量密度")]["reviewed"] is False  # one of its terms is not reviewed yet
    assert cells[("电池", "干扰")] | {} and cells[("电池", "干扰")]["count"] == 0  # searched, none found
    assert cells[("电池", "干扰")]["reviewed"] is True
    assert _drill_ids(batch_set, "matrix", f"{tech.pk}:{effect.pk}") == expected
    assert _drill_ids(batch_set, "matrix", f"{tech.pk}:{other.pk}") == set()
    assert view["unreviewed"] == 1


def test_terms_are_proposed_from_the_texts(batch_set, users):
    added = services.matrix_terms_propose(actor=users["admin"], patent_set=batch_set)
    tech, effects = selectors.matrix_terms(batch_set)
    assert added[TermAxis.TECHNOLOGY] == len(tech) > 0 and not any(t.reviewed for t in tech)
    assert "能量密度" in {e.label for e in effects} or "效率" in {e.label for e in effects}
    assert services.matrix_terms_review(actor=users["admin"], patent_set=batch_set) == len(tech) + len(effects)


def test_the_copies_go_with_their_patent_and_their_set(batch_set, users):
    """The member and fact rows carry no database constraint (bulk copies); deleting still removes them."""
    from ipoc.analytics.models import PatentSetMember, SetApplicant, SetClass, SetInventor

    copies = (PatentSetMember, SetApplicant, SetClass, SetInventor)
    patent = Patent.objects.get(pk=PatentSetMember.objects.filter(patent_set=batch_set).values("patent_id")[:1])
    assert all(m.objects.filter(patent_set=batch_set, patent=patent).exists() for m in (PatentSetMember, SetClass))
    patent.delete()
    assert not any(m.objects.filter(patent_id=patent.pk).exists() for m in copies)
    assert all(m.objects.filter(patent_set=batch_set).exists() for m in (PatentSetMember, SetApplicant, SetClass))
    services.patent_set_delete(actor=users["admin"], patent_set=batch_set)
    assert not any(m.objects.filter(patent_set_id=batch_set.pk).exists() for m in copies)
