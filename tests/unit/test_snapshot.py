"""The snapshot step of the build: what invalidates it, the version header it writes, and how
it fails. The shipped snapshot itself is checked by tests/site/test_site_files.py."""

from __future__ import annotations

import ast
import json
import zipfile
from pathlib import Path

import pytest

from build_scripts import snapshot
from build_scripts.paths import PYODIDE_FILES, ROOT

STDLIB = {"json/__init__.py": b"# json", "re/__init__.py": b"# re", "smtplib.py": b"# mail"}
PYODIDE = "314.0.7"
LOCK = {
    "info": {"arch": "wasm32", "python": "3.14.0", "version": PYODIDE},
    "packages": {
        "net-guide-calculator": {
            "name": "net-guide-calculator",
            "file_name": "net_guide_calculator-0.1.0-py3-none-any.whl",
            "sha256": "aa" * 32,
            "imports": ["calculator"],
        }
    },
}


def write_lock(folder: Path, lock: dict) -> None:
    (folder / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))


def engine_folder(root: Path) -> Path:
    folder = root / "engine"
    folder.mkdir()
    for name in PYODIDE_FILES:
        (folder / name).write_bytes(name.encode())
    write_lock(folder, LOCK)
    with zipfile.ZipFile(folder / snapshot.FULL_STDLIB_NAME, "w", zipfile.ZIP_DEFLATED) as stdlib:
        for name, content in STDLIB.items():
            stdlib.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return folder


def wheel(path: Path, content: bytes, date: tuple[int, ...], readme: bytes = b"# NET") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("calculator/grading.py", date_time=date), content)
        metadata = zipfile.ZipInfo("net_guide_calculator-0.1.0.dist-info/METADATA", date)
        archive.writestr(metadata, b"Name: net-guide-calculator\n\n" + readme)
    return path


def test_key_follows_the_wheel_files_not_the_zip_timestamps(tmp_path: Path) -> None:
    engine = engine_folder(tmp_path)
    first = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    rebuilt = wheel(tmp_path / "b.whl", b"x = 1", (2026, 11, 22, 8, 0, 0))
    changed = wheel(tmp_path / "c.whl", b"x = 2", (2026, 1, 1, 0, 0, 0))
    assert first.read_bytes() != rebuilt.read_bytes()
    key = snapshot.snapshot_key(engine, first, PYODIDE)
    assert key == snapshot.snapshot_key(engine, rebuilt, PYODIDE)
    assert key != snapshot.snapshot_key(engine, changed, PYODIDE)


def test_key_ignores_the_wheels_metadata(tmp_path: Path) -> None:
    """README.md goes into the wheel's METADATA; the interpreter never reads it."""
    engine = engine_folder(tmp_path)
    first = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    reworded = wheel(tmp_path / "b.whl", b"x = 1", (2026, 1, 1, 0, 0, 0), readme=b"# NETs")
    assert first.read_bytes() != reworded.read_bytes()
    key = snapshot.snapshot_key(engine, first, PYODIDE)
    assert snapshot.snapshot_key(engine, reworded, PYODIDE) == key


@pytest.mark.parametrize("runtime_file", PYODIDE_FILES)
def test_key_follows_every_runtime_file(tmp_path: Path, runtime_file: str) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    before = snapshot.snapshot_key(engine, built, PYODIDE)
    (engine / runtime_file).write_bytes(b"another build")
    assert snapshot.snapshot_key(engine, built, PYODIDE) != before


def test_key_follows_the_pyodide_version_and_the_maker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    before = snapshot.snapshot_key(engine, built, PYODIDE)
    assert snapshot.snapshot_key(engine, built, "314.0.8") != before
    maker = tmp_path / "make_snapshot.mjs"
    maker.write_bytes(snapshot.MAKER.read_bytes() + b"// changed\n")
    monkeypatch.setattr(snapshot, "MAKER", maker)
    assert snapshot.snapshot_key(engine, built, PYODIDE) != before


def test_key_follows_the_lock_file_but_not_the_wheel_archive_hash(tmp_path: Path) -> None:
    """The lock holds the hash of the wheel archive: that changes with nothing the snapshot
    depends on (the wheel's files are keyed on their own), everything else in it counts."""
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    before = snapshot.snapshot_key(engine, built, PYODIDE)
    rehashed = json.loads(json.dumps(LOCK))
    rehashed["packages"]["net-guide-calculator"]["sha256"] = "bb" * 32
    write_lock(engine, rehashed)
    assert snapshot.snapshot_key(engine, built, PYODIDE) == before
    other_python = json.loads(json.dumps(LOCK))
    other_python["info"]["python"] = "3.14.1"
    write_lock(engine, other_python)
    assert snapshot.snapshot_key(engine, built, PYODIDE) != before


def test_the_header_names_the_pyodide_version(tmp_path: Path) -> None:
    header = snapshot.snapshot_header(PYODIDE)
    assert len(header) == snapshot.HEADER_SIZE and snapshot.HEADER_SIZE % 16 == 0
    assert snapshot.snapshot_version(header + b"\0" * 32) == PYODIDE
    assert snapshot.snapshot_version(b"\0" * 96) is None  # Pyodide's own format, no header
    with pytest.raises(snapshot.SnapshotError, match="does not fit"):
        snapshot.snapshot_header("3" * 60)


