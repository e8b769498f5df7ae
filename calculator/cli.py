"""Command line: `python -m calculator grade|recommend`, same engine as the site.

Exit status: 0 for an answer (ok, incomplete, complete, needs_input, out_of_scope), 2 for an
error (the JSON is still printed, so scripts can read the reason).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import TextIO

from calculator.grading import GradeError, GradeResult, grade
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from calculator.web import grade_inputs

EXIT_OK = 0
EXIT_ERROR = 2

# Human flag -> flat parameter name (the same dotted names as the page's query string).
_GRADE_FLAGS: dict[str, str] = {
    "site": "site",
    "differentiation": "differentiation",
    "ki67": "ki67_percent",
    "positive_cells": "ki67.positive_cells",
    "total_cells": "ki67.total_cells",
    "mitoses": "mitoses.per_2mm2",
    "mitotic_count": "mitoses.count",
    "area_mm2": "mitoses.area_mm2",
    "hpf": "mitoses.hpf",
    "field_diameter_mm": "mitoses.field_diameter_mm",
    "field_area_mm2": "mitoses.field_area_mm2",
    "necrosis": "necrosis",
    "ne_component": "ne_component_percent",
}

_CLASSIFICATION_WORDS = {
    "NET": "NET",
    "NEC": "NEC",
    "MiNEN": "MiNEN",
    "not_MiNEN": "Not a MiNEN (a component is below 30 %)",
    "NEN_differentiation_not_stated": "NEN, differentiation not stated",
    "typical_carcinoid": "Typical carcinoid",
    "atypical_carcinoid": "Atypical carcinoid",
    "outside_carcinoid_criteria": "Outside carcinoid criteria",
    "TC_or_AC": "Typical or atypical carcinoid (necrosis status needed)",
}
_DRIVER_WORDS = {
    "concordant": "both indices agree",
    "ki67": "grade set by Ki-67",
    "mitoses": "grade set by mitoses",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so the help text can be tested and documented)."""
    parser = argparse.ArgumentParser(
        prog="python -m calculator",
        description="WHO grading and treatment sequencing for neuroendocrine tumours. "
        "Supports, does not replace, clinical judgement.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"net-calculator engine {ENGINE_VERSION} (evidence {EVIDENCE_DATE})",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    grade_cmd = commands.add_parser(
        "grade",
        help="WHO grade from Ki-67 and mitoses",
        description="Reads one JSON object (stdin or --input), or takes the values as flags.",
    )
    grade_cmd.add_argument("--input", metavar="FILE", help="JSON input file (default: stdin)")
    grade_cmd.add_argument("--format", choices=("text", "json"), help="output format")
    grade_cmd.add_argument("--site", help="primary site, e.g. pancreas, small_intestine, lung")
    grade_cmd.add_argument("--differentiation", help="well, poor or unknown")
    grade_cmd.add_argument("--ki67", metavar="PERCENT", help="Ki-67 index in %%")
    grade_cmd.add_argument("--positive-cells", help="Ki-67 positive tumour cells")
    grade_cmd.add_argument("--total-cells", help="tumour cells counted for Ki-67")
    grade_cmd.add_argument("--mitoses", metavar="PER_2MM2", help="mitoses per 2 mm²")
    grade_cmd.add_argument("--mitotic-count", help="raw mitotic count (with --area-mm2 or --hpf)")
    grade_cmd.add_argument("--area-mm2", help="total area counted, mm²")
    grade_cmd.add_argument("--hpf", help="number of high-power fields counted")
    grade_cmd.add_argument("--field-diameter-mm", help="field diameter, mm (with --hpf)")
    grade_cmd.add_argument("--field-area-mm2", help="area of one field, mm² (with --hpf)")
    grade_cmd.add_argument("--necrosis", choices=("yes", "no", "unknown"), help="thoracic only")
    grade_cmd.add_argument(
        "--ne-component", metavar="PERCENT", help="NE component of a mixed tumour, %%"
    )

    recommend_cmd = commands.add_parser(
        "recommend",
        help="treatment sequencing from JSON answers",
        description="Reads one JSON object of answers (stdin or --input).",
    )
    recommend_cmd.add_argument("--input", metavar="FILE", help="JSON input file (default: stdin)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse exits for --help, --version and usage errors; report its status instead.
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if args.command == "grade":
        return _grade_command(args, sys.stdout)
    return _recommend_command(args, sys.stdout)


def _grade_command(args: argparse.Namespace, out: TextIO) -> int:
    params = {
        name: getattr(args, dest)
        for dest, name in _GRADE_FLAGS.items()
        if getattr(args, dest) is not None
    }
    if params:
        if args.input is not None:
            print("error: use either --input or value flags, not both", file=sys.stderr)
            return EXIT_ERROR
        inputs: object = grade_inputs(params)
        fmt = args.format or "text"
    else:
        fmt = args.format or "json"
        inputs = _read_json(args.input)
    if isinstance(inputs, GradeError):
        result = GradeResult(status="error", error=inputs)
    else:
        result = grade(inputs)  # type: ignore[arg-type]
    if fmt == "text":
        site = inputs.get("site") if isinstance(inputs, Mapping) else None
        print(format_text(result, site), file=out)
    else:
        print(json.dumps(result.to_dict(), indent=2), file=out)
    return EXIT_ERROR if result.status == "error" else EXIT_OK


def _recommend_command(args: argparse.Namespace, out: TextIO) -> int:
    answers = _read_json(args.input)
    if isinstance(answers, GradeError):
        payload: dict[str, object] = {
            "status": "error",
            "error": {"field": answers.field, "message": answers.message},
            "engine_version": ENGINE_VERSION,
        }
    else:
        # Imported here so `grade` works even if the sequencing data cannot be loaded.
        from calculator import sequence

        payload = sequence(answers).to_dict()  # type: ignore[arg-type]
    print(json.dumps(payload, indent=2), file=out)
    return EXIT_ERROR if payload.get("status") == "error" else EXIT_OK


def _read_json(path: str | None) -> object:
    """The parsed JSON input, or a GradeError naming `input` when it cannot be read."""
    try:
        if path is None or path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return GradeError("input", f"Cannot read the input file: {exc.__class__.__name__}.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return GradeError("input", "The input is not valid JSON; give one JSON object.")


def _number(value: float | None) -> str:
    return "?" if value is None else format(value, ".6g")


def format_text(result: GradeResult, site: object = None) -> str:
    """One readable line, e.g. 'NET G2 (pancreas) — grade set by mitoses; flags: ...'."""
    engine = f"engine {result.engine_version}"
    if result.status == "error" or result.error is not None:
        error = result.error or GradeError("input", "unknown error")
        return f"Error in {error.field}: {error.message}; {engine}"
    parts: list[str] = []
    head = _CLASSIFICATION_WORDS.get(result.classification or "", str(result.classification))
    if result.grade == "not_graded_high_grade":
        head += " (high grade, not graded G1-G3)"
    elif result.grade is not None:
        head += f" {result.grade}"
    if isinstance(site, str) and site.strip():
        head += f" ({site.strip()[:40]})"
    if result.grade_driver is not None:
        head += f" — {_DRIVER_WORDS.get(result.grade_driver, result.grade_driver)}"
    if result.status == "incomplete":
        head = "INCOMPLETE: " + head
    parts.append(head)
    values = []
    if result.ki67_percent is not None:
        values.append(f"Ki-67 {_number(result.ki67_percent)} %")
    if result.mitoses_per_2mm2 is not None:
        values.append(f"mitoses {_number(result.mitoses_per_2mm2)} per 2 mm²")
    if values:
        parts.append(", ".join(values))
    parts.append("flags: " + (", ".join(result.flags) if result.flags else "none"))
    parts.append(engine)
    return "; ".join(parts)
