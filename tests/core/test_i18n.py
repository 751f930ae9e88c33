"""The English catalogue is complete and its compiled .mo matches the .po."""

from pathlib import Path

import polib

import ipoc

PO = Path(ipoc.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_chinese_string_has_an_english_translation():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_is_in_step_with_the_po(tmp_path):
    po = polib.pofile(str(PO))
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in compiled if not e.msgid_plural} == \
        {e.msgid: e.msgstr for e in po if not e.msgid_plural and not e.obsolete}
