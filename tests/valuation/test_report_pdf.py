"""The per-patent valuation report as PDF: the page link, the API, the CLI; Chinese text really embedded."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from ipoc.valuation import pdf, services
from ipoc.valuation.models import PatentValuation

from .test_app_services import import_records, make_records

PASSWORD = "test-pass-2026"


@pytest.fixture
def valued(db, tmp_path):
    patents = import_records(tmp_path, make_records())
    services.valuation_run(actor=None, scenario="management")
    return patents


def _text(data: bytes) -> str:
    """The PDF's extracted text, whitespace removed. fpdf2 encodes a CFF (OTF) font with an embedded
    CMap, which pypdf reads as one NUL per 2-byte code on top of the right character: dropped here;
    the ToUnicode map itself is checked in ``_unicode_map``."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


def _unicode_map(data: bytes) -> set[str]:
    """The characters the font's ToUnicode CMap maps glyph codes to."""
    reader = PdfReader(io.BytesIO(data))
    font = next(iter(reader.pages[0]["/Resources"]["/Font"].values())).get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    return {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{4}>\s*<([0-9A-F]{4})>", cmap)}


def _fonts(data: bytes) -> list[dict]:
    reader = PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else {}
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            out.append({"base": str(font["/BaseFont"]), "subtype": str(font["/Subtype"]),
                        "to_unicode": "/ToUnicode" in font,
                        "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))})
    return out


def _report(number: str) -> dict:
    from ipoc.patents import selectors as patent_selectors
    from ipoc.valuation import selectors

    patent = patent_selectors.patent_get(user=None, key_or_number=number)
    return selectors.valuation_report(selectors.valuation_get(user=None, patent=patent))


def test_pdf_embeds_a_chinese_subset_font_and_every_indicator(valued):
    report = _report("ext:valtest:bare")
    assert report["missing"], "the bare record must have missing inputs"
    data = pdf.report_pdf(report)
    assert data.startswith(b"%PDF-")
    fonts = _fonts(data)
    assert len({f["base"] for f in fonts}) == 1  # one font on every page
    font = fonts[0]
    # a Type0 font whose glyphs are embedded (a subset, prefix ABCDEF+) and mapped back to Unicode
    assert font["subtype"] == "/Type0" and font["embedded"] and font["to_unicode"]
    assert re.match(r"^/[A-Z]{6}\+", font["base"]), font["base"]
    assert set("专利评估报告缺失百分位权重贡献") <= _unicode_map(data)
    text = _text(data)
    assert "专利评估报告" in text and re.sub(r"\s+", "", report["patent"]["title"]) in text
    for label in ("原值", "百分位", "同行组", "权重", "贡献", "总分", "置信度", "一级指标"):
        assert label in text, label
    for indicator in report["indicators"]:
        assert re.sub(r"\s+", "", " › ".join(indicator["path"])) in text, indicator["id"]
    # missing inputs are shown as 缺失, once per missing indicator in the table, and listed by name
    assert text.count("缺失") >= len(report["missing"]) + 1
    missing_names = "、".join(i["name_zh"] for i in report["indicators"] if i["missing"])
    assert re.sub(r"\s+", "", missing_names) in text
    # the contributions' total (= the score) is printed
    assert pdf._num(report["contribution_total"]) in text


def test_pdf_shows_percentiles_weights_and_contributions(valued):
    report = _report("ext:valtest:p03")
    text = _text(pdf.report_pdf(report))
    shown = [i for i in report["indicators"] if not i["missing"] and i["percentile"] is not None]
    assert shown
    for i in shown:
        assert pdf._num(i["percentile"]) in text and pdf._num(i["contribution"]) in text
        assert pdf._num(i["weight"], 4) in text


def test_page_link_and_api_and_cli(valued, users, client, api_client, tmp_path, capsys):
    valuation = PatentValuation.objects.select_related("patent").get(patent__key="ext:valtest:p03")
    client.login(username="cnipa", password=PASSWORD)
    page = client.get("/valuation/patents/ext:valtest:p03/").content.decode()
    link = f"/valuation/patents/{valuation.patent_id}/report.pdf"
    assert f'href="{link}?run={valuation.run_id}"' in page and "下载 PDF" in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert valuation.patent.title.replace(" ", "") in _text(response.content)

    response = api_client.as_user(users["ent_a"]).get("/valuation/patents/ext:valtest:p03/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "专利评估报告" in _text(response.content)
    missing = api_client.get("/valuation/patents/ext:valtest:nope/report.pdf")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "number"

    out = tmp_path / "report.pdf"
    call_command("valuation", "show", "ext:valtest:p03", "--pdf", str(out), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["pdf"] == str(out) and "专利评估报告" in _text(out.read_bytes())
    with pytest.raises(CommandError, match="--pdf"):
        call_command("valuation", "score", "--all", "--pdf", str(out))
    with pytest.raises(CommandError, match="cannot write"):
        call_command("valuation", "show", "ext:valtest:p03", "--pdf", str(tmp_path / "no" / "such" / "x.pdf"))


def test_a_configured_font_that_does_not_exist_is_a_clear_error(valued, settings):
    from ipoc.core.errors import ApplicationError

    settings.IPOC_PDF_FONT = "/nonexistent/font.otf"
    with pytest.raises(ApplicationError) as err:
        pdf.report_pdf(_report("ext:valtest:p03"))
    assert err.value.field == "font"
