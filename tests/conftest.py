"""Shared fixtures: a small cast of organisations and one user per role."""

from __future__ import annotations

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
    """A Django test client speaking JSON to /api/v1 as a given user (Bearer token)."""

    class ApiClient:
        def __init__(self):
            self.headers = {}

        def as_user(self, user):
            _token, plain = services.api_token_create(actor=None, user=user, name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
            return self

        def get(self, path, **params):
            return client.get("/api/v1" + path, params, **self.headers)

        def post(self, path, data=None):
            return client.post("/api/v1" + path, data or {}, content_type="application/json", **self.headers)

        def patch(self, path, data):
            return client.patch("/api/v1" + path, data, content_type="application/json", **self.headers)

    return ApiClient()
