"""The compile hint on Material's bundle, on a small fake site (build_scripts.compile_hints)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_scripts.compile_hints import HINT, CompileHintError, add_compile_hints

BUNDLE = (
    '"use strict";(()=>{var a=1;\nwindow.b=a;})();\n'
    "//# sourceMappingURL=bundle.1234abcd.min.js.map\n"
)
# Generated line 0 maps to source line 0, generated line 1 to source line 1.
MAPPINGS = "AAAA,aAAa;AACA"


def fake_site(tmp_path: Path, with_map: bool = True) -> Path:
    scripts = tmp_path / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    (scripts / "bundle.1234abcd.min.js").write_text(BUNDLE)
    if with_map:
        source_map = {"version": 3, "sources": ["bundle.ts"], "names": [], "mappings": MAPPINGS}
        (scripts / "bundle.1234abcd.min.js.map").write_text(json.dumps(source_map))
    # Not Material's bundle: left alone.
    (scripts / "other.js").write_text("var c = 3;\n")
    return tmp_path


def generated_lines(mappings: str) -> list[str]:
    return mappings.split(";")


def test_the_hint_is_the_first_line_and_the_code_follows_unchanged(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    changed = add_compile_hints(site)
    bundle = site / "assets/javascripts/bundle.1234abcd.min.js"
    assert bundle.read_text() == HINT + BUNDLE
    assert HINT == "//# allFunctionsCalledOnLoad\n"
    assert (site / "assets/javascripts/other.js").read_text() == "var c = 3;\n"
    assert sorted(path.name for path in changed) == [
        "bundle.1234abcd.min.js",
        "bundle.1234abcd.min.js.map",
    ]


def test_the_source_map_still_points_each_line_of_code_at_its_source(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    add_compile_hints(site)
    bundle = (site / "assets/javascripts/bundle.1234abcd.min.js").read_text().split("\n")
    source_map = json.loads((site / "assets/javascripts/bundle.1234abcd.min.js.map").read_text())
    lines = generated_lines(source_map["mappings"])
    before = generated_lines(MAPPINGS)
    # The hint's line maps to nothing; each line of code keeps its old segments.
    assert lines[0] == ""
    assert bundle[0] == HINT.rstrip("\n")
    for index, segments in enumerate(before):
        assert lines[index + 1] == segments
        assert bundle[index + 1] == BUNDLE.split("\n")[index]
    assert source_map["sources"] == ["bundle.ts"]


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    add_compile_hints(site)
    bundle = site / "assets/javascripts/bundle.1234abcd.min.js"
    source_map = site / "assets/javascripts/bundle.1234abcd.min.js.map"
    first = (bundle.read_bytes(), source_map.read_bytes())
    assert add_compile_hints(site) == []
    assert (bundle.read_bytes(), source_map.read_bytes()) == first


def test_a_bundle_without_a_source_map_still_gets_the_hint(tmp_path: Path) -> None:
    site = fake_site(tmp_path, with_map=False)
    assert [path.name for path in add_compile_hints(site)] == ["bundle.1234abcd.min.js"]


def test_the_build_fails_loudly_when_materials_bundle_is_missing(tmp_path: Path) -> None:
    (tmp_path / "assets" / "javascripts").mkdir(parents=True)
    with pytest.raises(CompileHintError, match="bundle"):
        add_compile_hints(tmp_path)


def test_the_build_fails_loudly_on_a_source_map_without_mappings(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    (site / "assets/javascripts/bundle.1234abcd.min.js.map").write_text('{"version": 3}')
    with pytest.raises(CompileHintError, match="mappings"):
        add_compile_hints(site)
    # Nothing half-done: the bundle is left as it was.
    assert (site / "assets/javascripts/bundle.1234abcd.min.js").read_text() == BUNDLE
