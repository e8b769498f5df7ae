"""The prologue on Material's search worker, on a small fake site (build_scripts.search_worker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_scripts.paths import SEARCH_PROLOGUE
from build_scripts.search_worker import SearchWorkerError, defer_search_index

WORKER = '"use strict";(()=>{var a=1;\naddEventListener("message",e=>postMessage(e.data));})();\n'
MAPPINGS = "AAAA,aAAa;AACA"
PROLOGUE = "// ours\n(() => {})();\n"


def fake_site(tmp_path: Path) -> tuple[Path, Path]:
    workers = tmp_path / "site" / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    (workers / "search.1234abcd.min.js").write_text(WORKER)
    source_map = {"version": 3, "sources": ["main.ts"], "names": [], "mappings": MAPPINGS}
    (workers / "search.1234abcd.min.js.map").write_text(json.dumps(source_map))
    prologue = tmp_path / "prologue.js"
    prologue.write_text(PROLOGUE)
    return tmp_path / "site", prologue


def test_the_prologue_comes_first_and_the_map_skips_its_lines(tmp_path: Path) -> None:
    site, prologue = fake_site(tmp_path)
    changed = defer_search_index(site, prologue)
    worker = site / "assets/javascripts/workers/search.1234abcd.min.js"
    assert worker.read_text() == PROLOGUE + WORKER
    assert [path.name for path in changed] == [worker.name, worker.name + ".map"]
    mappings = json.loads(worker.with_name(worker.name + ".map").read_text())["mappings"]
    assert mappings == ";;" + MAPPINGS  # two lines of ours, then Material's lines unchanged
    # A second build step changes nothing.
    assert defer_search_index(site, prologue) == []
    assert worker.read_text() == PROLOGUE + WORKER


def test_the_build_fails_loudly_when_materials_worker_is_missing(tmp_path: Path) -> None:
    (tmp_path / "assets" / "javascripts").mkdir(parents=True)
    with pytest.raises(SearchWorkerError, match="worker"):
        defer_search_index(tmp_path, SEARCH_PROLOGUE)
