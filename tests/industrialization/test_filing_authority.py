"""Probe (hostile user): the enterprise could move its own 专利密集型产品 filing to 认定审查中 / 公示中 / 认定通过 /
未通过 — certify itself. Those are the national platform's answers: the enterprise (or a center acting for it)
prepares and marks 已备案; only a center serving the enterprise, an IP office whose area covers it or a platform
administrator records the results, and 认定通过 needs the platform's reference or the 公示/公告 number.

The cast (tests/conftest.py, tests/industrialization/conftest.py): 产品甲 of 苏州甲科技 (ent_a, 江苏), cultivated by
center 甲 (its project); center 乙 does not serve ent_a; 江苏省知识产权局 covers it, 浙江省知识产权局 does not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ipoc.centers import kpi
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.industrialization import selectors, services
from ipoc.industrialization.models import FilingStatus


@pytest.fixture
def filed(users, product_with_data, data_year):
    """The enterprise prepared the pack and marked it 已备案, without the platform's reference."""
    filing = services.filing_prepare(actor=users["ent_a"], product=product_with_data, data_year=data_year)
    return services.filing_transition(actor=users["ent_a"], filing=filing, to_status="filed",
                                      on=dt.date(data_year + 1, 3, 5))


def _center(orgs):
    from types import SimpleNamespace

    return SimpleNamespace(organization_id=orgs["center_a"].pk, organization=orgs["center_a"])


def test_the_enterprise_cannot_bring_its_own_publication_number(users, product_with_data, data_year):
    filing = services.filing_prepare(actor=users["ent_a"], product=product_with_data, data_year=data_year)
    with pytest.raises(ApplicationError) as err:
        services.filing_transition(actor=users["ent_a"], filing=filing, to_status="filed",
                                   publication_reference="国知公告第 1 号")
    assert err.value.field == "publication_reference"
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PREPARED and filing.publication_reference == ""


def test_the_enterprise_files_but_cannot_record_any_result(users, filed):
    assert filed.status == FilingStatus.FILED and filed.filed_date
    for status in ("reviewing", "not_recognised"):
        with pytest.raises(PermissionDenied) as err:
            services.filing_transition(actor=users["ent_a"], filing=filed, to_status=status, reason="自行登记")
        assert err.value.field == "status" and "申报企业不能自行登记" in err.value.message
    filed.refresh_from_db()
    assert filed.status == FilingStatus.FILED and filed.status_changes.count() == 2  # prepared, filed


def test_the_enterprise_cannot_skip_to_recognised_later_either(users, filed):
    filing = services.filing_transition(actor=users["center_a"], filing=filed, to_status="reviewing")
    filing = services.filing_transition(actor=users["center_a"], filing=filing, to_status="publicized",
                                        publication_reference="公示〔2026〕12号")
    with pytest.raises(PermissionDenied):
        services.filing_transition(actor=users["ent_a"], filing=filing, to_status="recognised",
                                   publication_reference="自拟编号")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PUBLICIZED and filing.publication_reference == "公示〔2026〕12号"


def test_the_products_center_records_results_and_recognised_needs_a_reference(users, filed):
    actor = users["center_a"]
    filing = services.filing_transition(actor=actor, filing=filed, to_status="reviewing")
    filing = services.filing_transition(actor=actor, filing=filing, to_status="publicized")
    with pytest.raises(ApplicationError) as err:  # neither the platform's reference nor a publication number
        services.filing_transition(actor=actor, filing=filing, to_status="recognised")
    assert err.value.field == "publication_reference" and "公示/公告编号" in err.value.message
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PUBLICIZED and filing.result_date is None
    filing = services.filing_transition(actor=actor, filing=filing, to_status="recognised",
                                        publication_reference=" 国知公告第 88 号 ")
    assert filing.status == FilingStatus.RECOGNISED and filing.publication_reference == "国知公告第 88 号"
    assert filing.result_date == dt.date.today()


