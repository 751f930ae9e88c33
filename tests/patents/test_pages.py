"""The patent pages as a person uses them: the table with its FilterSet (the API's filter shape), exports
that a spreadsheet cannot run, a patent's page with its identity and related records, the import pages."""

import csv
import dataclasses
import datetime as dt
import io
import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from ipoc.patents import selectors, services
from ipoc.patents.api import PatentFilterQuery
from ipoc.patents.filtersets import PatentFilterSet
from ipoc.patents.models import Patent

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def patents(db):
    cache.clear()  # the source choices are cached
    services.patent_import(actor=None, path=FIXTURES / "broken_incopat.csv", format="incopat")


@pytest.fixture
def unnumbered(db):
    return Patent.objects.create(key="ext:patents_bdci:3ecb0001", source="patents_bdci", external_id="3ecb0001",
                                 title="一类层状钙钛矿型纳米氧化物超级电容器电极材料", abstract="本发明涉及电极材料。")


def visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_filterset_has_the_shape_of_the_selectors_and_the_api():
    shape = {f.name for f in dataclasses.fields(selectors.PatentFilters)}
    assert set(PatentFilterSet.base_filters) == shape == set(PatentFilterQuery.model_fields)


def test_list_page_filters_through_the_selector_and_shows_words(client, users, patents):
    client.force_login(users["ent_a"])
    html = client.get("/patents/", {"patent_type": "invention", "legal_status": "valid"}).content.decode()
    text = visible_text(html)
    assert "CN113012345A" in text and "一种锂电池极片涂布方法" in text and "CN209876543U" not in text
    assert "发明" in text and "有效" in text and "宁德时代新能源科技股份有限公司" in text
    assert " invention " not in text and " valid " not in text  # codes never reach the page
    assert "共 1 条" in text
    by_ipc = visible_text(client.get("/patents/", {"ipc": "f16l"}).content.decode())
    assert "一种带\"快速\"接头的水管" in by_ipc or "一种带&quot;快速&quot;接头的水管" in by_ipc
    assert "共 1 条" in by_ipc
    # the same filters as the API: an applicant and a region prefix
    assert "共 1 条" in visible_text(client.get("/patents/", {"applicant": "清华", "region": "35"}).content.decode())


