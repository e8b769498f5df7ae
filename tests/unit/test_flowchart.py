"""The flowchart on the algorithm overview (build_scripts/flowchart.py): a phone's width, the start
at the top left, every box a link, every branching arrow labelled with the answers in words, no
label on another label or on a box. On a phone: tests/browser/test_flowchart_page.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from build_scripts import flowchart
from build_scripts.render_tree import load_tree
from calculator.sequencing.model import Tree

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def tree() -> Tree:
    return load_tree()


@pytest.fixture(scope="module")
def svg(tree: Tree) -> ET.Element:
    markup = flowchart.flowchart_svg(tree, lambda step: f"#{step}", lambda pointer: f"{pointer}/")
    assert "\n" not in markup  # one block inside Markdown
    return ET.fromstring(markup)


def rect_box(rect: ET.Element) -> flowchart.Box:
    x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
    return flowchart.Box(x, y, x + float(rect.get("width", 0)), y + float(rect.get("height", 0)))


def nodes(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "net-flow__node" in (g.get("class") or "")]


def answers(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "net-flow__answer"]


def answer_text(group: ET.Element) -> str:
    return " ".join(t.text or "" for t in group.iter(f"{SVG}text"))


def test_the_chart_is_about_as_wide_as_a_phone(svg: ET.Element) -> None:
    # Pixel 7: a 380 px column; scaled to fit, the 12 px text stays at 11 px or more.
    width = float(svg.get("width", 0))
    assert width == float(svg.get("viewBox", "").split()[2])
    assert 380 / width >= 0.9


def test_the_start_is_the_top_left_box(svg: ET.Element, tree: Tree) -> None:
    start = [g for g in nodes(svg) if "net-flow__node--start" in (g.get("class") or "")]
    assert [g.get("data-step") for g in start] == [tree.root]
    box = rect_box(start[0].find(f"{SVG}rect"))  # type: ignore[arg-type]
    for other in nodes(svg):
        other_box = rect_box(other.find(f"{SVG}rect"))  # type: ignore[arg-type]
        assert (box.top, box.left) <= (other_box.top, other_box.left)


def test_every_box_links_to_its_step(svg: ET.Element, tree: Tree) -> None:
    links = {a.get(XLINK) for a in svg.iter(f"{SVG}a")}
    assert {f"#{step.id}" for step in tree.steps} <= links
    for group in nodes(svg):
        assert group.get("data-step"), "each box names its step in a data- attribute"


def test_every_branching_arrow_carries_its_answers(svg: ET.Element, tree: Tree) -> None:
    """A step with more than one way on labels each arrow; one that always goes on does not."""
    nodes_by_id, edges = flowchart._graph(tree, lambda s: f"#{s}", lambda p: f"{p}/")
    expected = sum(1 for (source, _), _edge in edges.items() if len(tree.step(source).branches) > 1)
    labels = answers(svg)
    assert len(labels) == expected > 20
    for group in labels:
        title = group.find(f"{SVG}title")
        assert title is not None and title.text, "the full answers are the label's tooltip"
        assert answer_text(group).strip()
    assert len(nodes_by_id) == len(nodes(svg))


@pytest.mark.parametrize(
    ("source", "target", "label"),
    [
        ("site", "pointer:scope/thoracic", "Lung or Thymus"),
        ("differentiation", "pointer:scope/nec", "Poorly differentiated"),
        ("grade", "pointer:scope/minen", "MiNEN or not a MiNEN"),  # the engine's own words
        ("resectability", "pnet-vhl", "Pancreas"),
        ("sstr-imaging", "pnet-g3", "G3, pancreas"),
        ("sstr-imaging", "stable-on-ssa", "Current SSA, stable"),
        ("pnet-first-line", "pnet-tumour-burden", "Treatment needed now: no"),
        ("sstr-imaging", "gi-first-line", "otherwise"),
    ],
)
def test_labels_are_the_answers_in_the_questions_words(
    tree: Tree, source: str, target: str, label: str
) -> None:
    _, edges = flowchart._graph(tree, lambda s: f"#{s}", lambda p: f"{p}/")
    assert edges[(source, target)].label() == label


def test_no_label_hides_another_or_a_box_and_all_stay_on_the_chart(svg: ET.Element) -> None:
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    boxes = [rect_box(g.find(f"{SVG}rect")) for g in nodes(svg)]  # type: ignore[arg-type]
    labels = [rect_box(g.find(f"{SVG}rect")) for g in answers(svg)]  # type: ignore[arg-type]
    for i, label in enumerate(labels):
        assert label.left >= 0 and label.right <= width and label.top >= 0
        assert label.bottom <= height
        assert not any(label.overlaps(box, pad=0) for box in boxes), label
        assert not any(label.overlaps(other, pad=0) for other in labels[i + 1 :]), label


def test_no_label_shows_an_identifier(svg: ET.Element) -> None:
    for group in answers(svg):
        text = answer_text(group) + " " + (group.findtext(f"{SVG}title") or "")
        assert not re.search(r"[a-z]+_[a-z]+", text), text
