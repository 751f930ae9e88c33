"""Core pages: organisations (list with filters, detail, edit), the audit log as 字段: 旧值 → 新值, messages,
job progress."""

from __future__ import annotations

import re

from ipoc.core import services
from ipoc.core.audit_display import audit_rows, clean_text
from ipoc.core.models import AuditEntry, Job, JobStatus, Notification, OrganizationKind
from ipoc.demands import services as demand_services


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- organisations


def test_organization_list_filters_by_kind_and_province(client, users, orgs):
    client.force_login(users["expert"])  # a reader without an organisation of its own in the top bar
    html = client.get("/organizations/", {"kind": OrganizationKind.UNIVERSITY}).content.decode()
    assert "浙江大学" in html and "苏州甲科技有限公司" not in html
    html = client.get("/organizations/", {"region": "32"}).content.decode()
    assert "苏州甲科技有限公司" in html and "杭州乙材料有限公司" not in html
    assert "江苏省苏州市" in html  # the region by its name, not only its code
    html = client.get("/organizations/", {"q": "乙材料"}).content.decode()
    assert "杭州乙材料有限公司" in html and "浙江大学" not in html


def test_organization_list_exports_the_filtered_rows(client, users, orgs):
    client.force_login(users["expert"])
    response = client.get("/organizations/", {"kind": OrganizationKind.UNIVERSITY, "export": "csv"})
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "浙江大学" in body and "苏州甲科技有限公司" not in body


def test_organization_detail_names_its_source_in_words_and_counts_its_records(client, users, orgs):
    org = services.organization_create(actor=None, name="示例申请人有限公司", kind=OrganizationKind.ENTERPRISE,
                                       source="demo:sample-applicants")
    client.force_login(users["ent_a"])
    html = client.get(f"/organizations/{org.pk}/").content.decode()
    assert "demo:" not in html and "sample-applicants" not in html and "演示数据" in html
    assert "datagrid" in html
    demand_services.demand_create(actor=users["ent_a"], title="需求一", center=orgs["center_a"])
    html = client.get(f"/organizations/{orgs['ent_a'].pk}/").content.decode()
    assert 'href="/demands/?mine=1"' in html  # the organisation's demands, counted and linked
    assert "本单位平台账号" in html  # own organisation: its accounts listed
    html = client.get(f"/organizations/{orgs['ent_b'].pk}/").content.decode()
    assert "本单位平台账号" not in html


def test_organization_edit_says_it_saved(client, users, orgs):
    client.force_login(users["ent_a"])
    response = client.post(f"/organizations/{orgs['ent_a'].pk}/edit/", {
        "name": orgs["ent_a"].name, "kind": "enterprise", "region_code": "320505", "address": "苏州工业园区星湖街 1 号",
        "is_sme": "true"}, follow=True)
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    orgs["ent_a"].refresh_from_db()
    assert orgs["ent_a"].address == "苏州工业园区星湖街 1 号"


# ---------------------------------------------------------------- audit log


def test_audit_log_shows_field_labels_old_to_new_and_the_system_in_words(client, users, orgs):
    services.organization_update(actor=users["admin"], organization=orgs["ent_a"],
                                 data={"name": "苏州甲科技股份有限公司"})
    demand = demand_services.demand_create(actor=users["ent_a"], title="高纯氧化铝制备", center=orgs["center_a"])
    demand_services.demand_transition(actor=users["ent_a"], demand=demand, to_status="pending")
    client.force_login(users["admin"])
    html = client.get("/audit/").content.decode()
    text = _text(html)
    compact = re.sub(r"\s", "", text)
    assert "名称：苏州甲科技有限公司→苏州甲科技股份有限公司" in compact
    assert "状态：草稿→待审核" in compact
    assert "系统" in text  # organisations made without an actor
    assert f'href="/demands/{demand.pk}/"' in html and f'href="/organizations/{orgs["ent_a"].pk}/"' in html
    for leak in ("{'", "[None", "system", "'status'", "pending", "draft"):
        assert leak not in text, leak


