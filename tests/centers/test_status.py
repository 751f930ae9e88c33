"""Status decisions: who may decide, immutable records, corrections, national naming, the public list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.centers import selectors, services
from ipoc.centers.models import CenterDecision, ImmutableRecord
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry

from .conftest import decide


def test_managing_office_moves_the_center_and_each_change_carries_who_when_why_document(users, center_a):
    pdf = SimpleUploadedFile("认定通知.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    decide(center_a, users["js_office"], "applying")
    decision = services.center_transition(actor=users["js_office"], center=center_a, to_status="recognised",
                                          reason="经评审符合条件", document_ref="苏知发〔2026〕12号", document=pdf)
    center_a.refresh_from_db()
    assert center_a.status == "recognised" and center_a.name == "甲产业知识产权运营中心"  # provincial: no renaming
    assert (decision.from_status, decision.to_status) == ("applying", "recognised")
    assert decision.decided_by == users["js_office"] and decision.office.name == "江苏省知识产权局"
    assert decision.decided_at is not None and decision.reason == "经评审符合条件"
    assert decision.document.name.startswith("centers/decisions/") and decision.document.read() == b"%PDF-1.4 test"
    audit = AuditEntry.objects.filter(content_type__model="center", object_id=str(center_a.pk), action="transition")
    assert [e.changes["status"] for e in audit.order_by("id")] == [["building", "applying"],
                                                                   ["applying", "recognised"]]


def test_higher_level_office_and_admin_may_decide(users, center_a):
    decide(center_a, users["cnipa"], "applying")
    decide(center_a, users["admin"], "recognised", "rectifying")
    assert center_a.status == "rectifying"


@pytest.mark.parametrize("who", ["center_a", "ent_a", "zj_office", "expert", "univ"])
def test_others_are_refused(users, center_a, who):
    with pytest.raises(PermissionDenied) as exc:
        services.center_transition(actor=users[who], center=center_a, to_status="applying", reason="r",
                                   document_ref="d")
    assert exc.value.status == 403
    center_a.refresh_from_db()
    assert center_a.status == "building" and not center_a.decisions.exists()


def test_reason_document_and_workflow_are_enforced(users, center_a):
    office = users["js_office"]
    with pytest.raises(ApplicationError, match="理由"):
        services.center_transition(actor=office, center=center_a, to_status="applying", reason=" ", document_ref="d")
    with pytest.raises(ApplicationError) as exc:
        services.center_transition(actor=office, center=center_a, to_status="applying", reason="r", document_ref="")
    assert exc.value.field == "document_ref"
    with pytest.raises(ApplicationError) as exc:  # 先建设、后认定: no recognition without applying
        services.center_transition(actor=office, center=center_a, to_status="recognised", reason="r",
                                   document_ref="d")
    assert exc.value.code == "invalid_transition"
    decide(center_a, office, "exited")
    with pytest.raises(ApplicationError, match="不能从"):
        services.center_transition(actor=office, center=center_a, to_status="building", reason="r", document_ref="d")


def test_recognised_national_center_takes_the_configured_name(settings, users, center_b):
    decide(center_b, users["cnipa"], "applying", "recognised")
    assert center_b.name == "国家新材料产业知识产权运营中心"
    decision = center_b.decisions.last()
    assert (decision.name_before, decision.name_after) == ("乙产业知识产权运营中心", "国家新材料产业知识产权运营中心")
    with pytest.raises(ApplicationError, match="应命名为"):
        services.center_update(actor=users["cnipa"], center=center_b, data={"name": "国家新材料知识产权运营中心"})
    settings.IPOC_CENTER_RULES = {"national_name_pattern": "{industry}产业国家知识产权运营中心"}
    assert services.national_name("生物医药") == "生物医药产业国家知识产权运营中心"


def test_decisions_are_immutable_and_corrections_reference_the_old_record(users, center_a):
    office = users["js_office"]
    first = decide(center_a, office, "applying")
    wrong = decide(center_a, office, "recognised")
    original = CenterDecision.objects.filter(pk=wrong.pk).values().get()

    wrong.reason = "篡改"
    with pytest.raises(ImmutableRecord):
        wrong.save()
    with pytest.raises(ImmutableRecord):
        wrong.delete()

    correction = services.center_decision_correct(actor=office, decision=wrong, reason="评审分数计算有误，撤回认定",
                                                  document_ref="苏知发〔2026〕13号", to_status="applying")
    center_a.refresh_from_db()
    assert center_a.status == "applying"
    assert correction.kind == "correction" and correction.corrects_id == wrong.pk
    assert (correction.from_status, correction.to_status) == ("recognised", "applying")
    assert CenterDecision.objects.filter(pk=wrong.pk).values().get() == original  # the old record is untouched
    assert list(wrong.corrections.all()) == [correction]

    with pytest.raises(ApplicationError, match="已被更正"):
        services.center_decision_correct(actor=office, decision=wrong, reason="r", document_ref="d")
    with pytest.raises(ApplicationError, match="最新"):  # an older decision cannot be corrected to another status
        services.center_decision_correct(actor=office, decision=first, reason="r", document_ref="d",
                                         to_status="exited")
    fixed_text = services.center_decision_correct(actor=office, decision=first, reason="更正文号",
                                                  document_ref="苏知发〔2026〕11号")
    assert fixed_text.to_status == first.to_status and center_a.status == "applying"
    with pytest.raises(PermissionDenied):
        services.center_decision_correct(actor=users["center_a"], decision=correction, reason="r", document_ref="d")
    assert AuditEntry.objects.filter(message__startswith=f"更正决定 #{wrong.pk}").exists()


def test_correcting_a_national_recognition_restores_the_old_name(users, center_b):
    wrong = decide(center_b, users["cnipa"], "applying", "recognised")
    services.center_decision_correct(actor=users["cnipa"], decision=wrong, reason="撤回", document_ref="d",
                                     to_status="applying")
    center_b.refresh_from_db()
    assert (center_b.status, center_b.name) == ("applying", "乙产业知识产权运营中心")


def test_public_list_shows_only_recognised_centers_and_follows_status(client, users, center_a, center_b):
    url = "/centers/public/"
    assert "甲产业知识产权运营中心" not in client.get(url).content.decode()
    decide(center_a, users["js_office"], "applying", "recognised")
    page = client.get(url).content.decode()
    assert "甲产业知识产权运营中心" in page and "乙产业知识产权运营中心" not in page
    assert client.get(f"/centers/{center_a.pk}/").status_code == 200  # detail of a recognised center is public
    assert client.get(f"/centers/{center_b.pk}/").status_code == 404
    decide(center_a, users["js_office"], "revoked")
    assert "甲产业知识产权运营中心" not in client.get(url).content.decode()
    assert list(selectors.center_public_list()) == []


def test_visibility(users, center_a, center_b):
    assert list(selectors.center_list(user=users["center_b"])) == [center_b]
    assert list(selectors.center_list(user=users["ent_a"])) == []
    assert set(selectors.center_list(user=users["js_office"])) == {center_a}
    assert set(selectors.center_list(user=users["cnipa"])) == {center_a, center_b}
    decide(center_a, users["js_office"], "applying", "recognised")
    assert list(selectors.center_list(user=users["ent_a"])) == [center_a]


def test_national_name_is_kept_while_qualified_and_given_back_on_revocation(users, center_b):
    decide(center_b, users["cnipa"], "applying", "recognised", "rectifying")
    assert center_b.name == "国家新材料产业知识产权运营中心"  # still qualified during 限期整改
    decision = decide(center_b, users["cnipa"], "revoked")
    assert center_b.name == "乙产业知识产权运营中心"
    assert (decision.name_before, decision.name_after) == ("国家新材料产业知识产权运营中心", "乙产业知识产权运营中心")


def test_public_sees_only_the_recognition_in_the_history(users, center_a):
    decide(center_a, users["js_office"], "applying", "recognised")
    assert [d.to_status for d in selectors.decision_list(user=None, center=center_a)] == ["recognised"]
    assert [d.to_status for d in selectors.decision_list(user=users["ent_a"], center=center_a)] == ["recognised"]
    assert len(selectors.decision_list(user=users["center_a"], center=center_a)) == 2
    assert len(selectors.decision_list(user=users["js_office"], center=center_a)) == 2


def test_a_status_decision_reads_in_words_where_it_is_named():
    from ipoc.centers.models import Center, CenterDecision

    decision = CenterDecision(center=Center(name="甲中心"), from_status="recognised", to_status="rectifying",
                                    document_ref="苏知运〔2026〕1号")
    assert str(decision) == "甲中心 已认定 → 限期整改（苏知运〔2026〕1号）"
    assert str(CenterDecision(center=Center(name="甲中心"), to_status="building", document_ref="文")) \
        == "甲中心 建设运行中（文）"
