"""Browser tests: the built site served on 127.0.0.1, Debian Chromium, no request leaves.

Every test gets a context with service workers blocked and a route guard that aborts and
records any request to a host other than 127.0.0.1; the guard fails the test at teardown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from build_scripts.paths import SITE
from build_scripts.serve import serving
from tests.browser.hosting import bundle  # noqa: F401  (the session's hosting bundle)
from tests.browser.support import (  # noqa: F401  (re-exported for older imports)
    HOST_RESOLVER_RULES,
    ExternalRequests,
    guard,
    wait_for_engine,
    wait_for_json,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (installs it) or set CHROMIUM."
        )
    args = [*browser_type_launch_args.get("args", []), HOST_RESOLVER_RULES]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "service_workers": "block"}


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site first).")
    with serving(SITE) as url:
        yield url


@pytest.fixture(autouse=True)
def external_requests(request: pytest.FixtureRequest) -> Iterator[ExternalRequests]:
    """Guard the default context of tests that use `page`/`context`; assert at teardown."""
    if "context" not in request.fixturenames and "page" not in request.fixturenames:
        yield ExternalRequests()
        return
    context: BrowserContext = request.getfixturevalue("context")
    seen = guard(context)
    yield seen
    assert not seen, f"requests left 127.0.0.1: {seen}"
