"""Printing: an algorithm page, the evidence page and a calculator result print on A4 and
Letter with nothing cut off, and with the URL, version and evidence date on the page. Each page
is opened once and laid out for both papers in turn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from tests.browser.support import guard, wait_for_engine

PAGES = [
    "algorithm/pnet/",
    "evidence/",
    "grading/",
    "calculator/grade/?site=pancreas&differentiation=well&ki67_percent=12&mitoses.per_2mm2=3",
]
# Elements wider than their box in print are clipped on paper.
CLIPPED = """() => [...document.querySelectorAll(
    '.md-typeset table, .md-typeset pre, .md-typeset svg')]
  .filter(el => el.offsetParent !== null)
  .filter(el => {
    const box = el.closest('.md-typeset__scrollwrap, .md-typeset__table, .md-content')
      || el.parentElement;
    return el.getBoundingClientRect().right > box.getBoundingClientRect().right + 1
      || el.getBoundingClientRect().right > document.documentElement.clientWidth + 1;
  })
  .map(el => el.tagName + ' ' + (el.textContent || '').slice(0, 60))"""


PAPERS = {"A4": 794, "Letter": 816}  # CSS px wide


class Printed:
    """The page last opened, kept for its other paper size (one load per page)."""

    def __init__(self, context: BrowserContext) -> None:
        self.outside = guard(context)
        self.page = context.new_page()
        self.path: str | None = None


@pytest.fixture(scope="module")
def printed(browser: Browser) -> Iterator[Printed]:
    context = browser.new_context(service_workers="block")
    yield Printed(context)
    context.close()


@pytest.mark.parametrize(("path", "paper"), [(p, paper) for p in PAGES for paper in PAPERS])
def test_page_prints_without_clipping(
    printed: Printed, site_url: str, path: str, paper: str
) -> None:
    page = printed.page
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": PAPERS[paper] - 96, "height": 1000})  # less 2 x 0.5 in
    if printed.path != path:
        page.goto(site_url + path)
        printed.path = path
        if path.startswith("calculator/"):
            wait_for_engine(page)
            page.get_by_test_id("grade-result").get_by_text("NET G2").wait_for()
    page.emulate_media(media="print")
    assert page.evaluate(CLIPPED) == []
    text = page.locator("body").inner_text()
    assert ENGINE_VERSION in text and EVIDENCE_DATE in text
    assert site_url.rstrip("/") in text  # the page's own address is printed
    assert not page.locator(".md-sidebar--primary").is_visible()
    pdf = page.pdf(format=paper, print_background=False)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    assert not printed.outside, f"requests left 127.0.0.1: {printed.outside}"
