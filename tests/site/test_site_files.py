"""The built site's files: no outside host named, one fixed palette, a complete engine folder
with its snapshot (made by the Pyodide it ships) and a reproducible wheel, Material's bundle
with V8's compile hint, and precompressed copies that are the files they stand for."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest

from build_scripts.build_site import build_wheel, pyodide_version
from build_scripts.compile_hints import HINT
from build_scripts.paths import SITE
from build_scripts.precompress import candidates
from build_scripts.snapshot import HEADER_SIZE, SNAPSHOT_NAME, snapshot_version
from calculator.version import ENGINE_VERSION
from tests.built_site import PAGES

BUNDLE_SRC = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"')


def engine_folder() -> Path:
    (engine,) = (SITE / "assets" / "engine").iterdir()
    return engine


def test_site_has_pages() -> None:
    assert "/" in PAGES and "calculator/grade/" in PAGES and len(PAGES) >= 10, PAGES


def test_built_html_names_no_outside_host() -> None:
    for html in SITE.rglob("*.html"):
        text = html.read_text(errors="ignore")
        for host in ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "unpkg.com", "cdnjs."):
            assert host not in text, f"{html.relative_to(SITE)} refers to {host}"


def test_pages_mount_no_palette_toggle() -> None:
    """One fixed palette, set on <body> by the HTML: Material's palette toggle, mounted for a
    palette list, re-applies the colours while the page boots and forces full style passes."""
    for html in SITE.rglob("index.html"):
        text = html.read_text(errors="ignore")
        assert 'data-md-component="palette"' not in text, html.relative_to(SITE)
        assert 'data-md-color-scheme="default"' in text, html.relative_to(SITE)


def test_engine_folder_is_complete() -> None:
    engine = engine_folder()
    names = {p.name for p in engine.iterdir()}
    for required in (
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
        "python_stdlib.core.zip",
        "pyodide-lock.json",
        "engine-worker.mjs",
    ):
        assert required in names
    assert any(name.endswith("-py3-none-any.whl") for name in names)
    assert engine.name.startswith(f"{ENGINE_VERSION}-")
    assert not (SITE / "javascripts" / "engine-worker.mjs").exists()
    assert not Path(SITE / "overrides").exists()


def test_the_built_site_ships_the_snapshot_in_its_engine_folder() -> None:
    shipped = engine_folder() / SNAPSHOT_NAME
    assert shipped.stat().st_size > 10_000_000  # a whole interpreter's memory
    assert (engine_folder() / f"{SNAPSHOT_NAME}.br").is_file()


def test_materials_bundle_carries_v8s_compile_hint_first() -> None:
    """The page's own bundle (the one its <script> loads) starts with the hint; Material's code
    follows unchanged. That it still runs is checked in the browser (test_page_boot.py)."""
    (src,) = BUNDLE_SRC.findall((SITE / "index.html").read_text(encoding="utf-8"))
    text = (SITE / src).read_text(encoding="utf-8")
    assert text.startswith(HINT)
    assert text.splitlines()[1].startswith('"use strict";')


def precompressed_copies() -> list[Path]:
    return sorted(p for p in SITE.rglob("*") if p.suffix in {".br", ".gz"} and p.is_file())


def test_every_large_compressible_file_has_a_precompressed_copy() -> None:
    """The two copies a server may send exist for the files that shrink (the precompress rule),
    among them the engine's largest: the runtime and the snapshot."""
    copies = {p.name for p in precompressed_copies()}
    assert len(copies) >= len(candidates(SITE)) // 2
    for name in ("pyodide.asm.wasm", SNAPSHOT_NAME, "index.html"):
        assert f"{name}.br" in copies and f"{name}.gz" in copies, name


@pytest.mark.parametrize(
    "copy", precompressed_copies(), ids=lambda p: p.relative_to(SITE).as_posix()
)
def test_a_precompressed_copy_holds_its_file(copy: Path) -> None:
    """Servers send these instead of the file: a stale copy would serve an older site."""
    original = copy.with_suffix("")
    decode = brotli.decompress if copy.suffix == ".br" else gzip.decompress
    assert decode(copy.read_bytes()) == original.read_bytes()


def test_the_shipped_snapshot_names_the_shipped_pyodide() -> None:
    """The worker refuses a snapshot whose header names another Pyodide (engine-worker.mjs)."""
    with (engine_folder() / SNAPSHOT_NAME).open("rb") as shipped:
        header = shipped.read(HEADER_SIZE)
    assert snapshot_version(header) == pyodide_version()
    assert f'"{pyodide_version()}"' in (engine_folder() / "pyodide.mjs").read_text()


def test_the_shipped_wheel_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    """Unchanged sources give the same wheel, so a rebuild keeps the lock file's hash and
    reuses the cached snapshot (build_site.py, snapshot.py)."""
    (shipped,) = engine_folder().glob("*-py3-none-any.whl")
    rebuilt = build_wheel(tmp_path / "wheel")
    assert rebuilt.name == shipped.name
    assert rebuilt.read_bytes() == shipped.read_bytes()
    lock = json.loads((engine_folder() / "pyodide-lock.json").read_text())
    (entry,) = lock["packages"].values()
    assert entry["sha256"] == hashlib.sha256(rebuilt.read_bytes()).hexdigest()
