"""The flowchart on the algorithm overview, as a reader meets it: on a phone it fits the width and
its start is on the first screen; each box opens its step; on paper it keeps its size. The
drawing itself (labels, links, layout): tests/unit/test_flowchart.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.support import device_context, guard

OVERVIEW = "algorithm/"
START = ".net-flow__node--start"


@pytest.fixture
def phone(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    context = device_context(browser, playwright, "Pixel 7")
    seen = guard(context)
    yield context.new_page()
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def test_on_a_phone_the_chart_fits_and_opens_at_its_start(phone: Page, site_url: str) -> None:
    phone.goto(site_url + OVERVIEW)
    start = phone.locator(START)
    expect(start).to_be_visible()
    box = start.bounding_box()
    viewport = phone.viewport_size
    assert box is not None and viewport is not None
    # Wholly inside the first screen, with no scrolling in either direction.
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    sizes = phone.locator(".net-flowchart").evaluate(
        "(el) => [el.scrollWidth, el.clientWidth, document.documentElement.scrollWidth]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= viewport["width"], sizes
    # Scaled to the column, its text stays readable (12 px drawn, at least 11 px shown).
    scale = phone.locator("#net-flowchart").evaluate(
        "(svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width"
    )
    assert scale >= 11 / 12


def test_a_box_opens_its_step(phone: Page, site_url: str) -> None:
    phone.goto(site_url + OVERVIEW)
    phone.locator('[data-step="sstr-imaging"]').click()
    expect(phone).to_have_url(site_url + OVERVIEW + "#sstr-imaging")
    expect(phone.locator("#sstr-imaging")).to_be_in_viewport()


def test_printed_the_chart_keeps_its_size(page: Page, site_url: str) -> None:
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(site_url + OVERVIEW)
    page.emulate_media(media="print")
    size = page.locator("#net-flowchart").evaluate(
        "(svg) => [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width]"
    )
    assert size[0] >= size[1] * 0.95, size
    expect(page.locator(".net-flow__answer").first).to_be_visible()
