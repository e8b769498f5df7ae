"""Mark Material's bundle for eager compilation, so V8 compiles it off the main thread.

A Material patch (build_scripts/material_patches.py). V8 compiles most functions lazily: on the
main thread, the first time they run. For Material's bundle that is inside its own evaluation
and inside its DOMContentLoaded mount, the longest tasks of a cold page load. The magic comment
`//# allFunctionsCalledOnLoad` at the top of a file (explicit compile hints, on by default since
Chromium 136; github.com/WICG/explicit-javascript-compile-hints-file-based) makes V8 compile
every function of the file eagerly, on the thread that streams it while it downloads. Other
engines read a comment.

The comment is a line of its own, so the source map gains an empty first line and still points
at the right code. Idempotent. Material's file name keeps its hash: the same Material release
always gets the same bytes under that name, so immutable caching stays correct.
"""

from __future__ import annotations

from pathlib import Path

from build_scripts.prepend import prepend

HINT = "//# allFunctionsCalledOnLoad\n"
BUNDLES = "assets/javascripts/bundle.*.min.js"


class CompileHintError(SystemExit):
    """Material's bundle is missing or its source map cannot be shifted."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build failed (compile hints): {message}")


def add_compile_hints(site: Path) -> list[Path]:
    """Prepend the hint to Material's bundle in `site`; return the files changed."""
    bundles = sorted(site.glob(BUNDLES))
    if not bundles:
        raise CompileHintError(f"no {BUNDLES} in {site} (did Material rename its bundle?)")
    changed = []
    for bundle in bundles:
        changed += prepend(bundle, HINT, CompileHintError)
    return changed
