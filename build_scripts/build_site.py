"""Build the whole site into site/: generated pages, the wheel, MkDocs, the Pyodide engine.

Every step fails loudly with what to do; a half-built site is never left looking complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from build_scripts.compile_hints import add_compile_hints
from build_scripts.csp import apply_csp
from build_scripts.local_notes_site import read_notes, write_local_notes
from build_scripts.material_patches import check_material_version
from build_scripts.paths import (
    BUILD,
    DOCS,
    PYODIDE_FILES,
    PYODIDE_NPM,
    ROOT,
    SITE,
    VENDORED,
    WHEEL_DIR,
    WORKER_SOURCE,
    engine_dir_name,
)
from build_scripts.precompress import precompress
from build_scripts.search_synonyms import add_search_synonyms
from build_scripts.search_worker import defer_search_index
from build_scripts.service_worker import write_service_worker
from build_scripts.sitemap import DEFAULT_SITE_URL, write_sitemap
from build_scripts.snapshot import SnapshotError, make_snapshot
from build_scripts.web_manifest import write_web_manifest
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

WHEEL_PACKAGE = "net-guide-calculator"  # the [project] name in pyproject.toml
# Every file in the wheel gets this date (1980-01-01, the earliest a zip holds), so unchanged
# sources give a byte-identical wheel: the same lock file hash, the same cached snapshot.
WHEEL_SOURCE_DATE_EPOCH = "315532800"


class BuildError(SystemExit):
    """A build step failed; the message says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build failed: {message}")


def pyodide_version() -> str:
    package = PYODIDE_NPM / "package.json"
    if not package.is_file():
        raise BuildError(f"{PYODIDE_NPM} is missing: run `npm ci` (make site does it).")
    return json.loads(package.read_text())["version"]


def build_wheel(out_dir: Path = WHEEL_DIR) -> Path:
    """Build the pure-Python wheel with pypa/build (pyodide-build cannot run here), the same
    bytes for the same sources."""
    shutil.rmtree(out_dir, ignore_errors=True)
    # setuptools' staging folders: a module deleted from calculator/ would otherwise linger there
    # and ship in the wheel.
    for staging in (BUILD / "lib", *BUILD.glob("bdist.*")):
        shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": WHEEL_SOURCE_DATE_EPOCH},
    )
    if result.returncode != 0:
        raise BuildError(f"wheel build failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    wheels = sorted(out_dir.glob("*.whl"))
    if len(wheels) != 1 or not wheels[0].name.endswith("-py3-none-any.whl"):
        raise BuildError(f"expected one pure wheel in {out_dir}, found {[w.name for w in wheels]}")
    return wheels[0]


def generate_pages() -> None:
    """Render the algorithm, option and evidence pages from calculator/data (Jinja2), the
    grade calculator's form that docs/calculator/grade.md includes, and the FHIR bundle and
    JSON Schemas (docs/fhir/, copied into the site as they are)."""
    from build_scripts import render_grade_form, render_pages
    from build_scripts.fhir.bundle import write_all

    render_pages.render_all()
    render_grade_form.write_form()
    write_all(DOCS / "fhir")


def run_mkdocs(engine_path: str, pyodide: str) -> MkDocsConfig:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), strict=True)
    config.extra.update(
        {
            "version": ENGINE_VERSION,
            "evidence_date": EVIDENCE_DATE,
            "engine_path": engine_path,
            "pyodide_version": pyodide,
        }
    )
    build(config)  # raises mkdocs.exceptions.Abort on any warning (strict)
    return config


def lock_file_for(wheel: Path, pyodide_lock: dict) -> dict:
    """A Pyodide lock listing only our wheel, so loadPyodide fetches it while booting."""
    return {
        "info": pyodide_lock["info"],
        "packages": {
            WHEEL_PACKAGE: {
                "name": WHEEL_PACKAGE,
                "version": ENGINE_VERSION,
                "file_name": wheel.name,
                "install_dir": "site",
                "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
                "package_type": "package",
                "imports": ["calculator"],
                "depends": [],
                "unvendored_tests": False,
            }
        },
    }


