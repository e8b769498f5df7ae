"""No run of 10 consecutive words in the site's own text may equal a run in the seed sources.

Facts, figures and citations carry over from the seed documents; sentences do not
(CONTRIBUTING.md, "Rules"). Text is normalised before comparison: lowercased, words are
the maximal runs of ``[a-z0-9]``, everything else (punctuation, markup, case) is ignored.
Every 10-word window (shingle) of each checked file is looked up in the set of 10-word
windows of all seeds.

Seeds are read from ``$NET_SEEDS_DIR`` if set, else from ``<repo>/../shared/seeds``
(``/work/shared/seeds`` on the authoring machine). Without seeds the test is skipped,
never silently passed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SHINGLE = 10
REPO = Path(__file__).resolve().parents[2]
WORD = re.compile(r"[a-z0-9]+")

# What is checked: everything a reader sees that we wrote or generated.
CHECKED_GLOBS = (
    "docs/**/*.md",
    "docs/**/*.html",
    "calculator/data/*.toml",
    "build_scripts/templates/*",
)


def _seeds_dir() -> Path:
    env = os.environ.get("NET_SEEDS_DIR")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "seeds"


def words(text: str) -> list[str]:
    """Lowercase and split into [a-z0-9]+ words."""
    return WORD.findall(text.lower())


def shingles(tokens: list[str], n: int = SHINGLE) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (start index, n-word tuple) for every n-word window."""
    for i in range(len(tokens) - n + 1):
        yield i, tuple(tokens[i : i + n])


def seed_shingles() -> set[tuple[str, ...]]:
    seeds = sorted(_seeds_dir().glob("*.txt"))
    found: set[tuple[str, ...]] = set()
    for path in seeds:
        toks = words(path.read_text(encoding="utf-8", errors="replace"))
        found.update(s for _, s in shingles(toks))
    return found


def checked_files() -> list[Path]:
    files: set[Path] = set()
    for pattern in CHECKED_GLOBS:
        files.update(p for p in REPO.glob(pattern) if p.is_file())
    return sorted(files)


def copied_runs(text: str, seeds: set[tuple[str, ...]]) -> list[str]:
    """Return the maximal runs of text (as normalised words) that share 10-word windows
    with the seeds, merged when windows overlap, so a report names each copied passage once."""
    toks = words(text)
    hits = [i for i, s in shingles(toks) if s in seeds]
    runs: list[str] = []
    start = end = None
    for i in hits:
        if start is not None and end is not None and i <= end:
            end = i + SHINGLE
            continue
        if start is not None and end is not None:
            runs.append(" ".join(toks[start:end]))
        start, end = i, i + SHINGLE
    if start is not None and end is not None:
        runs.append(" ".join(toks[start:end]))
    return runs


def test_normalisation_ignores_case_and_punctuation() -> None:
    assert words("Ki-67 (hot-spot), >= 500 CELLS.") == ["ki", "67", "hot", "spot", "500", "cells"]
    seeds = {tuple(words("one two three four five six seven eight nine ten"))}
    assert copied_runs("ONE, two; three-four five six seven eight nine TEN!", seeds)
    assert not copied_runs("one two three four five six seven eight nine", seeds)


def test_there_are_files_to_check() -> None:
    assert checked_files(), "no site text found under docs/, calculator/data/ or templates"


_FILES = checked_files()


@pytest.fixture(scope="module")
def seeds() -> set[tuple[str, ...]]:
    if not _seeds_dir().is_dir() or not any(_seeds_dir().glob("*.txt")):
        pytest.skip(f"seed documents not found at {_seeds_dir()} (set NET_SEEDS_DIR)")
    return seed_shingles()


@pytest.mark.parametrize("path", _FILES, ids=[str(p.relative_to(REPO)) for p in _FILES])
def test_no_ten_word_run_copied_from_seeds(path: Path, seeds: set[tuple[str, ...]]) -> None:
    runs = copied_runs(path.read_text(encoding="utf-8", errors="replace"), seeds)
    assert not runs, (
        f"{path.relative_to(REPO)} repeats {len(runs)} passage(s) of the seed text; "
        "reword them (facts may stay, sentences may not):\n- " + "\n- ".join(runs)
    )
