"""Revision 2 of shared/spec/sequencing.md (clinical safety rules), one patient per rule, as a
clinician would describe them, through `calculator.sequence()` and through the command line.
The exhaustive checks of the same rules are in test_sequencing_paths.py."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest

from calculator import sequence
from calculator.cli import main

PRRT = "prrt_lu177_dotatate"
PNET: dict[str, Any] = {
    "site": "pancreas",
    "differentiation": "well",
    "stage": "advanced",
    "syndrome": "none",
    "current_ssa": "none",
    "resectable": "no",
    "vhl": "no",
    "bulk_symptoms": "no",
    "hepatic_predominant": "no",
}
GI: dict[str, Any] = {
    "site": "small_intestine",
    "differentiation": "well",
    "stage": "advanced",
    "syndrome": "none",
    "current_ssa": "none",
    "resectable": "no",
    "bulk_symptoms": "no",
    "hepatic_predominant": "no",
}


def via_cli(answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(answers)))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    status = main(["recommend"])
    result = json.loads(out.getvalue())
    assert status == (2 if result["status"] == "error" else 0)
    return result


@pytest.fixture(params=["api", "cli"])
def run(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The same patient through the Python API and through `python -m calculator recommend`."""

    def _run(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
        answers = {k: v for k, v in {**base, **changes}.items() if v is not None}
        if request.param == "cli":
            return via_cli(answers, monkeypatch)
        return sequence(answers).to_dict()

    return _run


def options(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert r["status"] in ("complete", "out_of_scope"), r
    return {o["id"]: o for o in r["options"]}


def advice(r: dict[str, Any]) -> set[str]:
    return {a["id"] for a in r["advice"]}


def test_rule_1_grade_shown_only_for_g1_g2_receptor_positive(run: Any) -> None:
    # A G2 pNET (Ki-67 8 %), growing, not yet on an SSA, with uptake in all lesions: SSA 2C.
    inside = options(run(PNET, ki67_percent="8", pace="progressing", sstr="positive"))
    assert inside["ssa"]["strength"] == "2C" and inside["ssa"]["preference"] == "preferred"
    assert "G1/G2" in inside["ssa"]["strength_scope"]
    # The same tumour with imaging not done: the SSA may be considered, with no grade attached.
    unknown = options(run(PNET, ki67_percent="8", pace="progressing", sstr="unknown"))
    assert unknown["ssa"]["strength"] is None and unknown["ssa"]["preference"] == "consider"
    # A stable, low-volume G3 pNET: no observation 2C.
    g3 = options(run(PNET, ki67_percent="25", pace="stable", sstr="positive", burden="low"))
    assert all(o["strength"] is None for o in g3.values())


def test_rule_2_receptor_negative_g2_pnet_is_asked_and_gets_no_ssa(run: Any) -> None:
    # The review's case: receptor-negative G2 pNET, Ki-67 8 %, growing, never on an SSA.
    asked = run(PNET, ki67_percent="8", pace="progressing")
    assert asked["status"] == "needs_input" and asked["next_question"]["key"] == "sstr"
    o = options(run(PNET, ki67_percent="8", pace="progressing", sstr="negative"))
    assert "ssa" not in o and PRRT not in o
    assert {"everolimus", "sunitinib", "captem"} <= set(o)


def test_rule_2_functioning_receptor_negative_keeps_the_ssa_only_for_hormones(run: Any) -> None:
    r = run(
        GI,
        grade="G2",
        syndrome="carcinoid_syndrome",
        syndrome_controlled="yes",
        current_ssa="standard",
        pace="progressing",
        sstr="negative",
    )
    o = options(r)
    assert o["ssa"]["aims"] == ["hormone_control"]
    assert "hormone control" in o["ssa"]["rationale"]
    assert PRRT not in o


def test_rule_2_unknown_receptor_status_asks_for_imaging_and_promotes_nothing(run: Any) -> None:
    r = run(PNET, grade="G2", current_ssa="standard", pace="progressing", sstr="unknown")
    o = options(r)
    assert "sstr_imaging_first" in advice(r)
    assert o[PRRT]["preference"] == "consider"
    assert o["captem"]["preference"] == "alternative"  # preferred only with imaging known
    assert [k for k, v in o.items() if v["preference"] == "preferred"] == ["clinical_trial"]


def test_rule_3_g3_pnet_receptor_negative_progressing_gets_chemotherapy_not_an_ssa(
    run: Any,
) -> None:
    r = run(PNET, ki67_percent="35", pace="progressing", sstr="negative")
    o = options(r)
    assert "pnet-g3" in r["path"]
    assert o["captem"]["preference"] == "preferred" and o["captem"]["strength"] is None
    assert {"everolimus", "sunitinib"} <= set(o)
    assert "ssa" not in o and PRRT not in o


def test_rule_3_g3_stable_low_volume_is_not_observed_by_default(run: Any) -> None:
    stable = options(run(PNET, ki67_percent="25", pace="stable", sstr="positive"))
    assert stable["observation"]["preference"] == "consider"
    assert stable[PRRT]["preference"] == "preferred"  # NETTER-2: newly diagnosed, stable allowed
    assert stable["captem"]["preference"] == "alternative"
    growing = options(run(PNET, ki67_percent="25", pace="progressing", sstr="positive"))
    assert growing["captem"]["preference"] == "preferred"
    assert "observation" not in growing


def test_rule_3_g3_receptor_positive_up_to_55_gets_netter2_prrt(run: Any) -> None:
    o = options(run(GI, ki67_percent="35", pace="progressing", sstr="positive"))
    assert o[PRRT]["preference"] == "preferred" and o[PRRT]["newer"] is True
    assert o[PRRT]["evidence"] == ["netter_2"]
    assert o["ssa"]["preference"] == "consider"  # SSA alone only for selected patients


def test_rule_3_ki67_70_typed_as_well_differentiated(run: Any) -> None:
    r = run(PNET, ki67_percent="70", pace="progressing", sstr="positive")
    o = options(r)
    assert "confirm_differentiation_ki67_gt55" in advice(r)
    assert "ki67_gt55_confirm_well_differentiated" in r["grading"]["flags"]
    assert o["captem"]["preference"] == "preferred"
    assert o["platinum_etoposide"]["preference"] == "consider"
    assert "ssa" not in o and PRRT not in o


def test_rule_3_rapid_colon_g3_receptor_negative_is_not_left_with_an_ssa(run: Any) -> None:
    r = run({**GI, "site": "colon"}, ki67_percent="30", pace="rapid", sstr="negative")
    o = options(r)
    assert "gi-g3" in r["path"]
    assert o["captem"]["preference"] == "preferred"
    assert "ssa" not in o


def test_rule_4_contradicting_grade_is_an_error_naming_both(run: Any) -> None:
    r = run(PNET, grade="G1", ki67_percent="35")
    assert r["status"] == "error" and r["error"]["field"] == "grade"
    assert "G1" in r["error"]["message"] and "G3" in r["error"]["message"]
    assert "35" in r["error"]["message"]


def test_rule_4_grading_result_travels_with_the_answer(run: Any) -> None:
    r = run(PNET, ki67_percent="12", pace="progressing", sstr="positive")
    assert r["grading"]["grade"] == "G2" and r["grading"]["ki67_percent"] == 12
    assert r["grading"]["headline"] and isinstance(r["grading"]["flag_details"], list)
    # A grade answered directly carries no grading result.
    assert run(PNET, grade="G2", pace="progressing", sstr="positive")["grading"] is None


def test_rule_5_no_escalation_or_telotristat_without_a_current_ssa(run: Any) -> None:
    naive = options(
        run(
            GI,
            grade="G2",
            syndrome="carcinoid_syndrome",
            syndrome_controlled="no",
            resectable="yes",
        )
    )
    assert naive["ssa"]["preference"] == "preferred"
    assert "ssa_dose_escalation" not in naive and "telotristat" not in naive


def test_rule_5_already_escalated_gets_telotristat_prrt_and_liver_directed(run: Any) -> None:
    r = run(
        GI,
        grade="G2",
        syndrome="carcinoid_syndrome",
        syndrome_controlled="no",
        current_ssa="escalated",
        pace="stable",
        sstr="positive",
        hepatic_predominant="yes",
    )
    o = options(r)
    assert "ssa_dose_escalation" not in o
    assert o["telotristat"]["preference"] == "preferred"
    assert "hormone_control" in o[PRRT]["aims"]
    assert "liver_directed" in o


def test_rule_5_after_captem_no_temozolomide(run: Any) -> None:
    o = options(
        run(
            PNET,
            grade="G2",
            bulk_symptoms="yes",
            pace="progressing",
            sstr="positive",
            prior=["captem"],
        )
    )
    assert "captem" not in o and "temozolomide" not in o
    assert o["streptozocin_based"]["preference"] == "alternative"


def test_rule_6_functioning_small_bowel_receptor_negative_on_ssa_is_no_dead_end(run: Any) -> None:
    o = options(
        run(
            GI,
            grade="G2",
            syndrome="carcinoid_syndrome",
            syndrome_controlled="yes",
            current_ssa="standard",
            pace="progressing",
            sstr="negative",
        )
    )
    active = {"everolimus", "captem"} & set(o)
    assert len(active) == 2


def test_rule_6_duodenal_gastrinoma_is_no_dead_end(run: Any) -> None:
    o = options(
        run(
            {**GI, "site": "duodenum"},
            grade="G2",
            syndrome="gastrinoma",
            syndrome_controlled="yes",
            current_ssa="standard",
            pace="progressing",
            sstr="negative",
        )
    )
    assert o["ppi_high_dose"]["aims"] == ["hormone_control"]
    assert {"everolimus", "captem"} <= set(o)


def test_rule_6_used_up_options_are_said(run: Any) -> None:
    r = run(
        GI,
        grade="G2",
        pace="progressing",
        sstr="negative",
        current_ssa="standard",
        prior=["everolimus", "captem", "cabozantinib"],
    )
    assert "few_options_left" in advice(r)


def test_rule_7_liver_directed_therapy_at_first_line(run: Any) -> None:
    o = options(
        run(PNET, grade="G1", pace="progressing", sstr="positive", hepatic_predominant="yes")
    )
    assert o["liver_directed"]["preference"] == "alternative"
    assert o["ssa"]["preference"] == "preferred"


def test_rule_8_belzutifan_for_localized_vhl_pnet(run: Any) -> None:
    r = run(
        {"site": "pancreas", "differentiation": "well", "grade": "G1"}, stage="localized", vhl="yes"
    )
    assert r["status"] == "out_of_scope" and r["pointer"]["page"] == "scope/localized"
    assert options(r)["belzutifan"]["preference"] == "alternative"
    assert "pregnancy_and_contraception" in advice(r)


def test_rule_9_safety_advice_travels_with_its_option(run: Any) -> None:
    r = run(
        PNET,
        grade="G2",
        syndrome="insulinoma",
        syndrome_controlled="no",
        current_ssa="standard",
        pace="progressing",
        sstr="positive",
        prolonged_ssa_benefit="no",
    )
    ids = advice(r)
    assert {"prrt_eligibility", "cbc_after_prrt", "hypoglycaemia_watch_insulinoma"} <= ids
    assert {"dpd_testing_before_capecitabine", "pregnancy_and_contraception"} <= ids
    for a in r["advice"]:
        assert a["sources"] and all(s["title"] and s["kind"] for s in a["sources"])
    crisis = run(
        GI,
        grade="G2",
        syndrome="carcinoid_syndrome",
        syndrome_controlled="yes",
        resectable="yes",
    )
    assert {"carcinoid_crisis_prophylaxis", "screen_carcinoid_heart_disease"} <= advice(crisis)


def test_rule_10_grading_side(run: Any) -> None:
    # Thoracic labels and the not-a-MiNEN rule are grading rules; in the tree, a tumour that is
    # mainly neuroendocrine is graded and walked, one that is mainly not leaves the tree.
    mostly_ne = run(
        PNET, ki67_percent="12", ne_component_percent="80", pace="progressing", sstr="positive"
    )
    assert mostly_ne["grading"]["grade"] == "G2" and mostly_ne["status"] == "complete"
    mostly_other = run(PNET, ki67_percent="12", ne_component_percent="20")
    assert mostly_other["status"] == "out_of_scope"
    assert mostly_other["pointer"]["page"] == "scope/minen"


def test_ssa_advice_lines_state_their_conditions(run: Any) -> None:
    # Nonfunctioning, progressing on an SSA, PRRT offered: both lines appear, each with its case.
    r = run(
        PNET,
        grade="G2",
        current_ssa="standard",
        pace="progressing",
        sstr="positive",
        prolonged_ssa_benefit="no",
    )
    text = {a["id"]: a["text"] for a in r["advice"]}
    assert {"continue_ssa_with_prrt", "consider_stopping_ssa"} <= set(text)
    assert "continue_ssa" not in text
    assert text["continue_ssa_with_prrt"].startswith("If 177Lu-dotatate is chosen")
    assert text["consider_stopping_ssa"].startswith("Nonfunctioning tumour")
