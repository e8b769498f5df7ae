"""Version and provenance stamped on every result and every page."""

# The engine version changes whenever a rule, the tree or the evidence data changes.
ENGINE_VERSION = "0.2.0"

# The date of the newest evidence item in calculator/data/evidence.toml (ISO 8601): the footer
# says "evidence reviewed to" this date, so it is never newer than what was checked
# (tests/unit/test_tree_data.py keeps it equal to the data).
EVIDENCE_DATE = "2026-07-02"
