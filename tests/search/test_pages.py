"""The search pages as a person uses them: facets in words that filter, numbered pages, patents named by number
or title (never a key), similar patents, IPC suggestion (a message before a model is trained)."""

import re

from ipoc.patents.models import Patent
from ipoc.search import services

from .test_app_api import (
    indexed,  # noqa: F401 - the indexed-store fixture
    search_index,  # noqa: F401
)
from .test_app_cli import TITLES_CSV


def text_of(response) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_facets_are_words_and_links_that_filter(indexed, users, client):  # noqa: F811
    client.force_login(users["ent_a"])
    response = client.get("/search/", {"q": "电池"})
    html, text = response.content.decode(), text_of(response)
    assert "法律状态" in text and "有效" in text and "申请年份" in text and "IPC 小类" in text
    assert re.search(r"H01M <span[^>]*>电学</span>", html)  # an IPC subclass says its section
    assert " valid " not in text and " lapsed " not in text
    year = re.search(r'href="(\?q=[^"]*application_date_from=(\d{4})-01-01[^"]*)"', html)
    assert year, "a year facet links to that year's filing dates"
    filtered = client.get("/search/" + year.group(1).replace("&amp;", "&"))
    assert filtered.status_code == 200 and f"{year.group(2)}-01-01" in filtered.content.decode()
    assert "ext:" not in text


def test_browsing_pages_are_numbered_and_keep_the_query(indexed, users, client, monkeypatch):  # noqa: F811
    from ipoc.search import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(users["ent_a"])
    html = client.get("/search/", {"q": "电池", "page": 2}).content.decode()
    assert 'class="page-item active"><a class="page-link" href="?q=%E7%94%B5%E6%B1%A0&amp;page=2">2</a>' in html
    assert "第 2 / " in text_of(client.get("/search/", {"q": "电池", "page": 2}))


def test_similar_page_names_patents_and_marks_shared_terms(indexed, users, client):  # noqa: F811
    client.force_login(users["ent_a"])
    patent = Patent.objects.get(external_id="p1")
    response = client.get(f"/search/similar/{patent.pk}/")
    text = text_of(response)
    assert response.status_code == 200 and "相似专利" in text and patent.title in text
    other = Patent.objects.get(external_id="p4")
    assert f"/patents/{other.pk}/" in response.content.decode() and "ext:" not in text


def test_ipc_suggestion_page_before_and_after_training(indexed, users, client, tmp_path):  # noqa: F811
    client.force_login(users["center_a"])
    before = text_of(client.get("/search/ipc/", {"text": "锂电池电解液"}))
    assert "IPC 分类推荐尚未启用" in before and "ipc-model" not in before
    path = tmp_path / "titles_ipc.csv"
    path.write_text(TITLES_CSV, encoding="utf-8")
    services.ipc_model_train(path)
    after = client.get("/search/ipc/", {"text": "锂电池电解液", "top": 5})
    text = text_of(after)
    assert "H01M" in text and "电学" in text and "查看该类专利" in text
    assert "/patents/?ipc=H01M" in after.content.decode()


def test_the_landing_page_runs_no_search_and_lists_no_facets(indexed, users, client):  # noqa: F811
    client.force_login(users["ent_a"])
    text = text_of(client.get("/search/"))
    assert "输入关键词或技术描述开始检索" in text and "IPC 小类" not in text and "共找到" not in text
