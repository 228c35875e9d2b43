"""Old import path of MathAnswerVerifier, kept for one release: re-exports
`verifiers.math.verifier` (configs and code may name `verifiers.math_answer.MathAnswerVerifier`)."""

from verifiers.math.verifier import REASONS, MathAnswerVerifier, judge, warm_up

__all__ = ["REASONS", "MathAnswerVerifier", "judge", "warm_up"]
