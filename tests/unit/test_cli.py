"""Command line: python -m calculator grade|recommend|--version."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from calculator import cli, record_text
from calculator.cli import main
from calculator.grading import grade
from calculator.grading_text import FLAG_TEXTS
from calculator.version import ENGINE_VERSION

TODAY = date(2026, 8, 1)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The record summary carries the day it was made: fixed here."""
    monkeypatch.setattr(cli, "_today", lambda: TODAY)


REPO = Path(__file__).resolve().parents[2]


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str = "",
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    return code, capsys.readouterr().out


def test_grade_json_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    inputs = {
        "site": "pancreas",
        "differentiation": "well",
        "ki67_percent": 2,
        "mitoses": {"per_2mm2": 5},
    }
    code, out = run_cli(monkeypatch, capsys, ["grade"], json.dumps(inputs))
    assert code == 0
    result = json.loads(out)
    assert result == grade(inputs).to_dict()
    assert result["grade"] == "G2"
    assert out.startswith('{\n  "status"')  # indent 2


def test_grade_json_from_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"site": "lung", "mitoses": {"per_2mm2": 1}}), encoding="utf-8")
    code, out = run_cli(monkeypatch, capsys, ["grade", "--input", str(path)])
    assert code == 0  # incomplete is still an answer
    assert json.loads(out)["status"] == "incomplete"


