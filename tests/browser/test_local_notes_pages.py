"""A hospital's local notes in the browser (docs/javascripts/local-notes.js): notes written by
the bundled tool into a bundle served by nginx under a sub-path appear at their step and
option, on the pages and in the sequencing result, as text, on a desktop and a Pixel 7.

The bundle is the built site laid out as make_dist does (site/ beside hosting/local_notes.py;
the site hard-linked, which the tool's replace-by-rename keeps apart from site/), served with
the shipped hosting/nginx.conf from the folder above it: the site lives at /<bundle>/site/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, expect

from build_scripts import local_notes as tool
from build_scripts.make_dist import HOSTING, bundle_name
from build_scripts.paths import SITE
from calculator import web
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import (
    AXE,
    BLOCKING,
    WCAG_AA,
    blocking_violations,
    device_context,
    guard,
    wait_for_engine,
)
from tests.browser.support import wait_for_json as wait_for_result
from tests.browser.test_nginx import Nginx, fetch

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "local-notes-example.json").read_text(
        encoding="utf-8"
    )
)
NOTES = EXAMPLE["notes"]
HOSPITAL = "St Example Hospital, NET service"
DISCLAIMER = "Added by this hospital; not part of the NET Guide's guideline."
STEP = "pnet-progression-on-ssa"
PRRT = "prrt_lu177_dotatate"
FORM = "https://intranet.example/forms/prrt-referral"
HOSTILE = "<img src=x onerror=window.__noteRan=1> javascript:window.__noteRan=2"


@dataclass
class Hosted:
    top: Path  # the unpacked bundle: site/ and hosting/
    url: str  # the bundle's site/ as served, under a sub-path
    edited: bytes  # local-notes.json as the tool wrote it

    @property
    def notes_file(self) -> Path:
        return self.top / "site" / tool.NOTES_FILE

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-I", "hosting/local_notes.py", *args]
        return subprocess.run(command, cwd=self.top, capture_output=True, text=True, check=False)


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)  # fast; the tool replaces files, never writes into them
    except OSError:  # another file system
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosted]:
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site first).")
    # Nginx(X) serves X/site with X/hosting/nginx.conf: X/site is the folder above the bundle.
    server_dir = tmp_path_factory.mktemp("notes-host")
    (server_dir / "hosting").mkdir()
    shutil.copy(HOSTING / "nginx.conf", server_dir / "hosting" / "nginx.conf")
    top = server_dir / "site" / bundle_name()
    shutil.copytree(SITE, top / "site", copy_function=link_or_copy)
    (top / "hosting").mkdir()
    shutil.copy(tool.__file__, top / "hosting" / "local_notes.py")
    hosted = Hosted(top, "", b"")
    # The worked example of HOSTING.md, through the tool.
    for args in (
        ["hospital", EXAMPLE["hospital"]],
        ["reviewed", EXAMPLE["reviewed"]],
        *(["add", note_id, text] for note_id, text in NOTES.items()),
    ):
        done = hosted.tool(*args)
        assert done.returncode == 0, done.stderr
    hosted.edited = hosted.notes_file.read_bytes()
    server = Nginx(server_dir, tmp_path_factory.mktemp("notes-nginx"))
    hosted.url = f"{server.url}{bundle_name()}/site/"
    yield hosted
    server.stop()


@pytest.fixture(scope="module", params=["desktop", "Pixel 7"])
def device_page(
    browser: Browser, playwright: Playwright, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = device_context(browser, playwright, request.param)
    seen = guard(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"
    assert not errors, errors


def check_note(page: Page, note_id: str, text: str) -> None:
    box = page.locator(f'[data-local-note="{note_id}"]')
    expect(box).to_have_count(1)
    expect(box).to_have_attribute("role", "note")
    expect(box).to_have_attribute("aria-label", f"Local note from {HOSPITAL}")
    expect(box.locator(".net-local-note__from")).to_have_text(
        f"Local note from {HOSPITAL}, reviewed {EXAMPLE['reviewed']}"
    )
    expect(box.locator(".net-local-note__text")).to_have_text(text)
    expect(box.locator(".net-local-note__disclaimer")).to_have_text(DISCLAIMER)


def within_screen(page: Page, selector: str) -> None:
    """The box fits the viewport's width and the page does not scroll sideways."""
    fits = page.evaluate(
        """(s) => {
            const r = document.querySelector(s).getBoundingClientRect();
            return r.left >= 0 && r.right <= innerWidth &&
                document.documentElement.scrollWidth <= innerWidth;
        }""",
        selector,
    )
    assert fits, selector


def notes_violations(page: Page) -> list[str]:
    """axe's blocking findings in the note boxes (the whole page is scanned on the sequencing
    result below, and every page without notes by the crawl)."""
    results = AXE.run(page, context=".net-local-note", options=WCAG_AA).response
    return [f"{v['id']}: {v['help']}" for v in results["violations"] if v["impact"] in BLOCKING]


