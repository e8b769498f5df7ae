"""Content Security Policy for every built page, as a <meta> tag (hosts differ, headers vary).

Material emits a few inline scripts (scope, palette, tab restore); their sha256 hashes are
computed from the built HTML, so no `'unsafe-inline'` is needed. The union of all hashes goes
on every page: with `navigation.instant` the first page's policy stays in force while later
pages' inline scripts are re-run. Idempotent: a second run replaces the tag it wrote.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

META_ID = "net-csp"
# Inline <script> elements that execute (no src, not a JSON/data block).
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_STYLE = re.compile(r"<style\b[^>]*>(?P<body>.*?)</style\s*>", re.S | re.I)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?(application/(ld\+)?json|text/template)""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
_STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
_OLD_META = re.compile(rf'<meta http-equiv="Content-Security-Policy" id="{META_ID}"[^>]*>\s*')
FORBIDDEN = ((_HANDLER, "an inline event handler"), (_STYLE_ATTR, "a style attribute"))
_HEAD = re.compile(r"<head\b[^>]*>", re.I)


class CspError(SystemExit):
    """The built HTML needs something the policy forbids (inline handlers, style attributes)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build failed (CSP): {message}")


def sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def inline_script_hashes(html: str) -> set[str]:
    hashes = set()
    for match in _SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if _SRC.search(attrs) or _DATA_TYPE.search(attrs):
            continue
        hashes.add(sha256_source(match.group("body")))
    return hashes


def inline_style_hashes(html: str) -> set[str]:
    return {sha256_source(m.group("body")) for m in _STYLE.finditer(html)}


def policy(script_hashes: set[str], style_hashes: set[str]) -> str:
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", *sorted(script_hashes)])
    styles = " ".join(["'self'", *sorted(style_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def apply_csp(site: Path) -> int:
    """Insert the policy as the first element of <head> in every HTML file; returns the count."""
    pages = sorted(p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts)
    texts = {page: _OLD_META.sub("", page.read_text(encoding="utf-8")) for page in pages}
    scripts: set[str] = set()
    styles: set[str] = set()
    for page, html in texts.items():
        for pattern, what in FORBIDDEN:
            found = pattern.search(html)
            if found:
                raise CspError(f"{page.relative_to(site)} has {what}: {found.group(0)[:80]!r}")
        scripts |= inline_script_hashes(html)
        styles |= inline_style_hashes(html)
    content = policy(scripts, styles)
    tag = f'<meta http-equiv="Content-Security-Policy" id="{META_ID}" content="{content}">'
    for page, html in texts.items():
        head = _HEAD.search(html)
        if head is None:
            raise CspError(f"{page.relative_to(site)} has no <head>")
        page.write_text(html[: head.end()] + "\n" + tag + html[head.end() :], encoding="utf-8")
    return len(pages)


if __name__ == "__main__":
    from build_scripts.paths import SITE

    print(f"CSP applied to {apply_csp(SITE)} pages")
