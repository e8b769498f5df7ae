"""Scenario tests of the sequencing engine, one per statement of shared/spec/sequencing.md."""

from __future__ import annotations

from typing import Any

import pytest

from calculator import ENGINE_VERSION, sequence
from calculator.sequencing import sequence_params

PRRT = "prrt_lu177_dotatate"

PNET_BASE: dict[str, Any] = {
    "site": "pancreas",
    "differentiation": "well",
    "grade": "G2",
    "stage": "advanced",
    "syndrome": "none",
    "current_ssa": "none",
    "resectable": "no",
    "vhl": "no",
    "bulk_symptoms": "no",
    "sstr": "positive",
    "hepatic_predominant": "no",
}
GI_BASE: dict[str, Any] = {
    "site": "small_intestine",
    "differentiation": "well",
    "grade": "G1",
    "stage": "advanced",
    "syndrome": "none",
    "current_ssa": "none",
    "resectable": "no",
    "bulk_symptoms": "no",
    "sstr": "positive",
    "hepatic_predominant": "no",
}


def run(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    answers = {**base, **changes}
    answers = {k: v for k, v in answers.items() if v is not None}
    return sequence(answers).to_dict()


def opts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in result["options"]}


def advice(result: dict[str, Any]) -> set[str]:
    return {a["id"] for a in result["advice"]}


def complete(result: dict[str, Any]) -> dict[str, Any]:
    assert result["status"] == "complete", result
    return result


# ---------------------------------------------------------------- pNET 1: hormone syndromes


def test_pnet_1_insulinoma_diet_diazoxide_everolimus_ssa_with_caution() -> None:
    r = complete(run(PNET_BASE, syndrome="insulinoma", syndrome_controlled="yes", resectable="yes"))
    o = opts(r)
    assert o["dietary_management"]["preference"] == "preferred"
    assert o["diazoxide"]["preference"] == "preferred"
    assert o["everolimus"]["preference"] in ("preferred", "alternative")
    assert o["ssa"]["preference"] == "caution"
    assert "ssa_may_worsen_hypoglycemia" in advice(r)
    assert r["path"].index("hormone-syndrome") < r["path"].index("resectability")


def test_pnet_1_insulinoma_ssa_stays_caution_even_when_first_line_suggests_ssa() -> None:
    r = complete(
        run(
            PNET_BASE,
            syndrome="insulinoma",
            syndrome_controlled="no",
            current_ssa="none",
            pace="progressing",
            grade="G1",
        )
    )
    o = opts(r)
    assert o["ssa"]["preference"] == "caution"
    assert o["everolimus"]["preference"] == "preferred"  # refractory hypoglycaemia
    assert "ssa_may_worsen_hypoglycemia" in advice(r)


def test_pnet_1_gastrinoma_ppi_then_ssa_for_refractory() -> None:
    controlled = opts(
        complete(run(PNET_BASE, syndrome="gastrinoma", syndrome_controlled="yes", resectable="yes"))
    )
    assert controlled["ppi_high_dose"]["preference"] == "preferred"
    assert "ssa" not in controlled
    refractory = opts(
        complete(run(PNET_BASE, syndrome="gastrinoma", syndrome_controlled="no", resectable="yes"))
    )
    assert refractory["ppi_high_dose"]["preference"] == "preferred"
    assert refractory["ssa"]["preference"] in ("preferred", "alternative")


@pytest.mark.parametrize("syndrome", ["vipoma", "glucagonoma", "somatostatinoma", "other"])
def test_pnet_1_other_syndromes_get_ssa(syndrome: str) -> None:
    r = complete(run(PNET_BASE, syndrome=syndrome, syndrome_controlled="yes", resectable="yes"))
    assert opts(r)["ssa"]["preference"] == "preferred"
    assert opts(r)["ssa"]["step"] == "hormone-syndrome"


def test_pnet_1_syndrome_controlled_is_asked_only_with_a_syndrome() -> None:
    r = run(PNET_BASE, syndrome="vipoma", resectable=None)
    assert r["status"] == "needs_input"
    assert r["next_question"]["key"] == "syndrome_controlled"
    r = run(PNET_BASE, syndrome="none", resectable=None)
    assert r["next_question"]["key"] == "resectable"
    assert "syndrome-control" not in r["path"]


# ---------------------------------------------------------------- pNET 2: resectable


