"""Walk the web interface as each demo role does, and check what a person sees.

Used by the crawl test (``tests/browser/test_crawl.py``) and by ``ipoc screenshots OUT_DIR`` (the gallery).
For every role it signs in, opens every page of the sidebar and one level of links below each (bounded:
one page per URL shape, ``max_pages`` per role), and records for each page:

- the HTTP status, console errors and uncaught page errors;
- whether the page is styled (the theme's sidebar/header and the platform's font stack are applied);
- visible text that a person should never read: a raw value of a choices enumeration (``draft``,
  ``assignment``, ``enterprise`` …), an internal patent key (``ext:…``), ``None``, ``剩余 年``,
  a Python repr (``{'…': …}``) or a traceback. Text set as code (``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``:
  commands in the administrator's guide, an API token) is what a person is meant to type, and is not checked;
- notes that do not fail: the empty states a page shows ("暂无…"), so a gallery shows which lists are empty.

Playwright drives Debian's ``/usr/bin/chromium``; nothing downloads a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--lang=zh-CN",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

DEMO_ROLES = ("admin", "office", "office_js", "center", "enterprise", "university", "expert")

# Links a crawl does not follow: downloads, the API, Django's admin, sign-out, language switch.
SKIP = re.compile(r"(/api/|/admin/|/logout|/i18n/|\.(xlsx|csv|pdf|json|zip|xml)(\?|$)|export=|/download|/static/|"
                  r"/media/|/files/|/template\.xlsx)")

FIXED_PHRASES = ("剩余 年", "ext:", "Traceback", "None", "object at 0x", "{'", "[{'", "nan ")


def forbidden_codes() -> set[str]:
    """Every stored value of a choices field that differs from its label and looks like a code."""
    from django.apps import apps

    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("ipoc."):
            continue
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and value != str(label) and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value):
                    codes.add(value)
    from ipoc.core.models import Role

    codes.update(r for r in Role.values)
    codes.add("system")
    return codes


@dataclass
class PageResult:
    role: str
    url: str
    status: int
    title: str = ""
    problems: list[str] = field(default_factory=list)
    screenshot: str = ""
    notes: list[str] = field(default_factory=list)


# Query parameters that show the same page another way (sorted, paged): one of each page is enough.
SAME_PAGE_PARAMS = ("sort", "order", "page", "per_page")


def shape(url: str) -> str:
    """A URL with its numbers replaced and its sorting and paging dropped, so one page of each kind is visited."""
    parsed = urlparse(url)
    path = re.sub(r"/[^/]*\d[^/]*(?=/|$)", "/N", parsed.path)
    params = [p for p in parsed.query.split("&") if p and p.split("=", 1)[0] not in SAME_PAGE_PARAMS]
    query = re.sub(r"=\d+", "=N", "&".join(params))
    return path + ("?" + query if query else "")


STYLE_CHECK = """() => {
  const body = getComputedStyle(document.body);
  const side = document.querySelector('aside.navbar-vertical');
  const top = document.querySelector('header.navbar');
  const out = {font: body.fontFamily, side: null, top: null};
  if (side) { const s = getComputedStyle(side); out.side = {position: s.position, width: side.getBoundingClientRect().width, bg: s.backgroundColor}; }
  if (top) { const t = getComputedStyle(top); out.top = {display: t.display, height: top.getBoundingClientRect().height}; }
  return out;
}"""


# Text in code elements, and quoted text marked as another language (a US claim, <span lang="en">): subtracted
# from the page's text before the checks.
CODE_TEXTS = ("() => Array.from(document.querySelectorAll('code, pre, kbd, samp, body [lang]:not([lang|=zh])'))"
              ".map(e => e.innerText)")


def checked_text(text: str, code_texts: list[str]) -> str:
    """The page's visible text without the text set as code (longest first, so nested code goes too)."""
    for snippet in sorted({c for c in code_texts if c and c.strip()}, key=len, reverse=True):
        text = text.replace(snippet, " ")
    return text


