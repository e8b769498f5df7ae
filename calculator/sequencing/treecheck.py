"""Whole-tree checks: ids, branch targets, totality, no loops, reachability, key order."""

from __future__ import annotations

from calculator.sequencing.contract import ANSWER_VALUES
from calculator.sequencing.model import Condition, Step, Tree
from calculator.sequencing.reader import TreeError


def check_graph(tree: Tree, file: str) -> None:
    """Raise TreeError unless the steps form a loop-free graph that always ends."""
    index: dict[str, int] = {}
    for i, step in enumerate(tree.steps):
        if step.id in index:
            raise TreeError(file, f"steps[{i}].id", f"duplicate step id {step.id!r}")
        index[step.id] = i
    if tree.root not in index:
        raise TreeError(file, "root", f"root step {tree.root!r} does not exist")
    for step in tree.steps:
        where = f"steps[{index[step.id]}] (id {step.id!r}).branches"
        if not step.branches:
            raise TreeError(file, where, "a step needs at least one branch")
        if step.branches[-1].when is not None:
            raise TreeError(file, where, "the last branch must have no `when` (the otherwise)")
        for j, b in enumerate(step.branches):
            if b.next is not None and b.next not in index:
                raise TreeError(file, f"{where}[{j}].next", f"unknown step id {b.next!r}")
    order = _topological(tree, index, file)
    _check_reachable(tree, index, file)
    _check_key_order(tree, order, index, file)


def _successors(step: Step) -> list[str]:
    return [b.next for b in step.branches if b.next is not None]


def _topological(tree: Tree, index: dict[str, int], file: str) -> list[str]:
    """Steps in an order where every step comes after all steps that lead to it."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    out: list[str] = []

    def visit(sid: str, trail: tuple[str, ...]) -> None:
        if state.get(sid) == 2:
            return
        if state.get(sid) == 1:
            loop = " -> ".join((*trail[trail.index(sid) :], sid))
            raise TreeError(file, f"steps[{index[sid]}]", f"the branches form a loop: {loop}")
        state[sid] = 1
        for nxt in _successors(tree.step(sid)):
            visit(nxt, (*trail, sid))
        state[sid] = 2
        out.append(sid)

    for step in tree.steps:
        visit(step.id, ())
    return list(reversed(out))


def _check_reachable(tree: Tree, index: dict[str, int], file: str) -> None:
    seen = {tree.root}
    todo = [tree.root]
    while todo:
        for nxt in _successors(tree.step(todo.pop())):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    for step in tree.steps:
        if step.id not in seen:
            raise TreeError(file, f"steps[{index[step.id]}]", f"step {step.id!r} is unreachable")


def _check_key_order(tree: Tree, order: list[str], index: dict[str, int], file: str) -> None:
    """A step may only test answer keys that some path asks before it (or that it asks)."""
    before: dict[str, set[str]] = {tree.root: set()}
    for sid in order:
        step = tree.step(sid)
        known = before.get(sid, set())
        if step.key:
            known = known | {step.key}
        conditions: list[tuple[str, Condition | None]] = [
            (f"branches[{j}].when", b.when) for j, b in enumerate(step.branches)
        ]
        for j, rec in enumerate(step.recommendations):
            conditions += [
                (f"recommend[{j}].when", rec.when),
                (f"recommend[{j}].unless", rec.unless),
            ]
        for j, adv in enumerate(step.advice):
            conditions += [(f"advice[{j}].when", adv.when), (f"advice[{j}].unless", adv.unless)]
        for where, cond in conditions:
            for key in cond.keys() if cond else ():
                if key in ANSWER_VALUES and key not in known:
                    raise TreeError(
                        file,
                        f"steps[{index[sid]}] (id {sid!r}).{where}.{key}",
                        f"{key!r} is never asked before this step, so the test can never match",
                    )
        for nxt in _successors(step):
            before.setdefault(nxt, set()).update(known)