def test_the_platform_reference_given_at_filing_is_enough_and_cannot_be_swapped(users, product_with_data,
                                                                                data_year):
    filing = services.filing_prepare(actor=users["ent_a"], product=product_with_data, data_year=data_year)
    filing = services.filing_transition(actor=users["ent_a"], filing=filing, to_status="filed",
                                        platform_reference="BA-2026-0001")
    office = users["js_office"]
    filing = services.filing_transition(actor=office, filing=filing, to_status="reviewing")
    with pytest.raises(ApplicationError) as err:
        services.filing_transition(actor=office, filing=filing, to_status="publicized",
                                   platform_reference="BA-2026-9999")
    assert err.value.field == "platform_reference"
    filing = services.filing_transition(actor=office, filing=filing, to_status="publicized")
    filing = services.filing_transition(actor=office, filing=filing, to_status="recognised")
    assert filing.status == FilingStatus.RECOGNISED and filing.platform_reference == "BA-2026-0001"


def test_who_may_record_results(users, orgs, product_with_data, filed):
    product = product_with_data
    may = services.may_record_filing_result
    assert may(None, product) and may(users["admin"], product)
    assert may(users["center_a"], product)      # cultivates the product (its project)
    assert may(users["js_office"], product)     # 江苏: covers 苏州甲科技
    assert may(users["cnipa"], product)         # national office
    assert not may(users["ent_a"], product)     # the applicant itself
    assert not may(users["center_b"], product)  # serves nobody here
    assert not may(users["ent_b"], product) and not may(users["univ"], product) and not may(users["expert"], product)
    for who in ("center_b", "ent_b", "expert"):
        with pytest.raises(PermissionDenied):
            services.filing_transition(actor=users[who], filing=filed, to_status="reviewing")
    # once center 乙 serves the enterprise (a project of center 乙 implemented by it), it may record results too
    services.project_create(actor=None, title="乙中心项目", enterprise=orgs["ent_a"], center=orgs["center_b"])
    assert may(users["center_b"], product)
    assert services.filing_transition(actor=users["center_b"], filing=filed, to_status="reviewing").status == \
        FilingStatus.REVIEWING


def test_an_office_of_another_province_is_refused(users, orgs, filed):
    from ipoc.core import services as core_services
    from ipoc.core.models import Role
    from tests.conftest import PASSWORD

    zj = core_services.user_create(actor=None, username="zj_office_user", password=PASSWORD, role=Role.OFFICE_STAFF,
                                   organization=orgs["zj_office"])
    assert not services.may_record_filing_result(zj, filed.product)
    with pytest.raises(PermissionDenied):
        services.filing_transition(actor=zj, filing=filed, to_status="reviewing")


def test_an_office_records_results_but_does_not_file(users, product_with_data, data_year):
    filing = services.filing_prepare(actor=users["ent_a"], product=product_with_data, data_year=data_year)
    with pytest.raises(PermissionDenied) as err:
        services.filing_transition(actor=users["js_office"], filing=filing, to_status="filed")
    assert "申报企业" in err.value.message
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PREPARED


def test_not_recognised_recorded_by_the_office_with_a_reason(users, filed):
    with pytest.raises(ApplicationError) as err:
        services.filing_transition(actor=users["js_office"], filing=filed, to_status="not_recognised")
    assert err.value.field == "reason"
    filing = services.filing_transition(actor=users["js_office"], filing=filed, to_status="not_recognised",
                                        reason="专利贡献收入占比不足")
    assert filing.status == FilingStatus.NOT_RECOGNISED and filing.status_changes.last().actor == users["js_office"]


