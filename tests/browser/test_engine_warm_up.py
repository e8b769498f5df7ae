"""The engine's warm-up (docs/javascripts/engine.js): after the page's first answer it replays
that request a fixed number of times so the reader's first keystrokes are not the slow ones; a
blank form, which asks nothing, offers a sample request instead. It must never show anything,
never change the URL, and never get in front of the reader."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import Page

from calculator import web
from tests.browser.support import wait_for_engine, wait_for_json

PARAMS = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "12",
    "mitoses.per_2mm2": "3",
}
GRADE = f"calculator/grade/?{urlencode(PARAMS)}"
BLANK_GRADE = "calculator/grade/"
ROUNDS = 20  # WARM_UP_ROUNDS in engine.js
QUIET_MS = 300  # WARM_UP_QUIET_MS in engine.js

# Every request the page posts to the engine's worker, and every answer, with page-clock times.
SPY = """
(() => {
  const post = Worker.prototype.postMessage;
  const log = (window.__engineLog = []);
  const watched = new WeakSet();
  Worker.prototype.postMessage = function (message) {
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener("message", (event) => {
        const data = event.data || {};
        if (data.id !== undefined) log.push({ at: performance.now(), answer: data.id });
      });
    }
    const m = message || {};
    if (m.kind === undefined) return post.apply(this, arguments); // Material's search worker
    log.push({ at: performance.now(), id: m.id, kind: m.kind, params: m.params,
               warm: m.warmUp === true });
    return post.apply(this, arguments);
  };
})();
"""


# Page-clock times of every change inside the grade result region, from the first parse on.
# From the start of the document: the calculator mounts (draws its placeholder) as soon as its
# script runs, before DOMContentLoaded.
RESULT_CHANGES = """
(() => {
  const changes = (window.__resultChanges = []);
  new MutationObserver((records) => {
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (node && node.closest('[data-testid="grade-result"]')) changes.push(performance.now());
    }
  }).observe(document, { childList: true, subtree: true, characterData: true,
                         attributes: true });
})();
"""


def engine_log(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("() => window.__engineLog")


def wait_for_warm_up(page: Page) -> dict[str, Any]:
    page.wait_for_function("() => performance.getEntriesByName('net-engine-warm').length > 0")
    return page.evaluate("() => performance.getEntriesByName('net-engine-warm')[0].detail")


def test_warm_up_replays_the_first_request_and_shows_nothing(page: Page, site_url: str) -> None:
    page.context.add_init_script(SPY)
    page.goto(site_url + GRADE)
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(PARAMS))
    shown = page.get_by_test_id("grade-result").inner_html()
    url = page.url
    page.evaluate(
        """() => {
          window.__mutations = 0;
          const node = document.querySelector('[data-testid="grade-result"]');
          new MutationObserver((records) => { window.__mutations += records.length; })
            .observe(node, { childList: true, subtree: true, characterData: true,
                             attributes: true });
        }"""
    )
    assert wait_for_warm_up(page) == {"rounds": ROUNDS}
    log = [entry for entry in engine_log(page) if "answer" not in entry]
    # The page's own grade request; the record summary it asks for once the result has shown
    # ("Copy for the notes", kind grade_record) is the page's too, and never replayed.
    real = [entry for entry in log if not entry["warm"] and entry["kind"] == "grade"]
    warm = [entry for entry in log if entry["warm"]]
    assert len(real) == 1, real
    assert len(warm) == ROUNDS
    assert all((e["kind"], e["params"]) == (real[0]["kind"], real[0]["params"]) for e in warm)
    assert page.evaluate("() => window.__mutations") == 0
    assert page.get_by_test_id("grade-result").inner_html() == shown
    assert page.url == url


def test_reader_requests_go_before_the_warm_up(page: Page, site_url: str) -> None:
    """Typing right after the first answer, where the warm-up would start: no warm-up round
    is posted while one of the reader's requests is unanswered or within QUIET_MS after it,
    the answer shown is the reader's, and the warm-up still finishes afterwards."""
    page.context.add_init_script(SPY)
    page.goto(site_url + GRADE)
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(PARAMS))
    field = page.locator("[name='ki67_percent']")
    field.click()
    field.press("End")
    for key in ("Backspace", "Backspace", "2", "5"):  # ki67 12 -> 1 -> "" -> 2 -> 25
        field.press(key)
        page.wait_for_timeout(120)
    wait_for_json(page, web.grade_params({**PARAMS, "ki67_percent": "25"}))
    assert wait_for_warm_up(page) == {"rounds": ROUNDS}
    log = engine_log(page)
    answered: set[int] = set()
    last_real_at = None
    real_ids = set()
    grade_ids = set()
    warm_rounds = 0
    for entry in log:
        if "answer" in entry:
            answered.add(entry["answer"])
        elif entry["warm"]:
            warm_rounds += 1
            assert real_ids <= answered, "a warm-up round went out before the reader's answer"
            assert last_real_at is not None
            assert entry["at"] - last_real_at >= QUIET_MS - 5, entry
        else:
            real_ids.add(entry["id"])
            last_real_at = entry["at"]
            if entry["kind"] == "grade":  # not the record summaries asked after a pause
                grade_ids.add(entry["id"])
    assert len(grade_ids) == 5  # the URL's request and four keystrokes
    assert warm_rounds == ROUNDS


def test_blank_form_warms_up_with_a_valid_sample_and_shows_nothing(
    page: Page, site_url: str
) -> None:
    """A blank form asks the engine nothing, so it offers a sample: the warm-up replays it as
    soon as the engine is ready. The sample is a complete, valid request (the warm-up must run
    the path the reader's typing will run, not an error path), and the form, the result region
    and the URL stay as the reader left them."""
    page.context.add_init_script(SPY)
    page.context.add_init_script(RESULT_CHANGES)
    page.goto(site_url + BLANK_GRADE)
    wait_for_engine(page)
    assert wait_for_warm_up(page) == {"rounds": ROUNDS}
    log = [entry for entry in engine_log(page) if "answer" not in entry]
    assert [entry for entry in log if not entry["warm"]] == []  # the reader asked nothing
    assert len(log) == ROUNDS
    sample = log[0]["params"]
    assert all((e["kind"], e["params"]) == ("grade", sample) for e in log)
    answer = web.grade_params(sample)
    assert answer["status"] == "ok" and answer["grade"] in {"G1", "G2", "G3"}, answer
    first_round_at = log[0]["at"]
    changes = page.evaluate("() => window.__resultChanges")
    assert changes and max(changes) < first_round_at  # the placeholder, drawn before, only
    assert page.get_by_test_id("grade-result").inner_text() == (
        "Enter the site and at least one index."
    )
    assert page.get_by_test_id("result-json").text_content().strip() == ""
    assert page.input_value("[name='ki67_percent']") == ""
    assert page.url == site_url + BLANK_GRADE
