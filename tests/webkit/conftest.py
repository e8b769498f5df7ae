"""The WebKit tier: the built site in WebKitGTK's MiniBrowser, driven through WebKitWebDriver.

Clinicians open the site on iPhones (Safari is WebKit); every other browser test runs Chromium.
One Xvfb display and one WebDriver session serve the whole tier. `make test` installs the
Debian packages (build_scripts/setup.sh webkit) and Selenium (pyproject dev dependencies).
"""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from tests.webkit.server import serving_probed

WEBDRIVER = Path("/usr/bin/WebKitWebDriver")
MINIBROWSER = Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
XVFB = Path("/usr/bin/Xvfb")
PHONE_WINDOW = (390, 844)  # an iPhone's viewport in CSS pixels: Material's narrow layout
PROBLEMS = "net-webkit-problems"  # the sessionStorage key of tests/webkit/probe.js


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "webkit: needs the built site and WebKitGTK (make test)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/webkit" in str(item.path):
            item.add_marker(pytest.mark.webkit)


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """A virtual X display on a free number (Xvfb picks it and writes it to a pipe)."""
    missing = [str(path) for path in (WEBDRIVER, MINIBROWSER, XVFB) if not path.exists()]
    if missing:
        pytest.fail(
            f"WebKit tier: {', '.join(missing)} not found. Run `make test` (it installs them "
            "when root) or `sudo apt-get install webkit2gtk-driver xvfb`."
        )
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        [str(XVFB), "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number.isdigit():
        xvfb.kill()
        pytest.fail(f"Xvfb did not start (exit status {xvfb.wait()}).")
    try:
        yield f":{number}"
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait()


@pytest.fixture(scope="session")
def driver(display: str) -> Iterator[webdriver.WebKitGTK]:
    options = Options()
    options.binary_location = str(MINIBROWSER)
    options.add_argument("--automation")
    service = Service(executable_path=str(WEBDRIVER), env={**os.environ, "DISPLAY": display})
    with warnings.catch_warnings():
        # Selenium's own WebKitGTK class still sets an address it has deprecated.
        warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
        session = webdriver.WebKitGTK(options=options, service=service)
    try:
        session.set_window_size(*PHONE_WINDOW)
        yield session
    finally:
        session.quit()


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    try:
        with serving_probed() as url:
            yield url
    except FileNotFoundError as error:
        pytest.fail(str(error))


def problems(driver: webdriver.WebKitGTK) -> list[str]:
    """What tests/webkit/probe.js recorded on this origin since the last call (then cleared)."""
    recorded = driver.execute_script(
        f"if (window.netWebkitProbe !== true) return null;"
        f"const seen = sessionStorage.getItem('{PROBLEMS}') || '[]';"
        f"sessionStorage.removeItem('{PROBLEMS}'); return seen;"
    )
    assert recorded is not None, f"the console probe is not on {driver.current_url}"
    return json.loads(recorded)


@pytest.fixture
def webkit(driver: webdriver.WebKitGTK) -> Iterator[webdriver.WebKitGTK]:
    """The shared session; the test fails if its pages recorded a console problem."""
    yield driver
    if driver.current_url.startswith("http"):
        assert problems(driver) == [], "console problems in WebKit"