def test_api_refuses_the_enterprise_with_a_clear_message(api_client, users, filed):
    product, url = filed.product, f"/industrialization/products/{filed.product_id}/filings/{filed.pk}/transition"
    ent = api_client.as_user(users["ent_a"])
    r = ent.post(url, {"to_status": "reviewing"})
    assert r.status_code == 403
    body = r.json()["error"]
    assert body["field"] == "status" and "申报企业不能自行登记" in body["message"]
    center = api_client.as_user(users["center_a"])
    assert center.post(url, {"to_status": "reviewing"}).json()["status"] == "reviewing"
    office = api_client.as_user(users["js_office"])
    assert office.post(url, {"to_status": "publicized"}).json()["status"] == "publicized"
    r = office.post(url, {"to_status": "recognised"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "publication_reference"
    r = office.post(url, {"to_status": "recognised", "publication_reference": "国知公告第 88 号"})
    assert r.status_code == 200
    assert r.json()["status"] == "recognised" and r.json()["publication_reference"] == "国知公告第 88 号"
    assert ent.get(f"/industrialization/products/{product.pk}").json()["filings"][0]["status"] == "recognised"
    assert api_client.as_user(users["ent_b"]).post(url, {"to_status": "not_recognised",
                                                         "reason": "x"}).status_code in (403, 404)


def _buttons(client, user, product) -> set[str]:
    import re

    client.force_login(user)
    page = client.get(reverse("industrialization_product_detail", args=[product.pk])).content.decode()
    return set(re.findall(r'type="submit" data-status="(\w+)"', page))


def test_page_shows_result_buttons_only_to_recorders(client, users, product_with_data, data_year):
    product = product_with_data
    filing = services.filing_prepare(actor=users["ent_a"], product=product, data_year=data_year)
    assert _buttons(client, users["ent_a"], product) == {"filed"}
    assert _buttons(client, users["js_office"], product) == set()  # an office does not file
    services.filing_transition(actor=users["ent_a"], filing=filing, to_status="filed")
    assert _buttons(client, users["ent_a"], product) == set()
    assert _buttons(client, users["center_a"], product) == {"reviewing", "not_recognised"}
    assert _buttons(client, users["js_office"], product) == {"reviewing", "not_recognised"}
    assert _buttons(client, users["admin"], product) == {"reviewing", "not_recognised"}
    # the enterprise's forged POST on the page is refused like the API's
    client.force_login(users["ent_a"])
    r = client.post(reverse("industrialization_filing_transition", args=[product.pk, filing.pk]),
                    {"to_status": "reviewing"})
    assert r.status_code == 403
    filing.refresh_from_db()
    assert filing.status == FilingStatus.FILED
    # the recognised form asks for the publication number while the filing has no reference
    for status in ("reviewing", "publicized"):
        services.filing_transition(actor=users["center_a"], filing=filing, to_status=status)
    client.force_login(users["center_a"])
    page = client.get(reverse("industrialization_product_detail", args=[product.pk])).content.decode()
    assert "公示/公告编号（必填）" in page and "依据条文待核实" in page
    r = client.post(reverse("industrialization_filing_transition", args=[product.pk, filing.pk]),
                    {"to_status": "recognised", "publication_reference": "公告-7"})
    assert r.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RECOGNISED and filing.publication_reference == "公告-7"


def test_counts_of_filed_and_recognised_products_still_reconcile(users, orgs, filed, data_year):
    """The KPI counts products filed in the year and not refused, whoever records the later results; the list
    filter and the yearly reminder count 认定通过 as recorded by the office."""
    year = data_year + 1
    figure = kpi.kpi_figure(kpi.PATENT_INTENSIVE_PRODUCTS, _center(orgs), year)
    assert figure.value == 1 and figure.record_refs == [("industrialization.product", filed.product_id)]
    filing = filed
    for status in ("reviewing", "publicized"):
        filing = services.filing_transition(actor=users["js_office"], filing=filing, to_status=status)
    filing = services.filing_transition(actor=users["js_office"], filing=filing, to_status="recognised",
                                        publication_reference="国知公告第 88 号")
    figure = kpi.kpi_figure(kpi.PATENT_INTENSIVE_PRODUCTS, _center(orgs), year)
    assert figure.value == 1 and figure.record_refs == [("industrialization.product", filed.product_id)]
    recognised = selectors.product_list(user=users["center_a"], status="recognised")
    assert list(recognised.values_list("pk", flat=True)) == [filed.product_id]
    assert selectors.center_filed_product_ids(orgs["center_a"].pk, year) == [filed.product_id]
