"""Evaluate the exported PlanDefinition with fhirpathpy, as its `usage` says, over many answer
sets at once (the exhaustive walk has tens of thousands).

Each FHIRPath expression is compiled once and evaluated one expression at a time over all the
answer sets. An expression's value depends only on the variables it names and on the answers
whose linkIds it names, so it runs once per distinct value of those inputs (over a
QuestionnaireResponse holding only those answers) and the result is reused; and an expression
`%v and ...` is false wherever `v` is false (FHIRPath's `and`), so it runs only where `v` is not
false. `reuse=False` runs every expression on every answer set, to show that neither shortcut
changes an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import compress
from typing import Any

import fhirpathpy
from fhirpathpy.models import models
from fhirpathpy.parser import parse

from calculator.sequencing.contract import ANSWER_VALUES, PREFERENCES, PRIOR_KEY

VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
_REF = re.compile(r"%(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))")
_LINK = re.compile(r"linkId = '([^']+)'")
_RANK = {p: i for i, p in enumerate(PREFERENCES)}
USABLE_CLASSES = ("NET", "MiNEN")  # grading classes whose grade the tree uses

Value = tuple[Any, ...]


@dataclass
class Compiled:
    """One expression, compiled once, with the inputs it reads and its memory of results."""

    text: str
    fn: Callable[..., list[Any]]
    reads: tuple[str, ...]  # variables
    links: tuple[str, ...]  # answers (QuestionnaireResponse items, by linkId)
    gate: str | None = None  # `%gate and ...`: false wherever the variable `gate` is false
    memo: dict[Any, int] = field(default_factory=dict)
    evaluations: int = 0


def conjunction_gate(text: str) -> str | None:
    """The variable `v` when the expression is `%v and ...` at its top level: FHIRPath's `and`
    is false whenever one side is false, so where `v` is false the whole is false."""
    node = parse(text)["children"][0]
    if node.get("type") != "AndExpression":
        return None
    while node.get("type") == "AndExpression":
        node = node["children"][0]
    term = node.get("children", [{}])[0]
    if node.get("type") == "TermExpression" and term.get("type") == "ExternalConstantTerm":
        return str(term["children"][0]["children"][0]["text"]).strip("`")
    return None


def compile_expression(text: str) -> Compiled:
    reads = tuple(dict.fromkeys(a or b for a, b in _REF.findall(text)))
    links = tuple(dict.fromkeys(_LINK.findall(text)))
    fn = fhirpathpy.compile(text, models["r4"])
    return Compiled(text, fn, reads, links, gate=conjunction_gate(text))


@dataclass
class Action:
    id: str
    conditions: tuple[Compiled, ...]
    children: tuple[Action, ...]
    raw: dict[str, Any]

    def code(self, system_suffix: str) -> str | None:
        for cc in self.raw.get("code", []):
            for c in cc.get("coding", []):
                if c["system"].endswith(system_suffix):
                    return str(c["code"])
        return None

    def extension(self, url_suffix: str) -> Any:
        for ext in self.raw.get("extension", []):
            if ext["url"].endswith(url_suffix):
                return ext
        return None


@dataclass
class PlanResult:
    path: list[str]
    status: str | None
    pointer: str | None
    options: list[tuple[str, str, str | None, str]]  # id, preference, strength, step
    advice: list[str]


class PlanEvaluator:
    """Evaluates many answer sets at once, one expression at a time over all of them."""

    def __init__(self, plan: Mapping[str, Any]) -> None:
        self.variables = [
            (
                ext["valueExpression"]["name"],
                compile_expression(ext["valueExpression"]["expression"]),
            )
            for ext in plan.get("extension", [])
            if ext["url"] == VARIABLE
        ]
        self.index = {name: i for i, (name, _) in enumerate(self.variables)}
        self.actions = tuple(self._action(a) for a in plan["action"])
        self.values: list[Value] = []
        self.ids: dict[tuple[tuple[type, Any], ...], int] = {}

    def _action(self, raw: Mapping[str, Any]) -> Action:
        conditions = tuple(
            compile_expression(c["expression"]["expression"])
            for c in raw.get("condition", [])
            if c["kind"] == "applicability"
        )
        children = tuple(self._action(a) for a in raw.get("action", []))
        return Action(raw["id"], conditions, children, dict(raw))

    def expressions(self) -> Iterator[Compiled]:
        yield from (c for _, c in self.variables)

        def walk(actions: tuple[Action, ...]) -> Iterator[Compiled]:
            for a in actions:
                yield from a.conditions
                yield from walk(a.children)

        yield from walk(self.actions)

    def _id(self, value: Value) -> int:
        # Typed: in Python 1 == True and 0 == False, which FHIRPath keeps apart.
        typed = tuple((type(x), x) for x in value)
        if typed not in self.ids:
            self.ids[typed] = len(self.values)
            self.values.append(value)
        return self.ids[typed]

    def _column(
        self,
        c: Compiled,
        cols: list[list[int]],
        answers: list[dict[str, Any]],
        rows: list[int],
        reuse: bool,
    ) -> list[int]:
        """The expression's value for the answer sets `rows`, once per distinct input."""
        if c.gate is not None and reuse:
            false = self._id((False,))
            gate = cols[self.index[c.gate]]
            is_open = [gate[i] != false for i in rows]
            open_rows = list(compress(rows, is_open))
            if len(open_rows) < len(rows):
                found = iter(self._column_of(c, cols, answers, open_rows, reuse))
                return [next(found) if o else false for o in is_open]
        return self._column_of(c, cols, answers, rows, reuse)

    def _column_of(
        self,
        c: Compiled,
        cols: list[list[int]],
        answers: list[dict[str, Any]],
        rows: list[int],
        reuse: bool,
    ) -> list[int]:
        whole = len(rows) == len(answers)  # rows is every answer set, in order
        inputs = [
            cols[self.index[r]] if whole else list(map(cols[self.index[r]].__getitem__, rows))
            for r in c.reads
        ]
        for k in c.links:
            if k not in self._answer_keys:
                self._answer_keys[k] = [repr(a[k]["answer"]) if k in a else None for a in answers]
            column = self._answer_keys[k]
            inputs.append(column if whole else list(map(column.__getitem__, rows)))
        # The key of a row is its inputs (a single input stands for itself: most expressions).
        single = len(inputs) == 1
        keys = inputs[0] if single else list(zip(*inputs, strict=True)) or [()] * len(rows)
        if not reuse:
            return [
                self._run(c, (key,) if single else key, answers[i])
                for key, i in zip(keys, rows, strict=True)
            ]
        a_row = dict(zip(keys, rows, strict=True))  # one answer set for each distinct input
        memo = c.memo
        for key, i in a_row.items():
            if key not in memo:
                memo[key] = self._run(c, (key,) if single else key, answers[i])
        return list(map(memo.__getitem__, keys))

    def _run(self, c: Compiled, key: tuple[Any, ...], answers: Mapping[str, Any]) -> int:
        """Evaluate the compiled expression over these inputs."""
        context = {r: list(self.values[v]) for r, v in zip(c.reads, key, strict=False)}
        resource = {
            "resourceType": "QuestionnaireResponse",
            "item": [answers[k] for k in c.links if k in answers],
        }
        c.evaluations += 1
        return self._id(tuple(c.fn(resource, context)))

    def evaluate_many(
        self, responses: list[Mapping[str, Any]], reuse: bool = True
    ) -> list[PlanResult]:
        answers = [{item["linkId"]: item for item in r.get("item", [])} for r in responses]
        self._answer_keys: dict[str, list[str | None]] = {}
        n = len(answers)
        cols: list[list[int]] = []
        every = list(range(n))
        for _, compiled in self.variables:
            cols.append(self._column(compiled, cols, answers, every, reuse))
        true = self._id((True,))
        results = [PlanResult([], None, None, [], []) for _ in range(n)]

        def applicable(action: Action, rows: list[int]) -> list[int]:
            """The rows where the parent applies and each applicability condition is true."""
            for c in action.conditions:
                col = self._column(c, cols, answers, rows, reuse)
                rows = list(compress(rows, map(true.__eq__, col)))
            return rows

        for step in self.actions:
            on = applicable(step, every)
            if step.id != "safety-advice":
                for i in on:
                    results[i].path.append(step.id)
            for child in step.children:
                here = applicable(child, on)
                if option := child.code("/option"):
                    pref = child.extension("/preference")["valueCoding"]["code"]
                    strength = child.extension("cqf-strengthOfRecommendation")
                    grade = strength["valueCodeableConcept"]["text"] if strength else None
                    for i in here:
                        results[i].options.append((option, pref, grade, step.id))
                elif advice := child.code("/advice"):
                    for i in here:
                        if advice not in results[i].advice:
                            results[i].advice.append(advice)
                elif outcome := child.code("/outcome"):
                    docs = child.raw.get("documentation", [])
                    for i in here:
                        results[i].status = outcome
                        results[i].pointer = docs[0]["label"] if docs else None
        # Preferred first; within a level, by the option's `position.<id>` (the `usage`).
        for i, result in enumerate(results):

            def order(o: tuple[str, str, str | None, str], i: int = i) -> tuple[int, Any]:
                position = cols[self.index["position." + o[0].replace("_", "-")]][i]
                return (_RANK[o[1]], self.values[position])

            result.options.sort(key=order)
        return results