def test_pnet_2_resectable_metastases_resection_preferred() -> None:
    r = complete(run(PNET_BASE, resectable="yes"))
    assert r["options"][0]["id"] == "surgical_resection"
    assert r["options"][0]["preference"] == "preferred"
    assert r["path"][-1] == "resectability"


# ---------------------------------------------------------------- pNET 3: first line


def test_pnet_3_asymptomatic_low_volume_observation_2c() -> None:
    r = complete(run(PNET_BASE, grade="G1", current_ssa="none", pace="stable", burden="low"))
    o = opts(r)
    assert o["observation"]["preference"] == "preferred"
    assert o["observation"]["strength"] == "2C"
    assert "ssa" not in o


def test_pnet_3_asymptomatic_high_burden_ssa_2b() -> None:
    r = complete(run(PNET_BASE, grade="G1", current_ssa="none", pace="stable", burden="high"))
    assert opts(r)["ssa"]["preference"] == "preferred"
    assert opts(r)["ssa"]["strength"] == "2B"
    assert "observation" not in opts(r)


def test_pnet_3_progressive_not_on_ssa_ssa_2c_without_asking_burden() -> None:
    r = complete(run(PNET_BASE, grade="G1", current_ssa="none", pace="progressing"))
    assert opts(r)["ssa"]["preference"] == "preferred"
    assert opts(r)["ssa"]["strength"] == "2C"
    assert "pnet-tumour-burden" not in r["path"]


def test_pnet_3_hormone_symptomatic_not_on_ssa_ssa_2c() -> None:
    r = complete(
        run(
            PNET_BASE,
            grade="G1",
            syndrome="vipoma",
            syndrome_controlled="no",
            current_ssa="none",
            pace="stable",
        )
    )
    assert opts(r)["ssa"]["strength"] == "2C"


# ---------------------------------------------------------------- pNET 4: bulky or rapid


@pytest.mark.parametrize(("bulk", "pace"), [("yes", "stable"), ("no", "rapid"), ("yes", "rapid")])
def test_pnet_4_bulky_or_rapid_captem_preferred_over_temozolomide(bulk: str, pace: str) -> None:
    r = complete(
        run(PNET_BASE, bulk_symptoms=bulk, current_ssa="none", pace=pace, hepatic_predominant="no")
    )
    o = opts(r)
    assert o["captem"]["preference"] == "preferred"
    assert o["captem"]["strength"] == "2C"
    assert r["options"].index(o["captem"]) < r["options"].index(o["temozolomide"])
    assert o["streptozocin_based"]["preference"] == "alternative"
    # Chemotherapy first: PRRT and targeted drugs stay below it, for when it fails or is unsuitable.
    assert o[PRRT]["preference"] == "consider"
    assert o["everolimus"]["preference"] == "consider"
    assert "pnet-cytoreduction" in r["path"]


# ---------------------------------------------------------------- pNET 5: progression on SSA


def progression(**changes: Any) -> dict[str, Any]:
    base = {
        **PNET_BASE,
        "current_ssa": "standard",
        "pace": "progressing",
        "hepatic_predominant": "no",
        "prolonged_ssa_benefit": "no",
    }
    return complete(run(base, **changes))


def test_pnet_5_progression_on_ssa_trial_and_prrt_preferred_when_sstr_positive() -> None:
    r = progression(sstr="positive")
    o = opts(r)
    assert o["clinical_trial"]["preference"] == "preferred"
    assert o[PRRT]["preference"] == "preferred"
    assert o["everolimus"]["preference"] == "alternative"
    assert o["sunitinib"]["preference"] == "alternative"
    assert "pnet-progression-on-ssa" in r["path"]


def test_pnet_5_partial_sstr_targeted_drugs_and_no_preferred_prrt() -> None:
    o = opts(progression(sstr="partial"))
    assert o[PRRT]["preference"] not in ("preferred", "alternative")
    assert o["everolimus"]["preference"] in ("preferred", "alternative")
    assert o["sunitinib"]["preference"] in ("preferred", "alternative")


def test_pnet_5_sstr_negative_never_prrt() -> None:
    assert PRRT not in opts(progression(sstr="negative"))


def test_pnet_5_hepatic_predominant_liver_directed_and_debulking() -> None:
    o = opts(progression(sstr="positive", hepatic_predominant="yes"))
    assert o["liver_directed"]["preference"] == "alternative"
    assert o["surgical_debulking"]["preference"] == "alternative"
    assert "liver_directed" not in opts(progression(sstr="positive"))


