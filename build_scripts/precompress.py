"""Precompressed `.br` and `.gz` copies of the site's compressible files.

Web servers (nginx gzip_static/brotli_static, Apache and IIS rewrites, build_scripts/serve.py)
send these instead of compressing on every request. A copy is kept only when it saves more
than 10 % (python_stdlib.zip and the wheel are already deflated). Brotli at quality 11 is slow
on the runtime and the snapshot, so results are cached by content hash under build/ (the site
build drops the entries it no longer uses), and files are compressed on every core at once
(brotli and zlib release Python's lock while they work).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

from build_scripts.local_notes import NOTES_FILE
from build_scripts.paths import BUILD

# Suffixes worth compressing; everything else (png, already compressed archives...) is skipped.
SUFFIXES = {
    ".wasm",
    ".mjs",
    ".js",
    ".css",
    ".zip",
    ".whl",
    ".html",
    ".json",
    ".svg",
    ".xml",
    ".txt",
    ".map",
    ".bin",  # the Python memory snapshot: mostly empty pages
}
# Edited on the server after the build (hosting/local_notes.py): a copy would go stale and be
# sent instead of the edit.
EXCLUDED = {NOTES_FILE}
MIN_SIZE = 1024  # bytes; smaller files gain nothing worth a second request path
MAX_RATIO = 0.9  # keep a compressed copy only when it is at most 90 % of the original
CACHE = BUILD / "precompress-cache"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=11)


ENCODERS: dict[str, Callable[[bytes], bytes]] = {".br": _brotli, ".gz": _gzip}


def candidates(site: Path) -> list[Path]:
    return sorted(
        path
        for path in site.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and path.name not in EXCLUDED
        and path.stat().st_size > MIN_SIZE
    )


def _cache_entry(data: bytes, suffix: str, cache: Path) -> Path:
    return cache / f"{hashlib.sha256(data).hexdigest()}{suffix}"


def _compressed(data: bytes, suffix: str, cache: Path | None) -> bytes:
    if cache is None:
        return ENCODERS[suffix](data)
    key = _cache_entry(data, suffix, cache)
    if key.is_file():
        return key.read_bytes()
    out = ENCODERS[suffix](data)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = key.with_name(key.name + ".tmp")
    tmp.write_bytes(out)
    tmp.replace(key)
    return out


def sent_size(path: Path, cache: Path | None = CACHE) -> int:
    """Bytes a server sends for `path` to a browser that accepts brotli: the .br copy this
    module keeps for it (computed through the same cache), or the file itself."""
    data = path.read_bytes()
    if path.suffix.lower() not in SUFFIXES or len(data) <= MIN_SIZE:
        return len(data)
    compressed = len(_compressed(data, ".br", cache))
    return compressed if compressed <= MAX_RATIO * len(data) else len(data)


def _precompress_one(path: Path, suffix: str, cache: Path | None) -> tuple[Path | None, Path]:
    """Write or remove `path`+`suffix`; returns it if written, and the cache entry used."""
    data = path.read_bytes()
    target = path.with_name(path.name + suffix)
    out = _compressed(data, suffix, cache)
    entry = _cache_entry(data, suffix, cache) if cache is not None else target
    if len(out) <= MAX_RATIO * len(data):
        target.write_bytes(out)
        shutil.copystat(path, target)  # same mtime: servers' validators stay consistent
        return target, entry
    target.unlink(missing_ok=True)
    return None, entry


def precompress(site: Path, cache: Path | None = CACHE, *, prune: bool = False) -> list[Path]:
    """Write `<file>.br` and `<file>.gz` next to each file that shrinks by more than 10 %.

    Stale copies of files that no longer qualify are removed. Returns the files written.
    `prune` empties the cache of entries `site` did not use: only for the site the cache is
    kept for (make dist and the tests call this on other folders with the same cache).
    """
    # Largest first, so the slowest jobs do not start last.
    jobs = [
        (path, suffix)
        for path in sorted(candidates(site), key=lambda p: -p.stat().st_size)
        for suffix in ENCODERS
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda job: _precompress_one(*job, cache), jobs))
    if prune and cache is not None and cache.is_dir():
        used = {entry for _, entry in results}
        for entry in cache.iterdir():
            if entry not in used:
                entry.unlink()
    written = {target for target, _ in results if target is not None}
    return sorted(written)


if __name__ == "__main__":
    from build_scripts.paths import SITE

    files = precompress(SITE)
    print(f"precompressed {len(files)} files in {SITE}")
