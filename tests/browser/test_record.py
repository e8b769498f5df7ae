"""From screen to record: "Copy for the notes" on both calculators, the fallback when the
browser refuses the clipboard, the sequencing result's one-page "Print summary" (Chromium's PDF
on A4 and Letter, its QR code decoded back to the link) and the page's own print.

The text on the clipboard and on paper is the engine's (calculator/record_text.py), compared
with what CPython makes from the same inputs. The sequencing page is opened by the link the
engine builds, so the page and the engine are seen to agree on the link's form. One page per
device, each test going on from the state the one before left.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, expect

from calculator import web
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import (
    AXE,
    BLOCKING,
    WCAG_AA,
    device_context,
    guard,
    wait_for_engine,
    wait_for_json,
)

DAY = "2026-08-01"
CLOCK = f"{DAY}T10:00:00"  # the browser's Date only; its timers run as usual
SEQUENCE = {**PNET_PROGRESSING, "prior": "everolimus"}
GRADE = {
    "site": "small_intestine",
    "differentiation": "well",
    "ki67.positive_cells": "30",
    "ki67.total_cells": "400",
    "mitoses.count": "5",
    "mitoses.hpf": "10",
    "mitoses.field_diameter_mm": "0.55",
}
JUDGEMENT = "Supports, and does not replace, clinical judgement."
REFUSE_CLIPBOARD = """() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("no", "NotAllowedError"));
    document.execCommand = () => false;
}"""


def _open(browser: Browser, playwright: Playwright, device: str) -> Iterator[Page]:
    context = device_context(browser, playwright, device)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.clock.set_fixed_time(CLOCK)
    seen = guard(context)
    yield context.new_page()
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


@pytest.fixture(scope="module")
def desktop(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    yield from _open(browser, playwright, "desktop")


@pytest.fixture(scope="module")
def phone(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    yield from _open(browser, playwright, "Pixel 7")


@pytest.fixture(scope="module")
def sequence_record(site_url: str) -> dict[str, Any]:
    return web.sequence_record(SEQUENCE, site_url + "calculator/sequence/", DAY)


@pytest.fixture(scope="module")
def sequence_page(desktop: Page, sequence_record: dict[str, Any]) -> Page:
    """The sequencing page opened by the engine's own link, showing what CPython shows."""
    desktop.goto(sequence_record["link"])
    wait_for_engine(desktop)
    wait_for_json(desktop, web.sequence_params(SEQUENCE))
    assert desktop.url == sequence_record["link"]  # the page keeps the link as its address
    return desktop


def new_state_violations(page: Page) -> list[str]:
    """axe (WCAG 2.1 AA) on what this feature adds to a page already scanned whole by the
    crawl: the action buttons (one of them under the pointer) and the copy box."""
    scope = {"include": [[".net-actions"], ["[data-testid=copy-fallback]"]]}
    found = AXE.run(page, context=scope, options=WCAG_AA).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in BLOCKING]


def pdf_pages(page: Page, paper: str) -> tuple[int, str]:
    """Pages and text of Chromium's PDF; the margins are the page's own (CSS @page)."""
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format=paper)))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_the_page_prints_its_answers_and_date_without_the_json(sequence_page: Page) -> None:
    page = sequence_page
    page.emulate_media(media="print")
    try:
        printed = page.locator("body").inner_text()
        assert "Engine output (JSON)" not in printed and '"engine_version"' not in printed
        assert "Treatments already given: Everolimus" in printed  # the prior treatment
        assert f"printed on {DAY}" in printed
        _, text = pdf_pages(page, "A4")
        assert "Everolimus" in text and f"printed on {DAY}" in text
    finally:
        page.emulate_media(media="screen")


