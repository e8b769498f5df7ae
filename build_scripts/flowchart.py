"""Build-time SVG flowchart of the decision tree: each box links to its step, each arrow carries
the answers that take it, in the questions' words.

No JavaScript, no CDN: the SVG is plain markup written into the overview page. Layout is a grid
of layers: a step sits one layer below the deepest step that leads to it; a layer wider than
COLUMNS boxes is wrapped onto several rows, one pathway per row where it can. Two columns keep
the chart about as wide as a phone, so the page scales it to the column's width
(extra.css) and it needs no sideways scrolling, and it prints at full size. Rows are
left-aligned with the shared steps first: the start of the tree is the top-left box. An arrow
between adjacent rows is a curve; a longer one runs down a gap between columns, which no box
occupies. A label sits above its arrow's target, or below its source when several labelled
arrows reach the same target, on a free spot (tests/unit/test_flowchart.py).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from build_scripts.render_tree import KeyInfo, key_catalogue
from calculator.sequencing.model import Branch, NumRange, Step, Tree

COLUMNS = 2  # boxes per row at most: the chart fits a phone's width, and a printed page
NODE_W = 164
NODE_H = 58
GAP_X = 28  # a column gap doubles as a channel for arrows that skip rows
GAP_Y = 64  # room for three lines of an arrow's label
MARGIN = GAP_X
LINE_CHARS = 25
MAX_LINES = 3
LINE_H = 14
LABEL_CHARS = 32  # an arrow's label: up to three lines of this many characters
LABEL_LINES = 3
LABEL_LINE_H = 12
LABEL_CHAR_W = 5.5  # average width of a character at the label's font size (extra.css)
KIND_ORDER = {"common": 0, "pnet": 1, "gi": 2, "scope": 3}


@dataclass
class Node:
    id: str
    label: str
    kind: str  # common | pnet | gi | scope
    href: str
    question: bool = True
    layer: int = 0
    row: int = 0
    col: int = 0
    order: float = 0.0
    parents: list[str] = field(default_factory=list)

    @property
    def x(self) -> float:
        return MARGIN + self.col * (NODE_W + GAP_X)

    @property
    def y(self) -> float:
        return MARGIN + self.row * (NODE_H + GAP_Y)


@dataclass
class Edge:
    source: str
    target: str
    answers: list[tuple[str, str]] = field(default_factory=list)  # (short, full) per branch

    def label(self, full: bool = False) -> str:
        """The answers that take this arrow; "otherwise" when one of its branches is the
        step's fallback (it covers the others)."""
        words = [pair[1] if full else pair[0] for pair in self.answers]
        if "otherwise" in words:
            return "otherwise"
        unique = list(dict.fromkeys(w for w in words if w))
        return " or ".join(unique[:1] + [_lower(w) for w in unique[1:]])


# ----------------------------------------------------------------------------- answers


def _ssa(text: str) -> str:
    return re.sub(r"\ba somatostatin analogue", "an SSA", text).replace(
        "somatostatin analogue", "SSA"
    )


def _short(text: str) -> str:
    """An answer's label without its explanation: "Yes, standard dose (…)" gives "Yes"."""
    return _ssa(re.split(r" \(|, |: ", text, maxsplit=1)[0])


def _clause_words(
    key: str, clause: object, step: Step, keys: dict[str, KeyInfo], tree: Tree, short: bool
) -> str:
    info = keys.get(key, KeyInfo(key.replace("_", " "), {}))
    name = _short(info.label) if short else info.label
    if isinstance(clause, NumRange):
        bounds = [
            f"{word} {value:g} %"
            for word, value in (
                ("at least", clause.min),
                ("at most", clause.max),
                ("below", clause.below),
                ("above", clause.above),
            )
            if value is not None
        ]
        return f"{name} {' and '.join(bounds)}"
    values = list(clause)  # type: ignore[call-overload]
    if key == "prior":
        names = [tree.options[v].short_name if v in tree.options else v for v in values]
        return "earlier " + " or ".join(names)
    labels = [info.values.get(v, v.replace("_", " ")) for v in values]
    if short:
        labels = list(dict.fromkeys(_short(label) for label in labels))
    words = " or ".join(labels)
    # The step's own question needs no name, nor does an answer that names itself ("Pancreas",
    # "G3"); a yes or no, or a lower-case phrase ("within 10-55 %"), does.
    if key == step.key or (short and words[:1].isupper() and labels[0].lower() not in YES_NO):
        return words
    if short and words.lower() == "yes":
        return name  # "Slow disease", not "Slow disease: yes"
    return f"{name}: {words}"


