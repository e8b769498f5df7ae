"""Hostile query strings on both calculator pages: each gives a field error or is ignored.

Never runs script (a dialog or an injected element fails the test), never blanks the page
(form and result region stay visible), and the page shows what CPython's bridge says for the
same parameters (repeated keys: the last value wins, as in the page's URL parsing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from calculator import web
from tests.browser.conftest import guard, wait_for_engine, wait_for_json

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
    ("nul-and-newline", q(("site", "pancreas"), ("ki67_percent", "1\x002")), "ki67_percent"),
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


class HostilePage:
    """One calculator page for the module: loaded once (with a hostile URL), then each case
    goes through the page's own URL handling (pushState + popstate, as the back button does),
    so the engine boots once per page instead of once per case."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        wait_for_engine(self.page)

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, query: str) -> Page:
        self.page.evaluate(
            """(query) => {
                document.querySelector('[data-testid="result-json"]').textContent = "";
                history.pushState(null, "", location.pathname + "?" + query);
                dispatchEvent(new PopStateEvent("popstate"));
            }""",
            query,
        )
        return self.page


@pytest.fixture(scope="module")
def shared(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    yield context
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


FIRST_QUERY = q(("site", XSS_IMG), ("ki67_percent", XSS_SCRIPT), ("prior", XSS_IMG))


@pytest.fixture(scope="module")
def grade_page(shared: BrowserContext, site_url: str) -> HostilePage:
    return HostilePage(shared, f"{site_url}{GRADE_PAGE}?{FIRST_QUERY}")


@pytest.fixture(scope="module")
def sequence_page(shared: BrowserContext, site_url: str) -> HostilePage:
    return HostilePage(shared, f"{site_url}{SEQUENCE_PAGE}?{FIRST_QUERY}")


def check_not_injected(hostile: HostilePage) -> None:
    page = hostile.page
    page.wait_for_timeout(50)  # an onerror/onload handler would have fired by now
    assert not hostile.dialogs, f"script ran: {hostile.dialogs}"
    assert not hostile.errors, hostile.errors
    for selector in ("img[src='x']", "[onerror]", "[onload]"):
        expect(page.locator(selector)).to_have_count(0, timeout=1000)
    expect(page.locator("script", has_text="alert")).to_have_count(0, timeout=1000)


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
    wait_for_json(page, expected)
    if field is not None:
        error = page.get_by_test_id(f"error-{field}")
        expect(error).to_be_visible()
        expect(error).to_have_text(expected["error"]["message"])
    expect(page.get_by_test_id(result_testid)).to_be_visible()
    expect(page.get_by_test_id(result_testid)).not_to_be_empty()
    expect(page.locator("h1")).to_be_visible()


@pytest.mark.parametrize(
    ("query", "field"), [c[1:] for c in GRADE_CASES], ids=[c[0] for c in GRADE_CASES]
)
def test_grade_page_survives_hostile_url(
    grade_page: HostilePage, query: str, field: str | None
) -> None:
    page = grade_page.visit(query)
    check_outcome(page, query, field, web.grade_params, "grade-result")
    expect(page.locator("#grade-calculator form")).to_be_visible()
    check_not_injected(grade_page)


@pytest.mark.parametrize(
    ("query", "field"), [c[1:] for c in SEQUENCE_CASES], ids=[c[0] for c in SEQUENCE_CASES]
)
def test_sequence_page_survives_hostile_url(
    sequence_page: HostilePage, query: str, field: str | None
) -> None:
    page = sequence_page.visit(query)
    check_outcome(page, query, field, web.sequence_params, "sequence-result")
    expect(page.locator("#sequence-calculator")).to_be_visible()
    check_not_injected(sequence_page)


@pytest.mark.parametrize("which", ["grade", "sequence"])
def test_hostile_url_on_first_load(
    grade_page: HostilePage, sequence_page: HostilePage, which: str
) -> None:
    """A page opened straight from a hostile link (not via popstate) shows an error too."""
    hostile = grade_page if which == "grade" else sequence_page
    page = hostile.page
    page.goto(page.url.split("?")[0] + "?" + FIRST_QUERY)
    wait_for_engine(page)
    bridge = web.grade_params if which == "grade" else web.sequence_params
    check_outcome(page, FIRST_QUERY, "site", bridge, f"{which}-result")
    check_not_injected(hostile)


def test_the_checks_catch_an_injection(grade_page: HostilePage) -> None:
    """The detectors above work: an element injected on purpose is seen."""
    page = grade_page.page
    page.evaluate(
        "() => document.querySelector('main')"
        ".insertAdjacentHTML('beforeend', '<img src=x id=probe>')"
    )
    with pytest.raises(AssertionError):
        check_not_injected(grade_page)
    page.evaluate("() => document.getElementById('probe').remove()")
    check_not_injected(grade_page)
