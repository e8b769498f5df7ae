"""Record summaries ("Copy for the notes", the one-page print, `--format text`): golden files
for a table of results, read and reviewed as a clinician would read them in the notes, and the
rules every summary keeps (a clear notice for an unfinished or refused result, the judgement
line last, a link the sequencing page reads back to the same result).

To rewrite the golden files after a deliberate change of wording or data, run
`NET_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_record_text.py`, then read
every changed file before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from calculator import record_text, sequence, web
from calculator.flat_params import encode_query
from calculator.sequencing.params import answers_to_query, sequence_params
from tests.browser.scenarios import PNET_PROGRESSING  # the browser tests' pNET answers

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "record_text"
TODAY = date(2026, 8, 1)
PAGE = "https://intranet.hospital.example/net-guide/calculator/sequence/"


GRADE_CASES: dict[str, object] = {
    "grade_pnet_g2": {
        "site": "pancreas",
        "differentiation": "well",
        "ki67_percent": "12",
        "mitoses": {"per_2mm2": "3"},
    },
    "grade_counts_and_fields": {
        "site": "small_intestine",
        "differentiation": "well",
        "ki67": {"positive_cells": "30", "total_cells": "400"},
        "mitoses": {"count": "5", "hpf": "10", "field_diameter_mm": "0,55"},
    },
    "grade_g3_differentiation_missing": {"site": "pancreas", "ki67_percent": "30"},
    "grade_net_g3_above_55": {
        "site": "pancreas",
        "differentiation": "well",
        "ki67_percent": "60",
        "mitoses": {"count": "30", "area_mm2": "10"},
    },
    "grade_nec_colon": {
        "site": "colon",
        "differentiation": "poor",
        "ki67_percent": 70,
        "mitoses": {"per_2mm2": 30},
    },
    "grade_lung_typical_carcinoid": {
        "site": "lung",
        "mitoses": {"count": "3", "hpf": "50", "field_area_mm2": "0.2"},
        "necrosis": False,
        "ki67_percent": "<3",
    },
    "grade_lung_necrosis_unknown": {"site": "lung", "mitoses": {"per_2mm2": "1"}},
    "grade_minen": {
        "site": "rectum",
        "differentiation": "well",
        "ki67_percent": "5",
        "ne_component_percent": "40",
    },
    "grade_error_liver": {"site": "liver", "ki67_percent": "5"},
    "grade_error_ki67_text": {"site": "pancreas", "ki67_percent": "abc"},
    "grade_error_not_an_object": ["pancreas", 12],
}

SEQUENCE_CASES: dict[str, object] = {
    "seq_pnet_progressing_after_everolimus": {**PNET_PROGRESSING, "prior": ["everolimus"]},
    "seq_pnet_stable_high_volume_graded": {
        "site": "pancreas",
        "differentiation": "well",
        "grade": "G2",
        "stage": "advanced",
        "syndrome": "none",
        "current_ssa": "none",
        "resectable": "no",
        "vhl": "no",
        "bulk_symptoms": "no",
        "pace": "stable",
        "sstr": "positive",
        "burden": "high",
    },
    "seq_gi_carcinoid_syndrome": {
        "site": "small_intestine",
        "differentiation": "well",
        "grade": "G1",
        "stage": "advanced",
        "syndrome": "carcinoid_syndrome",
        "syndrome_controlled": "no",
        "current_ssa": "standard",
        "resectable": "no",
        "bulk_symptoms": "no",
        "pace": "stable",
        "sstr": "positive",
        "hepatic_predominant": "yes",
    },
    "seq_pnet_g3_from_indices": {
        "site": "pancreas",
        "differentiation": "well",
        "ki67_percent": "60",
        "mitoses": {"per_2mm2": "12"},
        "stage": "advanced",
        "syndrome": "none",
        "current_ssa": "none",
        "resectable": "no",
        "vhl": "no",
        "bulk_symptoms": "no",
        "pace": "progressing",
        "sstr": "positive",
        "hepatic_predominant": "yes",
    },
    "seq_needs_input": {"site": "pancreas", "differentiation": "well", "grade": "G1"},
    "seq_no_answers": {},
    "seq_out_of_scope_nec": {"site": "pancreas", "differentiation": "poor"},
    "seq_error_unknown_value": {"site": "pancreas", "stage": "metastatic"},
    "seq_error_unknown_prior": {"site": "pancreas", "prior": ["lutathera"]},
}


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("NET_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with NET_UPDATE_GOLDEN=1 and read it"
    assert text == path.read_text(encoding="utf-8"), f"{name}: the summary changed"


@pytest.mark.parametrize("name", GRADE_CASES)
def test_grade_summary_matches_its_golden_file(name: str) -> None:
    _check_golden(name, record_text.grade_record(GRADE_CASES[name], today=TODAY).text)


@pytest.mark.parametrize("name", SEQUENCE_CASES)
def test_sequence_summary_matches_its_golden_file(name: str) -> None:
    answers = SEQUENCE_CASES[name]
    text = record_text.sequence_record(answers, today=TODAY, page_url=PAGE).text  # type: ignore[arg-type]
    _check_golden(name, text)


def test_every_golden_file_has_a_case() -> None:
    names = {p.stem for p in GOLDEN.glob("*.txt")}
    assert names == set(GRADE_CASES) | set(SEQUENCE_CASES)


def _records() -> list[record_text.Record]:
    grades = [record_text.grade_record(i, today=TODAY) for i in GRADE_CASES.values()]
    sequences = [
        record_text.sequence_record(a, today=TODAY, page_url=PAGE)  # type: ignore[arg-type]
        for a in SEQUENCE_CASES.values()
    ]
    return grades + sequences


def test_every_summary_ends_with_the_judgement_line_and_names_version_and_date() -> None:
    for record in _records():
        lines = record.text.splitlines()
        assert lines[-1] == "Supports, and does not replace, clinical judgement."
        assert "NET Guide calculator 0.2.0" in record.text or "calculator" in lines[-3]
        assert "Summary made on 2026-08-01." in lines


def test_an_unfinished_or_refused_result_says_so_first_and_lists_no_options() -> None:
    for record in _records():
        second = record.text.splitlines()[1]
        if record.status in ("error", "incomplete", "needs_input"):
            assert not record.final
            assert second.startswith(("NO RESULT", "INCOMPLETE")), record.text
        if record.status == "error":
            # Nothing that reads like a result: no values, options, advice or link.
            assert "Result:" not in record.text and "Options" not in record.text
            assert record.link is None and "Correct this" in record.text
        if record.status == "needs_input":
            assert "Options" not in record.text and "Open question:" in record.text
        if record.status in ("ok", "complete"):
            assert record.final and record.notice is None


def test_a_summary_shows_no_ids_or_raw_answer_keys() -> None:
    # The ids that could leak (option, step, flag, answer values) never appear as words.
    leaks = [
        "prrt_lu177_dotatate",
        "ssa_dose_escalation",
        "pnet-progression-on-ssa",
        "ki67_fewer_than_500_cells",
        "carcinoid_syndrome",
        "hepatic_predominant",
        "small_intestine",
        "current_ssa",
        "not_recommended",
        "tumour_control",
    ]
    for record in _records():
        if record.status == "error":
            continue  # the engine's message may list the accepted ids, for whoever fixes it
        body = record.text.split("\n\n")
        # The link's query is made of keys by design; everything else is words.
        shown = "\n\n".join(b for b in body if not b.startswith("Reopen"))
        for leak in leaks:
            assert leak not in shown, (leak, record.text)


# The reopening link ------------------------------------------------------------------------


LINK_CASES = [
    answers
    for answers in SEQUENCE_CASES.values()
    if sequence(answers).status != "error"  # type: ignore[arg-type]
] + [
    {**PNET_PROGRESSING, "prior": ["everolimus", "sunitinib"]},
    {
        "site": "small_intestine",
        "differentiation": "well",
        "ki67": {"positive_cells": "30", "total_cells": "400"},
        "mitoses": {"count": "5", "hpf": "10", "field_diameter_mm": "0,55"},
    },
]


@pytest.mark.parametrize("answers", LINK_CASES)
def test_the_link_reads_back_to_the_same_result(answers: dict[str, Any]) -> None:
    """The page reads its query as flat parameters (sequence-calculator.js paramsFromUrl):
    reading the engine's link that way gives the result the answers give."""
    record = record_text.sequence_record(answers, today=TODAY, page_url=PAGE)
    assert record.link is not None and record.link.startswith(PAGE)
    params = dict(parse_qsl(urlsplit(record.link).query, keep_blank_values=True))
    assert sequence_params(params) == sequence(answers).to_dict()


