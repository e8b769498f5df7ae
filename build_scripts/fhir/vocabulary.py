"""The answer vocabulary as a Markdown table for the developers' page, from the contract and the
tree's own question wording (never typed by hand)."""

from __future__ import annotations

from build_scripts.fhir.fhirpath import GRADING_CLASS_ITEM, KI67_BOUND_ITEM, KI67_ITEM
from build_scripts.fhir.naming import answer_var, ref
from calculator.sequencing.contract import ANSWER_VALUES, GRADING_CLASSES, OPTION_IDS, PRIOR_KEY
from calculator.sequencing.model import Tree


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(tree: Tree) -> str:
    rows = ["| key (linkId) | FHIRPath variable | asked at step | values |", "|---|---|---|---|"]
    for key, values in ANSWER_VALUES.items():
        steps = [s.id for s in tree.steps if s.key == key]
        labels = next(
            ({c.value: c.label for c in s.choices} for s in tree.steps if s.key == key), {}
        )
        shown = "<br>".join(
            f"`{v}`" + (f" ({_cell(labels[v])})" if v in labels else "") for v in values
        )
        where = ", ".join(f"`{s}`" for s in steps)
        rows.append(f"| `{key}` | `{ref(answer_var(key))}` | {where} | {shown} |")
    rows.append(
        f"| `{PRIOR_KEY}` | `{ref(answer_var(PRIOR_KEY))}` | (given with the answers) | "
        f"a list of option ids: {', '.join(f'`{o}`' for o in OPTION_IDS)} |"
    )
    rows.append(
        f"| `{KI67_ITEM}` | `{ref(answer_var(KI67_ITEM))}` | (grading calculator) | "
        "a number, 0-100 |"
    )
    rows.append(
        f"| `{KI67_BOUND_ITEM}` | `{ref(answer_var(KI67_BOUND_ITEM))}` | (grading calculator) | "
        "`below`, `above` (Ki-67 reported as a bound) |"
    )
    rows.append(
        f"| `{GRADING_CLASS_ITEM}` | `{ref(answer_var(GRADING_CLASS_ITEM))}` | "
        f"(grading calculator) | {', '.join(f'`{c}`' for c in GRADING_CLASSES)} |"
    )
    return "\n".join(rows) + "\n"
