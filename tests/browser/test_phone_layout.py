"""On a phone (Pixel 7): the calculators are large buttons on the first screen of the home page;
a table that does not fit scrolls sideways with a visible hint and can be scrolled by keyboard;
the controls outside the calculators are at least 44 px square (WCAG 2.5.5). The calculators'
own layout is tested with them (test_grade_page.py, test_sequence_page.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from build_scripts.paths import SITE
from tests.browser.support import device_context, guard
from tests.built_site import PAGES, page_file

TAP = 44  # px, each side
TABLE_PAGES = [path for path in PAGES if "<table" in page_file(path).read_text(encoding="utf-8")]
# Controls a reader taps (prose links are exempt, as WCAG 2.5.5 allows for inline links).
CONTROLS = (
    ".md-header__button",
    ".md-typeset .md-button",
    ".md-footer__link",
    ".md-typeset summary",
    ".net-flow a",
)
TAP_PAGES = ["", "algorithm/", "syndromes/", "options/ssa/", "grading/", "evidence/"]


@pytest.fixture(scope="module")
def phone_context(browser: Browser, playwright: Playwright) -> Iterator[BrowserContext]:
    context = device_context(browser, playwright, "Pixel 7")
    seen = guard(context)
    # The engine is not needed to lay out a page: calculator pages do not boot it here.
    context.route(re.compile(r"/assets/engine/"), lambda route: route.abort())
    yield context
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


@pytest.fixture
def phone(phone_context: BrowserContext) -> Iterator[Page]:
    page = phone_context.new_page()
    yield page
    page.close()


def test_the_calculators_are_large_buttons_on_the_first_screen(phone: Page, site_url: str) -> None:
    phone.goto(site_url)
    buttons = phone.locator(".net-home-actions a.md-button")
    expect(buttons).to_have_count(3)
    hrefs = [buttons.nth(i).get_attribute("href") for i in range(2)]
    assert hrefs == [site_url + "calculator/grade/", site_url + "calculator/sequence/"]
    viewport = phone.viewport_size
    assert viewport is not None
    for i in range(2):
        box = buttons.nth(i).bounding_box()
        assert box is not None
        assert box["height"] >= TAP and box["width"] >= viewport["width"] / 2, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box


def wrappers_settled(page: Page) -> list[dict]:
    """Each table's wrapper once Material has wrapped it and the hints script has looked."""
    tables = page.locator(".md-typeset table").count()
    expect(page.locator(".md-typeset .md-typeset__scrollwrap")).to_have_count(tables)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.md-typeset__scrollwrap')]"
        ".every(w => w.previousElementSibling?.classList.contains('net-scroll-hint'))"
    )
    return page.locator(".md-typeset .md-typeset__scrollwrap").evaluate_all(
        """(wrappers) => wrappers.map((w) => {
            const hint = w.previousElementSibling;
            return {
              overflows: w.scrollWidth > w.clientWidth + 1,
              marked: w.classList.contains("net-scrolls"),
              tabindex: w.getAttribute("tabindex"),
              name: w.getAttribute("aria-label"),
              hint: hint.getBoundingClientRect().height > 0 ? hint.textContent : "",
              right: w.getBoundingClientRect().right,
            };
        })"""
    )


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_a_table_fits_or_scrolls_with_a_hint(phone: Page, site_url: str, path: str) -> None:
    phone.goto(site_url + path)
    viewport = phone.viewport_size
    assert viewport is not None
    for wrapper in wrappers_settled(phone):
        assert wrapper["right"] <= viewport["width"] + 1, wrapper  # never cut off by the page
        if wrapper["overflows"]:
            assert wrapper["marked"] and wrapper["tabindex"] == "0", wrapper
            assert wrapper["name"] and "scroll sideways" in wrapper["hint"], wrapper
        else:
            assert not wrapper["marked"] and not wrapper["hint"], wrapper
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{path} scrolls sideways as a whole"


def test_the_syndromes_table_is_wider_than_a_phone_and_says_so(phone: Page, site_url: str) -> None:
    """The case the hint is for (so the check above is not met by tables that all fit)."""
    phone.goto(site_url + "syndromes/")
    wrappers = wrappers_settled(phone)
    assert wrappers[0]["overflows"] and wrappers[0]["hint"], wrappers[0]
    # Turned sideways, it fits: the hint goes.
    phone.set_viewport_size({"width": 1000, "height": 412})
    expect(phone.locator(".net-scroll-hint").first).to_be_hidden()
    expect(phone.locator(".md-typeset__scrollwrap").first).not_to_have_attribute("tabindex", "0")


def small_controls(page: Page) -> list[str]:
    return page.evaluate(
        """([selectors, tap]) => {
            const small = [];
            for (const selector of selectors) {
              for (const el of document.querySelectorAll(selector)) {
                const r = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                if (!r.width || !r.height || style.visibility === "hidden") continue;
                if (r.right <= 0 || r.left >= innerWidth) continue;  // off-canvas
                if (r.width < tap - 0.5 || r.height < tap - 0.5) {
                  small.push(`${selector} "${el.textContent.trim().slice(0, 30)}" ` +
                    `${Math.round(r.width)}x${Math.round(r.height)}`);
                }
              }
            }
            return small;
        }""",
        [[*CONTROLS, ".md-nav--primary .md-nav__link"], TAP],
    )


@pytest.mark.parametrize("path", TAP_PAGES)
def test_controls_are_at_least_44_px(phone: Page, site_url: str, path: str) -> None:
    phone.goto(site_url + path)
    assert small_controls(phone) == []
    phone.locator("label.md-header__button[for='__drawer']").click()
    expect(phone.locator(".md-nav--primary .md-nav__link").first).to_be_in_viewport()
    assert small_controls(phone) == []


def test_the_pages_checked_for_tables_exist() -> None:
    assert "syndromes/" in TABLE_PAGES and len(TABLE_PAGES) >= 5, TABLE_PAGES
    assert all((SITE / path / "index.html").is_file() for path in TAP_PAGES)
