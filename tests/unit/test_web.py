"""The browser bridge (calculator.web): flat query-string params in, contract JSON out."""

from __future__ import annotations

import ast
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from calculator import web
from calculator.grading import ERROR_FIELDS, grade
from calculator.grading_text import FLAG_TEXTS, headline
from calculator.sequencing.params import sequence_params
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from calculator.web import grade_inputs, grade_params, handle

REPO = Path(__file__).resolve().parents[2]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "grade_cases.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_fixture_is_well_formed() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)) >= 15
    classifications = {case["expect"]["classification"] for case in CASES}
    # Every classification of the contract appears at least once.
    assert classifications >= {
        "NET",
        "NEC",
        "MiNEN",
        "not_MiNEN",
        "NEN_differentiation_not_stated",
        "typical_carcinoid",
        "atypical_carcinoid",
        "outside_carcinoid_criteria",
        "TC_or_AC",
    }
    error_fields = {case["expect"]["error_field"] for case in CASES}
    assert {"mitoses.hpf", "ki67.total_cells", "ki67_percent", "mitoses"} <= error_fields
    for case in CASES:
        assert set(case) == {"name", "description", "params", "expect"}
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in case["params"].items())
    # Each unit path is covered.
    paths = {frozenset(k for k in case["params"] if k.startswith("mitoses.")) for case in CASES}
    assert frozenset({"mitoses.per_2mm2"}) in paths
    assert frozenset({"mitoses.count", "mitoses.area_mm2"}) in paths
    assert frozenset({"mitoses.count", "mitoses.hpf", "mitoses.field_diameter_mm"}) in paths
    assert frozenset({"mitoses.count", "mitoses.hpf", "mitoses.field_area_mm2"}) in paths


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_fixture_case(case: dict[str, object]) -> None:
    out = grade_params(case["params"])
    expect = case["expect"]
    assert out["status"] == expect["status"]
    assert out["classification"] == expect["classification"]
    assert out["grade"] == expect["grade"]
    assert (out["error"] or {}).get("field") == expect["error_field"]
    assert out["flags"] == expect["flags"]
    # The words the page shows come with the answer.
    assert out["headline"] == headline(out["status"], out["classification"], out["grade"])
    assert [d["id"] for d in out["flag_details"]] == out["flags"]
    assert [d["text"] for d in out["flag_details"]] == [FLAG_TEXTS[f].text for f in out["flags"]]
    # The JSON the worker sends is the same object.
    assert json.loads(handle("grade", json.dumps(case["params"]))) == out


def test_grade_inputs_builds_the_contract_object() -> None:
    params = {
        "site": "lung",
        "differentiation": "well",
        "ki67_percent": "",
        "ki67.positive_cells": "",
        "ki67.total_cells": " ",
        "mitoses.per_2mm2": "",
        "mitoses.count": "3",
        "mitoses.hpf": "10",
        "mitoses.field_diameter_mm": "0,5",
        "mitoses.field_area_mm2": "",
        "necrosis": "yes",
        "ne_component_percent": "",
        "page": "2",
    }
    assert grade_inputs(params) == {
        "site": "lung",
        "differentiation": "well",
        "mitoses": {"count": "3", "hpf": "10", "field_diameter_mm": "0,5"},
        "necrosis": True,
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("true", True), ("yes", True), ("YES", True), ("false", False), ("no", False)],
)
def test_necrosis_words(typed: str, expected: bool) -> None:
    assert grade_inputs({"necrosis": typed}) == {"necrosis": expected}


@pytest.mark.parametrize("typed", ["unknown", "", "  "])
def test_necrosis_unknown_is_left_out(typed: str) -> None:
    assert grade_inputs({"necrosis": typed}) == {}


def test_bad_necrosis_reaches_the_engine() -> None:
    out = grade_params({"site": "lung", "mitoses.per_2mm2": "1", "necrosis": "perhaps"})
    assert out["error"]["field"] == "necrosis"


def test_ki67_counts_group() -> None:
    out = grade_params(
        {"site": "pancreas", "ki67.positive_cells": "10", "ki67.total_cells": "1000"}
    )
    assert out["ki67_percent"] == 1.0
    missing_total = grade_params({"site": "pancreas", "ki67.positive_cells": "10"})
    assert missing_total["error"]["field"] == "ki67.total_cells"


