"""The grade page's form is generated from the engine (build_scripts/render_grade_form.py): it
offers every site of the vocabulary, only fields the bridge reads, and every accepted way of
giving the mitotic count."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts import render_grade_form
from build_scripts.csp import FORBIDDEN
from build_scripts.paths import ROOT
from calculator.flat_params import grade_inputs
from calculator.grading_text import FIELD_TEXTS
from calculator.mitoses import SHAPES
from calculator.sites import SITES
from calculator.web import grade_params


class Form(HTMLParser):
    """The parts of the form the tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[dict[str, str]]] = {}
        self.controls: list[dict[str, str]] = []
        self.mode_holders: list[dict[str, str]] = []
        self.labels: dict[str, str] = {}
        self.form: dict[str, str] = {}
        self._select: str | None = None
        self._label_for: str | None = None
        self._option: dict[str, str] | None = None
        self._holders: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = a
        elif tag == "select":
            self._select = a["name"]
            self.options[a["name"]] = []
            self.controls.append(a)
        elif tag == "option" and self._select:
            self._option = a
            self.options[self._select].append(a)
        elif tag == "input" and a.get("type") != "radio":
            self.controls.append({**a, "modes": " ".join(h for h in self._modes())})
        elif tag == "input":
            self.controls.append(a)
        elif tag == "label" and "for" in a:
            self._label_for = a["for"]
        elif tag == "div":
            self._holders.append(a)
            if "data-mode" in a:
                self.mode_holders.append(a)

    def _modes(self) -> list[str]:
        return [h["data-mode"] for h in self._holders if "data-mode" in h]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "div":
            self._holders.pop()
        elif tag == "label":
            self._label_for = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] = self._option.get("text", "") + data
        if self._label_for:
            self.labels[self._label_for] = self.labels.get(self._label_for, "") + data


@pytest.fixture(scope="module")
def html() -> str:
    return render_grade_form.render_form()


@pytest.fixture(scope="module")
def form(html: str) -> Form:
    parser = Form()
    parser.feed(html)
    return parser


def test_every_site_of_the_vocabulary_is_offered_with_its_label(form: Form) -> None:
    offered = [(o["value"], o["text"], o["data-group"]) for o in form.options["site"][1:]]
    assert offered == [(s.id, s.label, s.group) for s in SITES]
    assert form.options["site"][0]["value"] == ""


def test_choices_are_values_the_engine_accepts(form: Form) -> None:
    for name in ("differentiation", "necrosis"):
        for option in form.options[name]:
            params = {"site": "lung", "mitoses.per_2mm2": "3", name: option["value"]}
            assert grade_params(params)["status"] != "error", (name, option)


def test_fields_are_the_ones_the_bridge_reads_with_the_engine_labels(form: Form) -> None:
    named = [c for c in form.controls if c.get("type") != "radio"]
    for control in named:
        name = control["name"]
        assert grade_inputs({name: "1"}) != {}, f"the bridge ignores {name}"
        if name in FIELD_TEXTS:
            assert control["inputmode"] == FIELD_TEXTS[name].inputmode
            assert form.labels[control["id"]] == FIELD_TEXTS[name].label
            assert control["aria-describedby"] == f"error-{name}"
    assert {c["name"] for c in named} == set(FIELD_TEXTS) | {"site", "differentiation", "necrosis"}


def test_the_ki67_field_offers_a_full_keyboard_for_bounds(form: Form) -> None:
    (ki67,) = [c for c in form.controls if c.get("name") == "ki67_percent"]
    assert ki67["inputmode"] == "text"
    assert ki67["id"] == "g-ki67"


def test_every_mitoses_shape_is_a_mode(form: Form) -> None:
    modes = [c["value"] for c in form.controls if c.get("name") == "mitoses-mode"]
    assert modes == list(render_grade_form.MITOSES_MODES)
    shapes = set()
    for mode in modes:
        keys = {
            c["name"].removeprefix("mitoses.")
            for c in form.controls
            if f"mitoses:{mode}" in c.get("modes", "").split()
        }
        shapes.add(frozenset(keys))
    assert shapes == set(SHAPES)


def test_a_mode_that_is_not_an_engine_shape_fails_the_build(monkeypatch) -> None:
    monkeypatch.setitem(render_grade_form.MITOSES_MODES, "per_hpf", ("mitoses.hpf",))
    with pytest.raises(SystemExit, match="SHAPES"):
        render_grade_form.render_form()


def test_warm_up_sample_is_a_complete_request(form: Form) -> None:
    sample = json.loads(form.form["data-warm-up"])
    assert sample == render_grade_form.WARM_UP_SAMPLE
    assert grade_params(sample)["status"] == "ok"


def test_form_needs_nothing_the_csp_forbids(html: str) -> None:
    assert "<script" not in html and "<style" not in html
    for pattern, what in FORBIDDEN:
        assert not pattern.search(html), what


def test_grade_page_includes_the_generated_form(tmp_path: Path) -> None:
    page = (ROOT / "docs/calculator/grade.md").read_text(encoding="utf-8")
    snippet = render_grade_form.FORM_SNIPPET.relative_to(ROOT).as_posix()
    assert f'--8<-- "{snippet}"' in page
    assert "<form" not in page  # no hand-written copy left behind
    written = render_grade_form.write_form(tmp_path / "form.html")
    assert written.read_text(encoding="utf-8") == render_grade_form.render_form()
