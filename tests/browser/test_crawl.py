"""The crawl test: a real IPOC with the demo, walked in the browser by every demo role and anonymously.

A session fixture makes an IPOC_HOME of its own, runs ``ipoc migrate`` and ``ipoc demo`` as the administrator
would (``IPOC_DEMO_IPC_MODEL=0 IPOC_DEMO_ENCODE=0``, as ``scripts/up.sh`` does), starts ``ipoc serve`` on a free
port and waits until it answers. ``ipoc.core.uicrawl`` then signs in as each role, opens every page of the
sidebar and one level of links below (one page per URL shape, ``IPOC_CRAWL_MAX_PAGES`` per role) and the test
fails listing every page with a non-200 answer, a console error, no styling, a stored code, an ``ext:`` key,
"None" or "剩余 年". No Django test database is used: the server has its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ipoc.core import uicrawl

pytestmark = pytest.mark.browser

MAX_PAGES = int(os.environ.get("IPOC_CRAWL_MAX_PAGES", "45"))
PASSWORD = "ipoc-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """``ipoc migrate`` + ``ipoc demo`` in a fresh IPOC_HOME, then ``ipoc serve``; yields the base URL."""
    home = tmp_path_factory.mktemp("ipoc-crawl-home")
    ipoc = str(Path(sys.executable).with_name("ipoc"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(IPOC_HOME=str(home), IPOC_DEMO_IPC_MODEL="0", IPOC_DEMO_ENCODE="0", IPOC_DEMO_PASSWORD=PASSWORD)
    log = home / "demo.log"
    with log.open("w") as out:
        for command in (["migrate", "--no-input", "-v0"], ["demo"]):
            done = subprocess.run([ipoc, *command], env=env, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
            assert done.returncode == 0, f"ipoc {' '.join(command)} failed:\n{log.read_text()[-4000:]}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = (home / "serve.log").open("w")
    server = subprocess.Popen([ipoc, "serve", "--port", str(port)], env=env, stdout=server_log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not _answers(url + "/login/"):
            assert server.poll() is None, f"ipoc serve exited:\n{(home / 'serve.log').read_text()[-4000:]}"
            assert time.monotonic() < deadline, "ipoc serve did not answer within 120 s"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()


def test_every_role_sees_only_styled_pages_in_words(demo_server, browser):
    results = uicrawl.crawl(demo_server, roles=uicrawl.DEMO_ROLES, password=PASSWORD, max_pages=MAX_PAGES,
                            anonymous=True, browser=browser)
    seen = {r.role for r in results}
    assert seen == {"anonymous", *uicrawl.DEMO_ROLES}, seen
    for role in uicrawl.DEMO_ROLES:  # each role got past the sign-in and walked its pages
        assert sum(r.role == role for r in results) >= 5, role
    bad = [r for r in results if r.problems]
    report = "\n".join(f"[{r.role}] {r.url}: {'; '.join(r.problems)}" for r in bad)
    assert not bad, f"{len(bad)} of {len(results)} pages with problems:\n{report}"
