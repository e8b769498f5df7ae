"""Every internal link and anchor of the built site resolves, and nothing loads from outside.

sitemap.xml lists the pages instant navigation may take over; each must be a built page (the
browser crawl, tests/browser/test_crawl.py, visits every page).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

from build_scripts.paths import SITE
from tests.built_site import HTML_FILES, PAGES

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_paths() -> set[str]:
    paths = set()
    for loc in ET.parse(SITE / "sitemap.xml").getroot().iter(f"{SITEMAP_NS}loc"):
        text = (loc.text or "").strip()
        path = urlsplit(text).path if "://" in text else text
        paths.add(path.lstrip("/").removeprefix("None/"))
    return paths


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


def test_every_sitemap_page_is_a_crawled_page() -> None:
    assert "calculator/grade/" in PAGES and "calculator/sequence/" in PAGES
    assert {"algorithm/", "algorithm/pnet/", "algorithm/gi/"} <= set(PAGES)
    listed = sitemap_paths()
    assert len(listed) == len(PAGES), sorted(listed)
    for path in listed:
        assert (SITE / path / "index.html").is_file() or (SITE / path).is_file(), path
        assert (path or "/") in PAGES, path