def test_grade_error_exits_2_with_json(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    inputs = {"site": "pancreas", "ki67_percent": "Infinity"}
    code, out = run_cli(monkeypatch, capsys, ["grade"], json.dumps(inputs))
    assert code == 2
    assert json.loads(out)["error"]["field"] == "ki67_percent"


@pytest.mark.parametrize("text", ["{not json", "", "[1,", "\ufeff{}x"])
def test_invalid_json_is_an_input_error(monkeypatch: pytest.MonkeyPatch, capsys, text: str) -> None:
    code, out = run_cli(monkeypatch, capsys, ["grade"], text)
    assert code == 2
    result = json.loads(out)
    assert result["status"] == "error"
    assert result["error"]["field"] == "input"
    assert result["engine_version"] == ENGINE_VERSION


def test_missing_input_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out = run_cli(monkeypatch, capsys, ["grade", "--input", str(tmp_path / "nope.json")])
    assert code == 2
    assert json.loads(out)["error"]["field"] == "input"


def test_json_that_is_not_an_object(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out = run_cli(monkeypatch, capsys, ["grade"], "[1, 2]")
    assert code == 2
    assert json.loads(out)["error"]["field"] == "input"


def test_human_flags_give_text(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    argv = [
        "grade",
        "--site",
        "pancreas",
        "--differentiation",
        "well",
        "--ki67",
        "2",
        "--mitoses",
        "5",
    ]
    code, out = run_cli(monkeypatch, capsys, argv)
    assert code == 0
    # Values given as flags print the record summary: the same text the pages copy.
    inputs = {
        "site": "pancreas",
        "differentiation": "well",
        "ki67_percent": "2",
        "mitoses": {"per_2mm2": "5"},
    }
    assert out == record_text.grade_record(inputs, today=TODAY).text
    assert "Result: NET G2\nThe mitotic count sets the grade.\n" in out
    assert f"- Note: {FLAG_TEXTS['discordant_indices_higher_grade_used'].text}\n" in out
    assert f"NET Guide calculator {ENGINE_VERSION}" in out
    assert out.endswith("Supports, and does not replace, clinical judgement.\n")


def test_human_flags_json_format(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    argv = [
        "grade",
        "--site",
        "small_intestine",
        "--ki67",
        "12,5",
        "--mitotic-count",
        "21",
        "--hpf",
        "10",
        "--field-diameter-mm",
        "0.55",
        "--format",
        "json",
    ]
    code, out = run_cli(monkeypatch, capsys, argv)
    assert code == 0
    result = json.loads(out)
    assert result["ki67_percent"] == 12.5
    assert round(result["mitoses_per_2mm2"], 2) == 17.68


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--positive-cells", "3", "--total-cells", "100"], "NET G2"),
        (["--mitotic-count", "36", "--area-mm2", "3.6"], "NET G2"),
        (["--mitotic-count", "36", "--hpf", "15", "--field-area-mm2", "0.24"], "NET G2"),
        (["--mitotic-count", "2", "--hpf", "10", "--field-diameter-mm", "0.55"], "NET G1"),
        (["--ki67", "5", "--ne-component", "20"], "Not a MiNEN"),
        (["--ki67", "5", "--ne-component", "40"], "MiNEN, neuroendocrine component G2"),
        (["--ki67", "5", "--ne-component", "85"], "NET G2"),
        (["--ki67", "<1"], "NET G1"),
    ],
)
def test_each_flag_path(
    monkeypatch: pytest.MonkeyPatch, capsys, argv: list[str], expected: str
) -> None:
    code, out = run_cli(
        monkeypatch, capsys, ["grade", "--site", "pancreas", "--differentiation", "well", *argv]
    )
    assert code == 0
    assert f"\nResult: {expected}" in out


@pytest.mark.parametrize(
    ("necrosis", "expected"),
    [("yes", "Atypical carcinoid"), ("no", "Typical carcinoid"), ("unknown", "INCOMPLETE")],
)
def test_necrosis_flag(
    monkeypatch: pytest.MonkeyPatch, capsys, necrosis: str, expected: str
) -> None:
    argv = ["grade", "--site", "lung", "--mitoses", "1", "--necrosis", necrosis]
    code, out = run_cli(monkeypatch, capsys, argv)
    assert code == 0
    assert out.splitlines()[1].startswith(expected) or f"Result: {expected}" in out


def test_human_flags_error_text(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out = run_cli(monkeypatch, capsys, ["grade", "--site", "liver", "--ki67", "5"])
    assert code == 2
    assert out.splitlines()[1] == "NO RESULT: these values could not be graded."
    assert "Primary site: The liver is where metastases sit" in out
    assert "Result:" not in out


def test_flags_and_input_together_are_refused(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, _ = run_cli(monkeypatch, capsys, ["grade", "--input", "x.json", "--ki67", "5"])
    assert code == 2


def test_text_format_for_json_input(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    inputs = {"site": "pancreas", "ki67_percent": "30"}
    code, out = run_cli(monkeypatch, capsys, ["grade", "--format", "text"], json.dumps(inputs))
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("INCOMPLETE: this is not a final grade")
    assert "Result: Grade G3, differentiation needed (NET G3 or NEC)" in lines
    assert f"- Warning: {FLAG_TEXTS['differentiation_required'].text}" in lines


def test_text_format_for_unreadable_json(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out = run_cli(monkeypatch, capsys, ["grade", "--format", "text"], "{oops")
    assert code == 2
    assert out.splitlines()[1].startswith("NO RESULT")
    assert "not valid JSON" in out


def test_text_format_shows_a_bound_and_the_thoracic_grade(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    argv = ["grade", "--site", "lung", "--mitoses", "3", "--necrosis", "no", "--ki67", ">20"]
    code, out = run_cli(monkeypatch, capsys, argv)
    assert code == 0
    assert "Result: Atypical carcinoid (G2)" in out
    assert "Ki-67: above 20 % (reported as a bound)\n" in out


def test_recommend_text_is_the_record_summary(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    answers = {"site": "pancreas", "differentiation": "well", "grade": "G1"}
    page = "https://intranet.example/net-guide/calculator/sequence/"
    argv = ["recommend", "--format", "text", "--page-url", page]
    code, out = run_cli(monkeypatch, capsys, argv, json.dumps(answers))
    assert code == 0
    assert out == record_text.sequence_record(answers, today=TODAY, page_url=page).text
    assert f"Reopen to finish: {page}?site=pancreas&differentiation=well&grade=G1\n" in out
    # Without the page's address the text gives the link's query.
    code, out = run_cli(monkeypatch, capsys, ["recommend", "--format", "text"], json.dumps(answers))
    assert "address): ?site=pancreas&differentiation=well&grade=G1\n" in out


@pytest.mark.parametrize(
    "stdin", ['{"site": "pancreas", "stage": "metastatic"}', "{oops", "[1, 2]"]
)
def test_recommend_text_error_exits_2(monkeypatch: pytest.MonkeyPatch, capsys, stdin: str) -> None:
    code, out = run_cli(monkeypatch, capsys, ["recommend", "--format", "text"], stdin)
    assert code == 2
    assert out.splitlines()[1] == "NO RESULT: an answer could not be used."


def test_recommend_refuses_a_bad_page_url(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("{}"))
    code = main(["recommend", "--format", "text", "--page-url", "intranet/sequence"])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert (
        printed.err
        == "error: --page-url: The page address must be an http:// or https:// address.\n"
    )


def test_unexpected_failure_is_logged_and_answered(
    monkeypatch: pytest.MonkeyPatch, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    """The CLI is a boundary: a bug inside the engine is logged with its traceback, and the
    caller still gets the error JSON and exit status 2."""

    def broken(inputs: object) -> object:
        raise RuntimeError("bug in the engine")

    monkeypatch.setattr(cli, "grade", broken)
    inputs = {"site": "pancreas", "ki67_percent": "5"}
    with caplog.at_level(logging.ERROR, logger="calculator.cli"):
        code, out = run_cli(monkeypatch, capsys, ["grade"], json.dumps(inputs))
    assert code == 2
    result = json.loads(out)
    assert result["error"] == {
        "field": "input",
        "message": "The engine failed on this input (RuntimeError).",
    }
    assert result["headline"] == "Not graded"
    (record,) = caplog.records
    assert record.exc_info is not None and "bug in the engine" in str(record.exc_info[1])


def test_version(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out = run_cli(monkeypatch, capsys, ["--version"])
    assert code == 0
    assert ENGINE_VERSION in out


def test_usage_error_returns_2(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert run_cli(monkeypatch, capsys, ["frobnicate"])[0] == 2
    assert run_cli(monkeypatch, capsys, ["grade", "--necrosis", "maybe"])[0] == 2


def test_recommend_invalid_json(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out = run_cli(monkeypatch, capsys, ["recommend"], "{oops")
    assert code == 2
    result = json.loads(out)
    assert result["status"] == "error"
    assert result["error"]["field"] == "input"


def test_recommend_prints_the_sequence_result(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from calculator import sequence

    answers = {"site": "pancreas"}
    code, out = run_cli(monkeypatch, capsys, ["recommend"], json.dumps(answers))
    result = json.loads(out)
    assert result == json.loads(json.dumps(sequence(answers).to_dict()))
    assert code == (2 if result["status"] == "error" else 0)


def test_python_dash_m(tmp_path: Path) -> None:
    inputs = json.dumps({"site": "pancreas", "differentiation": "well", "ki67_percent": "12"})
    done = subprocess.run(
        [sys.executable, "-m", "calculator", "grade"],
        input=inputs,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["grade"] == "G2"
