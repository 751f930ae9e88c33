"""No 500 on bad input (issue 14 item 10): integers past the database's range, dates the search index cannot
hold and impossible years are a 400/422 naming the parameter — in the API and on the pages, where the error
is shown in the layout."""

from __future__ import annotations

import pytest

from ipoc.patents.models import Patent

HUGE = "669025055858371198976"

API = [
    ("/patents", {"organization": HUGE}, "organization"),
    ("/patents", {"grant_date_to": "6184-09-06"}, "grant_date_to"),
    ("/patents", {"application_date_from": "1024-12-21"}, "application_date_from"),
    ("/search/patents", {"q": "电池", "grant_date_to": "6184-09-06"}, "grant_date_to"),
    ("/search/patents", {"q": "电池", "application_date_from": "1024-12-21"}, "application_date_from"),
    ("/deals", {"center": HUGE}, "center"),
    ("/deals", {"party": HUGE}, "party"),
    ("/deals", {"signed_year": "778518"}, "signed_year"),
    ("/matching/chain-nodes", {"center_id": HUGE}, "center_id"),
    ("/matching/listings", {"patent_id": HUGE}, "patent_id"),
    ("/demands", {"organization": HUGE}, "organization"),
    ("/demands", {"center": HUGE}, "center"),
    ("/events", {"year": "778518"}, "year"),
    ("/stock/pushes", {"stock": HUGE}, "stock"),
    ("/centers/reports", {"year": "778518"}, "year"),
]


@pytest.mark.parametrize("path,params,field", API, ids=[f"{p}?{next(iter(q))}" for p, q, _f in API])
def test_api_filters_out_of_range_answer_with_the_field(api_client, users, path, params, field):
    api_client.as_user(users["admin"])
    response = api_client.get(path, **params)
    assert response.status_code in (400, 422), (response.status_code, response.content[:300])
    error = response.json()["error"]
    assert error["field"] == field, error


@pytest.mark.parametrize("path", ["/demands/{}", "/organizations/{}", "/deals/{}", "/stock/{}", "/jobs/{}"])
def test_api_path_ids_out_of_range_are_not_a_server_error(api_client, users, path):
    api_client.as_user(users["admin"])
    response = api_client.get(path.format(HUGE))
    assert response.status_code in (400, 404, 422), (response.status_code, response.content[:300])


def test_the_last_resort_names_the_parameter_in_a_json_body_path_or_query():
    """An OverflowError deep in a query (e.g. a foreign-key filter; Django handles plain pk lookups itself)
    is blamed on the parameter that carried the number, wherever it came from."""
    from django.test import RequestFactory

    from ipoc.core.bounds import bad_input_error

    factory = RequestFactory()
    body = factory.post("/api/v1/x", {"title": "x", "items": [{"node_id": 1}, {"node_id": int(HUGE)}]},
                        content_type="application/json")
    error = bad_input_error(body, OverflowError("Python int too large to convert to SQLite INTEGER"))
    assert error.status == 400 and error.field == "items.1.node_id" and HUGE[:20] in error.message
    query = factory.get("/deals/", {"signed_year": "778518"})
    assert bad_input_error(query, ValueError("year 778518 is out of range")).field == "signed_year"
    assert bad_input_error(factory.get("/x", {"q": "1"}), ValueError("a real bug")) is None  # not input: a 500
    nul = factory.post("/api/v1/x", {"title": "a\x00b"}, content_type="application/json")
    error = bad_input_error(nul, ValueError("A string literal cannot contain NUL (0x00) characters."))
    assert error.field == "title"  # PostgreSQL's refusal of a NUL character is the input's fault


PAGES = [
    ("/deals/", {"signed_year": "778518"}, "signed_year"),
    ("/deals/", {"center": HUGE}, "center"),
    ("/patents/", {"organization": HUGE}, "organization"),
    ("/patents/", {"grant_date_to": "6184-09-06"}, "grant_date_to"),
    ("/search/", {"q": "电池", "application_date_from": "1024-12-21"}, "application_date_from"),
    ("/matching/chain/", {"center": HUGE}, "center"),
]


@pytest.mark.parametrize("path,params,field", PAGES, ids=[f"{p}?{next(iter(q))}" for p, q, _f in PAGES])
def test_pages_show_the_error_in_the_layout_with_status_400(client, users, path, params, field):
    Patent.objects.create(key="CN1A", publication_number="CN1A", title="一种电池", application_date="2020-01-01")
    client.force_login(users["admin"])
    response = client.get(path, params)
    html = response.content.decode()
    # never a 500: a page's filter form shows the error on its field or falls back to a valid choice (200),
    # or the error page names the parameter, in the layout (400)
    assert response.status_code in (200, 400), (response.status_code, html[:300])
    if response.status_code == 400:
        assert field in html and "navbar" in html, html[:500]


def test_a_page_with_an_id_past_the_range_is_not_a_server_error(client, users):
    client.force_login(users["admin"])
    for path in (f"/demands/{HUGE}/", f"/deals/{HUGE}/", f"/stock/{HUGE}/", f"/jobs/{HUGE}/"):
        response = client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
