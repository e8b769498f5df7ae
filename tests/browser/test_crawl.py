"""A crawl of the built site: every internal link and anchor resolves, every page loads with
no console error, no Content Security Policy violation (calculators reaching `ready`) and no
request leaving 127.0.0.1.

sitemap.xml has no absolute URLs (site_url is empty on purpose), so pages are its relative
`<loc>` paths when there are any, plus every site/**/index.html.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from build_scripts.paths import SITE
from tests.browser.conftest import guard
from tests.browser.test_csp import RECORD_VIOLATIONS

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_paths() -> set[str]:
    sitemap = SITE / "sitemap.xml"
    if not sitemap.is_file():
        return set()
    paths = set()
    for loc in ET.parse(sitemap).getroot().iter(f"{SITEMAP_NS}loc"):
        text = (loc.text or "").strip()
        path = urlsplit(text).path if "://" in text else text
        paths.add(path.lstrip("/").removeprefix("None/"))
    return paths


PAGES = sorted(
    {
        path.parent.relative_to(SITE).as_posix().removeprefix(".") + "/"
        for path in SITE.rglob("index.html")
        if "assets" not in path.parts
    }
    | {p if p.endswith("/") or p == "" else p + "/" for p in sitemap_paths()}
)
HTML_FILES = sorted(p for p in SITE.rglob("*.html") if "assets" not in p.relative_to(SITE).parts)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if name in {"href", "src"}:
                self.refs.append((tag, name, value))


@cache
def parsed(file: Path) -> Links:
    links = Links()
    links.feed(file.read_text(encoding="utf-8", errors="replace"))
    return links


def target_file(page: Path, href: str) -> tuple[Path, str]:
    """The file an internal `href` on `page` points to, and its fragment."""
    parts = urlsplit(href)
    base = PurePosixPath(page.relative_to(SITE).as_posix()).parent
    raw = unquote(parts.path)
    if raw == "":
        return page, unquote(parts.fragment)
    joined = PurePosixPath(raw[1:]) if raw.startswith("/") else base / raw
    resolved: list[str] = []
    for piece in joined.parts:
        if piece == "..":
            assert resolved, f"{href} climbs above the site root"
            resolved.pop()
        elif piece != ".":
            resolved.append(piece)
    target = SITE.joinpath(*resolved)
    if raw.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def internal(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and not href.startswith(("mailto:", "tel:"))


def broken_links(page: Path) -> list[str]:
    problems = []
    for tag, attribute, value in parsed(page).refs:
        if not internal(value) or value.startswith("data:"):
            if tag in {"script", "img", "link", "iframe"} and urlsplit(value).scheme in {
                "http",
                "https",
            }:
                problems.append(f"<{tag} {attribute}> loads an outside URL {value}")
            continue
        target, fragment = target_file(page, value)
        if not target.is_file():
            problems.append(f"{value} -> missing {target.relative_to(SITE)}")
        elif fragment and target.suffix == ".html" and fragment not in parsed(target).ids:
            problems.append(f"{value} -> no id {fragment!r} in {target.relative_to(SITE)}")
    return problems


@pytest.mark.parametrize("file", HTML_FILES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_no_broken_internal_link_or_anchor(file: Path) -> None:
    assert broken_links(file) == []


def test_the_link_check_can_fail() -> None:
    page = SITE / "index.html"
    links = parsed(page)
    saved = list(links.refs)
    try:
        links.refs.extend(
            [("a", "href", "no-such-page/"), ("a", "href", "grading/#no-such-anchor")]
        )
        problems = broken_links(page)
    finally:
        links.refs[:] = saved
    assert len(problems) == 2, problems


def test_every_page_is_crawled() -> None:
    assert "calculator/grade/" in PAGES and "calculator/sequence/" in PAGES
    assert {"algorithm/", "algorithm/pnet/", "algorithm/gi/"} <= set(PAGES)
    for path in sitemap_paths():
        assert (SITE / path / "index.html").is_file() or (SITE / path).is_file(), path


@pytest.fixture(scope="module")
def crawler(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    context.add_init_script(RECORD_VIOLATIONS)  # CSP violations, also those not logged
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, errors, seen
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(
    crawler: tuple[Page, list[str], list[str]], site_url: str, path: str
) -> None:
    page, errors, outside = crawler
    errors.clear()
    response = page.goto(site_url + path.lstrip("/"))
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    if page.locator("[data-net-calculator]").count():
        page.wait_for_selector("html[data-calculator=ready]", state="attached", timeout=120_000)
    assert page.evaluate("() => window.__cspViolations") == []
    assert not errors, errors
    assert not outside, f"requests left 127.0.0.1: {outside}"
