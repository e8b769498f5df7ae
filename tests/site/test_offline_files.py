"""The built site's offline files: the service worker and what it precaches, the engine's
download size on the home page, the web app manifest and its icons (issue 25)."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from build_scripts.paths import SITE
from build_scripts.precompress import MAX_RATIO
from build_scripts.service_worker import megabytes
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from tests.built_site import CALCULATORS, HTML_FILES

SW = SITE / "sw.js"


def worker_config() -> dict:
    (config,) = re.findall(r"^const NET = (\{.*\});", SW.read_text(encoding="utf-8"), re.M)
    return json.loads(config)


def precached() -> list[str]:
    (manifest,) = re.findall(r"precacheAndRoute\((\[.*?\])\)", SW.read_text(encoding="utf-8"))
    return [entry["url"] for entry in json.loads(manifest)]


def test_service_worker_names_this_build() -> None:
    config = worker_config()
    assert (config["version"], config["evidence_date"]) == (ENGINE_VERSION, EVIDENCE_DATE)
    assert re.fullmatch(r"[0-9a-f]{16}", config["build"])
    (engine,) = (SITE / "assets" / "engine").iterdir()
    assert config["engine"]["path"] == f"assets/engine/{engine.name}/"
    # Saving the engine saves these pages too (CALCULATORS: the built site's calculator pages).
    assert config["calculator_pages"] == list(CALCULATORS)
    # ...and the files the calculators load on demand, so the print summary's QR code works.
    assert config["calculator_files"] == ["assets/vendor/qrcode-generator/qrcode.js"]
    assert (SITE / config["calculator_files"][0]).is_file()
    for imported in re.findall(r'"(assets/workbox/[^"]+\.js)"', SW.read_text()):
        assert (SITE / imported).is_file(), imported


def test_precache_is_the_offline_page_and_its_files_never_the_engine() -> None:
    urls = precached()
    assert "offline/index.html" in urls
    assert "stylesheets/extra.css" in urls and "javascripts/offline.js" in urls
    for url in urls:
        assert (SITE / url).is_file(), url
        assert not url.startswith("assets/engine/"), url
    size = sum((SITE / url).stat().st_size for url in urls)
    assert size < 600_000, f"the precache holds {size} bytes"


def test_engine_size_beside_the_button_is_what_saving_downloads() -> None:
    """The snapshot route's files as a server sends them to a browser that accepts brotli."""
    engine = worker_config()["engine"]
    folder = SITE / engine["path"]
    total = 0
    for name in engine["files"] + engine["snapshot"]:
        raw = (folder / name).stat().st_size
        copy = folder / f"{name}.br"
        sent = copy.stat().st_size if copy.is_file() else raw
        assert sent == engine["sizes"][name], name
        assert sent <= raw and (not copy.is_file() or sent <= MAX_RATIO * raw)
        total += sent
    assert total == engine["bytes"]
    assert 2_000_000 < total < 20_000_000
    home = (SITE / "index.html").read_text(encoding="utf-8")
    assert f"<span data-net-engine-size>{megabytes(total)}</span>" in home
    assert "Keep available offline" in home


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def test_manifest_and_icons() -> None:
    manifest = json.loads((SITE / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "NET Guide"
    assert (manifest["start_url"], manifest["scope"]) == ("./", "./")
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        width, height = png_size(SITE / icon["src"])
        assert icon["sizes"] == f"{width}x{height}", icon
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}
    assert png_size(SITE / "icons" / "apple-touch-icon.png") == (180, 180)


@pytest.mark.parametrize("html", HTML_FILES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_every_page_names_the_manifest_and_theme_colour(html: Path) -> None:
    text = html.read_text(encoding="utf-8")
    manifest = json.loads((SITE / "manifest.webmanifest").read_text(encoding="utf-8"))
    (href,) = re.findall(r'<link rel="manifest" href="([^"]+)"', text)
    assert not href.startswith("//"), href  # another host
    # 404.html is served at any depth: it names the root, as it does its other files.
    target = SITE / href[1:] if href.startswith("/") else html.parent / href
    assert target.resolve() == (SITE / "manifest.webmanifest").resolve()
    assert f'<meta name="theme-color" content="{manifest["theme_color"]}">' in text
    assert 'src="javascripts/offline.js"' in text or "/javascripts/offline.js" in text
