"""Probe finding (sign-in, deployment): ``ipoc demo`` creates 25 accounts — a platform administrator, national and
provincial office staff, center staff … — with the password ``ipoc-demo-2026`` that the public help page
(/help/admin/, no sign-in) prints. Nothing stopped it under the production profile, so a production instance
given the demo to show the platform was open to anyone who read the help. Under ``IPOC_PRODUCTION=1`` the demo
now refuses to create accounts unless ``IPOC_DEMO_PASSWORD`` sets a password other than the published one."""

from __future__ import annotations

import pytest

from ipoc.core.demo import DEFAULT_DEMO_PASSWORD, demo_run
from ipoc.core.errors import ApplicationError
from ipoc.core.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", [None, DEFAULT_DEMO_PASSWORD, ""])
def test_production_refuses_demo_accounts_with_the_published_password(settings, monkeypatch, tmp_path, password):
    settings.IPOC_PRODUCTION = True
    if password is None:
        monkeypatch.delenv("IPOC_DEMO_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("IPOC_DEMO_PASSWORD", password)
    with pytest.raises(ApplicationError) as caught:
        demo_run(data_dir=tmp_path, only=["organizations", "users"])
    assert "IPOC_DEMO_PASSWORD" in caught.value.message
    assert not User.objects.exists()


def test_production_demo_with_its_own_password(settings, monkeypatch, tmp_path):
    settings.IPOC_PRODUCTION = True
    monkeypatch.setenv("IPOC_DEMO_PASSWORD", "a-long-local-secret-4f9c")
    demo_run(data_dir=tmp_path, only=["organizations", "users"])
    admin = User.objects.get(username="admin")
    assert admin.check_password("a-long-local-secret-4f9c") and not admin.check_password(DEFAULT_DEMO_PASSWORD)


def test_outside_production_the_demo_keeps_its_default(settings, monkeypatch, tmp_path):
    settings.IPOC_PRODUCTION = False
    monkeypatch.delenv("IPOC_DEMO_PASSWORD", raising=False)
    demo_run(data_dir=tmp_path, only=["organizations", "users"])
    assert User.objects.get(username="office").check_password(DEFAULT_DEMO_PASSWORD)
