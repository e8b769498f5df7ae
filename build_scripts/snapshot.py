"""The Pyodide memory snapshot the calculator worker restores instead of starting CPython.

Starting the interpreter inside WebAssembly, installing the wheel and importing the calculator are
most of the engine's boot time (seconds of CPU on a phone). `make_snapshot.mjs` does all that once
in Node at build time, answers a few requests (so the decision tree is parsed and cached), and
writes the interpreter's memory; the worker passes that to `loadPyodide`, unpacks the wheel's files
and is ready. It falls back to a normal start if the file is missing, uncompressed or refused.

Node makes it from the exact runtime files the site ships. The result is cached under build/ by
the content of its inputs (the runtime files, the wheel's files, the maker script), because the
bytes differ from run to run (allocator and libc random state), and compressing 31 MB with brotli
quality 11 takes a minute: one cached snapshot keeps the precompress cache valid too.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

from build_scripts.paths import BUILD, PYODIDE_FILES

SNAPSHOT_NAME = "python-snapshot.bin"  # engine-worker.mjs fetches this name
MAKER = Path(__file__).resolve().parent / "make_snapshot.mjs"
CACHE = BUILD / "snapshot-cache"


class SnapshotError(RuntimeError):
    pass


def _wheel_content_digest(wheel: Path) -> str:
    """Hash of the wheel's files, not of the archive (zip timestamps change every build)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name))
    return digest.hexdigest()


def snapshot_key(engine_dir: Path, wheel: Path) -> str:
    """Cache key: everything the snapshot depends on."""
    digest = hashlib.sha256()
    for name in (*PYODIDE_FILES, "pyodide-lock.json"):
        digest.update(name.encode() + b"\0" + (engine_dir / name).read_bytes())
    digest.update(_wheel_content_digest(wheel).encode())
    digest.update(MAKER.read_bytes())
    return digest.hexdigest()[:16]


def node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        raise SnapshotError(
            "Node.js is needed to make the Python snapshot (it is also what npm runs on): "
            "install it (`apt-get install nodejs npm`) and run `make setup`."
        )
    return node


def make_snapshot(engine_dir: Path, wheel: Path, cache: Path = CACHE) -> Path:
    """Write engine_dir/python-snapshot.bin (from the cache when its inputs are unchanged)."""
    target = engine_dir / SNAPSHOT_NAME
    cached = cache / f"{snapshot_key(engine_dir, wheel)}.bin"
    if not cached.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        result = subprocess.run(
            [node_executable(), str(MAKER), str(engine_dir), str(wheel), str(partial)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0 or not partial.is_file():
            raise SnapshotError(
                f"make_snapshot.mjs failed (exit {result.returncode}):\n"
                f"{result.stdout[-1500:]}\n{result.stderr[-3000:]}"
            )
        partial.replace(cached)
        for stale in cache.glob("*.bin"):  # keep the cache to the current snapshot
            if stale != cached:
                stale.unlink()
    shutil.copyfile(cached, target)
    return target
