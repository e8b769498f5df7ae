"""The smaller points of issue 23 for the calculators, each shown in Chromium: the grade worked
out from indices is said in the sequence path, earlier treatments are listed in the path and
offered only for the pathway, calculator buttons are at least 44 px tall, the grade calculator
shows the areas it computed, takes Ki-67 as a bound ("<1") on a phone's keyboard and names an
impossible field diameter at its field. (The answer marked after "Change":
test_sequence_page.py::test_change_answer_goes_back_to_that_question.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from build_scripts.paths import SITE
from calculator import web
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import device_context, guard, wait_for_engine, wait_for_json

SEQUENCE = "calculator/sequence/"
GRADE = "calculator/grade/"
TAP_MIN_PX = 44


def option_names() -> dict[str, dict]:
    return json.loads((SITE / "algorithm" / "steps.json").read_text(encoding="utf-8"))["options"]


@pytest.fixture
def phone(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    context = device_context(browser, playwright, "Pixel 7")
    seen = guard(context)
    yield context.new_page()
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def test_the_path_says_the_grade_worked_out_from_the_indices(page: Page, site_url: str) -> None:
    """While the walk still asks, the grade step of the path names the grade the engine found."""
    params = {"site": "pancreas", "differentiation": "well", "ki67_percent": "15"}
    expected = web.sequence_params(params)
    assert expected["status"] == "needs_input"
    assert (expected["grading"]["grade"], expected["grading"]["headline"]) == ("G2", "NET G2")
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(params)}")
    wait_for_engine(page)
    wait_for_json(page, expected)
    grade_item = page.get_by_test_id("path").locator("li[data-step='grade']")
    expect(grade_item).to_contain_text("NET G2, worked out from Ki-67 (%) 15")
    expect(page.get_by_test_id("path-summary")).to_contain_text("NET G2")
    # "Change" asks the grade again, with the index the reader gave still in its field.
    grade_item.get_by_role("button", name="Change answer: WHO grade").click()
    question = page.get_by_test_id("next-question").locator("fieldset[data-key='grade']")
    expect(question).to_be_visible()
    expect(question.get_by_label("Ki-67 (%)")).to_have_value("15")
    expect(question.locator("button[aria-pressed='true']")).to_have_count(0)


def test_earlier_treatments_show_in_the_path(page: Page, site_url: str) -> None:
    names = option_names()
    params = PNET_PROGRESSING | {"prior": "captem,everolimus"}
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(params)}")
    wait_for_engine(page)
    wait_for_json(page, web.sequence_params(params))
    summary = page.get_by_test_id("path-summary")
    expected_text = (
        f"Treatments already given: {names['captem']['short_name']}, "
        + names["everolimus"]["short_name"]
    )
    expect(summary).to_contain_text(expected_text)
    summary.click()
    prior = page.get_by_test_id("path").locator("li[data-prior]")
    expect(prior).to_contain_text(expected_text)
    # "Change" opens the list of earlier treatments at the ticked one.
    page.locator(".net-seq-prior").evaluate("el => { el.open = false; }")
    prior.get_by_role("button", name="Change answer: Treatments already given").click()
    expect(page.locator(".net-seq-prior")).to_have_attribute("open", "")
    expect(page.locator("input[name='prior'][value='captem']")).to_be_focused()


@pytest.mark.parametrize(
    ("answers", "pathway"),
    [(PNET_PROGRESSING, "pnet"), ({"site": "small_intestine", "differentiation": "well"}, "gi")],
)
def test_earlier_treatments_offered_are_those_of_the_pathway(
    page: Page, site_url: str, answers: dict[str, str], pathway: str
) -> None:
    names = option_names()
    expected = web.sequence_params(answers)
    assert expected["pathway"] == pathway
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(answers)}")
    wait_for_engine(page)
    wait_for_json(page, expected)
    offered = page.eval_on_selector_all("input[name='prior']", "els => els.map(e => e.value)")
    assert set(offered) == {k for k, v in names.items() if pathway in v["pathways"]}
    assert ("diazoxide" in offered) == (pathway == "pnet")  # an insulinoma drug


def visible_buttons_shorter_than(page: Page, root: str, least: int) -> list[str]:
    return page.eval_on_selector_all(
        f"{root} button, {root} summary",
        f"""els => els.filter((el) => {{
              const r = el.getBoundingClientRect();
              return r.width > 0 && r.height > 0 && r.height < {least};
            }}).map((el) => `${{el.outerHTML.slice(0, 80)}}: ${{el.offsetHeight}}`)""",
    )


def test_calculator_buttons_are_big_enough_to_tap(phone: Page, site_url: str) -> None:
    page = phone
    # Mid-walk: the question's answers, the path's Change buttons.
    asked = {k: v for k, v in PNET_PROGRESSING.items() if k != "prolonged_ssa_benefit"}
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(asked)}")
    wait_for_engine(page)
    expect(page.get_by_test_id("sequence-result")).to_have_attribute("data-status", "needs_input")
    expect(page.locator("button[data-action='change-answer']").first).to_be_visible()
    assert visible_buttons_shorter_than(page, "#sequence-calculator", TAP_MIN_PX) == []
    # The grade question with its index form.
    page.goto(f"{site_url}{SEQUENCE}?site=pancreas&differentiation=well")
    expect(page.get_by_role("button", name="Grade from these values")).to_be_visible()
    assert visible_buttons_shorter_than(page, "#sequence-calculator", TAP_MIN_PX) == []
    # A finished walk: result actions, the folded path, and once opened its Change buttons.
    page.goto(f"{site_url}{SEQUENCE}?{urlencode(PNET_PROGRESSING)}")
    expect(page.get_by_test_id("sequence-result")).to_have_attribute("data-status", "complete")
    assert visible_buttons_shorter_than(page, "#sequence-calculator", TAP_MIN_PX) == []
    page.get_by_test_id("path-summary").click()
    expect(page.locator("button[data-action='change-answer']").first).to_be_visible()
    assert visible_buttons_shorter_than(page, "#sequence-calculator", TAP_MIN_PX) == []
    # The grade calculator.
    page.goto(f"{site_url}{GRADE}?site=pancreas&ki67_percent=12")
    wait_for_engine(page)
    assert visible_buttons_shorter_than(page, "#grade-calculator", TAP_MIN_PX) == []


def test_the_grade_calculator_shows_the_areas_it_computed(page: Page, site_url: str) -> None:
    params = {
        "site": "pancreas",
        "differentiation": "well",
        "mitoses.count": "3",
        "mitoses.hpf": "10",
        "mitoses.field_diameter_mm": "0.55",
    }
    expected = web.grade_params(params)
    assert expected["fields_for_10mm2"] == 43
    page.goto(f"{site_url}{GRADE}?{urlencode(params)}")
    wait_for_engine(page)
    wait_for_json(page, expected)
    areas = page.get_by_test_id("grade-areas").locator("li")
    expect(areas).to_have_text(expected["area_explanation"])
    expect(areas.last).to_have_text("Fields of this size needed to cover 10 mm²: 43.")
    # A rate per 2 mm² has no area to show.
    page.locator("[data-action=reset]").click()
    page.select_option("select[name='site']", "pancreas")
    page.locator("[name='mitoses.per_2mm2']").fill("3")
    wait_for_json(page, web.grade_params({"site": "pancreas", "mitoses.per_2mm2": "3"}))
    expect(page.get_by_test_id("grade-areas")).to_have_count(0)


def test_a_phone_can_type_ki67_as_a_bound(phone: Page, site_url: str) -> None:
    page = phone
    page.goto(site_url + GRADE)
    wait_for_engine(page)
    page.select_option("select[name='site']", "pancreas")
    page.select_option("select[name='differentiation']", "well")
    field = page.locator("[name='ki67_percent']")
    expect(field).to_have_attribute("inputmode", "text")  # "<" is on a full keyboard only
    field.tap()
    field.press_sequentially("<1")
    expected = web.grade_params(
        {"site": "pancreas", "differentiation": "well", "ki67_percent": "<1"}
    )
    assert expected["grade"] == "G1" and "ki67_reported_as_bound" in expected["flags"]
    wait_for_json(page, expected)
    result = page.get_by_test_id("grade-result")
    expect(result.locator(".net-result__headline")).to_have_text("NET G1")
    expect(result.locator("[data-flag='ki67_reported_as_bound']")).to_be_visible()
    expect(page.get_by_test_id("grade-bar")).to_contain_text("NET G1")


def test_an_impossible_field_diameter_is_named_at_its_field_on_a_phone(
    phone: Page, site_url: str
) -> None:
    page = phone
    page.goto(site_url + GRADE)
    wait_for_engine(page)
    page.select_option("select[name='site']", "pancreas")
    page.check("input[name='mitoses-mode'][value='hpf_diameter']")
    page.locator("[name='mitoses.count']").fill("3")
    page.locator("[name='mitoses.hpf']").fill("10")
    diameter = page.locator("[name='mitoses.field_diameter_mm']")
    diameter.press_sequentially("55")
    params = {
        "site": "pancreas",
        "mitoses.count": "3",
        "mitoses.hpf": "10",
        "mitoses.field_diameter_mm": "55",
    }
    expected = web.grade_params(params)
    assert expected["status"] == "error"
    assert expected["error"]["field"] == "mitoses.field_diameter_mm"
    assert "0.55 mm" in expected["error"]["message"]  # the likely slip, named
    wait_for_json(page, expected)
    error = page.get_by_test_id("error-mitoses.field_diameter_mm")
    expect(error).to_have_text(expected["error"]["message"])
    expect(error).to_be_visible()
    expect(diameter).to_have_attribute("aria-invalid", "true")
    # The error sits right under its field, and the bar says the grade is missing.
    field_box, error_box = diameter.bounding_box(), error.bounding_box()
    assert field_box is not None and error_box is not None
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40
    bar = page.get_by_test_id("grade-bar")
    expect(bar).to_contain_text(expected["headline"])
    expect(bar).to_contain_text("check the highlighted field")
