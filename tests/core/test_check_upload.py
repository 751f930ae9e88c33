"""``core.attachments.check_upload``, the one attachment check of deals, licensing, industrialization and
alliances: the extension, the size and the content, each refused naming the field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core.attachments import check_upload
from ipoc.core.errors import ApplicationError

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
SUFFIXES = (".pdf", ".png")


def test_a_pdf_passes_and_is_left_readable_from_the_start():
    upload = SimpleUploadedFile("合同.pdf", PDF)
    check_upload(upload, field="contract_file", suffixes=SUFFIXES)
    assert upload.read() == PDF


@pytest.mark.parametrize(("upload", "max_bytes", "words"), [
    (SimpleUploadedFile("合同.exe", PDF), 1 << 20, "附件格式不支持"),
    (SimpleUploadedFile("合同.pdf", PDF), 10, "附件过大"),
    (SimpleUploadedFile("合同.pdf", b"<html><script>alert(1)</script></html>"), 1 << 20, ""),
])
def test_refused_naming_the_field(upload, max_bytes, words):
    with pytest.raises(ApplicationError) as err:
        check_upload(upload, field="filing_file", suffixes=SUFFIXES, max_bytes=max_bytes)
    assert err.value.field == "filing_file" and words in err.value.message