def test_bad_mitoses_combination_is_a_shape_error() -> None:
    out = grade_params(
        {"site": "pancreas", "ki67_percent": "5", "mitoses.per_2mm2": "3", "mitoses.hpf": "10"}
    )
    assert out["error"]["field"] == "mitoses"


def test_grade_params_equals_grade_on_the_contract_object() -> None:
    params = {"site": "pancreas", "differentiation": "well", "ki67_percent": "12,5"}
    assert grade_params(params) == grade(grade_inputs(params)).to_dict()
    assert grade_params(params)["ki67_percent"] == 12.5


@pytest.mark.parametrize("params", [None, [], "site=pancreas", 3])
def test_grade_params_with_non_mapping_gives_an_error(params: object) -> None:
    out = grade_params(params)  # type: ignore[arg-type]
    assert out["status"] == "error"
    assert out["error"]["field"] in ERROR_FIELDS


def test_handle_version() -> None:
    assert json.loads(handle("version", "{}")) == {
        "engine_version": ENGINE_VERSION,
        "evidence_date": EVIDENCE_DATE,
    }


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("grade", "not json"),
        ("grade", "[1, 2]"),
        ("grade", ""),
        ("grade", None),
        ("sequence", "{{{"),
        ("sequence", '"text"'),
        ("bogus", "{}"),
        (None, "{}"),
    ],
)
def test_handle_never_raises(kind: object, payload: object) -> None:
    out = json.loads(handle(kind, payload))  # type: ignore[arg-type]
    assert out["status"] == "error"
    assert out["error"]["field"] == "input"
    assert out["engine_version"] == ENGINE_VERSION


def test_handle_json_nan_literal_is_refused_by_the_engine() -> None:
    out = json.loads(handle("grade", '{"site": "pancreas", "ki67_percent": NaN}'))
    assert out["error"]["field"] == "ki67_percent"


def test_handle_grade_error_has_the_full_result_shape() -> None:
    out = json.loads(handle("grade", "oops"))
    assert set(out) >= {"status", "classification", "grade", "flags", "error", "engine_version"}


def test_handle_sequence_returns_a_json_object() -> None:
    out = json.loads(handle("sequence", json.dumps({"site": "pancreas"})))
    assert isinstance(out, dict)
    assert "status" in out


def test_handle_logs_an_unexpected_exception_and_answers(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """handle is the boundary: a bug below it is logged with its traceback, and the page
    still gets an answer it can show."""

    def broken(params: object) -> object:
        raise ZeroDivisionError("bug below the bridge")

    monkeypatch.setattr(web, "grade_params", broken)
    with caplog.at_level(logging.ERROR, logger="calculator.web"):
        out = json.loads(handle("grade", json.dumps({"site": "pancreas"})))
    assert out["status"] == "error"
    assert out["error"] == {
        "field": "input",
        "message": "The engine failed on this input (ZeroDivisionError).",
    }
    assert out["headline"] == "Not graded"
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and isinstance(record.exc_info[1], ZeroDivisionError)


def test_grade_params_lets_a_bug_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """No catch-all below the boundary: the bridge does not turn a bug into an answer."""
    monkeypatch.setattr(web, "grade_inputs", lambda params: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        grade_params({"site": "pancreas"})


def test_sequence_params_with_non_mapping_gives_an_error() -> None:
    out = sequence_params(["site", "pancreas"])  # type: ignore[arg-type]
    assert out["status"] == "error"
    assert out["error"]["field"] == "input"


def test_sequencing_reads_grading_params_without_the_web_bridge() -> None:
    """The flat-parameter reading lives in calculator.flat_params: sequencing does not import
    the bridge (no import loop)."""
    code = (
        "import sys, calculator.sequencing.params as p;"
        "assert 'calculator.web' not in sys.modules, 'sequencing imported the bridge';"
        "print(p.params_to_answers({'ki67_percent': '5', 'mitoses.per_2mm2': '3'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "'mitoses': {'per_2mm2': '3'}" in done.stdout


def test_grading_side_has_no_function_level_imports() -> None:
    """Imports sit at the top of each module: none hidden in a function to dodge a cycle.
    (The grading side and the bridges; the sequencing package checks its own.)"""
    late = []
    files = [*(REPO / "calculator").glob("*.py"), REPO / "calculator/sequencing/params.py"]
    for path in sorted(files):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                late += [
                    f"{path.relative_to(REPO)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, (ast.Import, ast.ImportFrom))
                ]
    assert late == []
