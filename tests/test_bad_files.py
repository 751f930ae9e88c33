"""Standing check (issue 14): a corpus of hostile files, generated here, sent to every upload endpoint of
the API and of the pages. Each is answered with a clear 4xx naming the field (or, where a bulk patent
file is accepted row by row, with the bad row rejected in the report), nothing leaks from the server,
no refused file stays in the uploads folder, and the platform still answers afterwards.

The corpus: a zip-bomb workbook (165 KB unpacking to tens of MB, 421,000 declared rows), a file over
the endpoint's size limit, a non-UTF-8 (UTF-16) sheet, 0-byte files, a fake workbook, a CSV cell over
the csv module's 131,072-character limit, a JSON line nested 100,000 deep, and XXE / billion-laughs XML
(as a patent document and inside a workbook).
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core import services as core_services

MB = 1 << 20
SECRET = "ipoc-bad-files-secret-7f3a"  # what the XXE tries to read; must never come back


# ---------------------------------------------------------------- the corpus

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>')


def _xlsx(sheet: bytes, *, level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


@lru_cache(maxsize=1)
def zip_bomb_xlsx() -> bytes:
    """A workbook of a few KB whose one sheet holds 421,000 rows and unpacks to about 20 MB (ratio ~1000)."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><dimension ref="A1:A421000"/><sheetData>')
    body = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 421_000
    return _xlsx(head + body + b"</sheetData></worksheet>")


def xxe_xlsx(tmp_path: Path) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://'
             + str(secret).encode() + b'">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
             b'</sheetData></worksheet>')
    return _xlsx(sheet)


def xxe_xml(tmp_path: Path) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE us-patent-grant [\n'
            b'<!ENTITY xxe SYSTEM "file://' + str(secret).encode() + b'">\n'
            b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">\n]>\n'
            b'<us-patent-grant><us-bibliographic-data-grant><invention-title>&xxe;&d;</invention-title>'
            b'</us-bibliographic-data-grant></us-patent-grant>\n')


def huge_field_csv(header: str) -> bytes:
    return f"{header}\n{'长' * 200_000},x\n".encode()


def deep_jsonl() -> bytes:
    good = '{"id": "ok-1", "title": "一种正常的专利", "abstract": "正常的摘要"}'
    return ("[" * 100_000 + "\n" + good + "\n").encode()


