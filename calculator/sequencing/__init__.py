"""Treatment sequencing: the decision tree (calculator/data/tree.toml) and the engine that walks it.

Public API:
    sequence(answers) -> SequenceResult      # .to_dict() is the contract's JSON
    sequence_params(params) -> dict          # flat query-string parameters, never raises
    load_tree() -> Tree                      # the validated data, for the page renderer
"""

from calculator.sequencing.engine import sequence
from calculator.sequencing.model import (
    Advice,
    AdviceRule,
    Branch,
    Choice,
    Condition,
    Fact,
    NumRange,
    Option,
    Pointer,
    Recommendation,
    Source,
    SourceRef,
    Step,
    StepAdvice,
    Tree,
    Trial,
)
from calculator.sequencing.params import sequence_params
from calculator.sequencing.reader import TreeError
from calculator.sequencing.result import SequenceResult
from calculator.sequencing.tree import load_tree

__all__ = [
    "Advice",
    "AdviceRule",
    "Branch",
    "Choice",
    "Condition",
    "Fact",
    "NumRange",
    "Option",
    "Pointer",
    "Recommendation",
    "SequenceResult",
    "Source",
    "SourceRef",
    "Step",
    "StepAdvice",
    "Tree",
    "TreeError",
    "Trial",
    "load_tree",
    "sequence",
    "sequence_params",
]
