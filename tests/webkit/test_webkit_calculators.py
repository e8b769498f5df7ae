"""Both calculators in WebKit (Safari's engine): by deep link, by typing and clicking, the
hosting error, and no console problems on any page (tests/webkit/probe.js, checked by the
`webkit` fixture after each test). The answers are compared with what CPython gives."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from calculator import web
from tests.browser.scenarios import PNET_PROGRESSING
from tests.webkit.conftest import problems
from tests.webkit.server import FAILING_WORKER_PATH, serving_probed

GRADE_PAGE = "calculator/grade/"
SEQUENCE_PAGE = "calculator/sequence/"
ENGINE_BOOT_S = 120  # generous: Pyodide's start on a busy 2-core machine
STEP_S = 15  # one answer from a booted engine, or one page change


def wait(driver: WebDriver, script: str, *args: Any, timeout: float = STEP_S) -> Any:
    """Poll `script` (a function body) until it returns something truthy; return that."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(script, *args), f"timed out waiting for: {script}"
    )


def wait_for_engine(driver: WebDriver, state: str = "ready") -> None:
    wait(
        driver,
        "return document.documentElement.dataset.calculator === arguments[0]",
        state,
        timeout=ENGINE_BOOT_S,
    )


def shown_json(driver: WebDriver) -> Any:
    text = driver.execute_script(
        "const node = document.querySelector('[data-testid=result-json]');"
        "return node ? node.textContent : '';"
    )
    return json.loads(text) if text.strip() else None


def wait_for_json(driver: WebDriver, expected: dict[str, Any]) -> None:
    try:
        WebDriverWait(driver, STEP_S, poll_frequency=0.1).until(lambda d: shown_json(d) == expected)
    except TimeoutException:
        assert shown_json(driver) == expected  # shows the difference
        raise


def url_params(driver: WebDriver) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(driver.current_url).query, keep_blank_values=True))


def option_ids(driver: WebDriver) -> list[tuple[str, str]]:
    return driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=options] [data-option-id]')]"
        ".map((n) => [n.dataset.optionId, n.dataset.preference || '']);"
    )


def expected_options(result: dict[str, Any]) -> list[list[str]]:
    return [[option["id"], option["preference"]] for option in result["options"]]


def test_grade_deep_link(webkit: WebDriver, site_url: str) -> None:
    params = {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}
    expected = web.grade_params(params)
    assert expected["grade"] == "G2"
    webkit.get(f"{site_url}{GRADE_PAGE}?{urlencode(params)}")
    wait_for_engine(webkit)
    wait_for_json(webkit, expected)
    result = webkit.find_element(By.CSS_SELECTOR, "[data-testid=grade-result]")
    assert "G2" in result.text


def test_grade_by_typing(webkit: WebDriver, site_url: str) -> None:
    webkit.get(site_url + GRADE_PAGE)
    wait_for_engine(webkit)
    Select(webkit.find_element(By.NAME, "site")).select_by_value("pancreas")
    Select(webkit.find_element(By.NAME, "differentiation")).select_by_value("well")
    field = webkit.find_element(By.NAME, "ki67_percent")
    field.send_keys("2x")
    bad = {"site": "pancreas", "differentiation": "well", "ki67_percent": "2x"}
    expected = web.grade_params(bad)
    assert expected["error"]["field"] == "ki67_percent"
    wait_for_json(webkit, expected)
    error = webkit.find_element(By.CSS_SELECTOR, "[data-testid='error-ki67_percent']")
    assert error.is_displayed()
    assert error.text == expected["error"]["message"]
    field.send_keys(Keys.BACKSPACE, "5")  # the reader corrects it: 25 %
    good = bad | {"ki67_percent": "25"}
    expected = web.grade_params(good)
    assert expected["grade"] == "G3"
    wait_for_json(webkit, expected)
    assert not error.is_displayed()
    # The address follows once typing pauses, so a copied link reopens this result.
    WebDriverWait(webkit, STEP_S, poll_frequency=0.1).until(lambda d: url_params(d) == good)


def test_sequence_deep_link(webkit: WebDriver, site_url: str) -> None:
    expected = web.sequence_params(PNET_PROGRESSING)
    assert expected["status"] == "complete"
    webkit.get(f"{site_url}{SEQUENCE_PAGE}?{urlencode(PNET_PROGRESSING)}")
    wait_for_engine(webkit)
    wait_for_json(webkit, expected)
    assert option_ids(webkit) == expected_options(expected)


NEXT_KEY = """
const fieldset = document.querySelector('[data-testid=next-question] fieldset[data-key]');
const status = document.querySelector('[data-testid=sequence-result]').dataset.status;
if (status === 'needs_input') return fieldset && fieldset.dataset.key !== arguments[0]
  ? fieldset.dataset.key : null;
return status ? '=' + status : null;
"""


def test_sequence_by_clicking(webkit: WebDriver, site_url: str) -> None:
    webkit.get(site_url + SEQUENCE_PAGE)
    wait_for_engine(webkit)
    asked: list[str] = []
    key = wait(webkit, NEXT_KEY, "")
    while not key.startswith("="):
        assert len(asked) < 30, f"the walk did not end: {asked}"
        asked.append(key)
        button = webkit.find_element(
            By.CSS_SELECTOR,
            f"[data-testid=next-question] button[data-value='{PNET_PROGRESSING[key]}']",
        )
        button.click()
        key = wait(webkit, NEXT_KEY, key)
    assert key == "=complete", asked
    params = url_params(webkit)
    assert params == {name: PNET_PROGRESSING[name] for name in asked}
    expected = web.sequence_params(params)
    wait_for_json(webkit, expected)
    assert option_ids(webkit) == expected_options(expected)


def test_wrong_wasm_type_shows_the_hosting_error(webkit: WebDriver) -> None:
    with serving_probed(wrong_wasm_mime=True) as url:
        webkit.get(url + GRADE_PAGE)
        wait_for_engine(webkit, "failed")
        status = webkit.find_element(By.CSS_SELECTOR, "[data-testid=engine-status]")
        assert status.is_displayed()
        assert "application/wasm" in status.text
        assert webkit.find_element(By.ID, "who-table").is_displayed()


def test_the_console_probe_records_what_it_promises(webkit: WebDriver, site_url: str) -> None:
    """The console check of every other test can fail: in WebKit the probe sees each kind."""
    webkit.get(site_url + "glossary/")
    webkit.execute_script(
        """
        console.error("probe: console.error");
        Promise.reject(new Error("probe: rejection"));
        setTimeout(() => { throw new Error("probe: uncaught"); });
        const image = document.createElement("img");
        image.src = "/no-such-image.png";
        document.body.append(image);
        new Worker(arguments[0]);
        """,
        FAILING_WORKER_PATH,
    )
    kinds = {
        "console.error: probe: console.error",
        "unhandled rejection: Error: probe: rejection",
        "uncaught: Error: probe: uncaught",
        "failed load: " + site_url + "no-such-image.png",
        "worker: Error: probe: in a worker",
    }
    seen: list[str] = []

    def all_seen(driver: WebDriver) -> bool:
        seen.extend(problems(driver))
        return all(any(line.startswith(kind) for line in seen) for kind in kinds)

    try:
        WebDriverWait(webkit, STEP_S, poll_frequency=0.1).until(all_seen)
    except TimeoutException:
        raise AssertionError(f"the probe saw {seen}, expected each of {sorted(kinds)}") from None