def empty_states(text: str) -> list[str]:
    """The lines of a page that say a list or a card is empty (notes, not problems)."""
    lines = [line.strip() for line in text.splitlines()]
    return list(dict.fromkeys(line[:80] for line in lines if line and ("暂无" in line or line.startswith("没有"))))


def style_problems(info: dict, signed_in: bool) -> list[str]:
    problems = []
    if "PingFang" not in (info.get("font") or ""):
        problems.append("unstyled: the platform stylesheet (font stack) is not applied")
    top = info.get("top")
    if not top or top.get("display") != "flex":
        problems.append("unstyled: the header is not laid out by the theme")
    if signed_in:
        side = info.get("side")
        if not side or side.get("position") not in ("fixed", "sticky") or side.get("width", 0) < 120:
            problems.append("unstyled: the sidebar navigation is not laid out by the theme")
    return problems


def text_problems(text: str, codes: set[str]) -> list[str]:
    problems = []
    for phrase in FIXED_PHRASES:
        if phrase == "None":
            if re.search(r"(?<![A-Za-z])None(?![A-Za-z])", text):
                problems.append("shows 'None'")
        elif phrase in text:
            problems.append(f"shows {phrase!r}")
    tokens = set(re.findall(r"(?<![A-Za-z0-9_./:@-])[a-z][a-z0-9_]{2,}(?![A-Za-z0-9_.:/@-])", text))
    leaked = sorted(tokens & codes)
    if leaked:
        problems.append("shows codes: " + ", ".join(leaked[:8]))
    return problems


