"""The offline build steps on small fakes: the service worker's build id, precache list, engine
files and source (build_scripts/service_worker.py), the app icons (icons.py) and the web app
manifest (web_manifest.py). The built site's files are checked in tests/site/test_offline_files.py
and their behaviour in tests/browser/test_offline.py."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from build_scripts import service_worker as sw
from build_scripts.icons import ICONS, draw, png
from build_scripts.web_manifest import manifest

OFFLINE = """<!doctype html><html><head>
<link rel="stylesheet" href="../assets/stylesheets/main.0123abcd.min.css">
<link rel="icon" href="../assets/images/favicon.png">
<link rel="manifest" href="../manifest.webmanifest">
<link rel="next" href="../grading/">
<script src="../javascripts/offline.js"></script>
</head><body><script>var inline = 1;</script></body></html>
"""


def fake_site(root: Path) -> Path:
    site = root / "site"
    engine = site / "assets" / "engine" / "1.0.0-abc"
    engine.mkdir(parents=True)
    for name in (
        "engine-worker.mjs",
        "pyodide.mjs",
        "pyodide.asm.wasm",
        "calc-1.0.0-py3-none-any.whl",
        sw.SNAPSHOT_NAME,
        sw.CORE_STDLIB_NAME,
        sw.FULL_STDLIB_NAME,
    ):
        (engine / name).write_bytes(name.encode() * 10)  # small: sent as they are
    (engine / "pyodide.asm.wasm.br").write_bytes(b"copy")
    (site / "offline").mkdir()
    (site / "offline" / "index.html").write_text(OFFLINE)
    for rel in (
        "assets/stylesheets/main.0123abcd.min.css",
        "assets/images/favicon.png",
        "javascripts/offline.js",
        "manifest.webmanifest",
        "index.html",
    ):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(f"{rel}<span data-net-engine-size></span>")
    return site


def test_engine_files_split_what_every_boot_needs_from_the_two_python_starts(
    tmp_path: Path,
) -> None:
    site = fake_site(tmp_path)
    engine = sw.engine_files(site)
    assert engine["dir"] == "1.0.0-abc"
    assert engine["path"] == "assets/engine/1.0.0-abc/"
    assert engine["files"] == sorted(
        ["engine-worker.mjs", "pyodide.mjs", "pyodide.asm.wasm", "calc-1.0.0-py3-none-any.whl"]
    )
    assert engine["snapshot"] == [sw.SNAPSHOT_NAME, sw.CORE_STDLIB_NAME]
    assert engine["fallback"] == [sw.FULL_STDLIB_NAME]
    assert "pyodide.asm.wasm.br" not in engine["sizes"]
    # The size stated on the home page: the snapshot route, as sent.
    route = engine["files"] + engine["snapshot"]
    assert engine["bytes"] == sum(len(name.encode()) * 10 for name in route)
    assert sw.write_engine_size(site, engine["bytes"]) == 1  # the one HTML page with the span
    assert f">{sw.megabytes(engine['bytes'])}<" in (site / "index.html").read_text()


def test_engine_files_refuse_an_engine_without_its_python_files(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    (site / "assets" / "engine" / "1.0.0-abc" / sw.CORE_STDLIB_NAME).unlink()
    with pytest.raises(SystemExit, match=re.escape(sw.CORE_STDLIB_NAME)):
        sw.engine_files(site)


def test_build_id_follows_every_served_file_but_not_the_worker_or_hospital_edits(
    tmp_path: Path,
) -> None:
    site = fake_site(tmp_path)
    first = sw.build_id(site)
    for untouched in ("sw.js", "index.html.br", "manifest.webmanifest", "sitemap.xml"):
        (site / untouched).write_text("changed after the build")
        assert sw.build_id(site) == first, untouched
    (site / "javascripts" / "offline.js").write_text("changed")
    second = sw.build_id(site)
    assert second != first
    (site / "assets" / "engine" / "1.0.0-abc").rename(site / "assets" / "engine" / "1.0.1-def")
    assert sw.build_id(site) != second  # the engine counts by its versioned folder


def test_precache_is_the_offline_page_and_the_files_it_loads(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    assert sw.precache_files(site) == [
        "assets/images/favicon.png",
        "assets/stylesheets/main.0123abcd.min.css",
        "javascripts/offline.js",
        "offline/index.html",
    ]  # not the manifest (hospitals edit it), not the next page, never the engine


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ('<script src="https://cdn.example/x.js"></script>', "only the site's own files"),
        ('<script src="../javascripts/missing.js"></script>', "not in the site"),
    ],
)
def test_precache_refuses_outside_or_missing_files(
    tmp_path: Path, reference: str, message: str
) -> None:
    site = fake_site(tmp_path)
    page = site / "offline" / "index.html"
    page.write_text(OFFLINE.replace("</head>", reference + "</head>"))
    with pytest.raises(SystemExit, match=message):
        sw.precache_files(site)


def test_worker_source_gets_the_build_config_once() -> None:
    config = {"version": "1.0.0", "evidence_date": "2026-01-01", "build": "abc"}
    source = sw.render_source(config)
    assert sw.PLACEHOLDER not in source
    assert "const NET = " + json.dumps(config, sort_keys=True) in source
    assert source.count("self.__WB_MANIFEST") == 1  # for Workbox's injectManifest
    for module in sw.WORKBOX_MODULES:
        assert f'"{sw.WORKBOX_DIR}/{module}.prod.js"' in source


def rgba(data: bytes) -> tuple[int, list[bytes]]:
    """(size, rows) of one of our PNGs, checking its chunks."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks[kind] = body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, depth, colour) == (height, 8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 4 * width
    return width, [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]


def pixel(rows: list[bytes], x: int, y: int) -> tuple[int, ...]:
    return tuple(rows[y][4 * x : 4 * x + 4])


@pytest.mark.parametrize("maskable", [False, True])
def test_icons_are_the_mark_on_the_theme_colour(maskable: bool) -> None:
    size, rows = rgba(png(64, draw(64, maskable=maskable)))
    assert size == 64
    assert pixel(rows, 32, 8) == (0x40, 0x51, 0xB5, 255)  # background: the header's indigo
    assert pixel(rows, 32, 20 if maskable else 19) == (255, 255, 255, 255)  # the question node
    corner = pixel(rows, 0, 0)
    # Maskable: the platform cuts the shape, so every pixel is opaque; otherwise round corners.
    assert corner[3] == (255 if maskable else 0)


def test_manifest_is_installable_under_any_path() -> None:
    data = manifest("NET Guide", "Supports, does not replace, clinical judgement.")
    assert (data["start_url"], data["scope"], data["id"]) == ("./", "./", "./")
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#4051b5"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in data["icons"]:
        size, maskable = ICONS[icon["src"].removeprefix("icons/")]
        assert icon["sizes"] == f"{size}x{size}" and (icon["purpose"] == "maskable") == maskable
