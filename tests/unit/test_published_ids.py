"""Published ids (step anchors, option ids, advice ids) are never renamed or removed.

tests/ids/published_ids.json lists every id ever published; ids may be added to the data
(then add them to the file too), but an id listed there must stay in the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calculator.sequencing import load_tree
from calculator.sequencing.contract import ADVICE_IDS, OPTION_IDS

PUBLISHED = Path(__file__).resolve().parents[1] / "ids" / "published_ids.json"


def published() -> dict[str, list[str]]:
    data = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert set(data) == {"steps", "options", "advice"}
    return data


def current() -> dict[str, set[str]]:
    tree = load_tree()
    return {
        "steps": {s.id for s in tree.steps},
        "options": set(tree.options),
        "advice": set(tree.advice),
    }


@pytest.mark.parametrize("kind", ["steps", "options", "advice"])
def test_no_published_id_disappears(kind: str) -> None:
    missing = [i for i in published()[kind] if i not in current()[kind]]
    assert not missing, f"published {kind} ids removed or renamed: {missing} (add, never remove)"


@pytest.mark.parametrize("kind", ["steps", "options", "advice"])
def test_every_id_in_the_data_is_published(kind: str) -> None:
    unlisted = sorted(current()[kind] - set(published()[kind]))
    assert not unlisted, f"new {kind} ids not yet in {PUBLISHED.name}: {unlisted}"


def test_list_has_no_duplicates_and_holds_the_contract_ids() -> None:
    data = published()
    for ids in data.values():
        assert len(ids) == len(set(ids))
    assert set(OPTION_IDS) <= set(data["options"])
    assert set(ADVICE_IDS) <= set(data["advice"])
    assert "pnet-progression-on-ssa" in data["steps"]