YES_NO = {"yes", "no"}


def branch_answers(
    step: Step, branch: Branch, tree: Tree, keys: dict[str, KeyInfo]
) -> tuple[str, str]:
    """The answers that take `branch` in the questions' words, short (for the arrow) and in
    full (its tooltip); empty when the step always goes on the same way."""
    if branch.when is None:
        return ("otherwise", "otherwise") if len(step.branches) > 1 else ("", "")
    clauses = branch.when.clauses.items()
    short, full = (
        ", ".join(_lower(_clause_words(k, c, step, keys, tree, brief)) for k, c in clauses)
        for brief in (True, False)
    )
    return _upper(short), _upper(full)


def _lower(words: str) -> str:
    """ "Symptoms from tumour bulk" inside a phrase; "G3", "SSA" and "Ki-67" stay as they are."""
    first = words.split(" ", 1)[0]
    return words[:1].lower() + words[1:] if first.isalpha() and first[1:].islower() else words


def _upper(words: str) -> str:
    return words[:1].upper() + words[1:]


# ----------------------------------------------------------------------------- graph


def _graph(
    tree: Tree, href_for_step: Callable[[str], str], href_for_pointer: Callable[[str], str | None]
) -> tuple[dict[str, Node], dict[tuple[str, str], Edge]]:
    keys = key_catalogue(tree)
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], Edge] = {}
    for step in tree.steps:
        nodes[step.id] = Node(
            step.id, step.title, step.pathway, href_for_step(step.id), step.key is not None
        )
    for step in tree.steps:
        for branch in step.branches:
            target = branch.next
            if target is None and branch.outcome == "out_of_scope" and branch.pointer:
                target = f"pointer:{branch.pointer}"
                if target not in nodes:
                    pointer = tree.pointers.get(branch.pointer)
                    title = pointer.title if pointer else branch.pointer
                    nodes[target] = Node(
                        target, title, "scope", href_for_pointer(branch.pointer) or "", False
                    )
            if not target:
                continue
            if (step.id, target) not in edges:
                edges[(step.id, target)] = Edge(step.id, target)
                nodes[target].parents.append(step.id)
            edges[(step.id, target)].answers.append(branch_answers(step, branch, tree, keys))
    return nodes, edges


def _layers(nodes: dict[str, Node], edges: dict[tuple[str, str], Edge], root: str) -> None:
    # Longest path from the root (the tree is acyclic); unreachable steps go on top.
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        children[a].append(b)
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:  # topological order by depth-first search
        if node in seen:
            return
        seen.add(node)
        for child in children[node]:
            visit(child)
        order.append(node)

    visit(root)
    for node in nodes:
        visit(node)
    for node in reversed(order):
        for child in children[node]:
            nodes[child].layer = max(nodes[child].layer, nodes[node].layer + 1)
    # Out-of-scope boxes sit just below the step that sends there, not at the bottom.
    for node in nodes.values():
        if node.kind == "scope" and node.parents:
            node.layer = max(nodes[p].layer for p in node.parents) + 1