def test_a_malformed_date_is_shown_under_its_field_and_the_rest_still_filters(client, users, patents):
    client.force_login(users["ent_a"])
    response = client.get("/patents/", {"application_date_from": "2021-13-45", "patent_type": "utility_model"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "invalid-feedback" in html and 'id="patent-filters-more"' in html
    assert re.search(r'class="collapse show" id="patent-filters-more"', html)  # the section with the error is open
    assert "CN209876543U" in html and "CN113012345A" not in html


def test_organisation_filter_is_a_picker_not_a_typed_id(client, users, patents):
    client.force_login(users["center_a"])
    html = client.get("/patents/").content.decode()
    assert 'data-picker-url="/api/v1/lookups/organizations"' in html


def test_exports_neutralise_formulas_and_keep_the_filters(client, users, patents):
    Patent.objects.create(key="CN999999999A", publication_number="CN999999999A", patent_type="invention",
                          title="=HYPERLINK(\"http://evil\",\"点我\")", legal_status="valid")
    client.force_login(users["ent_a"])
    for url, params in (("/patents/", {"export": "csv", "q": "HYPERLINK"}), ("/patents/export.csv", {"q": "HYPERLINK"})):
        response = client.get(url, params)
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows[0][:3] == ["公开（公告）号", "申请号", "专利名称"] and len(rows) == 2, url
        assert rows[1][2] == "'=HYPERLINK(\"http://evil\",\"点我\")" and rows[1][3] == "发明"
    xlsx = client.get("/patents/", {"export": "xlsx", "q": "HYPERLINK"})
    rows = list(load_workbook(BytesIO(xlsx.content)).active.values)
    assert rows[1][2].startswith("'=HYPERLINK") and rows[1][3] == "发明"


def test_detail_of_a_patent_without_numbers_names_it_by_title_and_source(client, users, unnumbered):
    client.force_login(users["univ"])
    html = client.get(f"/patents/{unnumbered.pk}/").content.decode()
    text = visible_text(html)
    assert "一类层状钙钛矿型纳米氧化物超级电容器电极材料" in text and "研究数据集 · BDCI" in text
    assert "ext:" not in text and "剩余" not in text and "None" not in text
    assert "未知" in text and "—" in text  # unknown type/status, missing numbers and dates


def test_detail_shows_remaining_life_only_when_it_can_be_computed(client, users, patents):
    client.force_login(users["ent_a"])
    valid = visible_text(client.get("/patents/CN113012345A/").content.decode())
    assert "剩余保护期" in valid and re.search(r"约 \d+\.\d 年", valid), valid
    assert "期限届满日 2041-03-31" in valid
    patent = Patent.objects.create(key="CN101000001A", publication_number="CN101000001A", patent_type="invention",
                                   title="一种已失效的方法", application_date=dt.date(2015, 3, 1), legal_status="lapsed")
    assert patent.remaining_life_years() == 0.0
    lapsed = visible_text(client.get(f"/patents/{patent.pk}/").content.decode())
    assert "剩余保护期" not in lapsed and "失效" in lapsed


def test_detail_links_the_records_of_other_modules_both_ways(client, users, orgs, patents):
    from ipoc.deals import services as deal_services
    from ipoc.events import services as event_services
    from ipoc.matching import services as matching_services
    from ipoc.valuation import services as valuation_services

    patent = Patent.objects.get(publication_number="CN113012345A")
    matching_services.listing_create(actor=None, patent_id=patent.pk, holder=orgs["ent_a"], modes=["license"])
    run = valuation_services.valuation_run(actor=None, patents=[patent])
    deal = deal_services.deal_create(actor=None, title="锂电池涂布技术许可", deal_type="license",
                                     center=orgs["center_a"], patents=[patent], amount=Decimal("400000"))
    event = event_services.event_create(actor=None, title="新能源专利路演", held_on=dt.date(2026, 5, 1),
                                        organizer=orgs["center_a"], place="苏州", patents=[patent])
    client.force_login(users["center_a"])
    html = client.get(f"/patents/{patent.pk}/").content.decode()
    text = visible_text(html)
    assert "苏州甲科技有限公司" in text and "许可" in text  # the listing, its mode by label
    assert f'/valuation/patents/{patent.pk}/' in html and run.as_of.isoformat() in text
    assert f'/deals/{deal.pk}/' in html and "锂电池涂布技术许可" in text
    assert "40 万元" in text and "400,000" not in text  # in 万元, as the deal list shows amounts
    assert f'/events/{event.pk}/' in html and "新能源专利路演" in text
    assert "未列入高校院所存量专利" in text and "暂无匹配的需求" in text
    # another center's staff does not see center A's deal or event on the same page
    client.force_login(users["center_b"])
    other = client.get(f"/patents/{patent.pk}/").content.decode()
    assert f'/deals/{deal.pk}/' not in other and "暂无交易" in visible_text(other)


def test_import_form_names_formats_in_words_and_the_report_is_readable(client, users, db):
    client.force_login(users["center_a"])
    form = visible_text(client.get("/patents/imports/new/").content.decode())
    assert "incoPat / CNIPA 导出表（CSV/Excel）" in form and "USPTO 全文 XML" in form
    assert "uspto-xml" not in form and "epo-xml" not in form
    with (FIXTURES / "broken_incopat.csv").open("rb") as fh:
        response = client.post("/patents/imports/new/", {"file": fh, "format": "incopat"}, follow=True)
    assert "已开始导入" in response.content.decode()  # the success message
    batch = selectors.import_batch_list(user=users["center_a"]).first()
    html = client.get(f"/patents/imports/{batch.pk}/").content.decode()
    text = visible_text(html)
    assert "broken_incopat.csv" in text and "incoPat / CNIPA 导出表" in text and "未能导入的行" in text
    assert batch.file_path not in html and "/" + Path(batch.file_path).parent.name + "/" not in html
    assert " / " not in " ".join(r for r in text.split("原因", 1)[1:])  # no second language glued to reasons
    assert "无法识别" in text or "校验位" in text or "未知的专利类型" in text


def test_rejection_reasons_keep_the_value_and_drop_the_other_language():
    assert selectors.rejection_reason("未知的专利类型 / unknown patent type 'foo'") == "未知的专利类型：'foo'"
    assert selectors.rejection_reason("缺少专利名称 / missing title") == "缺少专利名称"
    assert selectors.rejection_reason(
        "申请号校验位错误：'CN1.2' 的校验位为 3，应为 4 / wrong check digit in application number 'CN1.2': got 3"
    ) == "申请号校验位错误：'CN1.2' 的校验位为 3，应为 4"
    assert selectors.rejection_place("xml") == "XML 文档" and selectors.rejection_place("title") == "名称"
    assert selectors.rejection_place("申请号") == "申请号"


def test_columns_hidden_by_default_can_be_chosen(client, users, patents):
    client.force_login(users["ent_a"])
    chosen = client.get("/patents/", {"cols": "patent,grant_date"}).content.decode()
    header = re.search(r"<thead.*?</thead>", chosen, flags=re.S).group(0)
    assert "授权公告日" in header and "申请人" not in header
    assert "授权公告日" not in re.search(r"<thead.*?</thead>", client.get("/patents/").content.decode(),
                                       flags=re.S).group(0)


def test_a_value_the_selector_refuses_is_an_error_under_its_field_not_an_error_page(client, users, patents,
                                                                                     monkeypatch):
    from ipoc.core.errors import ApplicationError

    original = selectors.PatentFilters

    def refusing(**values):  # as the selectors refuse a date the store cannot hold
        if values.get("grant_date_to") == dt.date(1500, 1, 1):
            raise ApplicationError("授权日 止超出可处理的范围", field="grant_date_to")
        return original(**values)

    monkeypatch.setattr(selectors, "PatentFilters", refusing)
    client.force_login(users["ent_a"])
    response = client.get("/patents/", {"grant_date_to": "1500-01-01", "patent_type": "utility_model"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'class="collapse show" id="patent-filters-more"', html) and "授权日 止超出可处理的范围" in html
    assert "CN209876543U" in html and "CN113012345A" not in html  # the other filters still apply


def test_the_list_puts_patents_without_a_filing_date_last_on_every_engine(client, users):
    """PostgreSQL sorts NULLs first in a descending order and SQLite last: the demo on PostgreSQL opened its
    patent list with undated title-only records. The list, its date column sorted either way, and the API
    keep dated patents first."""
    from ipoc.patents.models import Patent

    for i, date in enumerate([None, dt.date(2021, 5, 1), None, dt.date(2023, 1, 9)]):
        Patent.objects.create(key=f"CN30000000{i}A", publication_number=f"CN30000000{i}A", title=f"排序专利{i}",
                              application_date=date)
    client.force_login(users["ent_a"])

    def first_seen(**params) -> list[str]:
        seen = []
        for n in re.findall(r"CN30000000(\d)A", client.get("/patents/", params).content.decode()):
            if n not in seen:
                seen.append(n)
        return seen

    assert first_seen() == ["3", "1", "2", "0"]  # newest first; the undated two last, newest record first
    assert first_seen(sort="-application_date") == ["3", "1", "2", "0"]
    assert first_seen(sort="application_date") == ["1", "3", "0", "2"]  # oldest first, still undated last
    assert [p.key for p in Patent.objects.filter(key__startswith="CN30000000")] == [
        "CN300000003A", "CN300000001A", "CN300000002A", "CN300000000A"]
