"""Command line: `python -m calculator grade|recommend`, same engine as the site.

`--format text` prints the record summary the pages copy "for the notes"
(calculator/record_text.py); `--format json` the engine's JSON.
Exit status: 0 for an answer (ok, incomplete, complete, needs_input, out_of_scope), 2 for an
error (the JSON or text is still printed, so scripts can read the reason). `main` is a
boundary: an unexpected exception is logged with its traceback and answered as an error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from typing import TextIO

from calculator import record_text
from calculator.flat_params import grade_inputs
from calculator.grading import GradeError, GradeResult, grade
from calculator.sequencing import sequence
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

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

logger = logging.getLogger(__name__)


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
    grade_cmd.add_argument(
        "--format",
        choices=("text", "json"),
        help="text: the summary for the clinical record; json: the engine's JSON "
        "(default: text with value flags, json with --input or stdin)",
    )
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
    recommend_cmd.add_argument(
        "--format",
        choices=("text", "json"),
        help="text: the summary for the clinical record; json: the engine's JSON (default)",
    )
    recommend_cmd.add_argument(
        "--page-url",
        metavar="URL",
        help="address of the sequencing calculator page (e.g. "
        "https://intranet.example/net-guide/calculator/sequence/): the text then ends with "
        "the link that reopens the result",
    )
    return parser


def _today() -> date:
    """The date a record summary carries (a function, so tests can fix it)."""
    return date.today()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse exits for --help, --version and usage errors; report its status instead.
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if getattr(args, "page_url", None) is not None:
        try:
            record_text.checked_page_url(args.page_url)
        except ValueError as exc:
            print(f"error: --page-url: {exc}", file=sys.stderr)
            return EXIT_ERROR
    try:
        if args.command == "grade":
            return _grade_command(args, sys.stdout)
        return _recommend_command(args, sys.stdout)
    except Exception as exc:
        # A bug, not bad input: log it with its traceback, and still answer as an error.
        logger.exception("python -m calculator %s failed", args.command)
        message = f"The engine failed on this input ({type(exc).__name__})."
        if _format(args) == "text":
            make = (
                record_text.grade_error_record
                if args.command == "grade"
                else record_text.sequence_error_record
            )
            print(make("input", message, today=_today()).text, end="", file=sys.stdout)
        elif args.command == "grade":
            failed = GradeResult(status="error", error=GradeError("input", message))
            print(json.dumps(failed.to_dict(), indent=2, ensure_ascii=False), file=sys.stdout)
        else:
            payload = {
                "status": "error",
                "error": {"field": "input", "message": message},
                "engine_version": ENGINE_VERSION,
            }
            print(json.dumps(payload, indent=2), file=sys.stdout)
        return EXIT_ERROR


def _grade_params(args: argparse.Namespace) -> dict[str, str]:
    """The values given as flags, under their flat parameter names."""
    return {
        name: getattr(args, dest)
        for dest, name in _GRADE_FLAGS.items()
        if getattr(args, dest) is not None
    }


def _format(args: argparse.Namespace) -> str:
    """Text by default for values given as flags (a person typing), JSON for a file or stdin."""
    if args.format is not None:
        return str(args.format)
    return "text" if args.command == "grade" and _grade_params(args) else "json"


def _grade_command(args: argparse.Namespace, out: TextIO) -> int:
    params = _grade_params(args)
    if params:
        if args.input is not None:
            print("error: use either --input or value flags, not both", file=sys.stderr)
            return EXIT_ERROR
        inputs: object = grade_inputs(params)
    else:
        inputs = _read_json(args.input)
    if _format(args) == "text":
        if isinstance(inputs, GradeError):
            record = record_text.grade_error_record(inputs.field, inputs.message, today=_today())
        else:
            record = record_text.grade_record(inputs, today=_today())
        print(record.text, end="", file=out)
        return EXIT_ERROR if record.status == "error" else EXIT_OK
    if isinstance(inputs, GradeError):
        result = GradeResult(status="error", error=inputs)
    else:
        result = grade(inputs)  # type: ignore[arg-type]
    print(json.dumps(result.to_dict(), indent=2), file=out)
    return EXIT_ERROR if result.status == "error" else EXIT_OK


def _recommend_command(args: argparse.Namespace, out: TextIO) -> int:
    answers = _read_json(args.input)
    if _format(args) == "text":
        if isinstance(answers, GradeError):
            record = record_text.sequence_error_record(
                answers.field, answers.message, today=_today()
            )
        else:
            record = record_text.sequence_record(answers, today=_today(), page_url=args.page_url)
        print(record.text, end="", file=out)
        return EXIT_ERROR if record.status == "error" else EXIT_OK
    if isinstance(answers, GradeError):
        payload: dict[str, object] = {
            "status": "error",
            "error": {"field": answers.field, "message": answers.message},
            "engine_version": ENGINE_VERSION,
        }
    else:
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
