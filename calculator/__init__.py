"""Neuroendocrine tumour calculators: WHO grade and treatment sequencing.

Standard library only, so the same wheel runs under CPython and in the browser (Pyodide).
"""

from calculator.grading import GradeResult, grade
from calculator.sequencing import SequenceResult, sequence
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

__all__ = [
    "ENGINE_VERSION",
    "EVIDENCE_DATE",
    "GradeResult",
    "SequenceResult",
    "grade",
    "sequence",
]
