"""The service worker, made from the built site: offline reading and the update banner.

`write_service_worker` runs last before precompression (the files it lists are final by then):
1. the engine's files and their download size (what "Keep available offline" saves), written
   beside the home page's button too;
2. a build id, the hash of every file the site serves, so any change gives a new sw.js, which
   browsers take as a new version (the page then offers it: docs/javascripts/offline.js);
3. the Workbox runtime modules the worker imports, copied from the pinned npm package;
4. `make_service_worker.mjs` (Workbox's injectManifest) writes site/sw.js from
   docs/javascripts/service-worker.js with the precache list: the offline page and the files
   it loads. Never the engine: it is saved only when the reader asks (decisions/0033, 0034).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from build_scripts.paths import DOCS, ROOT, VENDORED
from build_scripts.precompress import sent_size
from build_scripts.snapshot import (
    CORE_STDLIB_NAME,
    FULL_STDLIB_NAME,
    SNAPSHOT_NAME,
    node_executable,
)

SOURCE = DOCS / "javascripts" / "service-worker.js"
MAKER = Path(__file__).resolve().parent / "make_service_worker.mjs"
WORKBOX_NPM = ROOT / "node_modules"
SW_NAME = "sw.js"
WORKBOX_DIR = "assets/workbox"  # service-worker.js imports the modules from here
WORKBOX_MODULES = (
    "workbox-core",
    "workbox-routing",
    "workbox-strategies",
    "workbox-cacheable-response",
    "workbox-precaching",
)
OFFLINE_PAGE = "offline/index.html"
# Hospitals edit these after the build (hosting/set_site_url.py, their local notes): fetched
# network first, and left out of the build id.
HOST_EDITED = ("sitemap.xml", "manifest.webmanifest", "local-notes.json")
PLACEHOLDER = "self.__NET_BUILD"
HASHED_NAMES = r"\.[0-9a-f]{8}\.min\.(?:js|css)$"  # Material's bundles: main.57a0d79d.min.css
ENGINE_SIZE_SPAN = re.compile(r"(<span data-net-engine-size>)[^<]*(</span>)")


class ServiceWorkerError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"build failed (service worker): {message}")


def engine_folder(site: Path) -> Path:
    folders = sorted((site / "assets" / "engine").glob("*/"))
    if len(folders) != 1:
        raise ServiceWorkerError(f"expected one engine folder in site/assets/engine, {folders}")
    return folders[0]


def engine_files(site: Path) -> dict:
    """The engine's files as the worker will ask for them, and what saving them downloads.

    `files` are always needed; then either the `snapshot` pair (the snapshot arrived
    compressed) or the `fallback` (the full standard library). `bytes` counts the snapshot
    route, the one every tested host takes: what the home page states beside the button."""
    folder = engine_folder(site)
    names = sorted(
        p.name for p in folder.iterdir() if p.is_file() and p.suffix not in {".br", ".gz"}
    )
    snapshot = [SNAPSHOT_NAME, CORE_STDLIB_NAME]
    fallback = [FULL_STDLIB_NAME]
    missing = [name for name in snapshot + fallback if name not in names]
    if missing:
        raise ServiceWorkerError(f"engine files missing from {folder}: {missing}")
    files = [name for name in names if name not in snapshot + fallback]
    sizes = {name: sent_size(folder / name) for name in names}
    return {
        "dir": folder.name,
        "path": f"{folder.relative_to(site).as_posix()}/",
        "files": files,
        "snapshot": snapshot,
        "fallback": fallback,
        "sizes": sizes,
        "bytes": sum(sizes[name] for name in files + snapshot),
    }


def calculator_pages(site: Path) -> list[str]:
    """The calculators' pages (marked in <head> by docs/overrides/main.html): saving the engine
    saves them too, so "Keep available offline" works for a calculator never opened."""
    pages = sorted(
        html.parent.relative_to(site).as_posix() + "/"
        for html in site.rglob("index.html")
        if '<meta name="net-calculator"' in html.read_text(encoding="utf-8")
    )
    if not pages:
        raise ServiceWorkerError("no calculator page found (<meta name=\"net-calculator\">)")
    return pages


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def write_engine_size(site: Path, size: int) -> int:
    """Fill every `<span data-net-engine-size>` (the home page's, beside the button) with the
    download size; returns how many pages had one."""
    pages = 0
    for html_file in site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        filled, count = ENGINE_SIZE_SPAN.subn(rf"\g<1>{megabytes(size)}\g<2>", html)
        pages += count > 0
        if filled != html:
            html_file.write_text(filled, encoding="utf-8")
    return pages


def build_id(site: Path) -> str:
    """Hash of every file the site serves, but the worker itself, compressed copies (the same
    bytes), the files hospitals edit and the engine (its folder name is its fingerprint)."""
    digest = hashlib.sha256()
    skipped = {SW_NAME, *HOST_EDITED}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or rel in skipped or path.suffix in {".br", ".gz"}:
            continue
        if rel.startswith("assets/engine/"):
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(engine_folder(site).name.encode())
    return digest.hexdigest()[:16]


class _References(HTMLParser):
    """Same-site files a page loads: stylesheets, icons, scripts."""

    LINKS = frozenset({"stylesheet", "icon", "apple-touch-icon", "modulepreload", "preload"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.found.append(str(values["src"]))
        elif (
            tag == "link"
            and values.get("href")
            and set(str(values.get("rel") or "").split()) & self.LINKS
        ):
            self.found.append(str(values["href"]))


def precache_files(site: Path, page: str = OFFLINE_PAGE) -> list[str]:
    """The offline page and the files it loads, as paths relative to the site (sorted)."""
    html_file = site / page
    if not html_file.is_file():
        raise ServiceWorkerError(f"{page} is missing (docs/offline.md builds it)")
    parser = _References()
    parser.feed(html_file.read_text(encoding="utf-8"))
    files = {page}
    folder = PurePosixPath(page).parent
    for ref in parser.found:
        if re.match(r"^[a-z]+:|^//", ref):
            raise ServiceWorkerError(f"{page} loads {ref}: only the site's own files")
        parts: list[str] = []
        for part in (folder / ref.split("#")[0].split("?")[0]).parts:
            if part == "..":
                parts.pop()
            elif part != ".":
                parts.append(part)
        rel = "/".join(parts)
        if not (site / rel).is_file():
            raise ServiceWorkerError(f"{page} loads {ref}, which is not in the site")
        if rel not in HOST_EDITED:
            files.add(rel)
    return sorted(files)


def copy_workbox(site: Path) -> list[Path]:
    target = site / WORKBOX_DIR
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    copied = []
    for module in WORKBOX_MODULES:
        build = WORKBOX_NPM / module / "build"
        for name in (f"{module}.prod.js", f"{module}.prod.js.map"):
            if not (build / name).is_file():
                raise ServiceWorkerError(f"{build / name} is missing: run `npm ci`.")
            shutil.copy2(build / name, target / name)
            copied.append(target / name)
    return copied


def render_source(config: dict) -> str:
    source = SOURCE.read_text(encoding="utf-8")
    if source.count(PLACEHOLDER) != 1:
        raise ServiceWorkerError(f"{SOURCE.name} must hold {PLACEHOLDER} once")
    return source.replace(PLACEHOLDER, json.dumps(config, sort_keys=True))


def write_service_worker(site: Path, *, version: str, evidence_date: str) -> dict:
    """Write site/sw.js (and the Workbox modules it imports); returns the build's config."""
    engine = engine_files(site)
    write_engine_size(site, engine["bytes"])
    copy_workbox(site)
    (site / SW_NAME).unlink(missing_ok=True)
    config = {
        "version": version,
        "evidence_date": evidence_date,
        "build": build_id(site),
        "engine": engine,
        "calculator_pages": calculator_pages(site),
        # Loaded by the calculators on demand (the print summary's QR code): saved with them.
        "calculator_files": sorted(VENDORED),
        "offline_page": OFFLINE_PAGE,
        "host_edited": list(HOST_EDITED),
    }
    files = precache_files(site)
    with tempfile.TemporaryDirectory(prefix="net-sw-") as tmp:
        source = Path(tmp) / "service-worker.js"
        source.write_text(render_source(config), encoding="utf-8")
        maker_config = Path(tmp) / "config.json"
        maker_config.write_text(
            json.dumps(
                {
                    "swSrc": str(source),
                    "swDest": str(site / SW_NAME),
                    "globDirectory": str(site),
                    "files": files,
                    "hashedNames": HASHED_NAMES,
                }
            )
        )
        result = subprocess.run(
            [node_executable(), str(MAKER), str(maker_config)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    if result.returncode != 0 or not (site / SW_NAME).is_file():
        raise ServiceWorkerError(
            f"make_service_worker.mjs failed (exit {result.returncode}):\n"
            f"{result.stdout[-1500:]}\n{result.stderr[-3000:]}"
        )
    return {**config, "precache": files}