def crawl_role(context, base_url: str, role: str | None, password: str, *, codes: set[str], max_pages: int = 60,
               out_dir: Path | None = None, extra_urls: tuple[str, ...] = ()) -> list[PageResult]:
    """Sign in as ``role`` (None: anonymous) in a fresh browser context and walk its pages."""
    page = context.new_page()
    page.set_default_timeout(30000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    results: list[PageResult] = []
    label = role or "anonymous"
    if role:
        page.goto(urljoin(base_url, "/login/"))
        page.fill("#id_username", role)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/login/" not in u)
        starts = page.eval_on_selector_all("aside a.nav-link[href]", "els => els.map(e => e.href)")
    else:
        starts = [urljoin(base_url, p) for p in ("/login/", "/centers/public/", "/centers/publicity/", "/help/")]
    starts = list(dict.fromkeys([*starts, *(urljoin(base_url, u) for u in extra_urls)]))
    seen_shapes: set[str] = set()
    queue: list[tuple[str, int]] = [(u, 0) for u in starts]
    host = urlparse(base_url).netloc
    while queue and len(results) < max_pages:
        url, depth = queue.pop(0)
        if urlparse(url).netloc != host or SKIP.search(url):
            continue
        key = shape(url)
        if key in seen_shapes:
            continue
        seen_shapes.add(key)
        console.clear()
        response = page.goto(url, wait_until="load")
        page.wait_for_timeout(150)
        status = response.status if response else 0
        result = PageResult(label, url.replace(base_url.rstrip("/"), ""), status, page.title())
        if status != 200:
            result.problems.append(f"HTTP {status}")
        result.problems += [f"console: {c[:160]}" for c in console]
        if status == 200 and "text/html" in (response.headers.get("content-type", "") if response else ""):
            result.problems += style_problems(page.evaluate(STYLE_CHECK), signed_in=bool(role))
            text = checked_text(page.inner_text("body"), page.evaluate(CODE_TEXTS))
            result.problems += text_problems(text, codes)
            result.notes = empty_states(text)
            if depth == 0:
                links = page.eval_on_selector_all(".page-body a[href]", "els => els.map(e => e.href)")
                queue += [(link.split("#")[0], 1) for link in links if link and not link.startswith("javascript")]
        if out_dir is not None:
            name = re.sub(r"[^A-Za-z0-9]+", "_", result.url).strip("_") or "root"
            path = out_dir / label / f"{len(results):03d}_{name[:80]}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
            result.screenshot = str(path.relative_to(out_dir))
        results.append(result)
    page.close()
    return results


def crawl(base_url: str, *, roles=DEMO_ROLES, password: str, max_pages: int = 60, out_dir: Path | None = None,
          anonymous: bool = True, viewport=(1366, 900), browser=None) -> list[PageResult]:
    """Crawl as anonymous (optional) and each role. ``browser``: a Playwright browser already launched (a test
    session's); without it, Debian's chromium is started and closed here."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return crawl(base_url, roles=roles, password=password, max_pages=max_pages, out_dir=out_dir,
                             anonymous=anonymous, viewport=viewport, browser=own)
            finally:
                own.close()
    codes = forbidden_codes()
    results: list[PageResult] = []
    for role in ([None] if anonymous else []) + list(roles):
        context = browser.new_context(locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]})
        try:
            results += crawl_role(context, base_url, role, password, codes=codes, max_pages=max_pages,
                                  out_dir=out_dir)
        finally:
            context.close()
    return results


def write_gallery(out_dir: Path, results: list[PageResult]) -> Path:
    """An index.html of every screenshot, grouped by role, with each page's problems beside it."""
    from html import escape

    parts = ["<!doctype html><meta charset=utf-8><title>IPOC screenshot gallery</title>",
             "<style>body{font-family:sans-serif;margin:1rem}figure{display:inline-block;width:420px;margin:.5rem;"
             "vertical-align:top}img{width:100%;border:1px solid #ccc}.bad{color:#b42318}.note{color:#667085}</style>"]
    for role in dict.fromkeys(r.role for r in results):
        parts.append(f"<h2>{escape(role)}</h2>")
        for r in (r for r in results if r.role == role):
            probs = "".join(f"<div class=bad>{escape(p)}</div>" for p in r.problems)
            probs += "".join(f"<div class=note>{escape(n)}</div>" for n in r.notes)
            parts.append(f"<figure><a href='{escape(r.screenshot)}'><img loading=lazy src='{escape(r.screenshot)}'>"
                         f"</a><figcaption>{escape(r.url)} · {r.status}{probs}</figcaption></figure>")
    index = out_dir / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


# ---------------------------------------------------------------- the user guide's pictures


def _sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(urljoin(base_url, "/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)


def guide_pictures(base_url: str, out_dir: Path, *, password: str, browser=None, quality: int = 72) -> list[dict]:
    """Photograph every picture of the user guides (``ipoc.core.help.GUIDE_SHOTS``) into ``out_dir/<guide>/``:
    the window only (``GUIDE_VIEWPORT``), as JPEG, so each stays small. Returns one row per picture."""
    from ipoc.core.help import GUIDE_SHOTS, GUIDE_VIEWPORT

    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return guide_pictures(base_url, out_dir, password=password, browser=own, quality=quality)
            finally:
                own.close()
    rows = []
    contexts: dict[str, object] = {}
    try:
        for guide, shots in GUIDE_SHOTS.items():
            for shot in shots:
                if shot.user not in contexts:
                    context = browser.new_context(locale="zh-CN", viewport={"width": GUIDE_VIEWPORT[0],
                                                                            "height": GUIDE_VIEWPORT[1]})
                    contexts[shot.user] = context
                    _sign_in(context.new_page(), base_url, shot.user, password)
                page = contexts[shot.user].pages[0]
                page.goto(urljoin(base_url, shot.path), wait_until="load")
                if shot.click:
                    page.locator(".page-body a", has_text=shot.click).first.click()
                    page.wait_for_load_state("load")
                if shot.mark:
                    page.eval_on_selector_all(shot.mark, "els => els.forEach(e => { e.style.outline = "
                                                         "'3px solid #d63939'; e.style.outlineOffset = '2px'; })")
                page.wait_for_timeout(300)  # charts draw after load
                path = out_dir / guide / shot.name
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), type="jpeg", quality=quality)
                rows.append({"guide": guide, "file": str(path), "url": page.url.replace(base_url.rstrip("/"), ""),
                             "bytes": path.stat().st_size})
    finally:
        for context in contexts.values():
            context.close()
    return rows