def test_audit_rows_use_choice_labels_and_people_by_name(users, orgs):
    entry = AuditEntry.objects.filter(object_id=str(users["ent_a"].pk), content_type__model="user").first()
    row = audit_rows([entry])[0]
    lines = {line["label"]: line.get("value") for line in row["changes"]}
    assert lines["角色"] == "企业用户" and row["actor"] == "系统" and row["object_type"] == "用户"
    shown = [row["actor"], row["via"], row["action"], row["object_type"], row["object_label"],
             *(str(v) for line in row["changes"] for v in line.values())]
    assert row["action"] == "创建" and not any("system" in v or "enterprise_user" in v for v in shown)


def test_audit_log_filters_by_record_kind_and_action(client, users, orgs):
    demand = demand_services.demand_create(actor=users["ent_a"], title="高纯氧化铝制备", center=orgs["center_a"])
    demand_services.demand_transition(actor=users["ent_a"], demand=demand, to_status="pending")
    client.force_login(users["admin"])
    html = client.get("/audit/", {"model": "demand", "action": "transition"}).content.decode()
    assert "共 1 条" in html and "待审核" in html
    assert "需求名称" not in html  # the demand's creation is another action


def test_internal_patent_keys_never_reach_the_audit_log():
    assert "ext:" not in clean_text("建档 ext:patents_bdci:3ecb12ab 一种方法")
    assert "研究数据集" in clean_text("ext:patents_bdci:3ecb12ab")


# ---------------------------------------------------------------- messages and jobs


def test_notifications_mark_read_one_or_all_with_a_message(client, users):
    services.notify(users=[users["center_a"]], title="新需求待受理：甲", url="/demands/")
    services.notify(users=[users["center_a"]], title="新需求待受理：乙", url="/demands/")
    first, second = Notification.objects.filter(recipient=users["center_a"]).order_by("id")
    client.force_login(users["center_a"])
    html = client.get("/notifications/").content.decode()
    assert "未读" in html and "全部标为已读（2 条）" in html
    response = client.post("/notifications/", {"id": first.pk}, follow=True)
    assert "已将 1 条消息标为已读" in response.content.decode()
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    response = client.post("/notifications/", {"all": "1"}, follow=True)
    assert "已将 1 条消息标为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=users["center_a"], read_at=None).exists()
    assert "没有未读消息" in client.get("/notifications/?unread=1").content.decode()


def test_opening_a_message_marks_it_read_and_goes_where_it_points(client, users):
    services.notify(users=[users["center_a"]], title="新需求待受理", url="/demands/")
    note = Notification.objects.get(recipient=users["center_a"])
    client.force_login(users["center_a"])
    response = client.post("/notifications/", {"id": note.pk, "next": "/demands/"})
    assert response.status_code == 302 and response["Location"] == "/demands/"
    note.refresh_from_db()
    assert note.read_at is not None
    response = client.post("/notifications/", {"id": note.pk, "next": "https://evil.example/"})
    assert response["Location"] != "https://evil.example/"


def test_job_page_shows_a_progress_bar(client, users):
    job = Job.objects.create(kind="patents.import", title="导入专利：样例.csv", status=JobStatus.RUNNING,
                             progress_done=25, progress_total=100, created_by=users["admin"])
    client.force_login(users["admin"])
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'class="progress' in html and "width: 25%" in html and "运行中" in html and "25 / 100" in html


# ---------------------------------------------------------------- error pages


def test_error_pages_are_titled_for_what_happened(client, users):
    client.force_login(users["ent_a"])
    refused = client.get("/audit/")  # PermissionDenied from a selector, rendered by the middleware
    assert refused.status_code == 403 and "无权访问" in refused.content.decode()
    missing = client.get("/centers/applications/424242/")  # NotFound from a selector
    html = missing.content.decode()
    assert missing.status_code == 404 and "记录不存在" in html and "无法完成此操作" not in html