def corpus(tmp_path: Path, header: str) -> dict[str, tuple[str, bytes]]:
    """name → (file name, content). ``header`` is a CSV header the endpoint understands."""
    return {
        "zip_bomb": ("bomb.xlsx", zip_bomb_xlsx()),
        "oversize": ("big.csv", (header + "\n").encode() + b"a,b\n" * (3 * MB // 4)),
        "non_utf8": ("utf16.csv", (header + "\n某,某\n").encode("utf-16")),
        "empty_csv": ("empty.csv", b""),
        "empty_xlsx": ("empty.xlsx", b""),
        "fake_xlsx": ("fake.xlsx", b"PK\x03\x04 this is not a workbook at all"),
        "text_xlsx": ("renamed.xlsx", (header + "\n").encode()),
        "huge_field": ("huge.csv", huge_field_csv(header)),
        "deep_json": ("deep.jsonl", deep_jsonl()),
        "xxe_xlsx": ("xxe.xlsx", xxe_xlsx(tmp_path)),
        "xxe_xml": ("xxe.xml", xxe_xml(tmp_path)),
    }


# ---------------------------------------------------------------- the endpoints


@pytest.fixture
def small_limits(settings):
    """Limits small enough for a 3 MB file to be over every one of them."""
    settings.IPOC_UPLOAD_LIMITS = {"patents": 2 * MB, "spreadsheet": 1 * MB, "attachment": 1 * MB}


@pytest.fixture
def tokens(users):
    return {who: {"HTTP_AUTHORIZATION": "Bearer " + core_services.api_token_create(actor=None, user=users[who],
                                                                                   name="bad-files")[1]}
            for who in ("center_a", "ent_a", "univ")}


# name, who, how (api/page), url, file field, extra form fields, CSV header the endpoint reads, bulk patents?
ENDPOINTS = [
    ("patents-api", "center_a", "api", "/api/v1/patents/imports", "file", {"format": "auto"}, "申请号,专利名称", True),
    ("patents-page", "center_a", "page", "/patents/imports/new/", "file", {"format": "auto"}, "申请号,专利名称", True),
    ("demands-api", "ent_a", "api", "/api/v1/demands/import", "file", {}, "需求名称,需求描述", False),
    ("demands-page", "ent_a", "page", "/demands/import/", "file", {}, "需求名称,需求描述", False),
    ("stock-api", "univ", "api", "/api/v1/stock/imports", "file", {}, "专利号,所属院系", False),
    ("stock-page", "univ", "page", "/stock/import/", "upload-file", {}, "专利号,所属院系", False),
]


def _send(client, users, tokens, endpoint, name, content):
    _label, who, how, url, field, extra, _header, _bulk = endpoint
    data = {field: SimpleUploadedFile(name, content), **extra}
    if how == "api":
        return client.post(url, data, **tokens[who])
    client.force_login(users[who])
    return client.post(url, data)


def _error_text(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        error = response.json().get("error") or {}
        return f"{error.get('field')} {error.get('message')}"
    return response.content.decode()


def _uploads_left(settings) -> list[str]:
    folder = Path(settings.IPOC_HOME) / "uploads"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_every_bad_file_gets_a_clear_answer_and_the_platform_stays_up(client, users, tokens, endpoint, tmp_path,
                                                                      settings, small_limits):
    label, who, how, url, field, _extra, header, bulk = endpoint
    for case, (name, content) in corpus(tmp_path, header).items():
        response = _send(client, users, tokens, endpoint, name, content)
        text = _error_text(response)
        where = f"{label} {case}: {response.status_code} {text[:300]!r}"
        assert response.status_code < 500, where
        assert SECRET not in text and str(settings.IPOC_HOME) not in text, where
        if case == "oversize":
            assert response.status_code == 413, where
        elif bulk and case in ("huge_field", "deep_json", "xxe_xml"):
            # a bulk patent file is read row by row: the file is taken, the bad row is rejected alone
            assert response.status_code in (202, 302, 400), where
            if response.status_code == 202:
                report = client.get(f"/api/v1/patents/imports/{response.json()['batch_id']}", **tokens[who]).json()
                assert report["counts"]["rejected"] >= 1 and SECRET not in str(report), (where, report)
                if case == "deep_json":  # the good line after the deep one is imported
                    assert report["counts"]["new"] == 1, report
        else:
            assert 400 <= response.status_code < 500, where
            if how == "api":  # the file itself, or (a bulk file of no known format) its format
                assert response.json()["error"]["field"] in ("file", field, "format"), where
            else:
                assert "alert" in text or "invalid-feedback" in text or "empty" in text, where
        if 400 <= response.status_code < 500:
            assert _uploads_left(settings) == [], f"{where}: a refused file stayed on disk"
        me = client.get("/api/v1/me", **tokens[who])
        assert me.status_code == 200, f"{label} after {case}: the platform stopped answering"


def test_a_large_attachment_is_refused_while_it_is_received(client, users, tokens, settings, small_limits):
    """Attachments (contracts, evidence) are bounded too: 413 naming the field, before the view runs."""
    from ipoc.deals import services as deal_services

    deal = deal_services.deal_create(actor=users["center_a"], title="许可交易", deal_type="license")
    big = SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n" + b"0" * (3 * MB))
    response = client.post(f"/api/v1/deals/{deal.pk}/attachments", {"contract_file": big}, **tokens["center_a"])
    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"]["field"] == "contract_file"
    client.force_login(users["center_a"])
    big.seek(0)
    response = client.post(f"/deals/{deal.pk}/attachments/", {"contract_file": big})
    assert response.status_code == 413 and "上限" in response.content.decode()
    assert client.get("/api/v1/me", **tokens["center_a"]).status_code == 200
