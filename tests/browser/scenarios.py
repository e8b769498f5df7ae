"""Answers the browser tests and the record-text unit tests share (one place, so a tree change is
edited once)."""

from __future__ import annotations

# The spec's pancreatic pathway: a progressing G2 pNET on standard-dose SSA, partly SSTR
# positive, liver-predominant, with prolonged prior SSA benefit. Complete: gives options.
PNET_PROGRESSING: dict[str, str] = {
    "site": "pancreas",
    "differentiation": "well",
    "grade": "G2",
    "stage": "advanced",
    "syndrome": "none",
    "resectable": "no",
    "vhl": "no",
    "bulk_symptoms": "no",
    "current_ssa": "standard",
    "pace": "progressing",
    "sstr": "partial",
    "hepatic_predominant": "yes",
    "prolonged_ssa_benefit": "yes",
}
