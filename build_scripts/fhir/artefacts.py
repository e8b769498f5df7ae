"""The resources around the PlanDefinition: an ActivityDefinition per option, a Citation per
trial, the Questionnaire of the answers, the code systems of the stable ids and vocabularies,
and the definition of the project's one extension (the preference of an option)."""

from __future__ import annotations

from collections.abc import Iterable

from build_scripts.fhir.fhirpath import GRADING_CLASS_ITEM, KI67_BOUND_ITEM, KI67_ITEM
from build_scripts.fhir.naming import (
    CLINICALTRIALS,
    CONTENT_LICENCE,
    DOI,
    EXT_PREFERENCE,
    PROFILE_ACTIVITY,
    PUBLISHER,
    PUBMED,
    QUESTIONNAIRE_ID,
    code_system,
    computable_name,
    fhir_id,
    identifier_system,
    provenance,
    url,
)
from build_scripts.fhir.plan import STRENGTH_CODES
from calculator.sequencing.contract import (
    ADVICE_IDS,
    ANSWER_VALUES,
    GRADING_CLASSES,
    OPTION_IDS,
    OUTCOMES,
    PREFERENCES,
    PRIOR_KEY,
)
from calculator.sequencing.model import Tree
from calculator.sequencing.tree import AIMS

# The FHIR request an option becomes when a record system applies it (a FHIR type, not a
# clinical rule): by the option's category in options.toml.
REQUEST_KIND = {
    "antiproliferative": "MedicationRequest",
    "hormone_control": "MedicationRequest",
    "local": "ServiceRequest",
    "other": "ServiceRequest",
}
KI67_BOUNDS = {"below": "Reported as below this value", "above": "Reported as above this value"}


def _common(resource_type: str, rid: str, title: str) -> dict[str, object]:
    prov = provenance(resource_type)
    out: dict[str, object] = {"resourceType": resource_type, "id": rid}
    if "extension" in prov:
        out["extension"] = prov["extension"]
    out |= {
        "url": url(resource_type, rid),
        "version": prov["version"],
        "name": computable_name(rid),
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
    }
    if "lastReviewDate" in prov:
        out["lastReviewDate"] = prov["lastReviewDate"]
    return out


def option_page(option_id: str) -> str:
    """The option's page, relative to fhir/ in the built site."""
    return f"../options/{option_id}/"


def activity_definitions(tree: Tree) -> list[dict[str, object]]:
    out = []
    for option in tree.options.values():
        rid = fhir_id(option.id)
        resource = _common("ActivityDefinition", rid, option.name)
        resource |= {
            "meta": {"profile": [PROFILE_ACTIVITY]},
            "identifier": [{"system": identifier_system("option"), "value": option.id}],
            "description": option.summary,
            "usage": option.administration,
            "copyright": CONTENT_LICENCE,
            "relatedArtifact": [
                {
                    "type": "documentation",
                    "label": "option page",
                    "display": f"{option.name}: the guide's page",
                    "url": option_page(option.id),
                },
                *(
                    {
                        "type": "citation",
                        "display": tree.trials[t].name,
                        "resource": url("Citation", fhir_id(t)),
                    }
                    for t in option.evidence
                ),
            ],
            "kind": REQUEST_KIND[option.category],
            "code": {"coding": [{"system": code_system("option"), "code": option.id}]},
        }
        out.append(resource)
    return out


def citations(tree: Tree) -> list[dict[str, object]]:
    out = []
    for trial in tree.trials.values():
        rid = fhir_id(trial.id)
        identifiers = [
            {"system": system, "value": value}
            for system, value in (
                (PUBMED, trial.pmid),
                (DOI, trial.doi),
                (CLINICALTRIALS, trial.nct),
            )
            if value
        ]
        resource = _common("Citation", rid, trial.name)
        resource |= {
            "identifier": [{"system": identifier_system("trial"), "value": trial.id}],
            "description": f"{trial.design}. {trial.population}.",
            "copyright": CONTENT_LICENCE,
            "summary": [{"text": trial.citation}],
            "note": [
                {"text": f"Arms: {trial.arms}"},
                {"text": f"Primary result: {trial.primary_result}"},
                {"text": f"Status: {trial.status}" + (" (newer evidence)" if trial.newer else "")},
            ],
            "citedArtifact": {
                "identifier": identifiers,
                "title": [{"text": trial.name}],
                "currentState": [{"text": trial.status}],
            },
        }
        out.append(resource)
    return out


def _code_system(
    name: str, title: str, concepts: Iterable[tuple[str, str | None]]
) -> dict[str, object]:
    resource = _common("CodeSystem", name, title)
    resource |= {
        "caseSensitive": True,
        "content": "complete",
        "concept": [
            {"code": code, **({"display": display} if display else {})}
            for code, display in concepts
        ],
    }
    return resource


