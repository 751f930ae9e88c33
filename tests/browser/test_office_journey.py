"""An office opens its waiting 形式审查 from its home page (issue 13's journey), in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.centers import services
from tests.centers.conftest import center_a, hosts  # noqa: F401
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_opens_its_waiting_formal_review_from_its_home_page(page, users, center_a):  # noqa: F811
    app = services.application_create(actor=users["center_a"], center=center_a, year=dt.date.today().year,
                                      summary="已建成工作机构", achievements="服务中小企业")
    services.application_submit(actor=users["center_a"], application=app)
    browser_login(page, "js_office")
    page.goto("/")
    item = page.locator(f"a[href='/centers/applications/{app.pk}/']").first
    assert center_a.name in item.inner_text()
    assert "待形式审查" in page.locator(".page-body").inner_text()
    item.click()
    page.wait_for_url(f"**/centers/applications/{app.pk}/")
    assert page.locator("#app-status").inner_text() == "待形式审查"
    assert page.locator("#formal-form").is_visible()
