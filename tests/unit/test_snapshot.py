"""The snapshot step of the build: what invalidates it, and how it fails."""

from __future__ import annotations

import ast
import json
import zipfile
from pathlib import Path

import pytest

from build_scripts import snapshot
from build_scripts.paths import PYODIDE_FILES, ROOT

STDLIB = {"json/__init__.py": b"# json", "re/__init__.py": b"# re", "smtplib.py": b"# mail"}


def engine_folder(root: Path) -> Path:
    folder = root / "engine"
    folder.mkdir()
    for name in (*PYODIDE_FILES, "pyodide-lock.json"):
        (folder / name).write_bytes(name.encode())
    with zipfile.ZipFile(folder / snapshot.FULL_STDLIB_NAME, "w", zipfile.ZIP_DEFLATED) as stdlib:
        for name, content in STDLIB.items():
            stdlib.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return folder


def wheel(path: Path, content: bytes, date: tuple[int, ...]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("calculator/grading.py", date_time=date), content)
    return path


def test_key_follows_the_wheel_files_not_the_zip_timestamps(tmp_path: Path) -> None:
    engine = engine_folder(tmp_path)
    first = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    rebuilt = wheel(tmp_path / "b.whl", b"x = 1", (2026, 11, 22, 8, 0, 0))
    changed = wheel(tmp_path / "c.whl", b"x = 2", (2026, 1, 1, 0, 0, 0))
    assert first.read_bytes() != rebuilt.read_bytes()
    assert snapshot.snapshot_key(engine, first) == snapshot.snapshot_key(engine, rebuilt)
    assert snapshot.snapshot_key(engine, first) != snapshot.snapshot_key(engine, changed)


@pytest.mark.parametrize("runtime_file", [*PYODIDE_FILES, "pyodide-lock.json"])
def test_key_follows_every_runtime_file(tmp_path: Path, runtime_file: str) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    before = snapshot.snapshot_key(engine, built)
    (engine / runtime_file).write_bytes(b"another build")
    assert snapshot.snapshot_key(engine, built) != before


def test_a_cached_snapshot_is_reused_without_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_folder(tmp_path)
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    cache = tmp_path / "cache"
    cache.mkdir()
    key = snapshot.snapshot_key(engine, built)
    (cache / f"{key}.bin").write_bytes(b"memory")
    (cache / f"{key}.json").write_text(json.dumps(["json/__init__.py", "re/__init__.py"]))
    monkeypatch.setattr(snapshot.shutil, "which", lambda name: None)  # Node is not consulted
    target = snapshot.make_snapshot(engine, built, cache=cache)
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
    (cache / f"{snapshot.snapshot_key(engine, built)}.bin").write_bytes(b"memory")
    with pytest.raises(snapshot.SnapshotError, match=r"make_snapshot\.mjs failed"):
        snapshot.make_snapshot(engine, built, cache=cache)


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
        snapshot.make_snapshot(engine, built, cache=tmp_path / "cache")


def test_a_failing_maker_fails_the_build_loudly(tmp_path: Path) -> None:
    engine = engine_folder(tmp_path)  # not a real runtime: the maker cannot load it
    built = wheel(tmp_path / "a.whl", b"x = 1", (2026, 1, 1, 0, 0, 0))
    with pytest.raises(snapshot.SnapshotError, match=r"make_snapshot\.mjs failed"):
        snapshot.make_snapshot(engine, built, cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.bin"))


def test_the_built_site_ships_the_snapshot_in_its_engine_folder() -> None:
    from build_scripts.paths import SITE

    if not (SITE / "index.html").is_file():
        pytest.skip("site/ not built")
    (engine,) = (SITE / "assets" / "engine").iterdir()
    shipped = engine / snapshot.SNAPSHOT_NAME
    assert shipped.stat().st_size > 10_000_000  # a whole interpreter's memory
    assert (engine / f"{snapshot.SNAPSHOT_NAME}.br").is_file()
