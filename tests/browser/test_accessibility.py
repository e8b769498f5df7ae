"""Accessibility: both calculators used by keyboard alone (Tab, Space, Enter and typing), with
labelled inputs, errors tied to their inputs and results announced through live regions, and a
scan that can fail. axe-core (WCAG 2.1 A/AA) runs on every page at desktop and Pixel 7 sizes in
the crawl (test_crawl.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from calculator import web
from tests.browser.conftest import guard, wait_for_engine, wait_for_json
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import blocking_violations, device_context

SEQUENCE_ANSWERS = PNET_PROGRESSING


@pytest.fixture(scope="module", params=["desktop", "Pixel 7"])
def axe_page(
    browser: Browser, playwright: Playwright, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = device_context(browser, playwright, request.param)
    seen = guard(context)
    page = context.new_page()
    yield page
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def test_axe_finds_a_planted_problem(axe_page: Page, site_url: str) -> None:
    """The scan can fail: an unlabelled input and grey-on-white text are reported."""
    axe_page.goto(site_url)
    axe_page.evaluate(
        """() => {
            const input = document.createElement("input");
            const faint = document.createElement("p");
            faint.textContent = "faint text";
            faint.style.color = "#ddd";
            document.querySelector("article").append(input, faint);
        }"""
    )
    found = " ".join(blocking_violations(axe_page))
    assert "label" in found and "color-contrast" in found


# Keyboard only -------------------------------------------------------------------------


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused_attr(page: Page, name: str) -> str | None:
    return page.evaluate("(n) => document.activeElement.getAttribute(n)", name)


def test_grade_calculator_by_keyboard(page: Page, site_url: str) -> None:
    page.goto(site_url + "calculator/grade/")
    wait_for_engine(page)
    tab_to(page, "#g-site")
    page.keyboard.type("Pancreas")
    tab_to(page, "#g-differentiation", limit=2)
    page.keyboard.type("Well")
    tab_to(page, "#g-ki67", limit=4)  # past the checked "Percent" radio
    page.keyboard.type("abc")
    # The error is tied to the input and announced.
    error = page.get_by_test_id("error-ki67_percent")
    expect(error).to_be_visible()
    assert focused_attr(page, "aria-describedby") == "error-ki67_percent"
    assert focused_attr(page, "aria-invalid") == "true"
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.keyboard.type("12")
    result = page.get_by_test_id("grade-result")
    expect(result).to_contain_text("NET G2")
    expect(result).to_have_attribute("aria-live", "polite")
    expect(error).to_be_hidden()
    wait_for_json(
        page,
        web.grade_params({"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}),
    )
    # Space on the "Count and area" radio is not reachable by Tab within a group; Enter on the
    # Clear button is: it empties the form and the result goes back to the placeholder.
    tab_to(page, "[data-action=reset]")
    page.keyboard.press("Enter")
    expect(result).to_contain_text("Enter the site")


def test_grade_inputs_have_labels_and_error_slots(page: Page, site_url: str) -> None:
    page.goto(site_url + "calculator/grade/")
    wait_for_engine(page)
    controls = page.locator("#grade-calculator input:not([type=radio]), #grade-calculator select")
    assert controls.count() >= 10
    for control in controls.all():
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f"label[for='{control_id}']").count() == 1, control_id
        described = control.get_attribute("aria-describedby")
        assert described, control_id
        slot = page.locator(f"[id='{described}']")
        expect(slot).to_have_count(1)
        expect(slot).to_have_attribute("data-testid", described)
    expect(page.get_by_test_id("engine-status")).to_have_attribute("role", "status")


def test_sequence_calculator_by_keyboard(page: Page, site_url: str) -> None:
    page.goto(site_url + "calculator/sequence/")
    wait_for_engine(page)
    question = page.get_by_test_id("next-question")
    result = page.get_by_test_id("sequence-result")
    expect(result).to_have_attribute("aria-live", "polite")
    expect(question).to_have_attribute("aria-live", "polite")
    asked: list[str] = []
    expected: dict[str, Any] = {}
    for _ in range(len(SEQUENCE_ANSWERS)):
        expect(question.locator("fieldset[data-key]")).to_have_count(1)
        key = question.locator("fieldset[data-key]").get_attribute("data-key") or ""
        assert key not in asked, f"asked {key} twice"
        asked.append(key)
        value = SEQUENCE_ANSWERS[key]
        tab_to(page, f"[data-testid=next-question] button[data-value='{value}']")
        page.keyboard.press("Enter" if len(asked) % 2 else "Space")
        expect(page).to_have_url(re.compile(re.escape(f"{key}={value}")))
        expected = web.sequence_params({k: SEQUENCE_ANSWERS[k] for k in asked})
        wait_for_json(page, expected)
        if expected["status"] != "needs_input":
            break
    assert expected["status"] == "complete", (asked, expected.get("status"))
    options = page.get_by_test_id("options").locator("[data-option-id]")
    expect(options).to_have_count(len(expected["options"]))


def test_a_hovered_result_link_keeps_its_contrast(axe_page: Page, site_url: str) -> None:
    """The pointer left on an option's link after a click: its hover colour on the result's grey
    ground still passes axe's contrast rule."""
    query = "&".join(f"{k}={v}" for k, v in SEQUENCE_ANSWERS.items())
    axe_page.goto(f"{site_url}calculator/sequence/?{query}")
    link = axe_page.get_by_test_id("options").locator("[data-option-id] a").first
    expect(link).to_be_visible(timeout=60_000)
    link.hover()
    assert "color-contrast" not in " ".join(blocking_violations(axe_page))
