"""The pinned npm browser libraries the pages load (the print summary's QR code generator):
copied into the built site as they are, at the address the page names, and pinned exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

from build_scripts.paths import ROOT, SITE, VENDORED
from tests.built_site import PAGES

SEQUENCE_PAGE = SITE / "calculator" / "sequence" / "index.html"


def test_each_vendored_file_is_the_pinned_package_file() -> None:
    assert "calculator/sequence/" in PAGES
    for target, source in VENDORED.items():
        assert (SITE / target).read_bytes() == source.read_bytes(), target


def test_the_sequence_page_loads_the_qr_library_from_the_site() -> None:
    html = SEQUENCE_PAGE.read_text(encoding="utf-8")
    (src,) = re.findall(r'data-qr-script="([^"]+)"', html)
    resolved = (SEQUENCE_PAGE.parent / src).resolve()
    assert resolved == (SITE / "assets/vendor/qrcode-generator/qrcode.js").resolve()
    assert resolved.is_file()


def test_the_qr_library_is_pinned_exactly() -> None:
    declared = json.loads((ROOT / "package.json").read_text())["dependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    entry = locked["node_modules/qrcode-generator"]
    assert declared["qrcode-generator"] == entry["version"] == "2.0.4"
    assert entry["integrity"].startswith("sha512-") and entry["license"] == "MIT"
    installed = Path(ROOT / "node_modules/qrcode-generator/package.json")
    assert json.loads(installed.read_text())["version"] == "2.0.4"
