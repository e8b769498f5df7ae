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

A restored interpreter has already imported everything it runs, so it reads next to nothing from
the standard library: the maker lists the stdlib files it imported, and the worker fetches a zip
of just those (`python_stdlib.core.zip`, a fraction of the 2.5 MB) along with the snapshot. The
normal start, without a snapshot, still uses the whole `python_stdlib.zip`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from build_scripts.paths import BUILD, PYODIDE_FILES

SNAPSHOT_NAME = "python-snapshot.bin"  # engine-worker.mjs fetches these two names
CORE_STDLIB_NAME = "python_stdlib.core.zip"
FULL_STDLIB_NAME = "python_stdlib.zip"
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


def write_core_stdlib(engine_dir: Path, names: list[str]) -> Path:
    """engine_dir/python_stdlib.core.zip: the entries of python_stdlib.zip named in `names`,
    copied with their original dates and compression (so the bytes are the same every build)."""
    target = engine_dir / CORE_STDLIB_NAME
    wanted = set(names)
    with zipfile.ZipFile(engine_dir / FULL_STDLIB_NAME) as full:
        missing = sorted(wanted - set(full.namelist()))
        if missing or not wanted:
            raise SnapshotError(
                "the snapshot's list of imported standard-library files does not match "
                f"python_stdlib.zip (missing: {missing[:5]}, listed: {len(names)})"
            )
        with zipfile.ZipFile(target, "w") as core:
            for info in full.infolist():
                if info.filename in wanted:
                    core.writestr(info, full.read(info))
    return target


def _run_maker(engine_dir: Path, wheel: Path, partial: Path) -> list[str]:
    """Run make_snapshot.mjs; returns the standard-library files the interpreter imported."""
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
    try:
        return list(json.loads(result.stdout.strip().splitlines()[-1])["stdlib"])
    except (IndexError, KeyError, TypeError, ValueError) as error:
        raise SnapshotError(
            f"make_snapshot.mjs did not report its standard-library files ({error}):\n"
            f"{result.stdout[-1500:]}"
        ) from error


def make_snapshot(engine_dir: Path, wheel: Path, cache: Path = CACHE) -> Path:
    """Write engine_dir/python-snapshot.bin and python_stdlib.core.zip (from the cache when the
    inputs are unchanged)."""
    target = engine_dir / SNAPSHOT_NAME
    cached = cache / f"{snapshot_key(engine_dir, wheel)}.bin"
    listing = cached.with_suffix(".json")
    if not (cached.is_file() and listing.is_file()):
        cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        names = _run_maker(engine_dir, wheel, partial)
        listing.write_text(json.dumps(names, indent=1))
        partial.replace(cached)
        for stale in [*cache.glob("*.bin"), *cache.glob("*.json")]:  # only the current one
            if stale not in (cached, listing):
                stale.unlink()
    shutil.copyfile(cached, target)
    write_core_stdlib(engine_dir, json.loads(listing.read_text()))
    return target
