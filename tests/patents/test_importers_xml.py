"""USPTO and EPO XML import, including bulk-file streaming and broken documents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ipoc.patents.importers import iter_epo, iter_uspto
from ipoc.patents.importers.epo import parse_ep_citation
from ipoc.patents.importers.uspto import split_documents

from . import require_sample_dir

GRANT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v45-2014-04-03.dtd" [ ]>
<us-patent-grant lang="EN" dtd-version="v4.5 2014-04-03">
<us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>0{num}</doc-number><kind>B2</kind><date>20160607</date></document-id></publication-reference>
<application-reference appl-type="utility"><document-id><country>US</country><doc-number>14558596</doc-number><date>20141202</date></document-id></application-reference>
<classifications-ipcr><classification-ipcr><section>B</section><class>60</class><subclass>L</subclass><main-group>11</main-group><subgroup>18</subgroup></classification-ipcr></classifications-ipcr>
<invention-title>Widget &amp; gadget &ldquo;{num}&rdquo;</invention-title>
<us-references-cited><us-citation><patcit num="00001"><document-id><country>US</country><doc-number>5948634</doc-number><kind>A</kind></document-id></patcit><category>cited by examiner</category></us-citation>
<us-citation><nplcit num="00002"><othercit>Smith, Journal of Widgets, 2001</othercit></nplcit><category>cited by applicant</category></us-citation></us-references-cited>
<us-parties><us-applicants><us-applicant app-type="applicant" designation="us-only"><addressbook><orgname>Acme Corp.</orgname><address><country>US</country></address></addressbook></us-applicant></us-applicants>
<inventors><inventor><addressbook><last-name>Doe</last-name><first-name>Jane</first-name></addressbook></inventor></inventors></us-parties>
</us-bibliographic-data-grant>
<abstract><p>An abstract.</p></abstract>
<claims><claim id="CLM-00001" num="00001"><claim-text>1. A widget comprising a gadget.</claim-text></claim>
<claim id="CLM-00002" num="00002"><claim-text>2. The widget of <claim-ref idref="CLM-00001">claim 1</claim-ref>, wherein it is blue.</claim-text></claim></claims>
</us-patent-grant>
"""


def test_bulk_file_streams_documents_and_isolates_a_broken_one(tmp_path: Path) -> None:
    broken = GRANT.format(num="9358893").replace("</invention-title>", "</invention-titel>")
    path = tmp_path / "ipg.xml"
    path.write_text(GRANT.format(num="9358892") + broken + GRANT.format(num="9358894"), encoding="utf-8")
    docs = list(split_documents(path))
    assert [start for start, _ in docs] == [1, 18, 35]
    items = list(iter_uspto(path))
    assert [row for row, _, _ in items] == [1, 18, 35]
    assert items[1][1] is None and items[1][2][0].field == "xml" and items[1][2][0].row == 18
    rec = items[0][1]
    assert rec.key == "US9358892B2" and rec.grant_number == "US9358892B2"
    assert rec.application_number == "US14558596" and rec.application_date == date(2014, 12, 2)
    assert rec.title == "Widget & gadget \u201c9358892\u201d"
    assert rec.ipc_all == ["B60L11/18"]
    assert [(c.number, c.refers_to, c.independent) for c in rec.claims] == [(1, [], True), (2, [1], False)]
    assert rec.claims[1].text.startswith("The widget of claim 1")
    assert [(c.number, c.text) for c in rec.backward_citations] == [
        ("US5948634A", None), (None, "Smith, Journal of Widgets, 2001")]
    assert rec.applicants[0].name == "Acme Corp." and rec.applicants[0].type == "企业"
    assert rec.inventors == ["Doe, Jane"]
    assert items[2][1].key == "US9358894B2"


def test_real_uspto_bulk_file() -> None:
    path = require_sample_dir() / "us" / "ipg120327_196_grants.xml"
    items = list(iter_uspto(path))
    assert len(items) == 196
    assert [e for _, _, errs in items for e in errs] == []
    records = [rec for _, rec, _ in items]
    assert len({r.key for r in records}) == 196
    assert sum(len(r.backward_citations) for r in records) > 3000
    # this weekly excerpt holds design grants only: one claim each, USD… numbers
    assert all(r.patent_type == "外观设计" and r.key.startswith("USD") and r.kind_code == "S1" for r in records)
    assert all(len(r.claims) == 1 and r.claims[0].independent for r in records)
    assert all(r.application_date and r.grant_date == date(2012, 3, 27) for r in records)


def test_real_epo_trilingual() -> None:
    path = require_sample_dir() / "ep" / "eps_xml" / "grant_v1-5-B1.xml"
    [(row, rec, errs)] = list(iter_epo(path))
    assert errs == [] and rec.key == "EP3404678B1"
    assert rec.application_number == "EP17171508.9" and rec.application_date == date(2017, 5, 17)
    assert set(rec.title_translations) == {"de", "en", "fr"}
    assert rec.title == "HIGH VOLTAGE ASSEMBLY AND METHOD TO OPERATE THE HIGH VOLTAGE ASSEMBLY"
    assert {lang: len(cl) for lang, cl in rec.claims_translations.items()} == {"en": 12, "de": 12, "fr": 12}
    assert rec.claims[1].refers_to == [1]
    assert rec.ipc_all == ["H01F27/14", "H01F27/40"]
    assert rec.holders[0].name == "General Electric Technology GmbH"
    assert any(c.number == "EP3109871A1" for c in rec.backward_citations)


def test_ep_citation_texts() -> None:
    assert parse_ep_citation("US-A1- 2008 197 955").number == "US20080197955A1"
    assert parse_ep_citation("WO-A-03/008444").number == "WO2003008444A"
    assert parse_ep_citation("something else").number is None
