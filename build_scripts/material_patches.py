"""The site's patches on Material for MkDocs, and the one guard that ties them to a release.

Each patch leans on something Material does not promise: a file name, a private message number,
what its bundle does as it starts. So the build runs only on the Material release the patches
were written for. To upgrade Material: re-check every patch in PATCHES against the new release
(and its tests), then change MATERIAL_VERSION here and the pin in pyproject.toml together.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

MATERIAL_PACKAGE = "mkdocs-material"
MATERIAL_VERSION = "9.8.1"  # the release every patch below was written for and tested on


@dataclass(frozen=True)
class Patch:
    name: str
    files: tuple[str, ...]  # relative to the repository root
    relies_on: str  # what in Material to re-check
    tests: str  # where the patch's behaviour is tested


PATCHES: tuple[Patch, ...] = (
    Patch(
        "head script",
        ("docs/overrides/main.html",),
        "Material's bundle swaps .no-js for .js on <html>, its focus-visible polyfill marks "
        "<html>, and navigation.instant makes <head> hrefs absolute; the script does all three "
        "first (the `extrahead` block)",
        "tests/browser/test_page_boot.py, tests/browser/test_nojs.py",
    ),
    Patch(
        "tooltips",
        ("docs/javascripts/tooltips.js", "mkdocs.yml"),
        "Material's tooltip markup and stylesheet (.md-tooltip2 classes, --md-tooltip-* "
        "properties), drawn on demand with content.tooltips off",
        "tests/browser/test_tooltips.py",
    ),
    Patch(
        "compile hint",
        ("build_scripts/compile_hints.py", "build_scripts/prepend.py"),
        "the bundle's name assets/javascripts/bundle.*.min.js and its source map",
        "tests/unit/test_compile_hints.py, tests/browser/test_page_boot.py",
    ),
    Patch(
        "search worker prologue",
        (
            "docs/javascripts/search-worker-prologue.js",
            "build_scripts/search_worker.py",
            "build_scripts/prepend.py",
        ),
        "the worker's name assets/javascripts/workers/search.*.min.js and its private message "
        "types (0 setup, 1 ready, 2 query, 3 result)",
        "tests/unit/test_search_worker.py, tests/browser/test_search.py",
    ),
    Patch(
        "search synonyms",
        (
            "build_scripts/search_synonyms.py",
            "build_scripts/data/search_synonyms.toml",
        ),
        "the search index's format (search/search_index.json: config.fields with title and "
        "text boosts, docs with location, title and text) and that the worker indexes every "
        "field config.fields names while a result shows only the title and text",
        "tests/unit/test_search_synonyms.py, tests/browser/test_search.py",
    ),
    Patch(
        "sitemap for instant navigation",
        ("build_scripts/sitemap.py",),
        "instant navigation takes over only links listed in sitemap.xml",
        "tests/browser/test_prefetch.py (instant navigation as built), tests/unit/test_dist.py",
    ),
)


class MaterialVersionError(SystemExit):
    """Material is missing, or is not the release the patches were written for."""

    def __init__(self, installed: str | None) -> None:
        found = f"{installed} is installed" if installed else "it is not installed"
        patches = "\n".join(
            f"  - {patch.name} ({', '.join(patch.files)}): {patch.relies_on}; tests: {patch.tests}"
            for patch in PATCHES
        )
        super().__init__(
            f"build failed (Material patches): the site's patches were written for "
            f"{MATERIAL_PACKAGE} {MATERIAL_VERSION}, and {found}.\n"
            f"Install the pinned tools (`make setup`), or, to upgrade Material, re-check each "
            f"patch against the new release:\n{patches}\n"
            f"then set MATERIAL_VERSION in build_scripts/material_patches.py and the pin in "
            f"pyproject.toml to the new release."
        )


def installed_material_version() -> str | None:
    try:
        return metadata.version(MATERIAL_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def check_material_version(installed: str | None = None) -> str:
    """Return the installed Material release; raise MaterialVersionError unless it is the one
    the patches were written for. `installed` overrides the lookup (tests)."""
    version = installed_material_version() if installed is None else installed
    if version != MATERIAL_VERSION:
        raise MaterialVersionError(version)
    return version