def _wrap(layer: list[Node]) -> list[list[Node]]:
    """A layer as rows of at most COLUMNS boxes: each pathway's boxes in balanced chunks, and
    neighbouring chunks that fit together on one row."""
    chunks: list[list[Node]] = []
    for kind in sorted({n.kind for n in layer}, key=lambda k: KIND_ORDER.get(k, 1)):
        group = [n for n in layer if n.kind == kind]
        count = -(-len(group) // COLUMNS)
        size = -(-len(group) // count)
        chunks += [group[i : i + size] for i in range(0, len(group), size)]
    rows: list[list[Node]] = []
    for chunk in chunks:
        if rows and len(rows[-1]) + len(chunk) <= COLUMNS:
            rows[-1] += chunk
        else:
            rows.append(list(chunk))
    return rows


def _arrange(nodes: dict[str, Node]) -> list[list[Node]]:
    by_layer: dict[int, list[Node]] = {}
    for index, node in enumerate(nodes.values()):
        node.order = index
        by_layer.setdefault(node.layer, []).append(node)
    rows: list[list[Node]] = []
    for layer in sorted(by_layer):
        members = by_layer[layer]
        for node in members:  # under the boxes that lead to it, pathways apart
            if node.parents:
                node.order = sum(nodes[p].col + 10 * nodes[p].row for p in node.parents) / len(
                    node.parents
                )
        members.sort(key=lambda n: (KIND_ORDER.get(n.kind, 1), n.order))
        for row in _wrap(members):
            for col, node in enumerate(row):
                node.row, node.col = len(rows), col
            rows.append(row)
    return rows


# ----------------------------------------------------------------------------- drawing


@dataclass
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, pad: float = 3) -> bool:
        return not (
            self.right + pad <= other.left
            or other.right + pad <= self.left
            or self.bottom + pad <= other.top
            or other.bottom + pad <= self.top
        )


def _ports(nodes: dict[str, Node], edges: list[Edge]) -> dict[tuple[str, str], tuple[float, float]]:
    """Where each arrow leaves its source's bottom and enters its target's top: spread out
    along the edge, in the order of the other ends, so arrows do not share a start or an end."""
    out: dict[str, list[Edge]] = {}
    into: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
        into.setdefault(edge.target, []).append(edge)
    start: dict[tuple[str, str], float] = {}
    end: dict[tuple[str, str], float] = {}
    for name, group, ends, other in (("out", out, start, "target"), ("in", into, end, "source")):
        del name
        for node_id, members in group.items():
            members.sort(key=lambda e: (nodes[getattr(e, other)].x, nodes[getattr(e, other)].y))
            node = nodes[node_id]
            for i, edge in enumerate(members):
                ends[(edge.source, edge.target)] = node.x + NODE_W * (i + 1) / (len(members) + 1)
    return {key: (start[key], end[key]) for key in start}


Point = tuple[float, float]


def _path(
    edge: Edge, nodes: dict[str, Node], x1: float, x2: float, lanes: dict[float, int]
) -> tuple[str, Point, Point]:
    """The arrow's path and the two points where a label may sit (below the source, above the
    target). `lanes` counts the arrows already down each column gap, to keep them apart."""
    a, b = nodes[edge.source], nodes[edge.target]
    y1, y2 = a.y + NODE_H, b.y
    below, above = (x1, y1 + GAP_Y * 0.42), (x2, y2 - GAP_Y * 0.42)
    if b.row == a.row + 1:
        mid = (y1 + y2) / 2
        return (
            f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2 - 1:.1f}",
            below,
            above,
        )
    # Skips rows: down the column gap nearest the target, clear of every box.
    gaps = [MARGIN / 2 + c * (NODE_W + GAP_X) for c in range(COLUMNS + 1)]
    gap = min(gaps, key=lambda g: (abs(g - (x1 + x2) / 2), g))
    channel = gap + (lanes.get(gap, 0) % 3 - 1) * 5
    lanes[gap] = lanes.get(gap, 0) + 1
    top, bottom = y1 + GAP_Y / 2, y2 - GAP_Y / 2
    below = ((x1 + channel) / 2, below[1])  # beside the bend towards the gap, not the box
    d = (
        f"M{x1:.1f},{y1:.1f} C{x1:.1f},{top:.1f} {channel:.1f},{y1:.1f} "
        f"{channel:.1f},{top + 8:.1f} L{channel:.1f},{bottom - 8:.1f} "
        f"C{channel:.1f},{y2:.1f} {x2:.1f},{bottom:.1f} "
        f"{x2:.1f},{y2 - 1:.1f}"
    )
    return d, below, above


def _label_lines(text: str, chars: int, lines: int) -> list[str]:
    wrapped = textwrap.wrap(text, chars) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: chars - 1].rstrip() + "…"
    return wrapped


def _label_box(lines: list[str], at: tuple[float, float]) -> Box:
    width = max(len(line) for line in lines) * LABEL_CHAR_W + 8
    height = len(lines) * LABEL_LINE_H + 4
    x, y = at
    return Box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def _place_label(lines: list[str], spots: list[Point], width: float, taken: list[Box]) -> Box:
    """A free spot for an arrow's label: at the first of `spots` (its preferred end first),
    moving up or down within the gap between the rows and then sideways, near first; inside
    the chart."""

    def box_at(at: Point) -> Box:
        box = _label_box(lines, at)
        shift = max(0.0, 1 - box.left) - max(0.0, box.right - (width - 1))
        return Box(box.left + shift, box.top, box.right + shift, box.bottom)

    for reach in (6, 12):
        for x, y in spots:
            for dx in sorted(range(-reach, reach + 1), key=abs):
                for dy in (0, -14, 12):
                    box = box_at((x + dx * 18, y + dy))
                    if not any(box.overlaps(other) for other in taken):
                        return box
    return box_at(spots[0])


