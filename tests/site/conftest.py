"""Site tests: checks that only read the built site/ (no server, no browser).

`make test-site` builds the site and runs them; each module stops at collection with what to
do when site/ is missing (tests/built_site.py).
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/site" in item.path.as_posix():
            item.add_marker(pytest.mark.site)