def test_pnet_5_dose_escalation_after_long_benefit_is_not_preferred() -> None:
    o = opts(progression(sstr="positive", prolonged_ssa_benefit="yes"))
    assert o["ssa_dose_escalation"]["preference"] == "consider"
    assert "ssa_dose_escalation" not in opts(progression(sstr="positive"))


def test_pnet_5_dose_benefit_not_asked_when_already_escalated() -> None:
    r = run(
        PNET_BASE,
        current_ssa="escalated",
        pace="progressing",
        sstr="positive",
        hepatic_predominant="no",
    )
    assert complete(r)["path"][-1] == "liver-predominance"


# ---------------------------------------------------------------- pNET 6: SSA at a switch


def test_pnet_6_functioning_tumour_continue_ssa_at_switch() -> None:
    r = progression(sstr="negative", syndrome="vipoma", syndrome_controlled="yes")
    assert "continue_ssa" in advice(r)
    assert "consider_stopping_ssa" not in advice(r)


def test_pnet_6_nonfunctioning_progression_consider_stopping_ssa() -> None:
    r = progression(sstr="negative")
    assert "consider_stopping_ssa" in advice(r)
    assert "continue_ssa" not in advice(r)


# ---------------------------------------------------------------- pNET 7: sequencing


def test_pnet_7_prior_failures_are_not_offered_again_and_no_consensus_is_said() -> None:
    r = progression(sstr="positive", prior=["everolimus", PRRT])
    o = opts(r)
    assert "everolimus" not in o and PRRT not in o
    assert "sunitinib" in o
    assert o["cabozantinib"]["newer"] is True  # CABINET, after prior targeted therapy/PRRT
    texts = " ".join(a["text"] for a in r["advice"])
    assert "no_consensus_order" in advice(r) and "agree" in texts


def test_pnet_7_prior_ssa_off_treatment_goes_to_later_line() -> None:
    r = complete(
        run(
            PNET_BASE,
            current_ssa="none",
            pace="progressing",
            prior=["ssa"],
            sstr="positive",
            hepatic_predominant="no",
        )
    )
    assert "pnet-progression-on-ssa" in r["path"]


# ---------------------------------------------------------------- pNET 8: PRRT and immunotherapy


def test_pnet_8_prrt_brings_blood_count_and_no_chemo_advice() -> None:
    r = progression(sstr="positive")
    assert {"cbc_after_prrt", "no_concurrent_chemo_with_prrt"} <= advice(r)
    assert opts(r)["immunotherapy"]["preference"] == "not_recommended"
    assert r["options"][-1]["id"] == "immunotherapy"


def test_pnet_8_no_prrt_no_prrt_advice() -> None:
    r = progression(sstr="negative")
    assert not {"cbc_after_prrt", "no_concurrent_chemo_with_prrt"} & advice(r)


# ---------------------------------------------------------------- pNET 9: VHL


def test_pnet_9_vhl_belzutifan_option() -> None:
    r = complete(run(PNET_BASE, vhl="yes", grade="G1", current_ssa="none", pace="progressing"))
    # Approved for VHL pNET, but LITESPARK-004 excluded metastatic disease: a consideration here.
    assert opts(r)["belzutifan"]["preference"] == "consider"
    assert "metastatic" in opts(r)["belzutifan"]["rationale"]
    assert "belzutifan" not in opts(
        run(PNET_BASE, grade="G1", current_ssa="none", pace="progressing")
    )


# ---------------------------------------------------------------- GI pathway


def test_gi_ssa_first_line_promid_clarinet() -> None:
    r = complete(run(GI_BASE, current_ssa="none", pace="progressing", sstr="positive"))
    assert r["pathway"] == "gi"
    ssa = opts(r)["ssa"]
    assert ssa["preference"] == "preferred"
    assert {"promid", "clarinet"} <= set(ssa["evidence"])
    assert r["options"][0]["id"] == "ssa"


def test_gi_carcinoid_syndrome_ssa_dose_escalation_and_telotristat() -> None:
    r = complete(
        run(
            GI_BASE,
            syndrome="carcinoid_syndrome",
            syndrome_controlled="no",
            current_ssa="standard",
            resectable="yes",
        )
    )
    o = opts(r)
    assert o["ssa"]["preference"] == "preferred"
    assert o["ssa_dose_escalation"]["preference"] in ("preferred", "alternative")
    assert "telestar" in o["telotristat"]["evidence"]
    assert "30 mg" in o["ssa_dose_escalation"]["rationale"]
    assert o["telotristat"]["aims"] == ["hormone_control"]