def flowchart_svg(
    tree: Tree,
    href_for_step: Callable[[str], str],
    href_for_pointer: Callable[[str], str | None],
    svg_id: str = "net-flowchart",
) -> str:
    """The whole tree as one inline SVG (a single line-free block, safe inside Markdown)."""
    nodes, edge_map = _graph(tree, href_for_step, href_for_pointer)
    _layers(nodes, edge_map, tree.root)
    rows = _arrange(nodes)
    edges = sorted(edge_map.values(), key=lambda e: (nodes[e.source].row, nodes[e.source].col))
    widest = max(len(row) for row in rows)
    width = 2 * MARGIN + widest * NODE_W + (widest - 1) * GAP_X
    height = 2 * MARGIN + len(rows) * NODE_H + (len(rows) - 1) * GAP_Y
    ports = _ports(nodes, edges)
    node_boxes = [Box(n.x, n.y, n.x + NODE_W, n.y + NODE_H) for n in nodes.values()]
    placed: list[Box] = []
    paths: list[str] = []
    labels: list[str] = []
    lanes: dict[float, int] = {}
    labelled_into: dict[str, int] = {}
    for edge in edges:
        labelled_into[edge.target] = labelled_into.get(edge.target, 0) + bool(edge.label())
    for edge in edges:
        x1, x2 = ports[(edge.source, edge.target)]
        d, below, above = _path(edge, nodes, x1, x2, lanes)
        paths.append(f'<path class="net-flow__edge" d="{d}" marker-end="url(#{svg_id}-arrow)"/>')
        if not edge.label():
            continue
        lines = _label_lines(edge.label(), LABEL_CHARS, LABEL_LINES)
        # Beside the end that has no other label to tell it from: a target several labelled
        # arrows reach gets its labels under their sources.
        spots = [below, above] if labelled_into[edge.target] > 1 else [above, below]
        box = _place_label(lines, spots, width, placed + node_boxes)
        placed.append(box)
        cx = (box.left + box.right) / 2
        text = "".join(
            f'<text x="{cx:.1f}" y="{box.top + 2 + (i + 0.8) * LABEL_LINE_H:.1f}" '
            f'text-anchor="middle">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        labels.append(
            f'<g class="net-flow__answer"><title>{escape(edge.label(full=True))}</title>'
            f'<rect x="{box.left:.1f}" y="{box.top:.1f}" width="{box.right - box.left:.1f}" '
            f'height="{box.bottom - box.top:.1f}" rx="3"/>{text}</g>'
        )
    out: list[str] = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="net-flow" id="{svg_id}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="group" aria-labelledby="{svg_id}-title">',
        f'<title id="{svg_id}-title">Flowchart of the treatment decision tree: each box is a '
        "step and links to its section; each arrow is labelled with the answers that take it."
        "</title>",
        f'<defs><marker id="{svg_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="net-flow__arrowhead"/></marker></defs>',
        # The step sections say the same in full; a screen reader follows the links instead.
        f'<g class="net-flow__edges" aria-hidden="true">{"".join(paths)}{"".join(labels)}</g>',
    ]
    for node in (n for row in rows for n in row):
        lines = _label_lines(node.label, LINE_CHARS, MAX_LINES)
        if lines[-1].endswith("…"):  # too long: try the site's abbreviation
            lines = _label_lines(_ssa(node.label), LINE_CHARS, MAX_LINES)
        top = node.y + NODE_H / 2 - (len(lines) - 1) * LINE_H / 2 + 4
        shape = "question" if node.question else "result"
        start = " net-flow__node--start" if node.id == tree.root else ""
        box = (
            f'<g class="net-flow__node net-flow__node--{node.kind} net-flow__node--{shape}{start}" '
            f'data-step="{escape(node.id)}">'
            f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_W}" '
            f'height="{NODE_H}" rx="7"/>'
        )
        for i, line in enumerate(lines):
            box += (
                f'<text x="{node.x + NODE_W / 2:.1f}" y="{top + i * LINE_H:.1f}" '
                f'text-anchor="middle">{escape(line)}</text>'
            )
        box += "</g>"
        if node.href:
            # xlink:href, not href: Material's instant navigation assigns `el.href` on every
            # [href] element, which throws for SVG links (their href is read-only).
            box = f'<a xlink:href="{escape(node.href)}">{box}</a>'
        out.append(box)
    out.append("</svg>")
    return "".join(out)
