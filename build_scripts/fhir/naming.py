"""Names shared by every FHIR resource the export writes: canonical URLs, resource ids, the
variable names of the FHIRPath expressions, extension and code-system URLs, and the guideline
version and evidence date stamped on each resource."""

from __future__ import annotations

import re

from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

# Canonical URLs identify the artefacts; they are not where they are served (hospitals host
# the site anywhere). `.invalid` can never resolve (RFC 2606): decisions/0037.
CANONICAL_BASE = "https://net-guide.invalid/fhir"
FHIR_VERSION = "4.3.0"  # R4B: the R4 release with Citation (the bundle's trials)
PUBLISHER = "NET Guide"
CONTENT_LICENCE = (
    "Content: Creative Commons Attribution 4.0 International (CC BY 4.0). "
    "Supports, and does not replace, clinical judgement."
)

# HL7 definitions (CPG-on-FHIR STU2 and the core extension pack).
CPG = "http://hl7.org/fhir/uv/cpg/StructureDefinition"
PROFILE_PLAN = f"{CPG}/cpg-computableplandefinition"
PROFILE_ACTIVITY = f"{CPG}/cpg-computableactivity"
EXT_RATIONALE = f"{CPG}/cpg-rationale"
EXT_DIRECTION = f"{CPG}/cpg-directionOfRecommendation"
CS_DIRECTION = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs"
EXT_STRENGTH = "http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"
EXT_QUALITY = "http://hl7.org/fhir/StructureDefinition/cqf-qualityOfEvidence"
EXT_CAPABILITY = "http://hl7.org/fhir/StructureDefinition/cqf-knowledgeCapability"
EXT_VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
EXT_LAST_REVIEW = "http://hl7.org/fhir/StructureDefinition/artifact-lastReviewDate"
CS_STRENGTH = "http://terminology.hl7.org/CodeSystem/recommendation-strength"
CS_QUALITY = "http://terminology.hl7.org/CodeSystem/evidence-quality"
CS_PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
FHIRPATH = "text/fhirpath"

# Identifier systems of the trials (evidence.toml).
PUBMED = "https://pubmed.ncbi.nlm.nih.gov"
DOI = "https://doi.org"
CLINICALTRIALS = "https://clinicaltrials.gov"

# The project's own extension and code systems (all in the bundle).
EXT_PREFERENCE = f"{CANONICAL_BASE}/StructureDefinition/preference"
PLAN_ID = "net-guide-sequencing"
QUESTIONNAIRE_ID = "net-guide-sequencing-answers"

# Which resource types have their own lastReviewDate element (R4B); the rest carry the
# artifact-lastReviewDate extension.
HAS_LAST_REVIEW = frozenset({"PlanDefinition", "ActivityDefinition", "Citation", "Questionnaire"})

_ID_OK = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def fhir_id(stable_id: str) -> str:
    """A resource id for a stable id: FHIR ids allow no underscore, so `_` becomes `-` (the
    stable id itself is kept in the resource's identifier)."""
    rid = stable_id.replace("_", "-")
    if not _ID_OK.match(rid):
        raise ValueError(f"{stable_id!r} cannot be a FHIR resource id")
    return rid


def url(resource_type: str, rid: str) -> str:
    return f"{CANONICAL_BASE}/{resource_type}/{rid}"


def code_system(name: str) -> str:
    return url("CodeSystem", name)


def identifier_system(kind: str) -> str:
    """The system of the identifier that holds a stable id (`option`, `trial`, `step`)."""
    return f"{CANONICAL_BASE}/id/{kind}"


def computable_name(stable_id: str) -> str:
    """`prrt_lu177_dotatate` -> `PrrtLu177Dotatate` (a resource `name`: letters and digits)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-.]", stable_id))


def provenance(resource_type: str) -> dict[str, object]:
    """The guideline version and the evidence date, on every resource."""
    if resource_type in HAS_LAST_REVIEW:
        return {"version": ENGINE_VERSION, "lastReviewDate": EVIDENCE_DATE}
    return {
        "extension": [{"url": EXT_LAST_REVIEW, "valueDate": EVIDENCE_DATE}],
        "version": ENGINE_VERSION,
    }


# ------------------------------------------------------------------ FHIRPath variable names
# FHIR names an Expression with an `id` (letters, digits, `-`, `.`): an answer key's `_` becomes
# `-`, and the other kinds carry a prefix so that no two names clash (a step and an answer key
# are both called `site`).


def answer_var(key: str) -> str:
    return key.replace("_", "-")


def fact_var(fact_id: str) -> str:
    return "fact." + fact_id.replace("_", "-")


def step_var(step_id: str) -> str:
    return "step." + step_id


def entry_var(action_id: str) -> str:
    return "entry." + action_id.replace("_", "-")


def option_var(option_id: str) -> str:
    return "option." + option_id.replace("_", "-")


def position_var(option_id: str) -> str:
    return "position." + option_id.replace("_", "-")


def listed_var(option_id: str) -> str:
    return "listed." + option_id.replace("_", "-")


def active_var(option_id: str) -> str:
    return "active." + option_id.replace("_", "-")


def ref(name: str) -> str:
    """A FHIRPath reference to a variable: `%site`, or `%\\`step.site\\`` when the name is
    not a plain identifier."""
    if not _ID_OK.match(name):
        raise ValueError(f"{name!r} is not a valid FHIR expression name")
    return f"%{name}" if _IDENTIFIER.match(name) else f"%`{name}`"
