"""Attachments (issue 14 item 15): served only through a permission-checked view, content sniffed on upload."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.deals import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(actor, deal, name, data):
    return services.deal_attach(actor=actor, deal=deal, contract_file=SimpleUploadedFile(name, data))


def test_an_attachment_is_served_to_the_deal_parties_and_no_one_else(client, users, orgs, make_deal):
    deal = make_deal(users["center_a"], sellers=[orgs["univ"]], buyers=[orgs["ent_a"]])
    deal = attach(users["center_a"], deal, "合同.pdf", PDF)
    url = deal.contract_file.url
    assert url.startswith("/files/") and "/media/" not in url
    client.force_login(users["ent_a"])  # a buyer
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(users["ent_b"])  # another enterprise: the same answer as for a missing file
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 404)
    client.force_login(users["center_a"])
    assert client.get("/files/../../secret_key").status_code == 404


def test_an_html_page_named_pdf_is_refused_with_the_field(api_client, users, orgs, make_deal):
    deal = make_deal(users["center_a"], sellers=[orgs["univ"]], buyers=[orgs["ent_a"]])
    api = api_client.as_user(users["center_a"])
    fake = SimpleUploadedFile("合同.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    from django.test import Client

    response = Client().post(f"/api/v1/deals/{deal.pk}/attachments", {"contract_file": fake}, **api.headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "contract_file" and "不符" in error["message"]
    deal.refresh_from_db()
    assert not deal.contract_file


def test_the_storage_itself_refuses_markup_and_unknown_types(settings, tmp_path):
    import pytest
    from django.core.files.base import ContentFile

    from ipoc.core.attachments import ProtectedStorage
    from ipoc.core.errors import ApplicationError

    settings.MEDIA_ROOT = tmp_path
    storage = ProtectedStorage()
    with pytest.raises(ApplicationError):
        storage.save("x/evil.svg", ContentFile(b"<svg onload=alert(1)>"))
    with pytest.raises(ApplicationError):
        storage.save("x/page.txt", ContentFile(b"<!DOCTYPE html><html>"))
    with pytest.raises(ApplicationError):
        storage.save("x/empty.pdf", ContentFile(b""))
    assert storage.save("x/ok.pdf", ContentFile(PDF)).endswith(".pdf")
