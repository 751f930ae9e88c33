"""Sign-in throttling, the production profile and security headers, API token lifecycle (issue 14 items 12–14)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from ipoc.core import services
from ipoc.core.models import ApiToken, AuditEntry, LoginFailure
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, addr="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


# ---------------------------------------------------------------- 12. sign-in throttling


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, users):
    for _ in range(5):
        response = login(client, "ent_a", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = login(client, "ent_a", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 200 and "登录失败次数过多" in body  # not signed in
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="ent_a").count() == 6
    messages = list(AuditEntry.objects.filter(message__contains="ent_a").values_list("message", flat=True))
    assert any("登录被限制" in m for m in messages) and sum("登录失败" in m for m in messages) >= 5
    # Another account from another address is not affected.
    assert login(client, "ent_b", PASSWORD, addr="10.0.0.2").status_code == 302


def test_the_lock_lifts_after_the_window(client, users):
    for _ in range(5):
        login(client, "ent_a", "wrong")
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert login(client, "ent_a", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="ent_a").exists()  # a success clears the account's count


def test_one_address_guessing_many_accounts_is_stopped(client, users, monkeypatch):
    monkeypatch.setenv("IPOC_LOGIN_MAX_FAILURES_PER_ADDRESS", "6")
    for n in range(6):
        login(client, f"nobody{n}", "x", addr="10.9.9.9")
    response = login(client, "ent_b", PASSWORD, addr="10.9.9.9")
    assert "登录失败次数过多" in response.content.decode()
    assert login(client, "ent_b", PASSWORD, addr="10.9.9.10").status_code == 302


def test_a_stranger_guessing_cannot_lock_the_owner_out_from_another_address(client, users, monkeypatch):
    for _ in range(7):
        login(client, "ent_a", "wrong", addr="10.6.6.6")
    assert "登录失败次数过多" in login(client, "ent_a", PASSWORD, addr="10.6.6.6").content.decode()
    assert login(client, "ent_a", PASSWORD, addr="10.0.0.8").status_code == 302  # the owner, elsewhere


def test_guessing_one_account_from_many_addresses_is_stopped(client, users, monkeypatch):
    monkeypatch.setenv("IPOC_LOGIN_MAX_FAILURES_PER_ACCOUNT_TOTAL", "8")
    for n in range(8):
        login(client, "ent_a", "wrong", addr=f"10.7.0.{n}")  # one try from each of eight addresses
    assert "登录失败次数过多" in login(client, "ent_a", PASSWORD, addr="10.7.1.1").content.decode()


# ---------------------------------------------------------------- 13. production profile and headers


def test_pages_carry_a_csp_without_inline_scripts_and_a_permissions_policy(client, users):
    client.force_login(users["center_a"])
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    body = response.content.decode()
    assert "onclick=" not in body and "onchange=" not in body


def test_check_deploy_is_clean_under_the_production_profile(tmp_path):
    env = {**os.environ, "IPOC_PRODUCTION": "1", "IPOC_HOME": str(tmp_path)}  # the generated secret key
    env.pop("DATABASE_URL", None)
    env.pop("IPOC_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "ipoc.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_redirects_to_https_and_sets_secure_cookies(tmp_path):
    code = ("import django, os; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)")
    env = {**os.environ, "IPOC_PRODUCTION": "1", "IPOC_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ipoc.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "True", "True", "True"], out.stderr


# ---------------------------------------------------------------- 14. API tokens


def bearer(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_tokens_are_listed_created_and_revoked_through_the_api(client, users):
    _t, plain = services.api_token_create(actor=None, user=users["ent_a"], name="first")
    created = client.post("/api/v1/tokens", {"name": "sync", "expires_at": (timezone.now() + dt.timedelta(days=30))
                                              .isoformat()}, content_type="application/json", **bearer(plain))
    assert created.status_code == 201
    new = created.json()
    assert new["token"].startswith("ipoc_") and new["expires_at"]
    listed = client.get("/api/v1/tokens", **bearer(new["token"])).json()
    assert {t["name"] for t in listed} == {"first", "sync"} and all("token" not in t for t in listed)
    assert all("key_hash" not in t for t in listed)
    revoked = client.delete(f"/api/v1/tokens/{new['id']}", **bearer(plain))
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert client.get("/api/v1/me", **bearer(new["token"])).status_code == 401


def test_a_user_cannot_see_or_revoke_another_users_token(client, users):
    theirs, _p = services.api_token_create(actor=None, user=users["ent_b"], name="theirs")
    _t, mine = services.api_token_create(actor=None, user=users["ent_a"], name="mine")
    assert client.delete(f"/api/v1/tokens/{theirs.id}", **bearer(mine)).status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked is False
    assert all(t["name"] != "theirs" for t in client.get("/api/v1/tokens", **bearer(mine)).json())


def test_expired_tokens_are_refused(client, users):
    token, plain = services.api_token_create(actor=None, user=users["ent_a"], name="short",
                                             expires_at=timezone.now() + dt.timedelta(minutes=5))
    assert client.get("/api/v1/me", **bearer(plain)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", **bearer(plain)).status_code == 401


def test_password_change_and_deactivation_revoke_tokens(client, users):
    user = users["ent_a"]
    _t, first = services.api_token_create(actor=None, user=user, name="a")
    user.set_password("another-pass-2026")
    user.save()
    assert client.get("/api/v1/me", **bearer(first)).status_code == 401
    _t, second = services.api_token_create(actor=None, user=user, name="b")
    user.first_name = "改名不吊销"
    user.save()
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200
    user.is_active = False
    user.save()
    assert ApiToken.objects.filter(user=user, revoked=False).count() == 0


def test_last_used_is_written_at_most_once_a_minute(client, users, django_assert_max_num_queries):
    token, plain = services.api_token_create(actor=None, user=users["ent_a"], name="t")
    client.get("/api/v1/me", **bearer(plain))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/api/v1/me", **bearer(plain))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    client.get("/api/v1/me", **bearer(plain))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_token_page_creates_shows_once_and_revokes(client, users):
    client.force_login(users["ent_a"])
    response = client.post("/account/tokens/", {"name": "脚本", "days": "30"})
    body = response.content.decode()
    token = ApiToken.objects.get(user=users["ent_a"], name="脚本")
    assert "只显示这一次" in body and token.prefix in body and token.expires_at is not None
    again = client.get("/account/tokens/").content.decode()
    assert "ipoc_" not in again.replace(token.prefix, "")  # the plain token is never shown again
    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert "已吊销" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked


def test_cli_lists_and_revokes_tokens(users, capsys):
    token, _p = services.api_token_create(actor=None, user=users["ent_a"], name="cli-made")
    call_command("token", "list", "ent_a", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["cli-made"]
    call_command("token", "revoke", str(token.pk), "--json")
    assert ApiToken.objects.get(pk=token.pk).revoked


def test_admin_shows_no_editable_key_hash(client, users):
    token, _p = services.api_token_create(actor=None, user=users["ent_a"], name="x")
    client.force_login(users["admin"])
    body = client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in body and 'name="key_hash"' not in body
