"""The demand pages: one button to publish (no status drop-down), the accepting center notified, the workflow's
buttons offered only when allowed, errors inline on their field, history with names, list filters, import report."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core import services as core_services
from ipoc.core.models import Notification, OrganizationKind
from ipoc.demands import services
from ipoc.demands.models import Demand, DemandStatus


def _text(response) -> str:
    """The visible text of a page (tags and scripts removed)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _messages(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(r'<div class="alert alert-[a-z]+ alert-dismissible".*?</div></div>',
                                response.content.decode(), re.S)]


@pytest.fixture
def pending(users, orgs):
    d = services.demand_create(actor=users["ent_a"], title="锂电池正极材料包覆技术", center=orgs["center_a"])
    return services.demand_transition(actor=users["ent_a"], demand=d, to_status=DemandStatus.PENDING)


def test_the_form_has_no_status_and_one_button_submits_to_the_center_which_is_notified(client, users, orgs):
    client.force_login(users["ent_a"])
    page = client.get("/demands/new/").content.decode()
    assert 'name="status"' not in page and 'name="to_status"' not in page
    assert 'data-picker-url="/api/v1/lookups/operation_centers"' in page  # the center is picked by search
    assert 'name="organization"' not in page  # an enterprise files for itself
    response = client.post("/demands/new/", {"title": "锂电池正极材料包覆技术", "center": orgs["center_a"].pk,
                                             "keywords_text": "正极材料，包覆", "modes": ["license", "assignment"],
                                             "submit": "1"}, follow=True)
    demand = Demand.objects.get(title="锂电池正极材料包覆技术")
    assert response.redirect_chain[-1][0] == f"/demands/{demand.pk}/"
    assert demand.status == DemandStatus.PENDING and demand.organization == orgs["ent_a"]
    assert demand.keywords == ["正极材料", "包覆"] and demand.region_code == orgs["ent_a"].region_code
    assert any("等待受理" in m for m in _messages(response))
    assert "许可、转让" in _text(response)  # 合作方式 by label
    notice = Notification.objects.get(recipient=users["center_a"])
    assert notice.url == f"/demands/{demand.pk}/" and demand.title in notice.title
    assert not Notification.objects.filter(recipient=users["center_b"]).exists()


def test_save_as_draft_then_submit_from_the_edit_page(client, users, orgs):
    client.force_login(users["ent_a"])
    client.post("/demands/new/", {"title": "高镍正极", "center": orgs["center_a"].pk, "save_draft": "1"})
    demand = Demand.objects.get(title="高镍正极")
    assert demand.status == DemandStatus.DRAFT and not Notification.objects.exists()
    response = client.post(f"/demands/{demand.pk}/edit/", {"title": "高镍正极材料", "center": orgs["center_a"].pk,
                                                           "submit": "1"}, follow=True)
    demand.refresh_from_db()
    assert (demand.title, demand.status) == ("高镍正极材料", DemandStatus.PENDING)
    assert Notification.objects.filter(recipient=users["center_a"]).count() == 1
    assert client.get(f"/demands/{demand.pk}/edit/", follow=True).redirect_chain  # only drafts are edited
    assert response.status_code == 200