def gi_progression(**changes: Any) -> dict[str, Any]:
    base = {
        **GI_BASE,
        "current_ssa": "standard",
        "pace": "progressing",
        "hepatic_predominant": "no",
        "prolonged_ssa_benefit": "no",
    }
    return complete(run(base, **changes))


def test_gi_progression_on_ssa_prrt_preferred_netter1() -> None:
    r = gi_progression(sstr="positive")
    prrt = opts(r)[PRRT]
    assert prrt["preference"] == "preferred" and "netter_1" in prrt["evidence"]
    assert {"cbc_after_prrt", "no_concurrent_chemo_with_prrt", "continue_ssa_with_prrt"} <= advice(
        r
    )
    assert "gi-progression-on-ssa" in r["path"]


def test_gi_everolimus_radiant4_nonfunctioning_first_functioning_only_considered() -> None:
    nonfunctioning = opts(gi_progression(sstr="positive"))["everolimus"]
    assert "radiant_4" in nonfunctioning["evidence"]
    assert nonfunctioning["preference"] == "alternative"
    functioning = gi_progression(
        sstr="positive", syndrome="carcinoid_syndrome", syndrome_controlled="yes"
    )
    # RADIANT-4 excluded functioning tumours: offered only as a consideration, and says so.
    assert opts(functioning)["everolimus"]["preference"] == "consider"
    assert "RADIANT-4" in opts(functioning)["everolimus"]["rationale"]


def test_gi_liver_directed_and_dose_escalation() -> None:
    o = opts(
        gi_progression(sstr="positive", hepatic_predominant="yes", prolonged_ssa_benefit="yes")
    )
    assert o["liver_directed"]["preference"] == "alternative"
    assert o["ssa_dose_escalation"]["preference"] == "consider"
    # CLARINET FORTE's full paper (2021) is cited by the core source: not newer evidence.
    assert o["ssa_dose_escalation"]["newer"] is False
    assert "clarinet_forte" in o["ssa_dose_escalation"]["evidence"]


def test_gi_netter2_first_line_prrt_newer_with_ki67_at_least_10() -> None:
    r = complete(
        run(
            GI_BASE,
            grade=None,
            ki67_percent="15",
            current_ssa="none",
            pace="progressing",
            sstr="positive",
        )
    )
    prrt = opts(r)[PRRT]
    assert prrt["newer"] is True and prrt["evidence"] == ["netter_2"]
    assert prrt["preference"] == "alternative"
    assert opts(r)["ssa"]["preference"] == "preferred"
    assert {"cbc_after_prrt", "no_concurrent_chemo_with_prrt"} <= advice(r)


@pytest.mark.parametrize(
    ("ki67", "present"), [("9.99", False), ("10", True), ("55", True), ("56", False)]
)
def test_gi_netter2_ki67_range(ki67: str, present: bool) -> None:
    r = complete(
        run(
            GI_BASE,
            grade=None,
            ki67_percent=ki67,
            current_ssa="none",
            pace="progressing",
            sstr="positive",
        )
    )
    assert (PRRT in opts(r)) is present


def test_gi_netter2_grade_only_g2_is_consider_g1_absent() -> None:
    g2 = complete(run(GI_BASE, grade="G2", current_ssa="none", pace="progressing", sstr="positive"))
    assert opts(g2)[PRRT]["preference"] == "consider"
    assert "Ki-67" in opts(g2)[PRRT]["rationale"]
    g1 = complete(run(GI_BASE, grade="G1", current_ssa="none", pace="progressing", sstr="positive"))
    assert PRRT not in opts(g1)


def test_gi_netter2_not_for_sstr_negative() -> None:
    r = complete(
        run(
            GI_BASE,
            grade="G3",
            ki67_percent="30",
            current_ssa="none",
            pace="progressing",
            sstr="negative",
        )
    )
    assert PRRT not in opts(r)
    assert "ssa" not in opts(r)  # receptor-negative: no SSA for tumour control either
    assert "gi-g3" in r["path"]


