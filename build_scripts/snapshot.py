"""The Pyodide memory snapshot the calculator worker restores instead of starting CPython.

Starting the interpreter inside WebAssembly, installing the wheel and importing the calculator are
most of the engine's boot time (seconds of CPU on a phone). `make_snapshot.mjs` does all that once
in Node at build time, answers a few requests (so the decision tree is parsed and cached), and
writes the interpreter's memory; the worker passes that to `loadPyodide`, unpacks the wheel's files
and is ready. It falls back to a normal start if the file is missing, uncompressed or refused.

Node makes it from the exact runtime files the site ships. The result is cached under build/ by
its real inputs (the Pyodide version and runtime files, the lock file less our wheel's archive
hash, the package's files in the wheel, the maker script), because the bytes differ from run to
run (allocator and libc random state), and compressing 31 MB with brotli quality 11 takes most
of a minute: one cached snapshot keeps the precompress cache valid too. The wheel itself is
built reproducibly (build_site.py), so an unchanged engine also keeps its lock file.

The risk, and its guard: making and loading a snapshot use Pyodide's private options
(`_makeSnapshot`, `_loadSnapshot`), which may change in any Pyodide release. So the file starts
with a header naming the Pyodide version that made it (HEADER_SIZE bytes, then Pyodide's own
snapshot); the worker refuses a snapshot from another version, as it refuses one Pyodide cannot
load, and starts Python the normal way. That normal start stays tested as the fallback
(tests/browser/test_engine_snapshot.py), and a Pyodide upgrade that breaks the maker fails the
build with the maker's own error.

A restored interpreter has already imported everything it runs, so it reads next to nothing from
the standard library: the maker lists the stdlib files it imported, and the worker fetches a zip
of just those (`python_stdlib.core.zip`, a fraction of the 2.5 MB) along with the snapshot. The
normal start, without a snapshot, still uses the whole `python_stdlib.zip`.
"""

from __future__ import annotations

import hashlib
import json
import re
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
# engine-worker.mjs reads the same header (SNAPSHOT_HEADER_*): change both together. A multiple of
# 16 bytes, so the memory after it stays aligned for Pyodide's typed-array view.
HEADER_SIZE = 64
HEADER_FORMAT = "net-guide python snapshot 1; pyodide {version}\n"
HEADER_PATTERN = re.compile(rb"net-guide python snapshot 1; pyodide (\S+)\n")


class SnapshotError(RuntimeError):
    pass


def _wheel_content_digest(wheel: Path) -> str:
    """Hash of the package's files in the wheel, not of the archive. The .dist-info folder is
    left out: its METADATA carries README.md, which the interpreter never reads, and the worker
    unpacks the whole wheel again after restoring anyway."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if name.split("/", 1)[0].endswith(".dist-info"):
                continue
            digest.update(name.encode() + b"\0" + archive.read(name))
    return digest.hexdigest()


def _lock_without_archive_hashes(lock_file: Path) -> bytes:
    """The lock file as loadPyodide reads it, less the packages' sha256: ours is the hash of
    the wheel archive, whose files are keyed on their own (_wheel_content_digest)."""
    lock = json.loads(lock_file.read_text())
    for package in lock.get("packages", {}).values():
        package.pop("sha256", None)
    return json.dumps(lock, sort_keys=True).encode()


def snapshot_key(engine_dir: Path, wheel: Path, pyodide_version: str) -> str:
    """Cache key: everything the snapshot depends on, and nothing that changes without it."""
    digest = hashlib.sha256()
    digest.update(f"{HEADER_FORMAT}\0{pyodide_version}\0".encode())
    for name in PYODIDE_FILES:
        digest.update(name.encode() + b"\0" + (engine_dir / name).read_bytes())
    digest.update(_lock_without_archive_hashes(engine_dir / "pyodide-lock.json"))
    digest.update(_wheel_content_digest(wheel).encode())
    digest.update(MAKER.read_bytes())
    return digest.hexdigest()[:16]


def snapshot_header(pyodide_version: str) -> bytes:
    header = HEADER_FORMAT.format(version=pyodide_version).encode()
    if len(header) > HEADER_SIZE or not HEADER_PATTERN.fullmatch(header):
        raise SnapshotError(f"Pyodide version {pyodide_version!r} does not fit the header")
    return header.ljust(HEADER_SIZE, b" ")


def snapshot_version(data: bytes) -> str | None:
    """The Pyodide version a snapshot file names in its header (None: no header)."""
    match = HEADER_PATTERN.match(data[:HEADER_SIZE])
    return match.group(1).decode() if match else None


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


def _run_maker(engine_dir: Path, wheel: Path, partial: Path) -> tuple[list[str], str]:
    """Run make_snapshot.mjs; returns the standard-library files the interpreter imported and
    the version of the Pyodide that ran."""
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
        report = json.loads(result.stdout.strip().splitlines()[-1])
        return list(report["stdlib"]), str(report["pyodide"])
    except (IndexError, KeyError, TypeError, ValueError) as error:
        raise SnapshotError(
            f"make_snapshot.mjs did not report its standard-library files and Pyodide version "
            f"({error}):\n{result.stdout[-1500:]}"
        ) from error


def make_snapshot(
    engine_dir: Path, wheel: Path, pyodide_version: str, cache: Path = CACHE
) -> Path:
    """Write engine_dir/python-snapshot.bin (header, then Pyodide's snapshot) and
    python_stdlib.core.zip, from the cache when the inputs are unchanged."""
    target = engine_dir / SNAPSHOT_NAME
    cached = cache / f"{snapshot_key(engine_dir, wheel, pyodide_version)}.bin"
    listing = cached.with_suffix(".json")
    if not (cached.is_file() and listing.is_file()):
        cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        names, made_by = _run_maker(engine_dir, wheel, partial)
        if made_by != pyodide_version:
            raise SnapshotError(
                f"the snapshot was made by Pyodide {made_by}, but the site ships "
                f"{pyodide_version}: run `npm ci` (make setup) and build again"
            )
        memory = partial.read_bytes()
        partial.write_bytes(snapshot_header(made_by) + memory)
        listing.write_text(json.dumps(names, indent=1))
        partial.replace(cached)
        for stale in [*cache.glob("*.bin"), *cache.glob("*.json")]:  # only the current one
            if stale not in (cached, listing):
                stale.unlink()
    shutil.copyfile(cached, target)
    write_core_stdlib(engine_dir, json.loads(listing.read_text()))
    return target
