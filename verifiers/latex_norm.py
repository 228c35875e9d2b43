"""Old import path of the LaTeX normaliser, kept for one release: re-exports
`verifiers.math.latex_norm`."""

from verifiers.math.latex_norm import Normalized, normalize

__all__ = ["Normalized", "normalize"]
