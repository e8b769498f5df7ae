"""The answer first (issue 23): a finished sequence walk, and a link to one, open with the result
at the top of the screen (preferred options first) and the path folded to one line; the grade
calculator keeps the grade in sight while the reader types, in a bar on a phone and beside the
form on a wide screen. Phone (Pixel 7) and desktop."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect

from calculator import web
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import blocking_violations, device_context, guard, wait_for_engine

SEQUENCE = "calculator/sequence/"
GRADE = "calculator/grade/"
DEVICES = ["Pixel 7", "desktop"]


@pytest.fixture(params=DEVICES)
def on_device(
    request: pytest.FixtureRequest, browser: Browser, playwright: Playwright
) -> Iterator[BrowserContext]:
    context = device_context(browser, playwright, request.param)
    seen = guard(context)
    yield context
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


@pytest.fixture
def phone(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    context = device_context(browser, playwright, "Pixel 7")
    seen = guard(context)
    yield context.new_page()
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def in_view(page: Page, locator: Locator) -> bool:
    """Wholly on screen, below Material's fixed header."""
    return page.evaluate(
        """el => {
          const r = el.getBoundingClientRect();
          const header = document.querySelector('.md-header').getBoundingClientRect().bottom;
          return r.height > 0 && r.top >= header - 1 && r.bottom <= innerHeight + 1;
        }""",
        locator.element_handle(),
    )


def first_preferred(page: Page, result: dict) -> Locator:
    first = next(o for o in result["options"] if o["preference"] == "preferred")
    return page.locator(f"[data-option-id='{first['id']}'] .net-seq-option__title")


def wait_for_status(page: Page, status: str) -> None:
    expect(page.get_by_test_id("sequence-result")).to_have_attribute(
        "data-status", status, timeout=120_000
    )


def test_a_shared_complete_link_opens_at_the_result(
    on_device: BrowserContext, site_url: str
) -> None:
    page = on_device.new_page()
    params = dict(PNET_PROGRESSING)
    expected = web.sequence_params(params)
    assert expected["status"] == "complete"
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(params)}")
    wait_for_status(page, "complete")
    option = first_preferred(page, expected)
    expect(option).to_be_visible()
    page.wait_for_function("() => scrollY > 0")  # it moved there; the intro is above
    assert in_view(page, option), "the first preferred option is not in the first screen"
    assert in_view(page, page.locator("#sequence-result-heading"))
    # The result comes before the path, which is folded to one line that opens.
    order = page.evaluate(
        """() => [...document.querySelectorAll('#sequence-calculator > *')]
              .filter((n) => n.matches('.net-result, .net-seq-answers')).map((n) => n.className)"""
    )
    assert order == ["net-result", "net-seq-answers"]
    summary = page.get_by_test_id("path-summary")
    box = page.locator(".net-seq-answers__box")
    expect(box).not_to_have_attribute("open", "")
    expect(summary).to_contain_text(f"{len(params)} answers: ")
    height = summary.evaluate("el => el.getBoundingClientRect().height")
    line = summary.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert height < 2 * line + 24, "the folded path takes more than one line"
    expect(page.get_by_test_id("path").locator("li").first).to_be_hidden()
    summary.click()
    expect(box).to_have_attribute("open", "")
    expect(page.get_by_test_id("path").locator("li[data-step]")).to_have_count(
        len(expected["path"])
    )
    assert blocking_violations(page) == []


def test_the_last_answer_brings_the_result_to_the_top(phone: Page, site_url: str) -> None:
    page = phone
    params = dict(PNET_PROGRESSING)
    last = "prolonged_ssa_benefit"
    asked = {k: v for k, v in params.items() if k != last}
    assert web.sequence_params(asked)["next_question"]["key"] == last
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(asked)}")
    wait_for_status(page, "needs_input")
    # While the walk asks, the question comes first and the path is open.
    question = page.get_by_test_id("next-question").locator(f"fieldset[data-key='{last}']")
    expect(question).to_be_visible()
    expect(page.locator(".net-seq-answers__box")).to_have_attribute("open", "")
    question.locator(f"button[data-value='{params[last]}']").tap()
    wait_for_status(page, "complete")
    expected = web.sequence_params(params)
    option = first_preferred(page, expected)
    expect(option).to_be_visible()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'sequence-result-heading'"
    )
    assert in_view(page, page.locator("#sequence-result-heading"))
    assert in_view(page, option)
    expect(page.locator(".net-seq-answers__box")).not_to_have_attribute("open", "")


