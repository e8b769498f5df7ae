"""Exhaustive walk: from each starting point, answer every question the engine asks with every
choice that can make a difference, and check the Revision 2 safety rules on every result.

Answer values the tree never tells apart (no condition names one without the other, such as the
GI sites other than the pancreas) are walked once, through one representative; a separate test
checks that the others give the same result. Starting points: no indices (grade asked), Ki-67
5 / 15 / 35 / 70 %, and several lists of treatments already given (`prior`). The walk itself is
tests/sequencing_walk.py (the FHIR equivalence test walks the same combinations).
"""

from __future__ import annotations

from typing import Any

import pytest

from calculator.sequencing import load_tree, sequence
from calculator.sequencing.contract import (
    ACTIVE_CATEGORIES,
    ADVICE_IDS,
    OFFERED,
    PREFERENCES,
)
from tests.sequencing_walk import PRRT, SEEDS, all_results, value_classes

ALL = all_results()
TREE = load_tree()


def offered(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in r["options"] if o["preference"] in OFFERED}


def grade_of(answers: dict[str, Any], r: dict[str, Any]) -> str | None:
    grading = r.get("grading")
    return answers.get("grade") or (grading or {}).get("grade")


def active(r: dict[str, Any]) -> list[str]:
    """Active treatments for the tumour itself: hormone-only options do not count."""
    return [
        o["id"]
        for o in r["options"]
        if TREE.options[o["id"]].category in ACTIVE_CATEGORIES
        and (
            (o["preference"] in OFFERED and "tumour_control" in o["aims"])
            or any(x["aim"] == "tumour_control" for x in o["also"])
        )
    ]


def tumour_needs_treatment(answers: dict[str, Any], r: dict[str, Any]) -> bool:
    return (
        r["status"] == "complete"
        and answers.get("resectable") == "no"
        and (
            answers.get("pace") in ("progressing", "rapid")
            or answers.get("bulk_symptoms") == "yes"
            or grade_of(answers, r) == "G3"
        )
    )


def test_enumeration_is_large_and_covers_every_step() -> None:
    visited = {s for _, _, r in ALL for s in r["path"]}
    assert visited == {s.id for s in TREE.steps}
    assert len(ALL) > 5000


def test_value_classes_only_merge_values_the_tree_treats_alike() -> None:
    classes = value_classes()
    assert ["pancreas"] in classes["site"]
    assert any("small_intestine" in g and "colon" in g for g in classes["site"])
    # Every value of a merged class gives exactly the result of its representative.
    for _, answers, r in ALL[::97]:
        for key, value in answers.items():
            if key not in classes:
                continue
            group = next(g for g in classes[key] if value in g)
            for other in group[1:]:
                again = sequence({**answers, key: other}).to_dict()
                assert again == r, (answers, key, other)


def test_every_path_ends_complete_or_out_of_scope_with_an_option_or_pointer() -> None:
    for _, answers, r in ALL:
        assert r["status"] in ("complete", "out_of_scope"), (answers, r)
        assert r["error"] is None and r["next_question"] is None
        if r["status"] == "complete":
            assert r["options"], answers
            assert r["pathway"] in ("pnet", "gi")
        else:
            assert r["pointer"]["page"] in TREE.pointers, answers
            assert r["pointer"]["reason"]


def test_options_are_unique_ordered_and_resolve() -> None:
    rank = {p: i for i, p in enumerate(PREFERENCES)}
    for _, answers, r in ALL:
        ids = [o["id"] for o in r["options"]]
        assert len(ids) == len(set(ids)), answers
        ranks = [rank[o["preference"]] for o in r["options"]]
        assert ranks == sorted(ranks), answers
        for o in r["options"]:
            assert o["id"] in TREE.options
            assert o["step"] in r["path"]
            assert o["rationale"] and o["source"]["title"]
            assert all(e in TREE.trials for e in o["evidence"])
            assert o["newer"] == any(TREE.trials[e].newer for e in o["evidence"])
        for a in r["advice"]:
            assert a["text"] == TREE.advice[a["id"]].text
            assert a["sources"]


# ------------------------------------------------------------------ Revision 2, rule by rule


def test_rule_1_no_strength_outside_the_population_the_grade_covers() -> None:
    graded = 0
    for _, answers, r in ALL:
        for o in r["options"]:
            if o["strength"] is None:
                continue
            graded += 1
            assert grade_of(answers, r) in ("G1", "G2"), (answers, o)
            if o["id"] == "ssa":
                assert answers.get("sstr") in ("positive", "partial"), (answers, o)
            assert o["strength_scope"], o
    assert graded > 1000