def test_the_link_keeps_the_page_address_but_not_its_query() -> None:
    link = record_text.page_link(PAGE + "?site=lung#how-to-read", {"site": "pancreas"})
    assert link == PAGE + "?site=pancreas"
    for bad in ["javascript:alert(1)", "ftp://x/", "http://", "http://a b/", "x" * 3000, 12]:
        with pytest.raises(ValueError):
            record_text.checked_page_url(bad)


def test_without_the_page_address_the_text_gives_the_query() -> None:
    text = record_text.sequence_record({"site": "lung"}, today=TODAY).text
    assert "Answers as a link (add to the sequencing calculator's address): ?site=lung" in text


def test_the_query_is_encoded_as_the_browser_encodes_it() -> None:
    """Byte for byte what URLSearchParams (common.js queryFor) writes for the same pairs."""
    pairs = [
        ("site", "pancreas"),
        ("ki67_percent", "<1 %"),
        ("prior", "captem,everolimus"),
        ("mitoses.field_diameter_mm", "0,55"),
        ("x", "a+b~c*d'e(f)!ü/é?&="),
    ]
    node = shutil.which("node")
    assert node, "node is needed (make setup installs the npm packages with it)"
    script = (
        "const p = new URLSearchParams();"
        "for (const [k, v] of JSON.parse(process.argv[1])) p.append(k, v);"
        "process.stdout.write(p.toString());"
    )
    written = subprocess.run(
        [node, "-e", script, json.dumps(pairs)], capture_output=True, text=True, check=True
    ).stdout
    assert encode_query(pairs) == written