def test_a_link_to_a_place_on_the_page_is_left_there(phone: Page, site_url: str) -> None:
    page = phone
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(PNET_PROGRESSING)}#how-to-read")
    wait_for_status(page, "complete")
    page.wait_for_timeout(300)
    assert in_view(page, page.locator("#how-to-read"))


# Grade calculator ----------------------------------------------------------------------

TYPED = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "19",
    "mitoses.count": "3",
    "mitoses.hpf": "10",
    "mitoses.field_diameter_mm": "0.55",
}


def type_the_form(page: Page) -> None:
    page.select_option("select[name='site']", TYPED["site"])
    page.select_option("select[name='differentiation']", TYPED["differentiation"])
    page.locator("[name='ki67_percent']").press_sequentially(TYPED["ki67_percent"])
    page.check("input[name='mitoses-mode'][value='hpf_diameter']")
    for key in ("mitoses.count", "mitoses.hpf", "mitoses.field_diameter_mm"):
        page.locator(f"[name='{key}']").press_sequentially(TYPED[key])


def test_the_grade_stays_in_view_while_typing_on_a_phone(phone: Page, site_url: str) -> None:
    page = phone
    page.goto(site_url + GRADE)
    wait_for_engine(page)
    bar = page.get_by_test_id("grade-bar")
    expect(bar).to_contain_text("Enter the site")
    type_the_form(page)
    expected = web.grade_params(TYPED)
    warnings = [f for f in expected["flag_details"] if f["severity"] == "warning"]
    assert expected["headline"] == "NET G2" and len(warnings) == 2
    expect(bar.locator(".net-grade-bar__headline")).to_have_text(expected["headline"])
    expect(bar).to_contain_text("2 warnings")
    # After the last keystroke, with the last field on screen, the grade is on screen too.
    assert in_view(page, page.locator("[name='mitoses.field_diameter_mm']"))
    assert in_view(page, bar)
    box = bar.bounding_box()
    assert box is not None and box["height"] >= 44
    # The bar leads to the full result.
    bar.tap()
    heading = page.locator("#grade-result-heading")
    expect(heading).to_be_focused()
    assert in_view(page, heading)
    assert in_view(page, page.get_by_test_id("grade-result").locator(".net-result__headline"))
    assert blocking_violations(page) == []


def test_the_grade_sits_beside_the_form_on_a_wide_screen(
    browser: Browser, playwright: Playwright, site_url: str
) -> None:
    context = device_context(browser, playwright, "desktop")
    seen = guard(context)
    page = context.new_page()
    page.goto(site_url + GRADE)
    wait_for_engine(page)
    expect(page.get_by_test_id("grade-bar")).to_be_hidden()
    params = {
        "site": "small_intestine",
        "differentiation": "well",
        "ki67_percent": "12",
        "mitoses.per_2mm2": "3",
    }
    page.select_option("select[name='site']", params["site"])
    page.select_option("select[name='differentiation']", params["differentiation"])
    page.locator("[name='ki67_percent']").press_sequentially(params["ki67_percent"])
    field = page.locator("[name='mitoses.per_2mm2']")
    field.press_sequentially(params["mitoses.per_2mm2"])
    headline = page.get_by_test_id("grade-result").locator(".net-result__headline")
    expect(headline).to_have_text(web.grade_params(params)["headline"])
    form = page.locator("#grade-calculator form").bounding_box()
    shown = headline.bounding_box()
    assert form is not None and shown is not None
    assert shown["x"] >= form["x"] + form["width"], "the result is not beside the form"
    assert in_view(page, field) and in_view(page, headline)
    # Lower down the form the result stays in view (it is held under the header).
    page.locator("details.net-mixed summary").click()
    mixed = page.locator("[name='ne_component_percent']")
    mixed.scroll_into_view_if_needed()
    assert in_view(page, mixed) and in_view(page, headline)
    assert blocking_violations(page) == []
    context.close()
    assert not seen
