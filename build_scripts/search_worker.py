"""Have Material's search worker build its index when a reader first searches.

A Material patch (build_scripts/material_patches.py). Material's page code hands the search
index to its worker as a page starts, and the worker builds a Lunr index at once, while the page
and the calculator engine start; most page views never search. The prologue
`docs/javascripts/search-worker-prologue.js`, put before Material's worker code, answers
"ready" at once and has Material build the index on the reader's first query
(tests/browser/test_search.py). Idempotent.
"""

from __future__ import annotations

from pathlib import Path

from build_scripts.paths import SEARCH_PROLOGUE
from build_scripts.prepend import prepend

WORKERS = "assets/javascripts/workers/search.*.min.js"


class SearchWorkerError(SystemExit):
    """Material's search worker is missing or its source map cannot be shifted."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build failed (search worker): {message}")


def defer_search_index(site: Path, prologue: Path = SEARCH_PROLOGUE) -> list[Path]:
    """Put the prologue before Material's search worker in `site`; return the files changed."""
    workers = sorted(site.glob(WORKERS))
    if not workers:
        raise SearchWorkerError(f"no {WORKERS} in {site} (did Material rename its worker?)")
    text = prologue.read_text(encoding="utf-8")
    changed = []
    for worker in workers:
        changed += prepend(worker, text, SearchWorkerError)
    return changed
