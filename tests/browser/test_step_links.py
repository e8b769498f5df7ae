"""Step links on the algorithm pages (issue 23): the address bar never names a step the reader
is not at, and each step's "Link to this step" button copies the step's exact address, on a
phone and a desktop (docs/javascripts/step-links.js, build_scripts/templates/_step.md.j2)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.browser.support import device_context, guard

PNET = "algorithm/pnet/"
DEVICES = ["Pixel 7", "desktop"]
TAP_MIN_PX = 44

# A step heading: the h2 that its "Link to this step" box follows (_step.md.j2).
STEP_HEADING = ".md-content h2:has(+ .net-steplink)"
# The step at the top of the page as the reader sees it: the step whose section holds the line
# just under the fixed header where an anchor jump leaves a heading (1.5 rem below the header);
# null when that section is not a step (the page's introduction).
READING = """() => {
  const STEP = "STEP_HEADING";
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const line = document.querySelector('.md-header').getBoundingClientRect().bottom + 1.5 * rem;
  let top = null;
  for (const h of document.querySelectorAll('.md-content h2[id]')) {
    if (h.getBoundingClientRect().top > line) break;
    top = h;
  }
  const root = document.documentElement;
  return {
    hash: decodeURIComponent(location.hash.slice(1)),
    top: top && top.matches(STEP) ? top.id : null,
    y: scrollY,
    atEnd: innerHeight + scrollY >= root.scrollHeight - 2,
    visible: [...document.querySelectorAll(STEP)]
      .filter((h) => {
        const r = h.getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight;
      })
      .map((h) => h.id),
  };
}""".replace("STEP_HEADING", STEP_HEADING)


@pytest.fixture(params=DEVICES)
def on_device(
    request: pytest.FixtureRequest, browser: Browser, playwright: Playwright, site_url: str
) -> Iterator[BrowserContext]:
    context = device_context(browser, playwright, request.param)
    seen = guard(context)
    yield context
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def settled(page: Page) -> dict:
    """Where the reader is once the page has handled the scroll (scrollend): the address may
    name the step at the top, or none; at the page's end, a step on screen that could not
    scroll up to the top (the reader jumped to it)."""
    deadline = time.monotonic() + 3
    while True:
        state = page.evaluate(READING)
        fine = state["hash"] in ("", state["top"]) or (
            state["atEnd"] and state["hash"] in state["visible"]
        )
        if fine or time.monotonic() > deadline:
            break
        page.wait_for_timeout(50)
    assert fine, f"the address names #{state['hash']} with #{state['top']} at the top: {state}"
    return state


# Set before a scroll: resolves at its end (the page's own scrollend listener, added earlier,
# has run by then), or after 300 ms when nothing scrolled (the page's end).
SCROLL_END = """() => {
  window.netScrollEnded = new Promise((done) => {
    const timer = setTimeout(done, 300);
    addEventListener("scrollend", () => { clearTimeout(timer); done(); }, { once: true });
  });
}"""


def scroll(page: Page, dy: int, phone: bool) -> None:
    page.evaluate(SCROLL_END)
    if phone:
        page.evaluate("dy => window.scrollBy(0, dy)", dy)  # a flick
    else:
        page.mouse.wheel(0, dy)
    page.evaluate("() => window.netScrollEnded")


def test_the_address_bar_never_names_a_step_the_reader_is_not_at(
    on_device: BrowserContext, site_url: str
) -> None:
    page = on_device.new_page()
    phone = (page.viewport_size or {}).get("width", 0) < 600
    page.goto(site_url + PNET)
    steps = page.eval_on_selector_all(STEP_HEADING, "hs => hs.map(h => h.id)")
    assert len(steps) >= 8
    if not phone:
        page.mouse.move(400, 400)  # the wheel scrolls what is under the pointer

    # Arrive at the first step by its link: the address names it while it is at the top.
    page.goto(f"{site_url}{PNET}#{steps[0]}")
    state = settled(page)
    assert (state["hash"], state["top"]) == (steps[0], steps[0])
    scroll(page, 120, phone)
    assert settled(page)["hash"] == steps[0]  # still reading that step

    # Down the whole page in steps of about half a screen, then back up.
    height = page.viewport_size["height"] if page.viewport_size else 800
    seen_tops: set[str] = set()
    named: set[str] = set()
    for direction in (1, -1):
        for _ in range(400):
            before = page.evaluate("scrollY")
            scroll(page, direction * height // 2, phone)
            state = settled(page)
            seen_tops.add(state["top"] or "")
            named.add(state["hash"])
            if page.evaluate("scrollY") == before:
                break
    assert set(steps) <= seen_tops, "the walk did not pass every step"
    assert named <= {"", steps[0]}, f"the address named steps nobody linked to: {named}"
    assert page.evaluate("location.hash") == ""  # dropped once the first step was left

    # A step in the middle, reached by its link, then a little up: the step above is at the
    # top now, and the address no longer names the step below it.
    middle = steps[len(steps) // 2]
    page.goto(f"{site_url}{PNET}#{middle}")
    assert settled(page)["hash"] == middle
    scroll(page, -150, phone)
    state = settled(page)
    assert state["top"] != middle
    assert state["hash"] == ""


def test_link_to_this_step_copies_the_exact_address(
    on_device: BrowserContext, site_url: str
) -> None:
    on_device.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    page = on_device.new_page()
    phone = (page.viewport_size or {}).get("width", 0) < 600
    page.goto(site_url + PNET)
    buttons = page.locator("button[data-step-link]")
    headings = page.locator(STEP_HEADING)
    expect(buttons).to_have_count(headings.count())
    step = "pnet-progression-on-ssa"
    button = page.locator(f"button[data-step-link='{step}']")
    expect(button).to_have_text("Link to this step")
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible()  # shown at all times, not on hover
    box = button.bounding_box()
    assert box is not None and box["height"] >= TAP_MIN_PX and box["width"] >= TAP_MIN_PX, box
    address = page.url
    if phone:
        button.tap()
    else:
        button.click()
    status = button.locator("xpath=following-sibling::*[@role='status']")
    expect(status).to_have_text("Link copied.")
    expect(status).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == f"{site_url}{PNET}#{step}"
    assert page.url == address  # copying does not move the address bar
    # The copied address opens the step at the top of the page.
    page.goto(copied)
    assert settled(page)["top"] == step


REFUSE_CLIPBOARD = """() => {
  navigator.clipboard.writeText = () =>
    Promise.reject(new DOMException("denied", "NotAllowedError"));
  document.execCommand = () => false;
}"""


def test_a_refused_clipboard_shows_the_address_selected(page: Page, site_url: str) -> None:
    page.goto(site_url + PNET)
    page.evaluate(REFUSE_CLIPBOARD)
    step = "pnet-vhl"
    page.locator(f"button[data-step-link='{step}']").click()
    box = page.locator(f".net-steplink:has(button[data-step-link='{step}'])")
    expect(box.get_by_role("status")).to_have_text("Copy this link:")
    field = box.locator("input.net-steplink__url")
    expect(field).to_be_visible()
    expect(field).to_have_value(f"{site_url}{PNET}#{step}")
    expect(field).to_be_focused()
    selected = field.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]")
    assert selected[0] == 0 and selected[1] == selected[2]


def test_without_javascript_the_permalink_serves(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, service_workers="block")
    seen = guard(context)
    page = context.new_page()
    page.goto(site_url + PNET)
    step = "pnet-vhl"
    expect(page.locator(f"button[data-step-link='{step}']")).to_be_hidden()
    permalink = page.locator(f"h2#{step} a.headerlink")
    expect(permalink).to_have_attribute("href", f"#{step}")
    assert permalink.evaluate("el => getComputedStyle(el).opacity") == "1"
    context.close()
    assert not seen
