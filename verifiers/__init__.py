"""Rule-based verifiers for verifiable rewards: math answers, code tests, format, language."""

from verifiers.base import Problem, Verdict, Verifier

__all__ = ["Problem", "Verdict", "Verifier"]
