"""Revision 2 on the sequence page: high-grade deep links show what the grading engine found,
the Ki-67 > 55 % warning stands out, and the options equal CPython's."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from calculator import web
from tests.browser.support import wait_for_engine, wait_for_json

SEQUENCE_PAGE = "calculator/sequence/"
G3_PNET = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "35",
    "stage": "advanced",
    "syndrome": "none",
    "current_ssa": "none",
    "resectable": "no",
    "vhl": "no",
    "bulk_symptoms": "no",
    "pace": "progressing",
    "sstr": "positive",
    "hepatic_predominant": "no",
}
KI67_70_GI = {
    "site": "colon",
    "differentiation": "well",
    "ki67_percent": "70",
    "stage": "advanced",
    "syndrome": "none",
    "current_ssa": "none",
    "resectable": "no",
    "bulk_symptoms": "no",
    "pace": "rapid",
    "sstr": "negative",
    "hepatic_predominant": "no",
}


def open_result(page: Page, site_url: str, params: dict[str, str]) -> dict:
    expected = web.sequence_params(params)
    page.goto(f"{site_url}{SEQUENCE_PAGE}?{urlencode(params)}")
    wait_for_engine(page)
    wait_for_json(page, expected)
    return expected


def shown(page: Page) -> list[tuple[str, str]]:
    items = page.get_by_test_id("options").locator("[data-option-id]")
    return [
        (i.get_attribute("data-option-id") or "", i.get_attribute("data-preference") or "")
        for i in items.all()
    ]


@pytest.mark.parametrize("params", [G3_PNET, KI67_70_GI], ids=["g3-pnet", "ki67-70-gi"])
def test_high_grade_deep_link_shows_grading_and_cpythons_options(
    page: Page, site_url: str, params: dict[str, str]
) -> None:
    expected = open_result(page, site_url, params)
    assert expected["status"] == "complete" and expected["grading"]["grade"] == "G3"
    assert shown(page) == [(o["id"], o["preference"]) for o in expected["options"]]
    grading = page.get_by_test_id("grading")
    expect(grading.locator(".net-seq-grading__headline")).to_have_text(
        expected["grading"]["headline"]
    )
    for flag in expected["grading"]["flag_details"]:
        expect(grading.locator(f"[data-flag='{flag['id']}']")).to_have_text(flag["text"])
    # G3 takes its own step and never gets a graded (2B/2C) option or preferred observation.
    assert {"pnet-g3", "gi-g3"} & set(expected["path"])
    expect(page.get_by_test_id("options").locator("[data-strength]")).to_have_count(0)
    expect(page.locator("[data-option-id='observation'][data-preference='preferred']")).to_have_count(
        0
    )


def test_ki67_above_55_warning_is_prominent_and_no_ssa_alone(page: Page, site_url: str) -> None:
    expected = open_result(page, site_url, KI67_70_GI)
    grading = page.get_by_test_id("grading")
    expect(grading).to_have_class("net-seq-grading net-seq-grading--warning")
    warning = grading.locator("[data-flag='ki67_gt55_confirm_well_differentiated']")
    expect(warning).to_have_attribute("data-severity", "warning")
    expect(warning).to_be_visible()
    # The warning sits above the options, where it cannot be missed.
    options = page.get_by_test_id("options")
    assert grading.bounding_box()["y"] < options.bounding_box()["y"]  # type: ignore[index]
    advice = page.locator("[data-advice-id='confirm_differentiation_ki67_gt55']")
    text = {a["id"]: a["text"] for a in expected["advice"]}
    expect(advice).to_contain_text(text["confirm_differentiation_ki67_gt55"])
    expect(advice.locator("a")).to_have_count(2)  # both sources, linked
    assert "ssa" not in {o["id"] for o in expected["options"]}
    expect(page.locator("[data-option-id='ssa']")).to_have_count(0)


def test_contradicting_grade_is_an_error_on_grade(page: Page, site_url: str) -> None:
    params = {"site": "pancreas", "differentiation": "well", "grade": "G1", "ki67_percent": "35"}
    expected = open_result(page, site_url, params)
    assert expected["status"] == "error" and expected["error"]["field"] == "grade"
    error = page.get_by_test_id("error-grade")
    expect(error).to_be_visible()
    expect(error).to_have_text(expected["error"]["message"])


def test_option_links_to_the_row_of_the_step_that_produced_it(page: Page, site_url: str) -> None:
    expected = open_result(page, site_url, G3_PNET)
    first = expected["options"][0]
    link = page.locator(f"[data-option-id='{first['id']}'] .net-seq-option__title a")
    href = link.get_attribute("href") or ""
    assert href.endswith(f"/options/{first['id']}/#{first['id']}-at-{first['step']}"), href
    link.click()
    row = page.locator(f"[id='{first['id']}-at-{first['step']}']")
    expect(row).to_have_count(1)