def test_rule_2_no_ssa_or_prrt_for_tumour_control_without_receptor_uptake() -> None:
    negative = unknown = 0
    for _, answers, r in ALL:
        if "sstr-imaging" not in r["path"]:
            continue
        receptor_drugs = {k: o for k, o in offered(r).items() if k in ("ssa", PRRT)}
        receptor_drugs |= {
            k: o for k, o in offered(r).items() if k == "ssa_dose_escalation" and r["pathway"]
        }
        if answers["sstr"] == "negative":
            negative += 1
            for o in receptor_drugs.values():
                assert o["aims"] == ["hormone_control"], (answers, o)
                assert answers["syndrome"] != "none", (answers, o)
        if answers["sstr"] == "unknown":
            unknown += 1
            assert "sstr_imaging_first" in {a["id"] for a in r["advice"]}, answers
            for o in receptor_drugs.values():
                assert o["preference"] != "preferred" or o["aims"] == ["hormone_control"], (
                    answers,
                    o,
                )
    assert negative > 500 and unknown > 500


def test_rule_2_sstr_is_asked_before_any_ssa_or_prrt_for_tumour_control() -> None:
    # Every step that offers them for tumour control comes after the receptor-imaging step.
    tumour_steps = {
        step.id
        for step in TREE.steps
        for rec in step.recommendations
        if rec.option in ("ssa", PRRT, "ssa_dose_escalation") and rec.aim == "tumour_control"
    }
    for _, answers, r in ALL:
        for sid in tumour_steps & set(r["path"]):
            assert r["path"].index("sstr-imaging") < r["path"].index(sid), (answers, sid)
        for o in offered(r).values():
            if o["id"] in ("ssa", PRRT) and "tumour_control" in o["aims"]:
                assert "sstr-imaging" in r["path"], (answers, o)


def test_rule_3_g3_takes_its_own_steps_and_observation_is_never_preferred() -> None:
    g3 = 0
    g1g2_steps = {
        "pnet-first-line",
        "pnet-first-line-sstr",
        "pnet-tumour-burden",
        "pnet-cytoreduction",
        "pnet-progression-on-ssa",
        "stable-on-ssa",
        "gi-first-line",
        "gi-tumour-burden",
        "gi-progression-on-ssa",
        "ssa-dose-benefit",
    }
    for _, answers, r in ALL:
        if r["status"] != "complete" or grade_of(answers, r) != "G3" or r[
            "path"
        ][-1] == "resectability":
            continue
        g3 += 1
        assert {"pnet-g3", "gi-g3"} & set(r["path"]), answers
        assert not g1g2_steps & set(r["path"]), answers
        o = {x["id"]: x for x in r["options"]}
        assert o.get("observation", {}).get("preference") != "preferred", answers
        ki67 = (r["grading"] or {}).get("ki67_percent")
        if ki67 is not None and ki67 > 55:
            assert "confirm_differentiation_ki67_gt55" in {a["id"] for a in r["advice"]}
            assert o["captem"]["preference"] == "preferred" or "captem" in answers.get("prior", [])
            assert "tumour_control" not in o.get("ssa", {}).get("aims", [])
    assert g3 > 1000


def test_rule_4_grading_travels_with_the_result() -> None:
    for seed_i, answers, r in ALL:
        if SEEDS[seed_i].get("ki67_percent") and answers.get("site") not in ("lung", "thymus"):
            expected = ("not_graded_high_grade",) if answers.get("differentiation") == "poor" else (
                "G1",
                "G2",
                "G3",
            )
            assert r["grading"]["grade"] in expected, answers
            assert r["grading"]["ki67_percent"] == float(SEEDS[seed_i]["ki67_percent"])
        elif not SEEDS[seed_i].get("ki67_percent"):
            assert r["grading"] is None


def test_rule_5_escalation_and_telotristat_only_on_a_current_ssa() -> None:
    seen = {"ssa_dose_escalation": 0, "telotristat": 0}
    for _, answers, r in ALL:
        for option in seen:
            if option in offered(r):
                seen[option] += 1
                assert answers.get("current_ssa") in ("standard", "escalated"), answers
        if answers.get("current_ssa") == "escalated":
            assert "ssa_dose_escalation" not in offered(r), answers
    assert min(seen.values()) > 100


def test_rule_5_a_failed_drug_is_not_offered_again_for_tumour_control() -> None:
    for _, answers, r in ALL:
        prior = set(answers.get("prior", []))
        for o in offered(r).values():
            twins = set(TREE.options[o["id"]].not_after)
            if o["id"] in prior or twins & prior:
                assert o["aims"] == ["hormone_control"], (answers, o)
        if "captem" in prior:
            assert "temozolomide" not in offered(r), answers


def test_rule_6_no_dead_ends() -> None:
    checked = said = 0
    for seed_i, answers, r in ALL:
        if not tumour_needs_treatment(answers, r):
            continue
        checked += 1
        few = "few_options_left" in {a["id"] for a in r["advice"]}
        # The advice appears exactly when fewer than two active treatments are left ...
        assert few == (len(active(r)) < 2), (answers, active(r))
        # ... and that only ever happens because `prior` used them up.
        if not SEEDS[seed_i].get("prior"):
            assert len(active(r)) >= 2, (answers, r["options"])
        said += few
    assert checked > 5000 and said > 0


