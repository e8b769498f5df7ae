"""The Content Security Policy meta tag: first in every page's <head>, strict, and hashing every
inline script. That nothing on the site breaks it in a browser is checked by the crawl
(tests/browser/test_crawl.py) and by tests/browser/test_csp.py."""

from __future__ import annotations

import re

import pytest

from build_scripts.csp import inline_script_hashes
from build_scripts.paths import SITE
from tests.built_site import PAGES, page_file

META = re.compile(r'<meta http-equiv="Content-Security-Policy" id="net-csp" content="([^"]+)">')


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_policy_is_first_in_head_and_strict(path: str) -> None:
    html = page_file(path).read_text(encoding="utf-8")
    head = html[html.index("<head>") + len("<head>") :].lstrip()
    match = META.match(head)
    assert match, f"{path}: the CSP meta is not the first element of <head>"
    policy = directives(match.group(1))
    assert policy["script-src"][:2] == ["'self'", "'wasm-unsafe-eval'"]
    assert inline_script_hashes(html) <= set(policy["script-src"]), "an inline script is not hashed"
    assert len(inline_script_hashes(html)) >= 1  # Material's inline scripts were found
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    for name in ("font-src", "connect-src", "worker-src", "manifest-src", "base-uri", "form-action"):
        assert policy[name] == ["'self'"], name
    assert policy["object-src"] == ["'none'"]
    assert html.count("Content-Security-Policy") == 1


def test_404_page_has_the_policy() -> None:
    assert META.search((SITE / "404.html").read_text(encoding="utf-8"))


def test_site_folder_exists() -> None:
    assert (SITE / "index.html").is_file() and len(PAGES) >= 10
