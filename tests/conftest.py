"""Shared fixtures: a small cast of organisations and one user per role."""

from __future__ import annotations

import os

import pytest

from ipoc.core import services
from ipoc.core.models import OfficeLevel, OrganizationKind, Role

PASSWORD = "test-pass-2026"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.IPOC_JOBS_INLINE = True  # background jobs run at once, in the request's thread


@pytest.fixture
def orgs(db):
    mk = services.organization_create
    return {
        "cnipa": mk(actor=None, name="国家知识产权局", kind=OrganizationKind.IP_OFFICE,
                    office_level=OfficeLevel.NATIONAL, region_code="110108"),
        "js_office": mk(actor=None, name="江苏省知识产权局", kind=OrganizationKind.IP_OFFICE,
                        office_level=OfficeLevel.PROVINCIAL, region_code="320000"),
        "zj_office": mk(actor=None, name="浙江省知识产权局", kind=OrganizationKind.IP_OFFICE,
                        office_level=OfficeLevel.PROVINCIAL, region_code="330000"),
        "center_a": mk(actor=None, name="甲产业知识产权运营中心", kind=OrganizationKind.OPERATION_CENTER,
                       region_code="320500"),
        "center_b": mk(actor=None, name="乙产业知识产权运营中心", kind=OrganizationKind.OPERATION_CENTER,
                       region_code="330100"),
        "ent_a": mk(actor=None, name="苏州甲科技有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=True,
                    region_code="320505"),
        "ent_b": mk(actor=None, name="杭州乙材料有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=True,
                    region_code="330106"),
        "univ": mk(actor=None, name="浙江大学", kind=OrganizationKind.UNIVERSITY, region_code="330106"),
    }


@pytest.fixture
def users(orgs):
    def mk(username, role, org=None):
        return services.user_create(actor=None, username=username, password=PASSWORD, role=role,
                                    organization=org, is_superuser=role == Role.PLATFORM_ADMIN)

    return {
        "admin": mk("admin", Role.PLATFORM_ADMIN),
        "cnipa": mk("cnipa", Role.OFFICE_STAFF, orgs["cnipa"]),
        "js_office": mk("js_office", Role.OFFICE_STAFF, orgs["js_office"]),
        "center_a": mk("center_a", Role.CENTER_STAFF, orgs["center_a"]),
        "center_b": mk("center_b", Role.CENTER_STAFF, orgs["center_b"]),
        "ent_a": mk("ent_a", Role.ENTERPRISE_USER, orgs["ent_a"]),
        "ent_b": mk("ent_b", Role.ENTERPRISE_USER, orgs["ent_b"]),
        "univ": mk("univ", Role.INSTITUTION_USER, orgs["univ"]),
        "expert": mk("expert", Role.EXPERT),
        "expert2": mk("expert2", Role.EXPERT),
    }


@pytest.fixture
def api_client(client):
    """JSON to /api/v1 with Bearer tokens. ``api_client.as_user(u)`` returns a new client bound to ``u``
    (handles for several users can be used side by side); the fixture itself then also speaks as ``u``."""

    class ApiClient:
        def __init__(self, headers=None):
            self.headers = headers or {}

        def as_user(self, user):
            _token, plain = services.api_token_create(actor=None, user=user, name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
            return ApiClient(dict(self.headers))

        def get(self, path, **params):
            return client.get("/api/v1" + path, params, **self.headers)

        def post(self, path, data=None):
            return client.post("/api/v1" + path, data or {}, content_type="application/json", **self.headers)

        def patch(self, path, data):
            return client.patch("/api/v1" + path, data, content_type="application/json", **self.headers)

    return ApiClient()


# ---------------------------------------------------------------- browser tests (one Playwright per session)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-chromium.sh installs Debian's chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


_ANSWERED = """([id, q]) => { const ts = document.getElementById(id).tomselect;
  return Object.prototype.hasOwnProperty.call(ts.loadedSearches, q) && ts.loading === 0; }"""


def pick(page, field: str, query: str, option: str | None = None) -> None:
    """Choose in a Tom Select picker over the lookup API, as a user does: type ``query``, wait for the API's answer
    to that very query (a late answer must not re-render the list under the click), click the option showing
    ``option`` as a whole word ("expert" is not "expert2"), check the form's own select now holds it, and close
    the list so it cannot cover the next field or the submit button."""
    import re

    from playwright.sync_api import expect

    option = option or query
    control = page.locator(f"#{field}-ts-control")
    control.click()
    control.fill(query)
    page.wait_for_function(_ANSWERED, arg=[field, query])
    whole = re.compile(rf"(?<![0-9A-Za-z_]){re.escape(option)}(?![0-9A-Za-z_])")
    page.locator(f"#{field}-ts-dropdown .option").filter(has_text=whole).first.click()
    expect(page.locator(f"select#{field} option:checked").filter(has_text=whole)).to_have_count(1)
    page.eval_on_selector(f"#{field}", "el => { el.tomselect.close(); el.tomselect.blur(); }")
    page.locator(f"#{field}-ts-dropdown").wait_for(state="hidden")