def test_rule_6_functioning_and_receptor_negative_tumours_included() -> None:
    for _, answers, r in ALL:
        if (
            tumour_needs_treatment(answers, r)
            and not answers.get("prior")
            and answers.get("sstr") == "negative"
            and answers.get("syndrome") != "none"
        ):
            assert len(active(r)) >= 2, (answers, r["options"])


def test_rule_7_liver_directed_therapy_at_any_line() -> None:
    lines = set()
    for _, answers, r in ALL:
        if (
            answers.get("hepatic_predominant") == "yes"
            and r["status"] == "complete"
            and "liver_directed" not in answers.get("prior", [])
        ):
            assert "liver_directed" in offered(r), answers
            lines.add(answers.get("current_ssa"))
    assert lines == {"none", "standard", "escalated"}


def test_rule_8_belzutifan_for_vhl_localized_and_advanced() -> None:
    localized = advanced = 0
    for _, answers, r in ALL:
        if answers.get("vhl") == "yes" and "belzutifan" not in answers.get("prior", []):
            assert "belzutifan" in offered(r), answers
            if answers.get("stage") == "localized":
                localized += 1
                assert r["pointer"]["page"] == "scope/localized"
            else:
                advanced += 1
    assert localized and advanced


def test_rule_9_every_advice_id_is_reachable() -> None:
    reached = {a["id"] for _, _, r in ALL for a in r["advice"]}
    assert set(ADVICE_IDS) <= reached
    assert set(TREE.advice) <= reached


def test_rule_9_safety_advice_travels_with_its_option() -> None:
    rules = {rule.advice: rule for rule in TREE.advice_rules if rule.with_options}
    for _, answers, r in ALL:
        ids = {a["id"] for a in r["advice"]}
        present = {o["id"] for o in r["options"] if o["preference"] != "not_recommended"}
        if PRRT in present:
            assert {"prrt_eligibility", "cbc_after_prrt", "no_concurrent_chemo_with_prrt"} <= ids
        if {"captem", "streptozocin_based"} & present:
            assert "dpd_testing_before_capecitabine" in ids
        if answers.get("syndrome") == "insulinoma" and {PRRT, "sunitinib", "ssa"} & present:
            assert "hypoglycaemia_watch_insulinoma" in ids
        if answers.get("syndrome") == "carcinoid_syndrome" and "hormone-syndrome" in r["path"]:
            assert "screen_carcinoid_heart_disease" in ids
        systemic = set(rules["pregnancy_and_contraception"].with_options)
        assert ("pregnancy_and_contraception" in ids) == bool(systemic & present), answers


def test_advice_that_could_contradict_states_its_condition() -> None:
    for _, answers, r in ALL:
        ids = {a["id"] for a in r["advice"]}
        if "continue_ssa" in ids:
            assert answers["syndrome"] != "none"
        if "consider_stopping_ssa" in ids:
            assert answers["syndrome"] == "none"
            assert "continue_ssa" not in ids
    texts = {a: TREE.advice[a].text for a in ("continue_ssa", "consider_stopping_ssa")}
    assert texts["continue_ssa"].startswith("Functioning tumour")
    assert texts["consider_stopping_ssa"].startswith("Nonfunctioning tumour")
    assert "177Lu-dotatate" in TREE.advice["continue_ssa_with_prrt"].text


def test_sunitinib_never_on_gi_and_only_pancreatic_options_there() -> None:
    gi = 0
    for _, answers, r in ALL:
        if r["pathway"] == "gi":
            gi += 1
            assert "sunitinib" not in {o["id"] for o in r["options"]}, answers
            assert "pnet-vhl" not in r["path"]
    assert gi > 1000


def test_every_recommendation_in_the_tree_can_be_reached() -> None:
    reached = {(o["step"], o["id"], o["preference"]) for _, _, r in ALL for o in r["options"]}
    declared = {(s.id, rec.option, rec.preference) for s in TREE.steps for rec in s.recommendations}
    # Entries that lose a merge to a stronger entry of the same option on every path would be
    # dead text; every declared (step, option, preference) shows up somewhere.
    assert declared - reached == set()


@pytest.mark.parametrize("seed_i", range(len(SEEDS)))
def test_answers_not_asked_on_the_path_change_nothing(seed_i: int) -> None:
    extra = {
        "vhl": "yes",
        "syndrome_controlled": "no",
        "burden": "high",
        "bulk_symptoms": "yes",
        "prolonged_ssa_benefit": "yes",
        "hepatic_predominant": "yes",
        "sstr": "positive",
        "current_ssa": "standard",
    }
    for s_i, answers, r in ALL[::41]:
        if s_i != seed_i:
            continue
        unasked = {k: v for k, v in extra.items() if k not in answers}
        again = sequence({**answers, **unasked}).to_dict()
        assert again == r, answers
