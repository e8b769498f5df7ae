"""The sequencing page in Chromium, walked by clicking, gives exactly what CPython gives."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from calculator import web
from tests.browser.conftest import wait_for_engine, wait_for_json
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import url_params

SEQUENCE_PAGE = "calculator/sequence/"

# Every answer a walk might need; the page asks only some of them. `ki67_percent` instead of
# `grade` means: type the index at the grade question instead of picking G1-G3.
PNET = PNET_PROGRESSING
GI = {
    "site": "small_intestine",
    "differentiation": "well",
    "ki67_percent": "15",
    "stage": "advanced",
    "syndrome": "carcinoid_syndrome",
    "syndrome_controlled": "no",
    "resectable": "no",
    "bulk_symptoms": "no",
    "current_ssa": "standard",
    "pace": "progressing",
    "sstr": "positive",
    "hepatic_predominant": "no",
    "prolonged_ssa_benefit": "no",
}
SCENARIOS = {"pnet": PNET, "gi": GI}


def shown_options(page: Page) -> list[tuple[str, str]]:
    items = page.get_by_test_id("options").locator("[data-option-id]")
    return [
        (item.get_attribute("data-option-id") or "", item.get_attribute("data-preference") or "")
        for item in items.all()
    ]


def expected_options(result: dict) -> list[tuple[str, str]]:
    return [(o["id"], o["preference"]) for o in result["options"]]


def current_key(page: Page) -> str:
    fieldset = page.get_by_test_id("next-question").locator("fieldset[data-key]")
    expect(fieldset).to_have_count(1)
    return fieldset.get_attribute("data-key") or ""


def walk(page: Page, answers: dict[str, str]) -> list[str]:
    """Answer every question the page asks by clicking; returns the keys in the order asked."""
    asked: list[str] = []
    result = page.get_by_test_id("sequence-result")
    for _ in range(30):
        expect(result).to_have_attribute(
            "data-status", re.compile(r"^(needs_input|complete|out_of_scope|error)$")
        )
        if result.get_attribute("data-status") != "needs_input":
            return asked
        key = current_key(page)
        before = page.url
        question = page.get_by_test_id("next-question")
        if key == "grade" and "ki67_percent" in answers:
            question.get_by_label("Ki-67 (%)").fill(answers["ki67_percent"])
            question.get_by_role("button", name="Grade from these values").click()
        else:
            question.locator(f"button[data-value='{answers[key]}']").click()
        asked.append(key)
        page.wait_for_function("url => window.location.href !== url", arg=before)
        # The next state: either a new question or a final result.
        page.wait_for_function(
            "key => { const f = document.querySelector("
            "'[data-testid=next-question] fieldset[data-key]');"
            " const s = document.querySelector('[data-testid=sequence-result]').dataset.status;"
            " return s !== 'needs_input' || (f && f.dataset.key !== key); }",
            arg=key,
            timeout=15_000,
        )
    raise AssertionError(f"walk did not finish: asked {asked}")


@pytest.fixture
def sequence_page(page: Page, site_url: str) -> Page:
    page.goto(site_url + SEQUENCE_PAGE)
    wait_for_engine(page)
    return page


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_clicked_walk_matches_cpython(sequence_page: Page, site_url: str, name: str) -> None:
    page = sequence_page
    answers = SCENARIOS[name]
    asked = walk(page, answers)
    params = url_params(page)
    # The URL holds exactly the answers given, under the contract's keys.
    assert params == {k: answers[k] for k in params}
    assert "grade" in asked
    expected = web.sequence_params(params)
    assert expected["status"] == "complete"
    assert expected["pathway"] == name
    wait_for_json(page, expected)
    assert shown_options(page) == expected_options(expected)
    # Every step of the path is a link to its anchor on a generated algorithm page.
    links = page.get_by_test_id("path").locator("li[data-step] > a")
    assert links.count() == len(expected["path"])
    for step, link in zip(expected["path"], links.all(), strict=True):
        href = link.get_attribute("href") or ""
        assert href.startswith(site_url + "algorithm/") and href.endswith(f"#{step}"), href
    # Advice and the 'no consensus order' line are shown.
    for advice in expected["advice"]:
        expect(page.locator(f"[data-advice-id='{advice['id']}']")).to_have_count(1)


def test_shared_url_lands_on_same_result(page: Page, site_url: str) -> None:
    params = dict(PNET)
    expected = web.sequence_params(params)
    page.goto(f"{site_url}{SEQUENCE_PAGE}?{urlencode(params)}")
    wait_for_engine(page)
    wait_for_json(page, expected)
    assert shown_options(page) == expected_options(expected)
    option = page.locator(f"[data-option-id='{expected['options'][0]['id']}'] a").first
    # The option's page, at the row of the step that produced it.
    first = expected["options"][0]
    expect(option).to_have_attribute(
        "href", re.compile(rf"/options/{first['id']}/#{first['id']}-at-{first['step']}$")
    )


def back(page: Page, answers: int) -> None:
    """History back, then wait until the document's URL holds `answers` answers: go_back can
    return on Material's debounced replaceState of the entry it left, before the move lands."""
    page.go_back()
    page.wait_for_function(
        "n => [...new URLSearchParams(window.location.search)].length === n", arg=answers
    )


