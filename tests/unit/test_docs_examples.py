"""Every worked example on the grading page is a fixture: the engine must give what the page
says, and the page must link to the calculator with exactly the example's inputs."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from calculator import web

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = json.loads((ROOT / "tests" / "fixtures" / "grading_page_examples.json").read_text())
PAGE = (ROOT / "docs" / "grading.md").read_text()


def linked_queries(text: str) -> list[dict[str, str]]:
    """Query strings of every calculator link on the page."""
    queries = []
    for part in text.split("calculator/grade.md?")[1:]:
        query = part.split(")", 1)[0].split('"', 1)[0]
        queries.append(dict(parse_qsl(query.replace("&amp;", "&"), keep_blank_values=True)))
    return queries


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["id"])
def test_example_result_is_what_the_page_says(example: dict) -> None:
    result = web.grade_params(example["params"])
    for key, value in example["expect"].items():
        assert result[key] == value, (example["id"], key, result)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["id"])
def test_example_is_on_the_page_with_its_link(example: dict) -> None:
    assert "{#" + example["id"] + "}" in PAGE or f'id="{example["id"]}"' in PAGE
    assert example["params"] in linked_queries(PAGE), f"no calculator link for {example['id']}"