def test_the_worker_reads_the_same_header() -> None:
    """engine-worker.mjs parses the header with its own copy of the size and pattern."""
    worker = (ROOT / "docs" / "javascripts" / "engine-worker.mjs").read_text()
    assert f"const SNAPSHOT_HEADER_BYTES = {snapshot.HEADER_SIZE};" in worker
    pattern = snapshot.HEADER_PATTERN.pattern.decode()
    assert f"const SNAPSHOT_HEADER = /^{pattern}/;" in worker


def fake_maker(memory: bytes, version: str, names: list[str]) -> object:
    def run(engine_dir: Path, built: Path, partial: Path) -> tuple[list[str], str]:
        partial.write_bytes(memory)
        return names, version

    return run


def test_a_new_snapshot_is_cached_with_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    monkeypatch.setattr(snapshot, "_run_maker", fake_maker(b"memory", PYODIDE, ["re/__init__.py"]))
    target = snapshot.make_snapshot(engine, built, PYODIDE, cache=tmp_path / "cache")
    assert target.read_bytes() == snapshot.snapshot_header(PYODIDE) + b"memory"
    (cached,) = (tmp_path / "cache").glob("*.bin")
    assert cached.read_bytes() == target.read_bytes()
    assert cached.stem == snapshot.snapshot_key(engine, built, PYODIDE)


def test_a_maker_from_another_pyodide_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    monkeypatch.setattr(snapshot, "_run_maker", fake_maker(b"memory", "0.27.0", ["re/__init__.py"]))
    with pytest.raises(snapshot.SnapshotError, match=r"made by Pyodide 0\.27\.0"):
        snapshot.make_snapshot(engine, built, PYODIDE, cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.bin"))


def test_a_cached_snapshot_is_reused_without_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    cache = tmp_path / "cache"
    cache.mkdir()
    key = snapshot.snapshot_key(engine, built, PYODIDE)
    (cache / f"{key}.bin").write_bytes(b"memory")
    (cache / f"{key}.json").write_text(json.dumps(["json/__init__.py", "re/__init__.py"]))
    monkeypatch.setattr(snapshot.shutil, "which", lambda name: None)  # Node is not consulted
    target = snapshot.make_snapshot(engine, built, PYODIDE, cache=cache)
    assert target == engine / snapshot.SNAPSHOT_NAME
    assert target.read_bytes() == b"memory"
    with zipfile.ZipFile(engine / snapshot.CORE_STDLIB_NAME) as core:
        assert core.namelist() == ["json/__init__.py", "re/__init__.py"]
        assert core.read("re/__init__.py") == b"# re"


def test_a_snapshot_without_its_stdlib_list_is_made_again(tmp_path: Path) -> None:
    """A cache entry from before the list existed cannot give the core zip: Node runs again
    (here it fails on the fake runtime, which shows it was asked)."""
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{snapshot.snapshot_key(engine, built, PYODIDE)}.bin").write_bytes(b"memory")
    with pytest.raises(snapshot.SnapshotError, match=r"make_snapshot\.mjs failed"):
        snapshot.make_snapshot(engine, built, PYODIDE, cache=cache)


def test_core_stdlib_refuses_a_list_the_stdlib_does_not_match(tmp_path: Path) -> None:
    engine = engine_folder(tmp_path)
    with pytest.raises(snapshot.SnapshotError, match=r"missing: \['xml/__init__.py'\]"):
        snapshot.write_core_stdlib(engine, ["json/__init__.py", "xml/__init__.py"])
    with pytest.raises(snapshot.SnapshotError, match=r"listed: 0"):
        snapshot.write_core_stdlib(engine, [])


def test_calculator_imports_no_stdlib_module_late() -> None:
    """The core zip holds the standard-library modules the snapshot's interpreter imported. A
    stdlib import inside a function would run only later, on the restored interpreter, and find
    its module missing; keep such imports at module level (imports of our own package are fine:
    the wheel is unpacked in full)."""
    late = []
    for path in sorted((ROOT / "calculator").rglob("*.py")):
        if path.name == "cli.py":  # command line only, never in the browser
            continue
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""] if node.level == 0 else []
                else:
                    continue
                late += [
                    f"{path.name}:{node.lineno} {name}"
                    for name in names
                    if name.split(".")[0] != "calculator"
                ]
    assert not late, late


def test_missing_node_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    monkeypatch.setattr(snapshot.shutil, "which", lambda name: None)
    with pytest.raises(snapshot.SnapshotError, match=r"Node\.js is needed"):
        snapshot.make_snapshot(engine, built, PYODIDE, cache=tmp_path / "cache")


def test_a_failing_maker_fails_the_build_loudly(tmp_path: Path) -> None:
    engine = engine_folder(tmp_path)  # not a real runtime: the maker cannot load it
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    with pytest.raises(snapshot.SnapshotError, match=r"make_snapshot\.mjs failed"):
        snapshot.make_snapshot(engine, built, PYODIDE, cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.bin"))