def test_notes_show_at_their_step_and_option_pages(device_page: Page, hosted: Hosted) -> None:
    page = device_page
    hosted.notes_file.write_bytes(hosted.edited)
    page.goto(f"{hosted.url}algorithm/pnet/#{STEP}")
    check_note(page, STEP, NOTES[STEP])
    expect(page.locator(".net-local-note")).to_have_count(1)
    # In its step's section: the h2 above the note is the step's heading.
    heading = page.evaluate(
        """(id) => {
            let node = document.querySelector(`[data-local-note="${id}"]`).parentElement;
            while (node && node.tagName !== "H2") node = node.previousElementSibling;
            return node && node.id;
        }""",
        STEP,
    )
    assert heading == STEP
    within_screen(page, f'[data-local-note="{STEP}"]')
    assert notes_violations(page) == []

    page.goto(f"{hosted.url}options/{PRRT}/")
    check_note(page, PRRT, NOTES[PRRT])
    link = page.locator(f'[data-local-note="{PRRT}"] a')
    expect(link).to_have_attribute("href", FORM)
    expect(link).to_have_text(FORM)
    within_screen(page, f'[data-local-note="{PRRT}"]')


def test_notes_show_in_the_sequencing_result(device_page: Page, hosted: Hosted) -> None:
    page = device_page
    hosted.notes_file.write_bytes(hosted.edited)
    # The question being asked carries its step's note; answering it redraws the page into
    # the result, and the notes follow the redraw.
    answers = {key: value for key, value in PNET_PROGRESSING.items() if key != "grade"}
    page.goto(f"{hosted.url}calculator/sequence/?{urlencode(answers)}")
    wait_for_engine(page)
    question = page.get_by_test_id("next-question")
    expect(question.locator('[data-step="grade"] [data-local-note="grade"]')).to_have_count(1)
    # By keyboard: a click would leave the pointer hovering a link of the new result, whose
    # hover colour axe would then measure.
    question.locator(f'button[data-value="{PNET_PROGRESSING["grade"]}"]').press("Enter")
    wait_for_result(page, web.sequence_params(PNET_PROGRESSING))
    options = page.get_by_test_id("options")
    for note_id in (PRRT, "sunitinib"):
        item = options.locator(f'[data-option-id="{note_id}"]')
        expect(item.locator(".net-local-note")).to_have_count(1)
        check_note(page, note_id, NOTES[note_id])
    expect(options.locator('[data-option-id="captem"] .net-local-note')).to_have_count(0)
    path = page.get_by_test_id("path")
    for note_id in (STEP, "grade"):
        step = path.locator(f'[data-step="{note_id}"]')
        expect(step.locator(f'[data-local-note="{note_id}"]')).to_have_count(1)
    expect(page.locator(".net-local-note")).to_have_count(4)  # each once, after every redraw
    within_screen(page, f'[data-local-note="{PRRT}"]')
    assert blocking_violations(page) == []


def test_markup_is_refused_by_the_tool_and_shown_as_text_if_edited_in(
    device_page: Page, hosted: Hosted
) -> None:
    page = device_page
    refused = hosted.tool("add", "captem", "<img src=x onerror=alert(1)>")
    assert refused.returncode == 1 and "'<' and '>' are refused" in refused.stderr
    # Edited by hand with a correct checksum (the tool's rules skipped): still only text.
    notes = tool.Notes(HOSPITAL, EXAMPLE["reviewed"], {**NOTES, PRRT: HOSTILE})
    hosted.notes_file.write_text(tool.file_text(notes), encoding="utf-8")
    page.goto(f"{hosted.url}options/{PRRT}/")
    box = page.locator(f'[data-local-note="{PRRT}"]')
    expect(box.locator(".net-local-note__text")).to_have_text(HOSTILE)
    expect(box.locator("img, a")).to_have_count(0)
    assert page.evaluate("window.__noteRan") is None
    # Edited by hand without the tool: reported where the note would be, nothing shown.
    hosted.notes_file.write_bytes(hosted.edited.replace(b"ext. 4321", b"ext. 9999"))
    page.goto(f"{hosted.url}options/{PRRT}/")
    notice = page.locator("[data-local-notes-broken]")
    expect(notice).to_contain_text("its checksum does not match")
    expect(notice).to_contain_text("python3 hosting/local_notes.py check")
    expect(page.locator("[data-local-note]")).to_have_count(0)
    # No file: no notes, and nothing to report (what the next page view would read).
    hosted.notes_file.unlink()
    assert page.evaluate("window.NetLocalNotes.load().then((notes) => notes.state)") == "none"


def test_notes_file_is_served_fresh_and_uncompressed(hosted: Hosted) -> None:
    hosted.notes_file.write_bytes(hosted.edited)
    url = f"{hosted.url}{tool.NOTES_FILE}"
    status, headers, body = fetch(url, "br")
    assert (status, headers["cache-control"]) == (200, "no-cache")
    assert "content-encoding" not in headers  # no .br copy to go stale
    done = hosted.tool("remove", "sunitinib")
    assert done.returncode == 0, done.stderr
    status, headers, body = fetch(url)
    assert status == 200 and body == hosted.notes_file.read_bytes() != hosted.edited


def test_notes_follow_instant_navigation(page: Page, site_url: str) -> None:
    """Served at the root, Material moves between pages without reloading: each page view
    asks for the notes again and fills its own places."""
    body = json.dumps(EXAMPLE)
    asked: list[str] = []

    def notes(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=body)

    page.route("**/local-notes.json", notes)
    page.goto(f"{site_url}algorithm/pnet/")
    check_note(page, STEP, NOTES[STEP])
    page.evaluate("window.__samePage = true")
    page.locator(f'a[href$="options/{PRRT}/#{PRRT}-at-{STEP}"]').first.click()
    check_note(page, PRRT, NOTES[PRRT])
    assert page.evaluate("window.__samePage") is True  # no reload
    assert len(asked) == 2
