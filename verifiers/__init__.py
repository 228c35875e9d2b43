"""Rule-based verifiers for verifiable rewards: math answers, code tests, format, language."""

from typing import Any

from verifiers import legacy_paths
from verifiers.base import Problem, Verdict, Verifier

legacy_paths.install()  # old flat paths (verifiers.adapters, ...) for one release

__all__ = ["Problem", "Verdict", "Verifier", "grade", "score"]


def __getattr__(name: str) -> Any:
    # The one-call API (`verifiers.score(text, answer="5")`) is imported on first use, so that
    # `import verifiers` stays as light as the base types.
    if name in ("score", "grade"):
        from verifiers.integrations import adapters

        return getattr(adapters, name)
    raise AttributeError(f"module 'verifiers' has no attribute {name!r}")
