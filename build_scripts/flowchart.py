"""Build-time SVG flowchart of the decision tree: boxes with text labels, each a link to its step.

No JavaScript, no CDN: the SVG is plain markup written into the overview page. Layout is a
simple layered drawing: a step sits one row below the deepest step that leads to it, rows are
ordered by a few barycentre sweeps to reduce crossings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from calculator.sequencing.model import Tree

NODE_W = 176
NODE_H = 58
GAP_X = 18
GAP_Y = 44
MARGIN = 12
LINE_CHARS = 27
MAX_LINES = 3
PATHWAY_ORDER = {"pnet": 0, "common": 1, "gi": 2, "scope": 3}


@dataclass
class Node:
    id: str
    label: str
    kind: str  # common | pnet | gi | scope
    href: str
    question: bool = True
    layer: int = 0
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0
    parents: list[str] = field(default_factory=list)


def _graph(
    tree: Tree, href_for_step: Callable[[str], str], href_for_pointer: Callable[[str], str | None]
) -> tuple[dict[str, Node], list[tuple[str, str]]]:
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str]] = []
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
            if target and (step.id, target) not in edges:
                edges.append((step.id, target))
                nodes[target].parents.append(step.id)
    return nodes, edges


def _layers(nodes: dict[str, Node], edges: list[tuple[str, str]], root: str) -> None:
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


def _arrange(nodes: dict[str, Node]) -> list[list[Node]]:
    rows: dict[int, list[Node]] = {}
    for index, node in enumerate(nodes.values()):
        node.order = PATHWAY_ORDER.get(node.kind, 1) * 1000 + index
        rows.setdefault(node.layer, []).append(node)
    layers = [sorted(rows[k], key=lambda n: n.order) for k in sorted(rows)]
    for _ in range(4):  # barycentre sweeps, keeping pathway columns apart
        for row in layers[1:]:
            for node in row:
                parents = [nodes[p] for p in node.parents]
                if parents:
                    bary = sum(p.x for p in parents) / len(parents)
                    node.order = PATHWAY_ORDER.get(node.kind, 1) * 10_000 + bary
            row.sort(key=lambda n: n.order)
            _place(layers)
    _place(layers)
    return layers


def _place(layers: list[list[Node]]) -> None:
    widest = max(len(row) for row in layers)
    total = widest * NODE_W + (widest - 1) * GAP_X
    for depth, row in enumerate(layers):
        width = len(row) * NODE_W + (len(row) - 1) * GAP_X
        left = MARGIN + (total - width) / 2
        for i, node in enumerate(row):
            node.x = left + i * (NODE_W + GAP_X)
            node.y = MARGIN + depth * (NODE_H + GAP_Y)


def _label_lines(text: str) -> list[str]:
    lines = textwrap.wrap(text, LINE_CHARS) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: LINE_CHARS - 1].rstrip() + "…"
    return lines


def flowchart_svg(
    tree: Tree,
    href_for_step: Callable[[str], str],
    href_for_pointer: Callable[[str], str | None],
    svg_id: str = "net-flowchart",
) -> str:
    """The whole tree as one inline SVG (a single line-free block, safe inside Markdown)."""
    nodes, edges = _graph(tree, href_for_step, href_for_pointer)
    _layers(nodes, edges, tree.root)
    layers = _arrange(nodes)
    widest = max(len(row) for row in layers)
    width = 2 * MARGIN + widest * NODE_W + (widest - 1) * GAP_X
    height = 2 * MARGIN + len(layers) * NODE_H + (len(layers) - 1) * GAP_Y
    out: list[str] = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="net-flow" id="{svg_id}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="group" aria-labelledby="{svg_id}-title">',
        f'<title id="{svg_id}-title">Flowchart of the treatment decision tree: each box is a '
        "step and links to its section.</title>",
        '<defs><marker id="net-flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="net-flow__arrowhead"/></marker></defs>',
        '<g class="net-flow__edges">',
    ]
    for a, b in edges:
        na, nb = nodes[a], nodes[b]
        x1, y1 = na.x + NODE_W / 2, na.y + NODE_H
        x2, y2 = nb.x + NODE_W / 2, nb.y
        if nb.layer - na.layer > 1 and abs(x1 - x2) < NODE_W:
            # A long edge would run behind the boxes in between: bow it out to the side.
            side = x1 + NODE_W * 1.1
            d = (
                f"M{x1:.1f},{y1:.1f} C{side:.1f},{y1 + GAP_Y:.1f} {side:.1f},{y2 - GAP_Y:.1f} "
                f"{x2:.1f},{y2 - 1:.1f}"
            )
        else:
            mid = (y1 + y2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2 - 1:.1f}"
        out.append(f'<path class="net-flow__edge" d="{d}" marker-end="url(#net-flow-arrow)"/>')
    out.append("</g>")
    for row in layers:
        for node in row:
            lines = _label_lines(node.label)
            line_h = 14
            top = node.y + NODE_H / 2 - (len(lines) - 1) * line_h / 2 + 4
            shape = "question" if node.question else "result"
            box = (
                f'<g class="net-flow__node net-flow__node--{node.kind} net-flow__node--{shape}" '
                f'data-step="{escape(node.id)}">'
                f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_W}" '
                f'height="{NODE_H}" rx="7"/>'
            )
            for i, line in enumerate(lines):
                box += (
                    f'<text x="{node.x + NODE_W / 2:.1f}" y="{top + i * line_h:.1f}" '
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
