"""Hostile query strings on both calculator pages: each gives a field error or is ignored.

Never runs script (a dialog or an injected element fails the test), never blanks the page
(form and result region stay visible), and the page shows what CPython's bridge says for the
same parameters (repeated keys: the last value wins, as in the page's URL parsing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from calculator import web
from tests.browser.conftest import ExternalRequests, guard, wait_for_engine, wait_for_json

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"
FULLWIDTH_12 = "\uff11\uff12"  # fullwidth digits one, two
XSS_SVG = '"><svg onload=alert(1)>'
LONG = "9" * 10_000
GRADE_PAGE = "calculator/grade/"
SEQUENCE_PAGE = "calculator/sequence/"


def q(*pairs: tuple[str, str]) -> str:
    """A raw query string (keeps repeated keys)."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


# (id, query, the field whose error must show, or None when the bad part is ignored)
GRADE_CASES: list[tuple[str, str, str | None]] = [
    ("img-in-site", q(("site", XSS_IMG), ("ki67_percent", "5")), "site"),
    ("img-in-ki67", q(("site", "pancreas"), ("ki67_percent", XSS_IMG)), "ki67_percent"),
    (
        "script-in-mitoses",
        q(("site", "pancreas"), ("mitoses.per_2mm2", XSS_SCRIPT)),
        "mitoses.per_2mm2",
    ),
    (
        "svg-in-differentiation",
        q(("site", "pancreas"), ("differentiation", XSS_SVG), ("ki67_percent", "5")),
        "differentiation",
    ),
    ("long-number", q(("site", "pancreas"), ("ki67_percent", LONG)), "ki67_percent"),
    ("long-site", q(("site", "s" * 10_000), ("ki67_percent", "5")), "site"),
    (
        "unknown-keys",
        q(
            ("site", "pancreas"),
            ("ki67_percent", "12"),
            ("foo", XSS_IMG),
            ("__proto__", "x"),
            ("constructor", "y"),
        ),
        None,
    ),
    (
        "repeated-keys",
        q(("site", "lung"), ("site", "pancreas"), ("ki67_percent", "1"), ("ki67_percent", "12")),
        None,
    ),
    ("nan", q(("site", "pancreas"), ("ki67_percent", "NaN")), "ki67_percent"),
    ("infinity", q(("site", "pancreas"), ("ki67_percent", "Infinity")), "ki67_percent"),
    (
        "minus-infinity",
        q(("site", "pancreas"), ("mitoses.per_2mm2", "-Infinity")),
        "mitoses.per_2mm2",
    ),
    ("overflow", q(("site", "pancreas"), ("ki67_percent", "1e999")), "ki67_percent"),
    ("arabic-indic-digits", q(("site", "pancreas"), ("ki67_percent", "١٢")), "ki67_percent"),
    (
        "fullwidth-digits",
        q(("site", "pancreas"), ("ki67.positive_cells", FULLWIDTH_12), ("ki67.total_cells", "600")),
        "ki67.positive_cells",
    ),
    ("javascript-url", q(("site", "javascript:alert(1)"), ("ki67_percent", "5")), "site"),
    ("nul-and-newline", q(("site", "pancreas"), ("ki67_percent", "1\x002\n")), "ki67_percent"),
]

SEQUENCE_CASES: list[tuple[str, str, str | None]] = [
    ("img-in-site", q(("site", XSS_IMG)), "site"),
    ("img-in-prior", q(("site", "pancreas"), ("prior", XSS_IMG)), "prior"),
    (
        "script-in-grade",
        q(("site", "pancreas"), ("differentiation", "well"), ("grade", XSS_SCRIPT)),
        "grade",
    ),
    (
        "svg-in-stage",
        q(("site", "pancreas"), ("differentiation", "well"), ("grade", "G2"), ("stage", XSS_SVG)),
        "stage",
    ),
    ("long-site", q(("site", "s" * 10_000)), "site"),
    (
        "long-ki67",
        q(("site", "pancreas"), ("differentiation", "well"), ("ki67_percent", LONG)),
        "ki67_percent",
    ),
    (
        "unknown-keys",
        q(("site", "pancreas"), ("foo", XSS_IMG), ("__proto__", "x"), ("constructor", "y")),
        None,
    ),
    (
        "repeated-keys",
        q(
            ("site", "lung"),
            ("site", "pancreas"),
            ("differentiation", "poor"),
            ("differentiation", "well"),
        ),
        None,
    ),
    (
        "nan",
        q(("site", "pancreas"), ("differentiation", "well"), ("ki67_percent", "NaN")),
        "ki67_percent",
    ),
    (
        "infinity",
        q(("site", "pancreas"), ("differentiation", "well"), ("ki67_percent", "Infinity")),
        "ki67_percent",
    ),
    (
        "arabic-indic-digits",
        q(("site", "pancreas"), ("differentiation", "well"), ("ki67_percent", "١٢")),
        "ki67_percent",
    ),
]


