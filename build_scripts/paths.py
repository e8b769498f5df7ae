"""Paths and names shared by the build, the server and the tests (one place)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SITE = ROOT / "site"
BUILD = ROOT / "build"
WHEEL_DIR = BUILD / "wheel"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
# Browser libraries from npm (pinned by package-lock.json), copied into the site as they are:
# site path -> file in node_modules. The pages load them from there, never from a CDN.
NPM = ROOT / "node_modules"
VENDORED = {
    "assets/vendor/qrcode-generator/qrcode.js": NPM / "qrcode-generator" / "dist" / "qrcode.js",
}
WORKER_SOURCE = DOCS / "javascripts" / "engine-worker.mjs"
SEARCH_PROLOGUE = DOCS / "javascripts" / "search-worker-prologue.js"

# The Pyodide runtime files a stdlib-only app needs (platform.md); nothing else is copied.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")

# Files whose content decides the engine's versioned URL: change any, and browsers fetch anew.
_ENGINE_INPUTS = (
    "calculator",
    "docs/javascripts/engine-worker.mjs",
    "package-lock.json",
    "build_scripts/make_snapshot.mjs",
    # The wheel's metadata comes from these: a change must not reuse the cache-forever URL.
    "README.md",
    "pyproject.toml",
)


def engine_fingerprint() -> str:
    """Short hash of the engine sources, so a versioned asset path can be cached forever."""
    digest = hashlib.sha256()
    for entry in _ENGINE_INPUTS:
        path = ROOT / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:10]


def engine_dir_name(engine_version: str) -> str:
    """`assets/engine/<this>/` holds the runtime, the wheel and the worker of one build."""
    return f"{engine_version}-{engine_fingerprint()}"
