"""Probe finding (no 500 on bad input): the indicator system accepted ``Infinity`` as a weight (JSON parsers
read ``NaN``/``Infinity``; the validator refused NaN but not infinity), and saving it answered 500 — the JSON
column refuses non-finite numbers. Any non-finite number in the tree is now refused on the field ``tree``."""

from __future__ import annotations

import json

import pytest

from ipoc.valuation import services
from ipoc.valuation.models import IndicatorTreeVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN"])
def test_a_non_finite_number_in_the_tree_is_refused(client, api_client, users, value):
    tree = services.tree_active().tree
    body = json.dumps({"tree": tree, "note": "x"}).replace('"finance": 0.4', f'"finance": {value}', 1)
    assert value in body
    before = IndicatorTreeVersion.objects.count()
    api = api_client.as_user(users["admin"])
    response = client.put("/api/v1/valuation/tree", body, content_type="application/json", **api.headers)
    assert response.status_code == 400 and response.json()["error"]["field"] == "tree"
    assert IndicatorTreeVersion.objects.count() == before
