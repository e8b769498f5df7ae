"""The grade calculator page in Chromium gives exactly the answers CPython gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from calculator import web
from calculator.grading_text import FIELD_TEXTS
from calculator.sites import PRIMARY_SITES, SITE_BY_ID
from tests.browser.support import (
    device_context,
    guard,
    url_params,
    wait_for_engine,
    wait_for_json,
    wait_for_url_params,
)

CASES = json.loads((Path(__file__).parent.parent / "fixtures" / "grade_cases.json").read_text())
SELECTS = {"site", "differentiation", "necrosis"}
GRADE_PAGE = "calculator/grade/"
PAUSE_MS = 400  # common.js TYPING_PAUSE_MS


def page_options(page: Page, name: str) -> set[str]:
    return set(
        page.eval_on_selector_all(f"select[name='{name}'] option", "els => els.map(e => e.value)")
    )


# The values the form's selects offer: every site of the vocabulary (the form is generated
# from it; test_cases_cover_the_form checks the page), and the other selects' choices.
OFFERED = {
    "site": {"", *PRIMARY_SITES},
    "differentiation": {"", "well", "poor"},
    "necrosis": {"", "true", "false"},
}


def typeable(params: dict[str, str]) -> bool:
    """Cases whose select values the form offers are entered by hand; the others (a site such
    as liver, a differentiation such as moderate) only come in through the URL test."""
    return all(params.get(key, "") in OFFERED[key] for key in SELECTS)


def check_result_shown(page: Page, expected: dict) -> None:
    """The page shows the engine's own words: its headline, and each flag's text."""
    result = page.get_by_test_id("grade-result")
    expect(result.locator(".net-result__headline")).to_have_text(expected["headline"])
    flags = result.locator("[data-flag]")
    expect(flags).to_have_count(len(expected["flag_details"]))
    for index, detail in enumerate(expected["flag_details"]):
        item = flags.nth(index)
        expect(item).to_have_attribute("data-flag", detail["id"])
        expect(item).to_have_attribute("data-severity", detail["severity"])
        expect(item).to_have_text(detail["text"])


def enter(page: Page, params: dict[str, str]) -> None:
    keys = {k for k, v in params.items() if v != ""}
    ki67_mode = "counts" if any(k.startswith("ki67.") for k in keys) else "percent"
    if "mitoses.field_area_mm2" in keys:
        mitoses_mode = "hpf_area"
    elif keys & {"mitoses.field_diameter_mm", "mitoses.hpf"}:
        mitoses_mode = "hpf_diameter"
    elif keys & {"mitoses.area_mm2", "mitoses.count"}:
        mitoses_mode = "area"
    else:
        mitoses_mode = "per_2mm2"
    page.check(f"input[name='ki67-mode'][value='{ki67_mode}']")
    page.check(f"input[name='mitoses-mode'][value='{mitoses_mode}']")
    for key in ("site", "differentiation", "necrosis"):
        if key in keys:
            page.select_option(f"select[name='{key}']", params[key])
    mixed = page.locator("details.net-mixed")
    if "ne_component_percent" in keys and mixed.get_attribute("open") is None:
        mixed.locator("summary").click()
    for key in sorted(keys - SELECTS):
        page.locator(f"[name='{key}']").press_sequentially(params[key])


@pytest.fixture(scope="module")
def shared_context(browser: Browser) -> Iterator[BrowserContext]:
    """One context for the case table: its HTTP cache keeps each page load short."""
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    yield context
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


@pytest.fixture(scope="module")
def booted_page(shared_context: BrowserContext, site_url: str) -> Page:
    page = shared_context.new_page()
    page.goto(site_url + GRADE_PAGE)
    wait_for_engine(page)
    return page


@pytest.fixture
def grade_page(booted_page: Page) -> Page:
    """The booted calculator, cleared (the engine stays up between cases)."""
    booted_page.locator("[data-action=reset]").click()
    expect(booted_page.get_by_test_id("result-json")).to_have_text("")
    assert url_params(booted_page) == {}
    return booted_page


def test_cases_cover_the_form(grade_page: Page) -> None:
    for key in SELECTS:
        assert page_options(grade_page, key) == OFFERED[key], key
    assert len(CASES) >= 10
    assert len([c for c in CASES if typeable(c["params"])]) >= 25
    assert len(FRESH) == len(FRESH_NAMES), "a fresh-load case was renamed in grade_cases.json"


@pytest.mark.parametrize(
    "case", [c for c in CASES if typeable(c["params"])], ids=lambda c: c["name"]
)
def test_typed_case_matches_cpython(grade_page: Page, case: dict) -> None:
    params = {k: v for k, v in case["params"].items() if v != ""}
    enter(grade_page, params)
    expected = web.grade_params(params)
    wait_for_json(grade_page, expected)
    # The URL holds exactly the contract keys typed (necrosis only for thoracic sites).
    if SITE_BY_ID[params["site"]].group != "thoracic":
        params.pop("necrosis", None)
    wait_for_url_params(grade_page, params)
    # Every error field of the contract has its slot on the page, so the message always shows
    # at its field; an answer shows none.
    shown = grade_page.locator(".net-error:not([hidden])").evaluate_all(
        "els => els.map(e => [e.dataset.testid, e.textContent])"
    )
    error = expected["error"]
    assert shown == ([[f"error-{error['field']}", error["message"]]] if error else [])
    check_result_shown(grade_page, expected)


def visit_query(page: Page, params: dict[str, str]) -> None:
    """Move the booted page to a new query the way back/forward does (popstate)."""
    page.evaluate(
        "query => { history.pushState(null, '', location.pathname + query);"
        " dispatchEvent(new PopStateEvent('popstate')); }",
        f"?{urlencode(params)}",
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_url_state_reproduces_result(grade_page: Page, case: dict) -> None:
    visit_query(grade_page, case["params"])
    wait_for_json(grade_page, web.grade_params(case["params"]))


# A fresh load of a shared link, for one case of each kind (the popstate test covers all).
FRESH_NAMES = {
    "per_10_hpf_trap",
    "rectum_count_hpf_field_area_float_trap",
    "lung_typical_carcinoid",
    "appendix_minen",
    "error_liver_site",
}
FRESH = [case for case in CASES if case["name"] in FRESH_NAMES]


@pytest.mark.parametrize("case", FRESH, ids=lambda c: c["name"])
def test_shared_link_reproduces_result_on_fresh_load(
    shared_context: BrowserContext, site_url: str, case: dict
) -> None:
    page = shared_context.new_page()
    page.goto(f"{site_url}{GRADE_PAGE}?{urlencode(case['params'])}")
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(case["params"]))
    page.close()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"site": "pancreas", "ki67_percent": "abc"}, "ki67_percent"),
        ({"site": "pancreas", "ki67_percent": "NaN"}, "ki67_percent"),
        ({"site": "pancreas", "ki67_percent": "101"}, "ki67_percent"),
        (
            {"site": "pancreas", "ki67.positive_cells": "600", "ki67.total_cells": "500"},
            "ki67.positive_cells",
        ),
        (
            {"site": "pancreas", "ki67.positive_cells": "5", "ki67.total_cells": "0"},
            "ki67.total_cells",
        ),
        (
            {
                "site": "pancreas",
                "mitoses.count": "3",
                "mitoses.hpf": "0",
                "mitoses.field_diameter_mm": "0.5",
            },
            "mitoses.hpf",
        ),
        ({"site": "pancreas", "mitoses.count": "2.5", "mitoses.area_mm2": "10"}, "mitoses.count"),
        ({"site": "liver", "ki67_percent": "5"}, "site"),
        (
            {"site": "pancreas", "differentiation": "moderate", "ki67_percent": "5"},
            "differentiation",
        ),
        ({"site": "lung", "ki67_percent": "5"}, "mitoses"),
        ({"site": "pancreas", "ki67_percent": ">10"}, "ki67_percent"),
        (
            {
                "site": "pancreas",
                "mitoses.count": "3",
                "mitoses.hpf": "10",
                "mitoses.field_diameter_mm": "55",
            },
            "mitoses.field_diameter_mm",
        ),
    ],
)
def test_error_is_shown_at_its_field(grade_page: Page, params: dict, field: str) -> None:
    expected = web.grade_params(params)
    assert expected["error"]["field"] == field  # the contract's field, checked in CPython too
    page = grade_page
    visit_query(page, params)
    error = page.get_by_test_id(f"error-{field}")
    expect(error).to_be_visible()
    expect(error).to_have_text(expected["error"]["message"])
    # The control the error describes is marked invalid; `mitoses` (the shape) has no control.
    invalid = page.locator(f"[aria-describedby='error-{field}'][aria-invalid='true']")
    expect(invalid).to_have_count(0 if field == "mitoses" else 1)
    check_result_shown(page, expected)


def test_typing_before_ready_shows_result_when_ready(page: Page, site_url: str) -> None:
    page.goto(site_url + GRADE_PAGE)
    page.select_option("select[name='site']", "pancreas")
    page.select_option("select[name='differentiation']", "well")
    page.fill("[name='ki67_percent']", "12")
    wait_for_engine(page)
    expected = web.grade_params(
        {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}
    )
    check_result_shown(page, expected)


def test_phone_viewport(browser: Browser, playwright: Playwright, site_url: str) -> None:
    context = device_context(browser, playwright, "Pixel 7")
    seen = guard(context)
    page = context.new_page()
    params = {"site": "small_intestine", "differentiation": "well", "ki67_percent": "25"}
    page.goto(f"{site_url}{GRADE_PAGE}?{urlencode(params)}")
    wait_for_engine(page)
    check_result_shown(page, web.grade_params(params))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    page.get_by_label(FIELD_TEXTS["ki67_percent"].label).fill("2")
    check_result_shown(page, web.grade_params({**params, "ki67_percent": "2"}))
    context.close()
    assert not seen


URL_SPY = """() => {
  const post = Worker.prototype.postMessage;
  const replace = History.prototype.replaceState;
  window.__order = [];
  Worker.prototype.postMessage = function (...args) {
    // The grade requests: not the engine's own warm-up, nor the record summary that follows a
    // pause in typing (kind "grade_record", for "Copy for the notes").
    if (!args[0].warmUp && args[0].kind === "grade") window.__order.push("engine");
    return post.apply(this, args);
  };
  History.prototype.replaceState = function (...args) {
    // Only new addresses: Material also replaces the state to save the scroll position.
    if (args.length > 2 && new URL(args[2], location.href).href !== location.href) {
      window.__order.push("url");
    }
    return replace.apply(this, args);
  };
  window.__unwatch = () => {
    Worker.prototype.postMessage = post;
    History.prototype.replaceState = replace;
  };
}"""


def test_typing_writes_the_url_once_it_pauses(grade_page: Page) -> None:
    """Each keystroke asks the engine at once; the URL follows once typing pauses (one
    replaceState for the burst: each one makes Chromium fetch the favicon again), and at once
    when focus leaves the field. A select writes it at once."""
    grade_page.select_option("select[name='site']", "pancreas")
    assert url_params(grade_page) == {"site": "pancreas"}
    expect(grade_page.get_by_test_id("result-json")).to_contain_text('"status"')
    grade_page.evaluate(URL_SPY)
    try:
        field = grade_page.locator("[name='ki67_percent']")
        field.press_sequentially("12")
        expect(grade_page.get_by_test_id("result-json")).to_contain_text('"ki67_percent": 12')
        assert grade_page.evaluate("window.__order") == ["engine", "engine"]
        assert url_params(grade_page) == {"site": "pancreas"}
        wait_for_url_params(grade_page, {"site": "pancreas", "ki67_percent": "12"})
        assert grade_page.evaluate("window.__order") == ["engine", "engine", "url"]

        field.press("Backspace")
        grade_page.keyboard.press("Tab")  # focus leaves the field: no wait for the pause
        assert url_params(grade_page) == {"site": "pancreas", "ki67_percent": "1"}
    finally:
        grade_page.evaluate("window.__unwatch()")


def test_copied_link_holds_what_was_just_typed(grade_page: Page, site_url: str) -> None:
    grade_page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    grade_page.select_option("select[name='site']", "pancreas")
    grade_page.locator("[name='ki67_percent']").press_sequentially("15")
    grade_page.locator("[data-action='copy-link']").click()
    expect(grade_page.locator(".net-copied")).to_have_text("Link copied.")
    copied = grade_page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(f"{GRADE_PAGE}?site=pancreas&ki67_percent=15"), copied


def test_url_waiting_for_a_pause_stays_off_the_next_page(
    shared_context: BrowserContext, site_url: str
) -> None:
    """The reader types and leaves the page with the field still focused (a script's click;
    the back button does the same). Material changes the history entry first; then the field
    fires `change` and the pending write comes due. Neither may land on the page now shown: the
    typed value is dropped, and the entry left keeps its last written state. Its own page: it
    navigates away."""
    page = shared_context.new_page()
    try:
        page.goto(site_url + GRADE_PAGE)
        wait_for_engine(page)
        page.select_option("select[name='site']", "pancreas")
        page.locator("[name='ki67_percent']").press_sequentially("7")
        expect(page.get_by_test_id("result-json")).to_contain_text('"ki67_percent": 7')
        page.evaluate("() => document.querySelector('a[href$=\"glossary/\"]').click()")
        expect(page).to_have_url(site_url + "glossary/")
        page.wait_for_timeout(PAUSE_MS + 300)
        assert page.url == site_url + "glossary/"
        page.go_back()
        expect(page).to_have_url(f"{site_url}{GRADE_PAGE}?site=pancreas")
    finally:
        page.close()


RESULT_HEIGHTS = """el => {
  const hold = el.style.minHeight;
  const held = el.getBoundingClientRect().height;
  el.style.minHeight = "";
  const natural = el.getBoundingClientRect().height;
  el.style.minHeight = hold;
  return { held, natural };
}"""


def test_result_keeps_its_height_while_the_reader_types(
    shared_context: BrowserContext, site_url: str
) -> None:
    """A shorter result does not move the page under the reader's finger (common.js
    holdHeight); the hold ends with a new form state (Clear) and with a width change. Its own
    page, closed whatever happens: the resize makes Material save the scroll position later
    (replaceState), which would land in another test."""
    page = shared_context.new_page()
    try:
        check_result_height_hold(page, site_url)
    finally:
        page.close()


def check_result_height_hold(page: Page, site_url: str) -> None:
    page.goto(site_url + GRADE_PAGE)
    wait_for_engine(page)
    result = page.get_by_test_id("grade-result")
    actions = page.locator(".net-actions")
    page.select_option("select[name='site']", "pancreas")
    field = page.locator("[name='ki67_percent']")
    field.fill("19")  # two flags
    expect(result.locator("[data-flag]")).to_have_count(2)
    tall = result.evaluate(RESULT_HEIGHTS)
    below = actions.bounding_box()["y"]
    field.fill("9")  # one flag: a shorter result
    expect(result.locator("[data-flag]")).to_have_count(1)
    short = result.evaluate(RESULT_HEIGHTS)
    assert short["natural"] < tall["natural"] - 10
    assert short["held"] == pytest.approx(tall["natural"], abs=0.5)
    assert actions.bounding_box()["y"] == pytest.approx(below, abs=0.5)

    size = page.viewport_size
    assert size is not None
    page.set_viewport_size({"width": 700, "height": size["height"]})
    page.wait_for_function(
        f"() => {{ const h = ({RESULT_HEIGHTS})(document.querySelector("
        "'[data-testid=\"grade-result\"]')); return Math.abs(h.held - h.natural) < 0.5; }"
    )
    page.set_viewport_size(size)

    field.fill("19")
    expect(result.locator("[data-flag]")).to_have_count(2)
    page.locator("[data-action=reset]").click()
    expect(result).to_contain_text("Enter the site")
    cleared = result.evaluate(RESULT_HEIGHTS)
    assert cleared["natural"] < short["natural"]
    assert cleared["held"] == pytest.approx(cleared["natural"], abs=0.5)


def test_wrong_wasm_mime_gives_hosting_error(browser: Browser) -> None:
    from build_scripts.paths import SITE
    from build_scripts.serve import serving

    context = browser.new_context(service_workers="block")
    guard(context)
    page = context.new_page()
    with serving(SITE, wrong_wasm_mime=True) as url:
        page.goto(url + GRADE_PAGE)
        wait_for_engine(page, "failed")
        status = page.get_by_test_id("engine-status")
        expect(status).to_contain_text("application/wasm")
        expect(page.locator("#who-table")).to_be_visible()
    context.close()
