"""Assemble the Bundle and write every artefact of fhir/ (the site's developers page links
them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from build_scripts.fhir import artefacts, schema, vocabulary
from build_scripts.fhir.naming import identifier_system, url
from build_scripts.fhir.plan import plan_definition
from calculator.sequencing import load_tree
from calculator.sequencing.model import Tree
from calculator.version import ENGINE_VERSION

BUNDLE_FILE = "net-guide-bundle.json"
VOCABULARY_FILE = "answer-vocabulary.md"  # included by docs/developers.md, not a page


def resources(tree: Tree) -> list[dict[str, object]]:
    return [
        plan_definition(tree),
        artefacts.questionnaire(tree),
        *artefacts.activity_definitions(tree),
        *artefacts.citations(tree),
        *artefacts.code_systems(tree),
        artefacts.preference_extension(),
    ]


def bundle(tree: Tree) -> dict[str, object]:
    return {
        "resourceType": "Bundle",
        "id": "net-guide",
        "identifier": {
            "system": identifier_system("bundle"),
            "value": f"net-guide-{ENGINE_VERSION}",
        },
        "type": "collection",
        "entry": [
            {"fullUrl": url(str(r["resourceType"]), str(r["id"])), "resource": r}
            for r in resources(tree)
        ],
    }


def _json(data: object) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write_all(out_dir: Path) -> list[Path]:
    """Write fhir/ afresh into `out_dir` (docs/fhir: MkDocs copies it into the site)."""
    tree = load_tree()
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    files = {BUNDLE_FILE: _json(bundle(tree)), VOCABULARY_FILE: vocabulary.markdown(tree)}
    files |= {name: _json(s) for name, s in schema.schemas(tree).items()}
    written = []
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    return written
