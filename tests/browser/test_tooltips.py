"""Tooltips for titles in page content, drawn on demand (docs/javascripts/tooltips.js).

Material's `content.tooltips` is off (it mounts a component per titled element as the page
loads); one delegated listener shows the same tooltip, with Material's classes, when a reader
points at or taps a title. Exactly one tooltip at a time: if Material's feature came back, a
second one would show. That no page mounts a tooltip before a reader asks is checked on every
page by the crawl (test_crawl.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect

from tests.browser.support import device_context, guard

GRADE = "calculator/grade/"
WHO = ".md-content abbr[title='World Health Organization'], .md-content abbr[data-net-title]"
TOOLTIP = ".md-tooltip2"


def first_who(page: Page) -> Locator:
    return page.locator(WHO).first


@pytest.fixture
def phone(playwright: Playwright, browser: Browser, site_url: str) -> Iterator[Page]:
    context = device_context(browser, playwright, "Pixel 7")
    seen = guard(context)
    page = context.new_page()
    page.goto(site_url + GRADE)
    yield page
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def test_pointing_at_an_abbreviation_shows_its_expansion_once(page: Page, site_url: str) -> None:
    page.goto(site_url + GRADE)
    abbr = first_who(page)
    abbr.hover()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_have_count(1)
    expect(tooltip).to_have_class("md-tooltip2 md-tooltip2--bottom md-tooltip2--active")
    expect(tooltip).to_have_text("World Health Organization")
    assert tooltip.get_attribute("role") == "tooltip"
    assert abbr.get_attribute("aria-describedby") == tooltip.get_attribute("id")
    # The title moves aside while shown, so the browser's own tooltip does not add a second.
    assert abbr.get_attribute("title") is None
    # Drawn below the abbreviation.
    host = abbr.bounding_box()
    box = page.locator(f"{TOOLTIP}__inner").bounding_box()
    assert host and box and box["y"] >= host["y"] + host["height"]
    # A mouse click on it leaves it open (a tap toggles: see the phone test).
    abbr.click()
    expect(tooltip).to_have_count(1)

    page.mouse.move(1, 1)
    expect(tooltip).to_have_count(0)
    assert first_who(page).get_attribute("title") == "World Health Organization"
    assert first_who(page).get_attribute("aria-describedby") is None


def test_escape_closes_the_tooltip(page: Page, site_url: str) -> None:
    page.goto(site_url + GRADE)
    first_who(page).hover()
    expect(page.locator(TOOLTIP)).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(TOOLTIP)).to_have_count(0)
    assert first_who(page).get_attribute("title") == "World Health Organization"


def test_a_tap_on_a_phone_shows_it_inside_the_screen_and_a_tap_elsewhere_closes_it(
    phone: Page,
) -> None:
    abbr = first_who(phone)
    abbr.scroll_into_view_if_needed()
    abbr.tap()
    tooltip = phone.locator(TOOLTIP)
    expect(tooltip).to_have_count(1)
    expect(tooltip).to_have_text("World Health Organization")
    box = phone.locator(f"{TOOLTIP}__inner").bounding_box()
    width = phone.evaluate("() => window.innerWidth")
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    # A second tap on the same abbreviation closes it; so does a tap elsewhere.
    first_who(phone).tap()
    expect(tooltip).to_have_count(0)
    first_who(phone).tap()
    expect(tooltip).to_have_count(1)
    phone.locator(".md-content h1").tap()
    expect(tooltip).to_have_count(0)
    assert first_who(phone).get_attribute("title") == "World Health Organization"
