"""Probe finding on sign-in throttling behind a reverse proxy (issue 14 item 12).

With ``IPOC_TRUST_PROXY=1`` the client's address was the *first* ``X-Forwarded-For`` hop. The README's nginx
configuration (``$proxy_add_x_forwarded_for``) appends the real address to whatever the client sent, so the
first hop is the client's own choice: a guesser sending a new ``X-Forwarded-For: 10.0.0.N`` with each attempt
was never stopped by the per-address limit. The address is the last hop — the one the trusted proxy added.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from ipoc.core.security import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_address_is_the_hop_the_proxy_added(monkeypatch):
    monkeypatch.setenv("IPOC_TRUST_PROXY", "1")
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1",
                                   HTTP_X_FORWARDED_FOR="10.0.0.7, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    one_hop = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(one_hop) == "203.0.113.9"
    monkeypatch.delenv("IPOC_TRUST_PROXY")
    assert client_address(request) == "127.0.0.1"  # without a trusted proxy the header is not believed


def test_a_spoofed_forwarded_for_does_not_escape_the_per_address_limit(client, users, monkeypatch):
    monkeypatch.setenv("IPOC_TRUST_PROXY", "1")
    monkeypatch.setenv("IPOC_LOGIN_MAX_FAILURES_PER_ADDRESS", "6")
    for n in range(6):  # six accounts guessed from one real address, each attempt claiming another origin
        client.post("/login/", {"username": f"nobody{n}", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9")
    response = client.post("/login/", {"username": "ent_b", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.9")
    assert "登录失败次数过多" in response.content.decode()
    response = client.post("/login/", {"username": "ent_b", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert response.status_code == 302  # another real address signs in