def _answer_labels(tree: Tree, key: str) -> dict[str, str]:
    """The choice labels of the first step that asks `key` (the pages' words)."""
    step = next((s for s in tree.steps if s.key == key), None)
    return {c.value: c.label for c in step.choices} if step else {}


def answer_system(key: str) -> str:
    return code_system("answer-" + key.replace("_", "-"))


def code_systems(tree: Tree) -> list[dict[str, object]]:
    labels = tree.labels
    out = [
        _code_system(
            "answer-" + key.replace("_", "-"),
            f"Answers to '{key}'",
            ((v, _answer_labels(tree, key).get(v)) for v in values),
        )
        for key, values in ANSWER_VALUES.items()
    ]
    out += [
        _code_system("option", "Therapy options", ((o, tree.options[o].name) for o in OPTION_IDS)),
        _code_system("advice", "Advice", ((a, None) for a in ADVICE_IDS)),
        _code_system(
            "preference",
            "Preference of an option (best first)",
            ((p, labels.get("preferences", {}).get(p)) for p in PREFERENCES),
        ),
        _code_system(
            "aim",
            "What an option is offered for",
            ((a, labels.get("aims", {}).get(a)) for a in AIMS),
        ),
        _code_system("outcome", "How the walk ended", ((o, None) for o in OUTCOMES)),
        _code_system("source-grade", "The source's grades", ((g, None) for g in STRENGTH_CODES)),
        _code_system(
            "grading-class",
            "WHO class from the grading calculator",
            ((c, None) for c in GRADING_CLASSES),
        ),
        _code_system("ki67-bound", "Ki-67 reported as a bound", KI67_BOUNDS.items()),
    ]
    return out


def _choice_item(tree: Tree, key: str, system: str, text: str, repeats: bool = False) -> dict:
    labels = _answer_labels(tree, key)
    values = ANSWER_VALUES.get(key, ())
    return {
        "linkId": key,
        "text": text,
        "type": "choice",
        "repeats": repeats,
        "answerOption": [
            {
                "valueCoding": {
                    "system": system,
                    "code": v,
                    **({"display": labels[v]} if v in labels else {}),
                }
            }
            for v in values
        ],
    }


def questionnaire(tree: Tree) -> dict[str, object]:
    """The answers the PlanDefinition reads: one item per answer key (linkId = the key)."""
    items = []
    for key in ANSWER_VALUES:
        step = next((s for s in tree.steps if s.key == key), None)
        text = step.question if step and step.question else key
        items.append(_choice_item(tree, key, answer_system(key), str(text)))
    items.append(
        {
            "linkId": PRIOR_KEY,
            "text": "Treatments the disease has already progressed on",
            "type": "choice",
            "repeats": True,
            "answerOption": [
                {
                    "valueCoding": {
                        "system": code_system("option"),
                        "code": o,
                        "display": tree.options[o].name,
                    }
                }
                for o in OPTION_IDS
            ],
        }
    )
    items.append(
        {
            "linkId": KI67_ITEM,
            "text": "Ki-67 % (from the grading calculator)",
            "type": "decimal",
        }
    )
    items.append(
        {
            "linkId": KI67_BOUND_ITEM,
            "text": "Whether Ki-67 was reported as a bound (from the grading calculator)",
            "type": "choice",
            "answerOption": [
                {"valueCoding": {"system": code_system("ki67-bound"), "code": b, "display": d}}
                for b, d in KI67_BOUNDS.items()
            ],
        }
    )
    items.append(
        {
            "linkId": GRADING_CLASS_ITEM,
            "text": "WHO class (from the grading calculator)",
            "type": "choice",
            "answerOption": [
                {"valueCoding": {"system": code_system("grading-class"), "code": c}}
                for c in GRADING_CLASSES
            ],
        }
    )
    resource = _common("Questionnaire", QUESTIONNAIRE_ID, "NET Guide: treatment-sequencing answers")
    resource |= {
        "description": (
            "The answers the sequencing PlanDefinition reads: answer only the questions on the "
            "path (an answer to a question the walk does not ask is ignored)."
        ),
        "copyright": CONTENT_LICENCE,
        "item": items,
    }
    return resource


def preference_extension() -> dict[str, object]:
    """The definition of the one extension of our own: an option's preference."""
    resource = _common("StructureDefinition", "preference", "Preference of an option")
    assert resource["url"] == EXT_PREFERENCE
    resource |= {
        "description": (
            "How strongly NET Guide offers an option at a step, from the preference code system "
            "(preferred, alternative, consider, caution, not_recommended)."
        ),
        "fhirVersion": "4.3.0",
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": "PlanDefinition.action"}],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {
            "element": [
                {"id": "Extension", "path": "Extension", "short": "Preference", "max": "1"},
                {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": EXT_PREFERENCE},
                {
                    "id": "Extension.value[x]",
                    "path": "Extension.value[x]",
                    "min": 1,
                    "type": [{"code": "Coding"}],
                },
            ]
        },
    }
    return resource