def test_gi_cabozantinib_after_prior_therapy_newer() -> None:
    assert "cabozantinib" not in opts(gi_progression(sstr="positive"))
    cabo = opts(gi_progression(sstr="positive", prior=["everolimus"]))["cabozantinib"]
    assert cabo["newer"] is True and cabo["evidence"] == ["cabinet"]


def test_gi_sunitinib_is_pancreatic_only() -> None:
    for sstr in ("positive", "partial", "negative", "unknown"):
        assert "sunitinib" not in opts(gi_progression(sstr=sstr, prior=["everolimus"]))


def test_gi_pnet_questions_are_not_asked() -> None:
    r = run(GI_BASE, sstr=None)
    assert r["next_question"]["key"] == "pace"
    assert "pnet-vhl" not in r["path"] and "pnet-bulk-symptoms" not in r["path"]


# ---------------------------------------------------------------- scope


def test_thoracic_out_of_scope() -> None:
    r = sequence({"site": "lung"}).to_dict()
    assert r["status"] == "out_of_scope"
    assert r["pointer"]["page"] == "scope/thoracic"
    assert r["pathway"] is None


def test_poorly_differentiated_out_of_scope_nec_with_platinum_etoposide() -> None:
    r = sequence({"site": "colon", "differentiation": "poor"}).to_dict()
    assert r["status"] == "out_of_scope"
    assert r["pointer"]["page"] == "scope/nec"
    assert [o["id"] for o in r["options"]] == ["platinum_etoposide"]


def test_localized_out_of_scope_surgery() -> None:
    r = sequence(
        {"site": "rectum", "differentiation": "well", "grade": "G1", "stage": "localized"}
    ).to_dict()
    assert r["status"] == "out_of_scope"
    assert r["pointer"]["page"] == "scope/localized"
    assert opts(r)["surgical_resection"]["preference"] == "preferred"


def test_minen_from_grading_out_of_scope() -> None:
    r = sequence(
        {
            "site": "pancreas",
            "differentiation": "well",
            "ki67_percent": "30",
            "ne_component_percent": "50",
        }
    ).to_dict()
    assert r["status"] == "out_of_scope"
    assert r["pointer"]["page"] == "scope/minen"


def test_g3_well_differentiated_stays_in_the_tree() -> None:
    r = sequence(
        {"site": "pancreas", "differentiation": "well", "ki67_percent": "35", "stage": "advanced"}
    ).to_dict()
    assert r["status"] == "needs_input"
    assert r["next_question"]["key"] == "syndrome"


# ---------------------------------------------------------------- partial answers


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({}, "site"),
        ({"site": "pancreas"}, "differentiation"),
        ({"site": "pancreas", "differentiation": "well"}, "grade"),
        ({"site": "pancreas", "differentiation": "well", "ki67_percent": "5"}, "stage"),
        ({"site": "colon", "differentiation": "well", "grade": "G2"}, "stage"),
        ({**PNET_BASE, "vhl": None, "bulk_symptoms": None}, "vhl"),
        ({**PNET_BASE, "current_ssa": None}, "current_ssa"),
        ({**PNET_BASE, "current_ssa": "standard"}, "pace"),
        ({**PNET_BASE, "sstr": None, "current_ssa": "standard", "pace": "progressing"}, "sstr"),
        ({**PNET_BASE, "grade": "G1", "current_ssa": "none", "pace": "stable"}, "burden"),
        ({**PNET_BASE, "sstr": None, "grade": "G1", "pace": "stable"}, "sstr"),
        (
            {
                **PNET_BASE,
                "bulk_symptoms": "yes",
                "pace": "stable",
                "hepatic_predominant": None,
            },
            "hepatic_predominant",
        ),
        (
            {
                **GI_BASE,
                "current_ssa": "standard",
                "pace": "progressing",
                "sstr": "positive",
                "hepatic_predominant": "no",
            },
            "prolonged_ssa_benefit",
        ),
    ],
)
def test_partial_answers_ask_the_right_next_key(answers: dict[str, Any], key: str) -> None:
    answers = {k: v for k, v in answers.items() if v is not None}
    r = sequence(answers).to_dict()
    assert r["status"] == "needs_input"
    assert r["next_question"]["key"] == key
    assert r["next_question"]["choices"] and r["next_question"]["text"]
    assert r["options"] == [] and r["error"] is None