@pytest.fixture(scope="module")
def shared(browser: Browser) -> Iterator[tuple[BrowserContext, ExternalRequests]]:
    """One context for the module: the engine files come from its HTTP cache after the first."""
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    yield context, seen
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def open_hostile(
    shared: tuple[BrowserContext, ExternalRequests], url: str
) -> tuple[Page, list[str], list[str]]:
    context, _ = shared
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    wait_for_engine(page)
    return page, dialogs, errors


def check_not_injected(page: Page, dialogs: list[str], errors: list[str]) -> None:
    page.wait_for_timeout(100)  # an onerror/onload handler would have fired by now
    assert not dialogs, f"script ran: {dialogs}"
    assert not errors, errors
    for selector in ("img[src='x']", "[onerror]", "[onload]", "svg[onload]", "main script"):
        expect(page.locator(selector)).to_have_count(0)


def check_outcome(
    page: Page,
    query: str,
    field: str | None,
    bridge: Callable[[dict[str, str]], dict],
    result_testid: str,
) -> None:
    params = dict(parse_qsl(query, keep_blank_values=True))  # the last value wins
    expected = bridge(params)
    if field is None:
        assert expected["status"] != "error", expected
    else:
        assert expected["status"] == "error" and expected["error"]["field"] == field, expected
        error = page.get_by_test_id(f"error-{field}")
        expect(error).to_be_visible()
        expect(error).to_have_text(expected["error"]["message"])
    wait_for_json(page, expected)
    expect(page.get_by_test_id(result_testid)).to_be_visible()
    expect(page.locator("h1")).to_be_visible()


@pytest.mark.parametrize(
    ("query", "field"), [c[1:] for c in GRADE_CASES], ids=[c[0] for c in GRADE_CASES]
)
def test_grade_page_survives_hostile_url(
    shared: tuple[BrowserContext, ExternalRequests], site_url: str, query: str, field: str | None
) -> None:
    page, dialogs, errors = open_hostile(shared, f"{site_url}{GRADE_PAGE}?{query}")
    check_outcome(page, query, field, web.grade_params, "grade-result")
    expect(page.locator("#grade-calculator form")).to_be_visible()
    expect(page.get_by_test_id("grade-result")).not_to_be_empty()
    check_not_injected(page, dialogs, errors)
    page.close()


@pytest.mark.parametrize(
    ("query", "field"), [c[1:] for c in SEQUENCE_CASES], ids=[c[0] for c in SEQUENCE_CASES]
)
def test_sequence_page_survives_hostile_url(
    shared: tuple[BrowserContext, ExternalRequests], site_url: str, query: str, field: str | None
) -> None:
    page, dialogs, errors = open_hostile(shared, f"{site_url}{SEQUENCE_PAGE}?{query}")
    check_outcome(page, query, field, web.sequence_params, "sequence-result")
    expect(page.locator("#sequence-calculator")).to_be_visible()
    expect(page.get_by_test_id("sequence-result")).not_to_be_empty()
    check_not_injected(page, dialogs, errors)
    page.close()


def test_the_checks_catch_an_injection(
    shared: tuple[BrowserContext, ExternalRequests], site_url: str
) -> None:
    """The detectors above work: an element injected on purpose is seen."""
    page, dialogs, errors = open_hostile(
        shared, f"{site_url}{GRADE_PAGE}?{urlencode({'site': 'pancreas'})}"
    )
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')"
    )
    with pytest.raises(AssertionError):
        check_not_injected(page, dialogs, errors)
    page.close()
