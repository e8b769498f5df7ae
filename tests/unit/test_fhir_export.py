"""The FHIR export (build_scripts/fhir): every resource is valid R4B, every reference resolves in
the bundle, and the ids are the published stable ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import fhirpathpy
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from build_scripts.fhir.bundle import bundle
from build_scripts.fhir.naming import CANONICAL_BASE, EXT_VARIABLE
from build_scripts.fhir.plan import NOT_IN_FHIRPATH, STRENGTH_CODES
from calculator.sequencing import load_tree
from calculator.sequencing.contract import ADVICE_IDS, OPTION_IDS, STRENGTHS, TRIAL_IDS
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

PUBLISHED = json.loads(
    (Path(__file__).resolve().parents[1] / "ids" / "published_ids.json").read_text()
)
TREE = load_tree()


@cache
def exported() -> dict[str, Any]:
    return bundle(TREE)


def resources(kind: str | None = None) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in exported()["entry"]
        if kind is None or e["resource"]["resourceType"] == kind
    ]


def plan() -> dict[str, Any]:
    (only,) = resources("PlanDefinition")
    return only


def actions(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for a in items:
        yield a
        yield from actions(a.get("action", []))


def walk_json(node: object) -> Iterator[tuple[str, object]]:
    """Every (key, value) pair in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from walk_json(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_json(v)


def test_every_resource_and_the_bundle_parse_as_r4b() -> None:
    kinds = set()
    for resource in resources():
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)  # raises on any unknown element or wrong type
        kinds.add(resource["resourceType"])
    Bundle.model_validate(exported())
    assert {"PlanDefinition", "ActivityDefinition", "Citation", "Questionnaire"} <= kinds


def test_the_r4b_models_reject_what_they_should() -> None:
    # The check above can fail: a FHIRPath variable name with `_` is not a FHIR id.
    broken = json.loads(json.dumps(plan()))
    broken["extension"][1]["valueExpression"]["name"] = "bulk_symptoms"
    with pytest.raises(ValueError, match="name"):
        get_fhir_model_class("PlanDefinition").model_validate(broken)


def test_ids_and_full_urls_are_unique() -> None:
    entries = exported()["entry"]
    urls = [e["fullUrl"] for e in entries]
    assert len(urls) == len(set(urls))
    for e in entries:
        r = e["resource"]
        assert e["fullUrl"] == f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}" == r["url"]
    ids = [a["id"] for a in actions(plan()["action"])]
    assert len(ids) == len(set(ids))


def test_every_reference_resolves_within_the_bundle() -> None:
    canonicals = {r["url"] for r in resources()}
    ours = [
        (k, v)
        for k, v in walk_json(exported())
        if isinstance(v, str) and v.startswith(CANONICAL_BASE + "/") and k not in ("url", "fullUrl")
    ]
    kinds = {k for k, _ in ours}
    # definitionCanonical, relatedArtifact.resource, Coding.system and the extension's url.
    assert {"definitionCanonical", "resource", "system"} <= kinds
    unresolved = sorted(
        {v for k, v in ours if k != "system" or not v.startswith(CANONICAL_BASE + "/id/")}
        - canonicals
    )
    assert unresolved == []
    # Extension URLs of our own are defined in the bundle too.
    extension_urls = {v for k, v in walk_json(exported()) if k == "url" and isinstance(v, str)}
    assert {
        u for u in extension_urls if u.startswith(CANONICAL_BASE + "/StructureDefinition/")
    } <= (canonicals)


def test_step_actions_are_the_stable_step_ids() -> None:
    steps = [a["id"] for a in plan()["action"] if a["id"] != "safety-advice"]
    assert sorted(steps) == sorted(s.id for s in TREE.steps)
    assert set(steps) <= set(PUBLISHED["steps"])