@pytest.mark.parametrize("field,value,expected", [
    ("center", "", "这个字段是必填项"),
    ("budget_min", "-5", "大于或等于"),
    ("budget_max", "500000000000", "预算金额超出合理范围"),  # the service's rule, shown on its field
    ("deadline", "2020-01-01", "截止日期不能早于今天"),
    ("deadline", "2026-13-45", "输入一个有效的日期"),
    ("region_code", "999999", "不是有效的省级代码"),
])
def test_a_wrong_value_is_an_error_under_its_field_not_a_bare_error_page(client, users, orgs, field, value,
                                                                        expected):
    client.force_login(users["ent_a"])
    data = {"title": "氢燃料电池双极板", "center": orgs["center_a"].pk, "submit": "1", field: value}
    response = client.post("/demands/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index(f'name="{field}"')
    group = html[start:html.find('<div class="col', start)]  # the field's own group: widget, help, errors
    errors = re.findall(r'<div class="invalid-feedback">(.*?)</div>', group)
    assert any(expected in e for e in errors), errors
    assert not Demand.objects.exists()


def test_center_staff_file_for_an_organisation_picked_by_search_and_publish_at_once(client, users, orgs):
    newcomer = core_services.organization_create(actor=None, name="常州丙储能有限公司",
                                                 kind=OrganizationKind.ENTERPRISE, region_code="320400")
    client.force_login(users["center_a"])
    page = client.get("/demands/new/").content.decode()
    assert 'data-picker-url="/api/v1/lookups/organizations"' in page and 'name="center"' not in page
    response = client.post("/demands/new/", {"organization": newcomer.pk, "title": "储能电池热失控预警",
                                             "submit": "1"}, follow=True)
    demand = Demand.objects.get(title="储能电池热失控预警")
    assert (demand.organization, demand.center, demand.status) == (newcomer, orgs["center_a"], DemandStatus.PUBLISHED)
    assert demand.region_code == "320400"
    assert any("需求已发布" in m for m in _messages(response))
    assert not Notification.objects.filter(recipient=users["center_a"]).exists()  # no notice to oneself
    history = [(c.from_status, c.to_status, c.actor) for c in demand.status_changes.all()]
    assert history == [("", "draft", users["center_a"]), ("draft", "pending", users["center_a"]),
                       ("pending", "published", users["center_a"])]


def test_buttons_are_offered_only_to_who_may_press_them(client, users, pending):
    client.force_login(users["ent_a"])
    owner = client.get(f"/demands/{pending.pk}/").content.decode()
    assert 'data-move="closed"' in owner and 'data-move="published"' not in owner and 'data-move="draft"' not in owner
    client.force_login(users["center_a"])
    center = client.get(f"/demands/{pending.pk}/").content.decode()
    assert 'data-move="published"' in center and 'data-move="draft"' in center
    assert re.search(r'data-move="published"[^>]*data-confirm="', center)  # publishing cannot be undone
    assert re.search(r'data-move="closed"[^>]*data-confirm="', center)
    client.force_login(users["center_b"])
    assert client.get(f"/demands/{pending.pk}/").status_code == 404  # not public while pending


def test_return_needs_a_reason_then_the_owner_is_told(client, users, pending):
    client.force_login(users["center_a"])
    response = client.post(f"/demands/{pending.pk}/transition/", {"to_status": "draft"}, follow=True)
    assert response.status_code == 200 and any("理由" in m for m in _messages(response))
    pending.refresh_from_db()
    assert pending.status == DemandStatus.PENDING
    response = client.post(f"/demands/{pending.pk}/transition/", {"to_status": "draft", "reason": "请补充技术指标"},
                           follow=True)
    pending.refresh_from_db()
    assert pending.status == DemandStatus.DRAFT
    assert any("退回补正" in m for m in _messages(response))
    notice = Notification.objects.get(recipient=users["ent_a"])
    assert "退回补正" in notice.title and notice.body == "请补充技术指标"
    center_view = client.get(f"/demands/{pending.pk}/").content.decode()  # now it is the enterprise's turn
    assert 'data-move="pending"' not in center_view and f'href="/demands/{pending.pk}/edit/"' not in center_view
    client.force_login(users["ent_a"])
    owner_view = client.get(f"/demands/{pending.pk}/").content.decode()
    assert 'data-move="pending"' in owner_view and f'href="/demands/{pending.pk}/edit/"' in owner_view


def test_publish_by_button_with_a_message_and_history_names_people_and_the_system(client, users, orgs, pending):
    client.force_login(users["center_a"])
    response = client.post(f"/demands/{pending.pk}/transition/", {"to_status": "published"}, follow=True)
    assert any("需求已发布" in m for m in _messages(response))
    services.demand_transition(actor=None, demand=pending, to_status=DemandStatus.MATCHING, reason="已确认匹配")
    text = _text(client.get(f"/demands/{pending.pk}/"))
    history = text[text.index("状态记录"):]
    assert "系统" in history and "system" not in text and "None" not in text
    assert f"{users['ent_a']}（{orgs['ent_a']}）" in history and "待审核 → 已发布" in history
    assert "匹配专利" in text  # one click to the matches: the center sees the link even before matching
    assert f'href="/matching/demands/{pending.pk}/"' in client.get(f"/demands/{pending.pk}/").content.decode()


def test_list_filters_and_labels(client, users, orgs):
    services.demand_create(actor=users["ent_a"], title="甲需求", industry="新材料", center=orgs["center_a"])
    b = services.demand_create(actor=users["ent_b"], title="乙需求", industry="生物医药", center=orgs["center_b"])
    services.demand_transition(actor=users["ent_b"], demand=b, to_status=DemandStatus.PENDING)
    services.demand_transition(actor=users["center_b"], demand=b, to_status=DemandStatus.PUBLISHED)
    client.force_login(users["ent_a"])
    page = _text(client.get("/demands/"))
    assert "甲需求" in page and "乙需求" in page and "草稿" in page and "draft" not in page
    assert "乙需求" not in _text(client.get("/demands/?mine=1"))
    only = _text(client.get("/demands/?status=published"))
    assert "乙需求" in only and "甲需求" not in only
    assert "甲需求" not in _text(client.get("/demands/?industry=生物医药"))
    assert "乙需求" not in _text(client.get("/demands/?q=甲"))
    export = client.get("/demands/?export=csv&status=published").content.decode("utf-8-sig")
    assert "乙需求" in export and "甲需求" not in export and "已发布" in export


def test_import_page_reports_in_words(client, users, orgs):
    client.force_login(users["center_a"])
    page = client.get("/demands/import/").content.decode()
    assert 'href="/demands/template.xlsx"' in page
    csv = ("title,category,company,created,budget,detail\n"
           "高纯氧化铝连续化制备,新材料,宏达新材料有限公司,2020/7/31,10~50万,现有工艺能耗高\n"
           "碳化硅衬底切割,新材料,宏达新材料有限公司,2020/8/1,约一百万,切割损耗大\n")
    upload = SimpleUploadedFile("demands.csv", csv.encode("utf-8"), content_type="text/csv")
    response = client.post("/demands/import/", {"file": upload}, follow=True)
    text = _text(response)
    assert "导入报告" in text and "新增" in text and "被拒绝" in text
    assert any("新增 1 条" in m and "拒绝 1 条" in m for m in _messages(response))
    rejected = text[text.index("被拒绝的行"):]
    assert "第 3 行" in rejected and "预算" in rejected and "budget" not in rejected
    bad = client.post("/demands/import/", {"file": SimpleUploadedFile("x.txt", b"abc")})
    assert bad.status_code in (200, 400)  # the form again, with the error under its field
    assert 'name="file"' in bad.content.decode() and "请上传 .xlsx 或 .csv 文件" in bad.content.decode()
