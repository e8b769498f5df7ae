"""Provenance rules for the content data: every trial is cited and labelled for what it is,
every option and every recommendation rests on evidence or says it is expert opinion."""

from __future__ import annotations

import pytest

from build_scripts.render_pages import render_all
from calculator.sequencing import load_tree

TREE = load_tree()


@pytest.mark.parametrize("trial_id", sorted(TREE.trials))
def test_trial_is_cited(trial_id: str) -> None:
    trial = TREE.trials[trial_id]
    assert len(trial.citation) > 15, trial_id
    assert trial.status in {"published", "conference_abstract", "pending"}


def test_status_labels_match_the_evidence_notes() -> None:
    assert TREE.trials["sorento"].status == "pending"
    assert TREE.trials["oclurandom"].status == "conference_abstract"
    newer = {trial_id for trial_id, trial in TREE.trials.items() if trial.newer}
    assert {"netter_2", "cabinet", "compete", "compose"} <= newer
    assert not newer & {
        "promid",
        "clarinet",
        "clarinet_forte",
        "radiant_3",
        "radiant_4",
        "netter_1",
        "e2211",
    }
    assert TREE.trials["compose"].status == "pending"


@pytest.mark.parametrize("option_id", sorted(TREE.options))
def test_option_has_evidence_or_expert_opinion_marker(option_id: str) -> None:
    option = TREE.options[option_id]
    assert bool(option.evidence) != option.expert_opinion, option_id


EXPERT = "No trial in the evidence list; expert opinion of the source."


def test_every_recommendation_has_evidence_or_is_marked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A recommendation without trials is printed with the expert-opinion marker on its step."""
    render_all(tmp_path)
    pages = "".join(p.read_text() for p in (tmp_path / "algorithm").glob("*.md"))
    unmarked = 0
    for step in TREE.steps:
        section = pages.split("{#" + step.id + "}", 1)[1].split("\n## ", 1)[0]
        for rec in step.recommendations:
            assert rec.source.id in TREE.sources, (step.id, rec.option)
            if not rec.evidence:
                assert EXPERT in section, (step.id, rec.option)
            else:
                unmarked += 1
    assert unmarked > 20  # most recommendations cite trials


def test_rendered_pages_label_evidence(tmp_path) -> None:  # type: ignore[no-untyped-def]
    render_all(tmp_path)
    evidence = (tmp_path / "evidence" / "index.md").read_text()
    for trial_id, trial in TREE.trials.items():
        section = evidence.split("{#" + trial_id + "}", 1)[1].split("\n## ", 1)[0]
        if trial.status == "conference_abstract":
            assert "Conference abstract" in section, trial_id
        if trial.status == "pending":
            assert "Results pending" in section, trial_id
        if trial.newer:
            assert "Newer evidence" in section, trial_id
    for option_id, option in TREE.options.items():
        page = (tmp_path / "options" / f"{option_id}.md").read_text()
        if option.expert_opinion:
            assert "expert" in page.lower(), option_id
