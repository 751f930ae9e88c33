"""用户操作手册: one guide per role, each showing its pictures, which exist and stay small."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from ipoc.core.help import GUIDE_SHOTS, GUIDES, guide_shot


def test_every_guide_has_pictures_and_each_picture_is_in_the_static_folder_and_small():
    assert set(GUIDE_SHOTS) == set(GUIDES)
    for slug, shots in GUIDE_SHOTS.items():
        assert 3 <= len(shots) <= 6, slug
        for shot in shots:
            path = finders.find(shot.static_path(slug))
            assert path, f"{shot.static_path(slug)} missing: run scripts/guide_images.sh"
            data = open(path, "rb").read()
            assert data[:3] == b"\xff\xd8\xff", f"{path} is not a JPEG"
            assert len(data) < 150 * 1024, f"{path} is {len(data) // 1024} KB"


def test_unknown_picture_is_an_error():
    with pytest.raises(KeyError):
        guide_shot("office", "nothing.jpg")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(GUIDES))
def test_guide_page_shows_every_picture_with_its_caption_and_a_table_of_contents(client, slug):
    html = client.get(f"/help/{slug}/").content.decode()
    shown = re.findall(r'<img [^>]*src="/static/ipoc/guide/([^"]+)"', html)
    assert shown == [f"{slug}/{s.name}" for s in GUIDE_SHOTS[slug]]  # each once, in the registry's order
    for shot in GUIDE_SHOTS[slug]:
        assert shot.caption in html
    anchors = re.findall(r'href="#([a-z-]+)"', html)
    assert len(anchors) >= 3 and all(f'id="{a}"' in html for a in anchors)


@pytest.mark.django_db
def test_administrator_guide_covers_installation_backup_and_upgrade(client):
    text = client.get("/help/admin/").content.decode()
    for needle in ("bash scripts/up.sh", "bash scripts/test.sh", "pg_dump", "ipoc.sqlite3", "git pull",
                   "ipoc migrate", "ipoc index rebuild", "ipoc token create", "/admin/"):
        assert needle in text, needle


def test_text_lang_marks_english_patent_text_as_a_quotation():
    from ipoc.core.templatetags.ipoc_ui import text_lang

    assert text_lang("A method for storing data, comprising: receiving a request") == "en"
    assert text_lang("一种基于 LoRa 的传感器网络") == "zh"
    assert text_lang("") == "zh" and text_lang(None) == "zh" and text_lang("CN 1234") == "en"
