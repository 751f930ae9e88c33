""""²".isdigit() is true but int("²") raises: ids and years read from a query or form go through isdecimal(), so
such input is ignored or refused, never a 500."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_superscript_digits_in_queries_and_forms_are_not_a_500(client, users):
    client.login(username="center_a", password=PASSWORD)
    for url in ("/deals/statistics/?year=²&center=²", "/deals/new/?demand=²&event=³", "/search/?q=电池&year=²"):
        assert client.get(url).status_code < 500, url
    assert client.post("/notifications/", {"id": ["²", "12"]}).status_code < 500
