"""Old import path of the math value model, kept for one release: re-exports `verifiers.math`
(values, parsing, comparison). New code imports from those modules."""

from verifiers.math.comparison import compare, evaluable, expr_equal, scalar_equal
from verifiers.math.numbers import parse_scalar
from verifiers.math.parsing import parse_answer, parse_choice, parse_gold, parse_value, split_top
from verifiers.math.values import (
    CORRECT,
    HEDGED,
    WRONG,
    Assign,
    Choice,
    Collection,
    Equation,
    Matrix,
    Region,
    Scalar,
    Text,
    Tuple,
    Unparseable,
)

__all__ = ["CORRECT", "WRONG", "HEDGED", "compare", "evaluable", "expr_equal", "scalar_equal", "parse_scalar",
           "parse_answer", "parse_choice", "parse_gold", "parse_value", "split_top", "Assign", "Choice",
           "Collection", "Equation", "Matrix", "Region", "Scalar", "Text", "Tuple", "Unparseable"]
