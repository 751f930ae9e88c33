"""Probe finding on organisation names (issue 14 item 1): an organisation's name is what every page, list and
picker shows, and only its uniqueness kept one organisation from taking another's. Names were stored as typed,
so an enterprise could rename itself "江苏省知识产权局 " (a trailing space) or with a zero-width space inside —
on every page indistinguishable from the provincial office. Names are now stored with spaces collapsed and
invisible characters removed, so such a name is the existing one and refused."""

from __future__ import annotations

import pytest

from ipoc.core.models import Organization
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOOKALIKES = ["江苏省知识产权局 ", " 江苏省知识产权局", "江苏省知识产权局\u200b", "江苏省\u200d知识产权局",
              "江苏省知识产权局\u3000", "江苏省知识产权局\u00a0", "\u202e江苏省知识产权局", "江苏省知识产权局\ufeff"]


@pytest.mark.parametrize("name", LOOKALIKES)
def test_an_enterprise_cannot_take_an_offices_name_with_invisible_differences(api_client, users, orgs, name):
    response = api_client.as_user(users["ent_a"]).patch(f"/organizations/{orgs['ent_a'].pk}", {"name": name})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "name"
    orgs["ent_a"].refresh_from_db()
    assert orgs["ent_a"].name == "苏州甲科技有限公司"


def test_the_edit_form_refuses_it_too(client, users, orgs):
    client.login(username="ent_a", password=PASSWORD)
    response = client.post(f"/organizations/{orgs['ent_a'].pk}/edit/", {"name": "江苏省知识产权局\u200b"})
    assert response.status_code == 200 and response.context["form"].errors.get("name")
    assert Organization.objects.filter(name__startswith="江苏省知识产权局").count() == 1


def test_names_are_stored_without_stray_spaces(api_client, users, orgs):
    response = api_client.as_user(users["ent_a"]).patch(f"/organizations/{orgs['ent_a'].pk}",
                                                         {"name": "  苏州甲 科技\u3000\u3000有限公司\u200b "})
    assert response.status_code == 200
    assert response.json()["name"] == "苏州甲 科技 有限公司"
    created = api_client.as_user(users["js_office"]).post("/organizations", {
        "name": "\u200b苏州丙科技有限公司 ", "kind": "enterprise", "region_code": "320505"})
    assert created.status_code == 201 and created.json()["name"] == "苏州丙科技有限公司"


def test_a_name_of_only_invisible_characters_is_refused(api_client, users, orgs):
    response = api_client.as_user(users["ent_a"]).patch(f"/organizations/{orgs['ent_a'].pk}", {"name": "\u200b \u3000"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "name"
