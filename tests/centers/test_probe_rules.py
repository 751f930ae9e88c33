"""Probe finding on the rules page (no 500 on bad input): an office's rule editor answered 500 for
``NaN`` or ``1e309`` in a number (the JSON column refused it, or ``int(nan)`` failed) and for table rows whose
columns were not all posted (``IndexError``); the API (``PUT /api/v1/centers/rules/{code}``, whose JSON
parser accepts ``NaN``) the same. Now each is a message on the rule, naming the value."""

from __future__ import annotations

import pytest

from ipoc.centers.models import RuleOverride

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code, data", [
    ("pass_score", {"value": "nan", "reason": "苏知发〔2026〕1号"}),
    ("pass_score", {"value": "1e309", "reason": "苏知发〔2026〕1号"}),
    ("publicity_working_days", {"value": "NaN", "reason": "苏知发〔2026〕1号"}),
    ("scoring_sheet", {"row_code": ["a", "b", "c"], "row_label": ["甲", "乙", "丙"], "row_max": ["10"],
                       "reason": "苏知发〔2026〕1号"}),
    ("scoring_sheet", {"row_code": ["a"], "row_label": ["甲"], "row_max": ["inf"], "reason": "苏知发〔2026〕1号"}),
    ("evaluation_indicators", {"row_code": ["annual_deal_amount", "x"], "row_label": ["甲", "乙"],
                               "row_source": ["kpi"], "row_target": ["1"], "row_weight": ["1"],
                               "reason": "苏知发〔2026〕1号"}),
])
def test_bad_rule_values_are_messages_not_errors(client, users, code, data):
    client.force_login(users["js_office"])
    response = client.post(f"/centers/rules/{code}/", data)
    assert response.status_code == 302
    page = client.get("/centers/rules/").content.decode()
    assert "alert-danger" in page
    assert not RuleOverride.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_the_api_refuses_non_finite_numbers(client, api_client, users, value):
    api = api_client.as_user(users["js_office"])
    response = client.put("/api/v1/centers/rules/pass_score", f'{{"value": {value}, "reason": "x"}}',
                          content_type="application/json", **api.headers)
    assert response.status_code in (400, 422) and response.json()["error"]["field"] == "value"
    assert not RuleOverride.objects.exists()
