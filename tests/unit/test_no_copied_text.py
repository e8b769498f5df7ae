"""No run of 10 consecutive words in the site's own text may equal a run in the source documents.

Facts, figures and citations carry over from the source documents; sentences do not
(CONTRIBUTING.md, "Rules"). Text is normalised before comparison: lowercased, words are
the maximal runs of ``[a-z0-9]``, everything else (punctuation, markup, case) is ignored.
Every 10-word window (shingle) of each checked file is looked up among the fingerprints of
the sources' 10-word windows (tests/fixtures/seed_shingles.txt, see tests/seed_fingerprints.py),
so the check runs on a clean clone that does not have the sources beside it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.seed_fingerprints import SHINGLE, copied_runs, fingerprint, load, words

REPO = Path(__file__).resolve().parents[2]

# What is checked: everything a reader sees that we wrote or generated.
CHECKED_GLOBS = (
    "docs/**/*.md",
    "docs/**/*.html",
    "calculator/data/*.toml",
    "build_scripts/templates/*",
)


def checked_files() -> list[Path]:
    files: set[Path] = set()
    for pattern in CHECKED_GLOBS:
        files.update(p for p in REPO.glob(pattern) if p.is_file())
    return sorted(files)


def test_normalisation_ignores_case_and_punctuation() -> None:
    assert words("Ki-67 (hot-spot), >= 500 CELLS.") == ["ki", "67", "hot", "spot", "500", "cells"]
    seeds = {fingerprint(tuple(words("one two three four five six seven eight nine ten")))}
    assert copied_runs("ONE, two; three-four five six seven eight nine TEN!", seeds) == [
        "one two three four five six seven eight nine ten"
    ]
    assert not copied_runs("one two three four five six seven eight nine", seeds)


def test_the_fingerprints_cover_every_source_document() -> None:
    header, seeds = load()
    names = [line.split()[1] for line in header]
    assert names == sorted(names) and len(names) == 5, header
    assert any(re.match(r"004_", n) for n in names), "the clinical core document is missing"
    windows = sum(int(line.split()[-1]) - SHINGLE + 1 for line in header)
    # Repeated windows (headings, boilerplate) collapse; most windows are distinct.
    assert 0.9 * windows <= len(seeds) <= windows


def test_there_are_files_to_check() -> None:
    assert len(checked_files()) > 20, "no site text under docs/, calculator/data/ or templates"


_FILES = checked_files()


@pytest.fixture(scope="module")
def seeds() -> set[str]:
    return load()[1]


@pytest.mark.parametrize("path", _FILES, ids=[str(p.relative_to(REPO)) for p in _FILES])
def test_no_ten_word_run_copied_from_seeds(path: Path, seeds: set[str]) -> None:
    runs = copied_runs(path.read_text(encoding="utf-8", errors="replace"), seeds)
    assert not runs, (
        f"{path.relative_to(REPO)} repeats {len(runs)} passage(s) of the seed text; "
        "reword them (facts may stay, sentences may not):\n- " + "\n- ".join(runs)
    )