def test_result_shape_and_engine_version() -> None:
    r = progression(sstr="positive")
    assert r["engine_version"] == ENGINE_VERSION
    assert set(r) >= {"status", "pathway", "path", "next_question", "options", "advice", "error"}
    assert r["next_question"] is None and r["error"] is None and r["pointer"] is None
    for o in r["options"]:
        assert set(o) == {
            "id",
            "name",
            "preference",
            "strength",
            "strength_scope",
            "rationale",
            "evidence",
            "step",
            "newer",
            "aims",
            "also",
            "source",
        }
        assert set(o["source"]) == {"id", "title", "kind", "date", "section"}
        assert (o["strength_scope"] is None) == (o["strength"] is None)
    for a in r["advice"]:
        assert a["sources"] and all(s["title"] for s in a["sources"])


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"site": "pancreas", "colour": "blue"}, "colour"),
        ({"site": "liver"}, "site"),
        ({"site": "pancreas", "differentiation": "moderate"}, "differentiation"),
        ({"site": "pancreas", "grade": "G4"}, "grade"),
        ({"site": "pancreas", "sstr": 1}, "sstr"),
        ({"site": "pancreas", "prior": ["everolimus", "aspirin"]}, "prior"),
        ({"site": "pancreas", "prior": 5}, "prior"),
        ({"site": "pancreas", "differentiation": "well", "ki67_percent": "abc"}, "ki67_percent"),
        ({"ki67_percent": "abc"}, "ki67_percent"),
        (
            {"site": "pancreas", "ki67": {"positive_cells": 600, "total_cells": 500}},
            "ki67.positive_cells",
        ),
        ({"site": "pancreas", "ki67_percent": "Infinity"}, "ki67_percent"),
    ],
)
def test_errors_name_the_field(answers: dict[str, Any], field: str) -> None:
    r = sequence(answers).to_dict()
    assert r["status"] == "error"
    assert r["error"]["field"] == field
    assert r["error"]["message"]
    assert r["options"] == [] and r["next_question"] is None


def test_error_messages_are_clear() -> None:
    r = sequence({"site": "pancreas", "prior": ["aspirin"]}).to_dict()
    assert "aspirin" in r["error"]["message"]
    r = sequence({"site": "liver"}).to_dict()
    assert "liver" in r["error"]["message"] and "pancreas" in r["error"]["message"]


def test_not_a_mapping_is_an_error() -> None:
    r = sequence(["site"]).to_dict()  # type: ignore[arg-type]
    assert r["status"] == "error" and r["error"]["field"] == "input"


# ---------------------------------------------------------------- query-string parameters


def test_params_match_the_json_engine() -> None:
    params = {
        "site": "pancreas",
        "differentiation": "well",
        "ki67_percent": "15",
        "stage": "advanced",
        "syndrome": "none",
        "resectable": "no",
        "vhl": "no",
        "bulk_symptoms": "no",
        "current_ssa": "standard",
        "pace": "progressing",
        "sstr": "positive",
        "hepatic_predominant": "no",
        "prolonged_ssa_benefit": "no",
        "prior": "everolimus, sunitinib",
        "utm_source": "mail",
        "step": "x",
    }
    via_params = sequence_params(params)
    answers = {**params, "prior": ["everolimus", "sunitinib"]}
    del answers["utm_source"], answers["step"]
    assert via_params == sequence(answers).to_dict()
    assert "cabozantinib" in opts(via_params)


def test_params_empty_strings_are_absent_and_dotted_grading_keys_work() -> None:
    r = sequence_params(
        {
            "site": "colon",
            "differentiation": "well",
            "grade": "",
            "ki67.positive_cells": "60",
            "ki67.total_cells": "600",
            "prior": "",
        }
    )
    assert r["status"] == "needs_input" and r["next_question"]["key"] == "stage"
    r = sequence_params({"site": "colon", "differentiation": "well", "grade": ""})
    assert r["next_question"]["key"] == "grade"


def test_params_grading_error_and_bad_values_never_raise() -> None:
    r = sequence_params({"site": "pancreas", "differentiation": "well", "ki67_percent": "abc"})
    assert r["status"] == "error" and r["error"]["field"] == "ki67_percent"
    r = sequence_params({"site": "pancreas", "mitoses.count": "3"})
    assert r["status"] == "error" and r["error"]["field"].startswith("mitoses")
    assert sequence_params({"site": "mars"})["error"]["field"] == "site"
    assert sequence_params(None)["status"] == "error"  # type: ignore[arg-type]
    assert sequence_params({"prior": "ssa,,nonsense"})["error"]["field"] == "prior"