def test_answers_to_query_orders_keys_as_the_contract() -> None:
    query = answers_to_query({"stage": "advanced", "site": "pancreas", "prior": ["captem"]})
    assert query == "site=pancreas&stage=advanced&prior=captem"


# The worker bridge -------------------------------------------------------------------------


def test_the_bridge_answers_the_same_record() -> None:
    params = {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}
    request = {"params": params, "date": "2026-08-01"}
    shown = json.loads(web.handle("grade_record", json.dumps(request)))
    inputs = {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}
    assert shown == record_text.grade_record(inputs, today=TODAY).to_dict()
    assert shown["text"].startswith("WHO grade of a neuroendocrine neoplasm")
    flat = {k: v for k, v in PNET_PROGRESSING.items()}
    request = {"params": flat, "date": "2026-08-01", "page_url": PAGE}
    shown = json.loads(web.handle("sequence_record", json.dumps(request)))
    expected = record_text.sequence_record(PNET_PROGRESSING, today=TODAY, page_url=PAGE)
    assert shown == expected.to_dict()
    assert shown["link"] == PAGE + "?" + answers_to_query(PNET_PROGRESSING)
    assert shown == web.sequence_record(flat, PAGE, "2026-08-01")


@pytest.mark.parametrize(
    ("kind", "request_", "field"),
    [
        ("grade_record", {"params": {}, "date": "1 August"}, "date"),
        ("grade_record", {"params": {}, "page_url": PAGE}, "page_url"),
        ("sequence_record", {"params": {}, "page_url": "file:///x"}, "page_url"),
        ("sequence_record", {"params": {"site": 3}}, "input"),
        ("sequence_record", {"params": [], "date": "2026-08-01"}, "input"),
        ("sequence_record", {"params": {}, "extra": 1}, "input"),
    ],
)
def test_the_bridge_refuses_a_bad_record_request(kind: str, request_: dict, field: str) -> None:
    shown = json.loads(web.handle(kind, json.dumps(request_)))
    assert shown["status"] == "error" and shown["error"]["field"] == field
    assert "text" not in shown
