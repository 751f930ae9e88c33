"""Pages: Chinese by default, English on request, a home page per role, refusals shown."""

import pytest

from tests.conftest import PASSWORD


def test_login_page_is_chinese_by_default(client, db):
    html = client.get("/login/").content.decode()
    assert "登录账号" in html and "产业知识产权运营中心平台" in html and 'lang="zh-hans"' in html


def test_english_switch(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get("/login/").content.decode()
    assert 'lang="en"' in html and "Sign in" in html and "登录账号" not in html


@pytest.mark.parametrize("username,heading", [
    ("admin", "平台管理员工作台"), ("cnipa", "知识产权管理部门工作台"), ("center_a", "运营中心工作台"),
    ("ent_a", "企业工作台"), ("univ", "高校/院所工作台"), ("expert", "评审专家工作台"),
])
def test_home_page_per_role(client, users, username, heading):
    assert client.login(username=username, password=PASSWORD)
    html = client.get("/").content.decode()
    assert heading in html


def test_menu_by_role(client, users):
    client.force_login(users["ent_a"])
    assert "审计日志" not in client.get("/").content.decode()
    client.force_login(users["admin"])
    assert "审计日志" in client.get("/").content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_editing_another_centers_record_is_refused_in_the_browser(client, users, orgs):
    client.force_login(users["center_a"])
    response = client.post(f"/organizations/{orgs['center_b'].pk}/edit/",
                           {"name": orgs["center_b"].name, "kind": "operation_center", "address": "篡改"})
    assert response.status_code == 403
    assert "您无权修改" in response.content.decode()
    orgs["center_b"].refresh_from_db()
    assert orgs["center_b"].address == ""


def test_audit_page_is_for_admins(client, users):
    client.force_login(users["ent_a"])
    assert client.get("/audit/").status_code == 403
    client.force_login(users["admin"])
    assert "审计日志" in client.get("/audit/").content.decode()


def test_demand_pages(client, users, orgs):
    client.force_login(users["ent_a"])
    response = client.post("/demands/new/", {"kind": "enterprise", "title": "高纯氧化铝制备", "keywords_text": "氧化铝，高纯",
                                             "modes": ["license", "assignment"], "center": orgs["center_a"].pk,
                                             "save_draft": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(response["Location"]).content.decode()
    assert "高纯氧化铝制备" in html and "氧化铝" in html and "高纯" in html and "草稿" in html