def test_option_actions_and_activity_definitions_are_the_stable_option_ids() -> None:
    definitions = {r["url"]: r["identifier"][0]["value"] for r in resources("ActivityDefinition")}
    assert sorted(definitions.values()) == sorted(OPTION_IDS)
    assert set(definitions.values()) <= set(PUBLISHED["options"])
    for step in plan()["action"]:
        for child in step.get("action", []):
            if "definitionCanonical" not in child:
                continue
            option = definitions[child["definitionCanonical"]]
            assert child["id"].split(".")[:2] == [step["id"], option]
            assert child["code"][0]["coding"][0]["code"] == option


def test_advice_actions_use_the_stable_advice_ids() -> None:
    codes = {
        c["code"]
        for a in actions(plan()["action"])
        for cc in a.get("code", [])
        for c in cc["coding"]
        if c["system"].endswith("/CodeSystem/advice")
    }
    assert codes == set(ADVICE_IDS) and codes <= set(PUBLISHED["advice"])


def test_a_citation_per_trial_with_its_identifiers() -> None:
    citations = {r["identifier"][0]["value"]: r for r in resources("Citation")}
    assert sorted(citations) == sorted(TRIAL_IDS)
    for tid, trial in TREE.trials.items():
        ids = {i["system"]: i["value"] for i in citations[tid]["citedArtifact"]["identifier"]}
        assert ids.get("https://pubmed.ncbi.nlm.nih.gov") == trial.pmid
        assert ids.get("https://doi.org") == trial.doi
        assert ids.get("https://clinicaltrials.gov") == trial.nct


def test_option_actions_carry_preference_strength_rationale_and_trials() -> None:
    graded = 0
    for step in TREE.steps:
        action = next(a for a in plan()["action"] if a["id"] == step.id)
        children = [c for c in action.get("action", []) if "definitionCanonical" in c]
        assert len(children) == len(step.recommendations)
        for rec, child in zip(step.recommendations, children, strict=True):
            ext = {e["url"].rsplit("/", 1)[-1]: e for e in child["extension"]}
            assert ext["preference"]["valueCoding"]["code"] == rec.preference
            assert ext["cpg-rationale"]["valueMarkdown"] == rec.rationale
            strength = ext.get("cqf-strengthOfRecommendation")
            assert (strength and strength["valueCodeableConcept"]["text"]) == (rec.strength or None)
            graded += strength is not None
            cited = [
                d["resource"].rsplit("/", 1)[-1] for d in child["documentation"] if "resource" in d
            ]
            assert cited == [t.replace("_", "-") for t in rec.evidence]
    assert graded > 0
    assert set(STRENGTH_CODES) == set(STRENGTHS)


def test_every_resource_states_the_guideline_version_and_evidence_date() -> None:
    for r in resources():
        assert r["version"] == ENGINE_VERSION, r["id"]
        reviewed = r.get("lastReviewDate") or next(
            e["valueDate"] for e in r["extension"] if e["url"].endswith("artifact-lastReviewDate")
        )
        assert reviewed == EVIDENCE_DATE, r["id"]


def test_every_expression_is_fhirpath_and_compiles() -> None:
    expressions = [e["valueExpression"] for e in plan()["extension"] if e["url"] == EXT_VARIABLE]
    expressions += [
        c["expression"] for a in actions(plan()["action"]) for c in a.get("condition", [])
    ]
    assert len(expressions) > 300
    for e in expressions:
        assert e["language"] == "text/fhirpath"
        fhirpathpy.compile(e["expression"])  # raises on a syntax error


def test_rules_not_in_fhirpath_are_said_in_the_step_description() -> None:
    said = {
        a["id"] for a in plan()["action"] if "Not expressed in FHIRPath" in a.get("description", "")
    }
    assert said == set(NOT_IN_FHIRPATH)
    for step_id, text in NOT_IN_FHIRPATH.items():
        action = next(a for a in plan()["action"] if a["id"] == step_id)
        assert text in action["description"]