def test_copy_for_the_notes_puts_the_engine_text_on_the_clipboard(
    sequence_page: Page, sequence_record: dict[str, Any]
) -> None:
    page = sequence_page
    page.get_by_role("button", name="Copy for the notes").click()
    expect(page.locator(".net-copied")).to_have_text("Summary copied: paste it into the notes.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == sequence_record["text"]
    assert "Treatments already given (the disease progressed on them): Everolimus" in copied
    assert f"Reopen this result: {sequence_record['link']}" in copied
    assert copied.endswith(JUDGEMENT + "\n")
    expect(page.get_by_test_id("copy-fallback")).to_be_hidden()


def test_a_refused_clipboard_shows_the_text_selected(
    sequence_page: Page, sequence_record: dict[str, Any]
) -> None:
    page = sequence_page
    page.evaluate(REFUSE_CLIPBOARD)
    page.get_by_role("button", name="Copy for the notes").click()
    box = page.get_by_test_id("record-text")
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    expect(page.locator(".net-copied")).to_contain_text("Not copied: the browser did not allow it.")
    assert box.input_value() == sequence_record["text"]
    assert box.evaluate("(el) => [el.selectionStart, el.selectionEnd, el.readOnly]") == [
        0,
        len(sequence_record["text"]),
        True,
    ]
    assert new_state_violations(page) == []


def test_print_summary_is_one_page_with_a_qr_code_of_the_link(
    sequence_page: Page, sequence_record: dict[str, Any]
) -> None:
    page = sequence_page
    # The print dialog is counted, not opened: the summary then stays laid out for page.pdf.
    page.evaluate("() => { window.__prints = 0; window.print = () => { window.__prints += 1; }; }")
    button = page.get_by_role("button", name="Print summary")
    button.hover()  # loads the QR code library
    qr = page.get_by_test_id("print-qr")
    for paper in ("A4", "Letter"):
        # Each print ends with `afterprint`, which takes the summary away: print it anew.
        page.emulate_media(media="screen")
        button.click()
        expect(page.locator("html.net-printing-summary")).to_have_count(1)
        expect(qr).to_have_count(1)
        page.emulate_media(media="print")
        count, text = pdf_pages(page, paper)
        assert count == 1, f"the summary of a typical pNET path takes {count} {paper} pages"
        flat = " ".join(text.split())
        for wanted in [
            sequence_record["title"],
            "Capecitabine plus temozolomide (CAPTEM)",
            "Treatments already given (the disease progressed on them): Everolimus",
            "Not recommended: Immune checkpoint inhibitors",
            f"NET Guide calculator {ENGINE_VERSION}, evidence reviewed to {EVIDENCE_DATE}.",
            f"Summary made on {DAY}.",
            JUDGEMENT,
        ]:
            assert wanted in flat, (paper, wanted)
    assert page.evaluate("window.__prints") == 2
    page.emulate_media(media="screen")
    button.click()
    expect(qr).to_have_count(1)
    try:
        page.emulate_media(media="print")
        printed = page.locator("body").inner_text()
        # The summary alone: none of the site's header, navigation, buttons or footer.
        for chrome in [
            "Copy for the notes",
            "Start again",
            "Path and answers",
            "NET Guide version",
        ]:
            assert chrome not in printed
        assert sequence_record["link"] in printed and JUDGEMENT in printed
        # The QR code decodes to the link (drawn larger for the decoder, not the camera).
        qr.evaluate("(el) => { el.style.width = '120mm'; el.style.height = '120mm'; }")
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        assert [code.text for code in codes] == [sequence_record["link"]]
    finally:
        page.emulate_media(media="screen")


def test_copy_for_the_notes_on_a_phone_grade(phone: Page, site_url: str) -> None:
    page = phone
    query = "&".join(f"{k}={v}" for k, v in GRADE.items())
    page.goto(f"{site_url}calculator/grade/?{query}")
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(GRADE))
    record = web.grade_record(GRADE, DAY)
    button = page.get_by_role("button", name="Copy for the notes")
    button.click()
    expect(page.locator(".net-copied")).to_have_text("Summary copied: paste it into the notes.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == record["text"]
    assert "Ki-67: 7.5 % (from 30 Ki-67-positive of 400 tumour cells counted)" in copied
    # Refused: the same text, selected, on the phone too.
    page.evaluate(REFUSE_CLIPBOARD)
    button.click()
    box = page.get_by_test_id("record-text")
    expect(box).to_be_visible()
    assert box.input_value() == record["text"]
    assert new_state_violations(page) == []
    # A blank form has nothing to copy.
    page.locator("[data-action=reset]").click()
    expect(button).to_be_disabled()
    expect(box).to_be_hidden()