def copy_engine(wheel: Path, engine_dir: Path) -> None:
    """Copy the runtime, the wheel, a lock file and the worker into one versioned folder."""
    missing = [name for name in PYODIDE_FILES if not (PYODIDE_NPM / name).is_file()]
    if missing:
        raise BuildError(f"Pyodide files missing from {PYODIDE_NPM}: {missing}; run `npm ci`.")
    if not WORKER_SOURCE.is_file():
        raise BuildError(f"worker source missing: {WORKER_SOURCE}")
    shutil.rmtree(engine_dir.parent, ignore_errors=True)
    engine_dir.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE_NPM / name, engine_dir / name)
    shutil.copy2(wheel, engine_dir / wheel.name)
    shutil.copy2(WORKER_SOURCE, engine_dir / WORKER_SOURCE.name)
    upstream = json.loads((PYODIDE_NPM / "pyodide-lock.json").read_text())
    lock = lock_file_for(wheel, upstream)
    (engine_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))


def copy_vendored(site: Path) -> None:
    """Copy the pinned npm browser libraries (the QR code of "Print summary") into the site."""
    missing = [str(source) for source in VENDORED.values() if not source.is_file()]
    if missing:
        raise BuildError(f"vendored browser files missing: {missing}; run `npm ci`.")
    for target, source in VENDORED.items():
        (site / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, site / target)


def build_site(local_notes: Path | None = None) -> Path:
    """Build site/; `local_notes` is a hospital's notes file (make site LOCAL_NOTES=...)."""
    started = time.monotonic()
    check_material_version()  # the Material release our patches were written for
    # Checked first: a refused notes file fails the build before minutes of work.
    notes = read_notes(local_notes) if local_notes is not None else None
    pyodide = pyodide_version()
    engine_rel = f"assets/engine/{engine_dir_name(ENGINE_VERSION)}/"
    generate_pages()
    wheel = build_wheel()
    config = run_mkdocs(engine_rel, pyodide)
    copy_engine(wheel, SITE / engine_rel)
    write_local_notes(SITE, notes)  # the empty file, or the hospital's; the tool's id list
    copy_vendored(SITE)
    try:
        # The worker restores this instead of starting CPython (seconds saved on a phone).
        make_snapshot(SITE / engine_rel, wheel, pyodide)
    except SnapshotError as error:
        raise BuildError(str(error)) from error
    # MkDocs leaves it empty without site_url; Material's instant navigation needs it.
    write_sitemap(SITE, os.environ.get("SITE_URL") or DEFAULT_SITE_URL)
    add_compile_hints(SITE)  # Material's bundle compiled while it downloads, not when it runs
    defer_search_index(SITE)  # the search index built when a reader searches, not at start-up
    add_search_synonyms(SITE)  # "Ki67", "Lutathera", brand names: hidden terms in the index
    write_web_manifest(SITE, config.site_name, config.site_description or "")  # installable
    apply_csp(SITE)  # CSP meta with the inline scripts' hashes, before compressing the HTML
    # Last before compressing: it lists the final files (decisions/0033, 0034).
    write_service_worker(SITE, version=ENGINE_VERSION, evidence_date=EVIDENCE_DATE)
    precompress(SITE, prune=True)
    print(
        f"built site/ in {time.monotonic() - started:.1f} s: engine {ENGINE_VERSION}, "
        f"Pyodide {pyodide}, evidence {EVIDENCE_DATE}, engine path {engine_rel}"
    )
    return SITE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--local-notes",
        type=Path,
        default=None,
        help="the hospital's local-notes.json to build in (HOSTING.md, 'Local notes')",
    )
    args = parser.parse_args()
    BUILD.mkdir(exist_ok=True)
    build_site(args.local_notes)


if __name__ == "__main__":
    main()
