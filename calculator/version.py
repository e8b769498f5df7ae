"""Version and provenance stamped on every result and every page."""

# The engine version changes whenever a rule, the tree or the evidence data changes.
ENGINE_VERSION = "0.1.0"

# The date the evidence behind the recommendations was last reviewed (ISO 8601).
EVIDENCE_DATE = "2026-11-22"
