"""Write the grade calculator's form (HTML) from the engine's own vocabulary, before MkDocs.

Sites and their labels come from calculator/sites.py, field labels and keypads from
calculator/grading_text.py, the ways of giving mitoses from the engine's accepted shapes: the
form cannot offer a site, a field or a combination the engine does not know. The HTML is build
output (build/snippets/, git-ignored); docs/calculator/grade.md includes it with a snippet line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from build_scripts.paths import BUILD
from calculator.flat_params import KI67_KEYS, NECROSIS_KEY
from calculator.grading_text import FIELD_TEXTS, FORM_TEXT
from calculator.mitoses import SHAPES
from calculator.sites import GROUPS, SITES

TEMPLATES = Path(__file__).resolve().parent / "grade_form"
FORM_SNIPPET = BUILD / "snippets" / "grade-form.html"

# Element ids the page has always had (links, tests and the keyboard order rely on them).
ELEMENT_IDS = {
    "site": "g-site",
    "differentiation": "g-differentiation",
    NECROSIS_KEY: "g-necrosis",
    "ki67_percent": "g-ki67",
    "ki67.positive_cells": "g-ki67-pos",
    "ki67.total_cells": "g-ki67-total",
    "mitoses.per_2mm2": "g-mit-per2",
    "mitoses.count": "g-mit-count",
    "mitoses.area_mm2": "g-mit-area",
    "mitoses.hpf": "g-mit-hpf",
    "mitoses.field_diameter_mm": "g-mit-diam",
    "mitoses.field_area_mm2": "g-mit-farea",
    "ne_component_percent": "g-ne",
}

# The ways of giving each index, in the order the form offers them; the first is the default.
KI67_MODES: dict[str, tuple[str, ...]] = {
    "percent": ("ki67_percent",),
    "counts": tuple(f"ki67.{key}" for key in KI67_KEYS),
}
MITOSES_MODES: dict[str, tuple[str, ...]] = {
    "per_2mm2": ("mitoses.per_2mm2",),
    "area": ("mitoses.count", "mitoses.area_mm2"),
    "hpf_diameter": ("mitoses.count", "mitoses.hpf", "mitoses.field_diameter_mm"),
    "hpf_area": ("mitoses.count", "mitoses.hpf", "mitoses.field_area_mm2"),
}

# What a blank form offers the engine's warm-up (docs/javascripts/engine.js): a typical
# complete request, replayed in the background and never shown.
WARM_UP_SAMPLE = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "12",
    "mitoses.per_2mm2": "3",
}


class FormError(SystemExit):
    """The form and the engine disagree; the message says where."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build failed (grade form): {message}")


def _check_modes() -> None:
    shapes = {
        frozenset(key.removeprefix("mitoses.") for key in keys) for keys in MITOSES_MODES.values()
    }
    if shapes != set(SHAPES):
        raise FormError("MITOSES_MODES must offer exactly the engine's mitoses SHAPES")
    for group, modes in (("ki67_modes", KI67_MODES), ("mitoses_modes", MITOSES_MODES)):
        if set(FORM_TEXT[group]) != set(modes):  # type: ignore[arg-type]
            raise FormError(f"grading_text.toml [form.{group}] must label every mode")
    named = {
        key for modes in (KI67_MODES, MITOSES_MODES) for keys in modes.values() for key in keys
    }
    missing = (named | {"ne_component_percent"}) - set(FIELD_TEXTS)
    if missing:
        raise FormError(f"no label in grading_text.toml [fields] for {sorted(missing)}")


def _field(name: str, modes: list[str] | None = None, first_mode: bool = True) -> dict[str, Any]:
    text = FIELD_TEXTS[name]
    return {
        "name": name,
        "id": ELEMENT_IDS[name],
        "label": text.label,
        "inputmode": text.inputmode,
        "modes": " ".join(modes or []),
        "first_mode": first_mode,
    }


def _index(group: str, modes: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """One fieldset: its mode radios and each field once, shown for the modes that use it."""
    first = next(iter(modes))
    fields: dict[str, list[str]] = {}
    for mode, keys in modes.items():
        for key in keys:
            fields.setdefault(key, []).append(f"{group}:{mode}")
    labels: dict[str, str] = FORM_TEXT[f"{group}_modes"]  # type: ignore[assignment]
    return {
        "group": group,
        "legend": FORM_TEXT[group],
        "modes_label": FORM_TEXT[f"{group}_modes_label"],
        "modes": [{"id": mode, "label": labels[mode]} for mode in modes],
        "fields": [_field(key, used, f"{group}:{first}" in used) for key, used in fields.items()],
        # An error on the whole group (the contract's `ki67` or `mitoses` field) shows below it.
        "group_error": group,
    }


def form_context() -> dict[str, Any]:
    _check_modes()
    groups: dict[str, str] = FORM_TEXT["site_groups"]  # type: ignore[assignment]
    return {
        "text": FORM_TEXT,
        "ids": ELEMENT_IDS,
        "warm_up": json.dumps(WARM_UP_SAMPLE, separators=(",", ":")),
        "site_groups": [
            {
                "id": group,
                "label": groups[group],
                "sites": [site for site in SITES if site.group == group],
            }
            for group in GROUPS
        ],
        "selects": [
            {
                "name": "differentiation",
                "id": ELEMENT_IDS["differentiation"],
                "label": FORM_TEXT["differentiation"],
                "choices": list(FORM_TEXT["differentiation_choices"].items()),  # type: ignore[union-attr]
                "show_for": None,
            },
            {
                "name": NECROSIS_KEY,
                "id": ELEMENT_IDS[NECROSIS_KEY],
                "label": FORM_TEXT["necrosis"],
                "choices": list(FORM_TEXT["necrosis_choices"].items()),  # type: ignore[union-attr]
                "show_for": "thoracic",
            },
        ],
        "indices": [_index("ki67", KI67_MODES), _index("mitoses", MITOSES_MODES)],
        "mixed": _field("ne_component_percent"),
    }


def render_form() -> str:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("form.html.j2").render(**form_context())


def write_form(path: Path = FORM_SNIPPET) -> Path:
    """Write the form where grade.md's snippet line reads it; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_form(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_form())
