import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_enterprise_user_logs_in_and_sees_chinese_home(page, users):
    login(page, "ent_a")
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "企业工作台"
    nav = page.locator("aside.ipoc-sidebar").inner_text()
    assert "技术需求" in nav and "审计日志" not in nav
    assert "苏州甲科技有限公司" in page.locator("header.ipoc-topbar").inner_text()


def test_wrong_password_is_refused_in_chinese(page, users):
    page.goto("/login/")
    page.fill("#id_username", "ent_a")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator(".alert-danger").inner_text()


def test_switch_to_english(page, users):
    login(page, "admin")
    page.wait_for_url("**/")
    page.select_option("header select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Platform administrator workspace"
