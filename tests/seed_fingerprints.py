"""Fingerprints of the source documents' 10-word runs, so the copied-text check needs no sources.

The source documents live outside the repository (`../shared/seeds`); a clean clone does not
have them. The check that no sentence is copied from them compares hashed 10-word windows
(shingles) instead of the text: `tests/fixtures/seed_shingles.txt` holds one 12-hex-digit
SHA-256 prefix per window, with a header naming each source file and its own SHA-256.

Regenerate after a source document changes:
    .venv/bin/python -m tests.seed_fingerprints ../shared/seeds
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

SHINGLE = 10
DIGITS = 12  # 48 bits: about 1e-5 expected false matches over the whole site's text
FIXTURE = Path(__file__).parent / "fixtures" / "seed_shingles.txt"
WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lowercase and split into [a-z0-9]+ words: punctuation, markup and case are ignored."""
    return WORD.findall(text.lower())


def shingles(tokens: list[str], n: int = SHINGLE) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (start index, n-word tuple) for every n-word window."""
    for i in range(len(tokens) - n + 1):
        yield i, tuple(tokens[i : i + n])


def fingerprint(shingle: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(shingle).encode()).hexdigest()[:DIGITS]


def fingerprints_of(texts: Iterable[str]) -> set[str]:
    return {fingerprint(s) for text in texts for _, s in shingles(words(text))}


def load(path: Path = FIXTURE) -> tuple[list[str], set[str]]:
    """Return (header lines naming the sources, the set of fingerprints)."""
    header: list[str] = []
    found: set[str] = set()
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith("#"):
            header.append(line)
        else:
            found.add(line)
    return header, found


def copied_runs(text: str, seeds: set[str]) -> list[str]:
    """The maximal runs of text (as normalised words) that share 10-word windows with the
    sources, merged where windows overlap, so a report names each copied passage once."""
    toks = words(text)
    hits = [i for i, s in shingles(toks) if fingerprint(s) in seeds]
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


def write(seeds_dir: Path, path: Path = FIXTURE) -> int:
    sources = sorted(seeds_dir.glob("*.txt"))
    if not sources:
        raise SystemExit(f"no source documents (*.txt) in {seeds_dir}")
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sources]
    found = fingerprints_of(texts)
    header = [
        f"# {p.name} sha256 {hashlib.sha256(p.read_bytes()).hexdigest()} words {len(words(t))}"
        for p, t in zip(sources, texts, strict=True)
    ]
    path.write_text("\n".join([*header, *sorted(found)]) + "\n", encoding="ascii")
    return len(found)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m tests.seed_fingerprints SEEDS_DIR")
    print(f"{write(Path(sys.argv[1]))} fingerprints written to {FIXTURE}")