def test_back_and_forward_move_between_steps(sequence_page: Page) -> None:
    page = sequence_page
    walk(page, PNET)
    final = url_params(page)
    complete = web.sequence_params(final)
    back(page, len(final) - 1)
    expect(page.get_by_test_id("sequence-result")).to_have_attribute("data-status", "needs_input")
    previous = url_params(page)
    missing = (set(final) - set(previous)).pop()
    assert current_key(page) == missing
    wait_for_json(page, web.sequence_params(previous))
    back(page, len(final) - 2)
    wait_for_json(page, web.sequence_params(url_params(page)))
    page.go_forward()
    page.go_forward()
    wait_for_json(page, complete)
    assert shown_options(page) == expected_options(complete)


def test_change_answer_goes_back_to_that_question(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}{SEQUENCE_PAGE}?{urlencode(GI | {'grade': 'G2'})}")
    wait_for_engine(page)
    expect(page.get_by_test_id("sequence-result")).to_have_attribute("data-status", "complete")
    page.get_by_test_id("path-summary").click()  # the path of a finished walk is folded
    change = page.locator("button[data-action='change-answer'][data-key='sstr']")
    change.click()
    assert current_key(page) == "sstr"
    # The answer taken back stays marked, and only that one.
    choices = page.get_by_test_id("next-question").locator("button[data-value]")
    expect(choices.and_(page.locator("[aria-pressed='true']"))).to_have_count(1)
    expect(choices.and_(page.locator("[data-value='positive']"))).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_test_id("next-question").locator("button[data-value='negative']").click()
    expected = web.sequence_params(url_params(page))
    assert url_params(page)["sstr"] == "negative"
    wait_for_json(page, expected)
    assert shown_options(page) == expected_options(expected)


def test_prior_multi_select(page: Page, site_url: str) -> None:
    params = PNET | {"prior": "captem,everolimus"}
    expected = web.sequence_params(params)
    page.goto(f"{site_url}{SEQUENCE_PAGE}?{urlencode(params)}")
    wait_for_engine(page)
    wait_for_json(page, expected)
    ids = [option_id for option_id, _ in shown_options(page)]
    assert "captem" not in ids and "everolimus" not in ids
    expect(page.locator("input[name='prior'][value='captem']")).to_be_checked()
    page.locator("input[name='prior'][value='sunitinib']").check()
    expect(page).to_have_url(
        re.compile(r"prior=captem%2Ceverolimus%2Csunitinib|prior=captem,everolimus,sunitinib")
    )
    wait_for_json(page, web.sequence_params(url_params(page)))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"site": "pancreas", "differentiation": "well", "ki67_percent": "abc"}, "ki67_percent"),
        ({"site": "liver"}, "site"),
        ({"site": "pancreas", "prior": "nonsense"}, "prior"),
    ],
)
def test_error_is_shown_at_its_field(page: Page, site_url: str, params: dict, field: str) -> None:
    expected = web.sequence_params(params)
    assert expected["status"] == "error" and expected["error"]["field"] == field
    page.goto(f"{site_url}{SEQUENCE_PAGE}?{urlencode(params)}")
    wait_for_engine(page)
    error = page.get_by_test_id(f"error-{field}")
    expect(error).to_be_visible()
    expect(error).to_have_text(expected["error"]["message"])
    wait_for_json(page, expected)


def test_out_of_scope_points_to_its_page(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}{SEQUENCE_PAGE}?site=lung")
    wait_for_engine(page)
    link = page.get_by_test_id("pointer").locator("a[data-pointer]")
    expect(link).to_have_attribute("href", site_url + "scope/thoracic/")
    wait_for_json(page, web.sequence_params({"site": "lung"}))


def test_questions_are_keyboard_usable(sequence_page: Page) -> None:
    page = sequence_page
    first = page.get_by_test_id("next-question").locator("button[data-value='pancreas']")
    first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"site=pancreas"))
    # The URL changes before the engine's answer arrives: wait for the next question itself.
    expect(page.get_by_test_id("next-question").locator("fieldset[data-key]")).to_have_attribute(
        "data-key", "differentiation"
    )
    heading = page.get_by_test_id("next-question").locator("h3")
    expect(heading).to_be_focused()
    expect(page.get_by_test_id("next-question").locator("fieldset")).to_have_attribute(
        "aria-labelledby", "seq-question-text"
    )