@cache
def _item(link_id: str, codes: tuple[str, ...]) -> dict[str, Any]:
    """One coded answer (shared between answer sets: items are only read)."""
    return {"linkId": link_id, "answer": [{"valueCoding": {"code": c}} for c in codes]}


def questionnaire_response(answers: Mapping[str, Any], result: Mapping[str, Any]) -> dict:
    """The answers as the PlanDefinition reads them: the tree's answers, plus what the grading
    calculator found (grade, Ki-67 and whether it was a bound, WHO class), which the
    PlanDefinition does not compute (its listed exception)."""
    items = [_item(k, (answers[k],)) for k in ANSWER_VALUES if answers.get(k) is not None]
    grading = result.get("grading") or {}
    if (
        "grade" not in answers
        and grading.get("grade") in ANSWER_VALUES["grade"]
        and grading.get("classification") in USABLE_CLASSES
    ):
        items.append(_item("grade", (grading["grade"],)))
    if answers.get(PRIOR_KEY):
        items.append(_item(PRIOR_KEY, tuple(answers[PRIOR_KEY])))
    if grading.get("ki67_percent") is not None:
        value = grading["ki67_percent"]
        items.append({"linkId": "ki67_percent", "answer": [{"valueDecimal": value}]})
    if grading.get("ki67_bound"):
        items.append(_item("ki67_bound", (grading["ki67_bound"],)))
    if grading.get("classification"):
        items.append(_item("grading_class", (grading["classification"],)))
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}


def engine_view(result: Mapping[str, Any]) -> PlanResult:
    """The same fields from the calculator's own result."""
    pointer = result.get("pointer")
    return PlanResult(
        path=list(result["path"]),
        status=result["status"],
        pointer=pointer["page"] if pointer else None,
        options=[(o["id"], o["preference"], o["strength"], o["step"]) for o in result["options"]],
        advice=[a["id"] for a in result["advice"]],
    )
