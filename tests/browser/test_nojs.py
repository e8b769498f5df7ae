"""Without JavaScript: content and algorithm pages stay readable; calculator pages say why the
calculator cannot run (their <noscript> message) instead of showing a dead form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from build_scripts.paths import SITE
from tests.browser.conftest import guard

PAGES = sorted(
    path.parent.relative_to(SITE).as_posix().removeprefix(".") + "/"
    for path in SITE.rglob("index.html")
    if "assets" not in path.parts
)
CALCULATORS = {"calculator/grade/", "calculator/sequence/"}


@pytest.fixture(scope="module")
def nojs_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, service_workers="block")
    seen = guard(context)
    page = context.new_page()
    yield page
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


@pytest.mark.parametrize("path", PAGES)
def test_page_is_readable_without_javascript(nojs_page: Page, site_url: str, path: str) -> None:
    page = nojs_page
    page.goto(site_url + path.lstrip("/"))
    assert page.evaluate("() => 1") == 1  # Playwright's own evaluation still works
    expect(page.locator("html.no-js")).to_have_count(1)  # no page script ran
    expect(page.locator("article h1").first).to_be_visible()
    text = page.locator("article").inner_text()
    assert len(text.split()) >= 40, f"{path} shows almost no text without JavaScript"
    expect(page.get_by_test_id("provenance")).to_be_visible()
    if path in CALCULATORS:
        message = page.locator(".net-noscript")
        expect(message.first).to_be_visible()
        expect(message.first).to_contain_text("needs JavaScript")
        expect(page.locator("[data-net-calculator]")).to_be_hidden()
        expect(page.get_by_test_id("engine-status")).to_be_hidden()
    else:
        expect(page.locator(".net-noscript")).to_have_count(0)


def test_algorithm_pages_keep_their_decision_text(nojs_page: Page, site_url: str) -> None:
    for path in ("algorithm/pnet/", "algorithm/gi/"):
        nojs_page.goto(site_url + path)
        article = nojs_page.locator("article")
        expect(article.locator("h2").first).to_be_visible()
        assert len(article.inner_text().split()) >= 200, path
