"""API (/api/v1/search/patents, /api/v1/patents/{id}/similar, /api/v1/search/ipc-suggest) and the search page."""

import json

import pytest

from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.search import services, testing

from .test_app_cli import TITLES_CSV
from .test_app_sync import RECORDS

search_index = testing.search_index  # the isolated-index fixture


@pytest.fixture
def indexed(db, tmp_path, search_index, users):  # users first: the import creates organisations
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl", options={"source": "api"})
    return search_index


def _pid(ext):
    return Patent.objects.get(external_id=ext).pk


def test_search_api_returns_hits_snippets_and_facets(indexed, users, api_client):
    r = api_client.as_user(users["expert"]).get("/search/patents", q="电池", limit=2, legal_status="valid")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == 2 and len(body["hits"]) == 2
    top = body["hits"][0]
    assert top["number"] and top["title"] and top["score"] > 0 and "<mark>电池</mark>" in top["snippets"]["title"]
    assert {"ipc", "applicant", "year", "legal_status"} <= set(body["facets"])
    assert body["facets"]["legal_status"] == [{"value": "valid", "count": 2}]
    multi = api_client.get("/search/patents", q="电池", legal_status=["valid", "lapsed"], facets="false")
    assert multi.json()["total"] == 3 and multi.json()["facets"] == {}


def test_search_api_errors(indexed, users, api_client, client):
    assert client.get("/api/v1/search/patents", {"q": "电池"}).status_code == 401
    api_client.as_user(users["ent_a"])
    bad = api_client.get("/search/patents", q="电池", application_date_from="2020-13-40")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation"
    assert api_client.get("/search/patents", q="电池", limit=0).status_code == 422


def test_similar_api_lives_under_patents(indexed, users, api_client):
    api_client.as_user(users["ent_a"])
    pid = _pid("p1")
    r = api_client.get(f"/patents/{pid}/similar", limit=2)
    assert r.status_code == 200, r.content
    hits = r.json()["hits"]
    assert hits and pid not in [h["id"] for h in hits] and hits[0]["id"] == _pid("p4")
    assert api_client.get(f"/patents/{pid}").json()["id"] == pid  # the detail route still works
    missing = api_client.get("/patents/999999/similar")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_ipc_suggest_api(indexed, users, api_client, tmp_path):
    api_client.as_user(users["center_a"])
    not_ready = api_client.post("/search/ipc-suggest", {"text": "锂电池"})
    assert not_ready.status_code == 409 and "ipc-model train" in not_ready.json()["error"]["message"]
    csv_path = tmp_path / "titles_ipc.csv"
    csv_path.write_text(TITLES_CSV, encoding="utf-8")
    services.ipc_model_train(csv_path)
    r = api_client.post("/search/ipc-suggest", {"text": "锂电池电解液", "top": 2})
    assert r.status_code == 200, r.content
    assert r.json()["ipc"][0]["code"] == "H01M" and len(r.json()["ipc"]) <= 2
    assert api_client.post("/search/ipc-suggest", {"text": ""}).status_code == 422


def test_search_page_and_csv_export(indexed, users, client):
    client.force_login(users["ent_a"])
    page = client.get("/search/?q=%E7%94%B5%E6%B1%A0&legal_status=valid&legal_status=&ipc=")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>电池</mark>" in html and f'/patents/{Patent.objects.get(external_id="p1").pk}/' in html
    assert "ext:" not in html and "无公开号" in html  # a patent without numbers: its title and a source badge
    assert "甲电池有限公司" in html and "?q=" in html  # facet links
    assert "&lt;b&gt;" in html  # titles are escaped around the marks
    empty = client.get("/search/")
    assert empty.status_code == 200
    export = client.get("/search/export.csv", {"q": "电池", "legal_status": "valid"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("排名,") and len(rows) == 3
    bad = client.get("/search/", {"q": "电池", "application_date_from": "x"})
    assert bad.status_code == 200 and "申请日 起" in bad.content.decode() and "<mark>" not in bad.content.decode()


def test_search_page_needs_login(client, db):
    assert client.get("/search/").status_code == 302
