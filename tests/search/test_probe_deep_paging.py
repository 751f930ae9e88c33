"""Probe finding (issue 14: one user must not stop the platform): the search asked the index for the top
``offset + limit`` hits with no bound on ``offset``, and the index allocates room for all of them at once.
``GET /search/?q=电池&page=100000000000`` by any signed-in user (or ``/api/v1/search/patents?offset=…``) made
it allocate 32 TB: the allocation failed and the whole server process aborted. Results are now browsable to
``MAX_OFFSET`` (10,000, as Elasticsearch's ``max_result_window``); past that, a 4xx naming ``offset`` (the API)
or a message on the page — never a query to the index."""

from __future__ import annotations

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.search import selectors

from .test_app_api import (
    indexed,  # noqa: F401 - the indexed-store fixture
    search_index,  # noqa: F401
)


def test_the_selector_refuses_an_offset_past_the_window(indexed, users):  # noqa: F811
    assert selectors.search_patents(user=users["ent_a"], q="电池", offset=selectors.MAX_OFFSET).hits == []
    with pytest.raises(ApplicationError) as caught:
        selectors.search_patents(user=users["ent_a"], q="电池", offset=selectors.MAX_OFFSET + 1)
    assert caught.value.field == "offset" and "10,000" in caught.value.message


def test_the_api_refuses_it_naming_offset(indexed, users, api_client):  # noqa: F811
    response = api_client.as_user(users["ent_a"]).get("/search/patents", q="电池", offset=selectors.MAX_OFFSET + 1)
    assert response.status_code in (400, 422) and response.json()["error"]["field"] == "offset"


def test_a_page_number_past_the_window_is_a_message_not_a_search(indexed, users, client):  # noqa: F811
    from ipoc.search import views

    client.force_login(users["ent_a"])
    page = selectors.MAX_OFFSET // views.PAGE_SIZE + 2
    response = client.get("/search/", {"q": "电池", "page": page})
    assert response.status_code == 200
    assert response.context["error"] and "10,000" in response.context["error"]
