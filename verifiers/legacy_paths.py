"""The module paths of the flat layout (before verifiers/ got rooms by domain) kept importable for
one release: importing an old path returns the new module itself (the same object, so classes,
isinstance checks and pickles agree) and emits a DeprecationWarning naming the new path. It holds
no code of the moved modules and makes no new paths; delete it when the release has passed."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import FrameType, ModuleType

# old dotted path -> new dotted path; a package's submodules follow it (verifiers.suites.math)
MOVED = {
    "verifiers.adapters": "verifiers.integrations.adapters",
    "verifiers.math_answer": "verifiers.math.verifier",
    "verifiers.latex_norm": "verifiers.math.latex_norm",
    "verifiers.code_tests": "verifiers.code.verifier",
    "verifiers.code_cases": "verifiers.code.cases",
    "verifiers.output_checkers": "verifiers.code.checkers",
    "verifiers.plain_data": "verifiers.code.plain_data",
    "verifiers.format": "verifiers.text.format", "verifiers.language": "verifiers.text.language",
    "verifiers.shaping": "verifiers.text.shaping", "verifiers.sources": "verifiers.benchmarks",
    "verifiers.pytest_plugin": "verifiers.testing.plugin",
    "verifiers.suites": "verifiers.testing.suites",
    "verifiers.integrations.serve_command": "verifiers.cli.serve",
}
# `verifiers.cli` kept its name (now a package whose `main` is the console script) and
# verifiers/sandbox_driver.py is read as text by the code verifier, never imported: neither is here.


def new_path(name: str) -> str | None:
    """The new dotted path of an old one, or None when `name` did not move."""
    for old, new in MOVED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old):]
    return None


def _caller_stacklevel() -> int:
    """warnings' stacklevel of the first frame outside the import machinery and this module, so
    the warning names the line that imported the old path."""
    machinery = (__file__, importlib.__file__)  # importlib.import_module, this module
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or frame.f_code.co_filename in machinery):
        frame, level = frame.f_back, level + 1
    return level


class _Alias(importlib.abc.Loader):
    def __init__(self, new: str):
        self.new = new

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.new}; import {self.new} "
            "(the old path goes in the next release)",
            DeprecationWarning,
            stacklevel=_caller_stacklevel(),
        )
        module = importlib.import_module(self.new)
        self.spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The new module ran when it was imported; an alias runs nothing. The import system has
        just set the module's __spec__ to the old path: its own spec is put back, so reloads,
        reprs and pickling name the new path."""
        module.__spec__ = self.spec


class LegacyPaths(importlib.abc.MetaPathFinder):
    """Finds only the old paths in MOVED; every other name goes to the ordinary finders."""

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        new = new_path(name)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(name, _Alias(new))


def install() -> None:
    """Put the finder first on sys.meta_path, once (reloading verifiers adds no second one). First,
    so that an old path always means the new module, even where a stale file of the flat layout
    is still on disk (an editable install of an older checkout); it answers no other name."""
    if not any(isinstance(f, LegacyPaths) for f in sys.meta_path):
        sys.meta_path.insert(0, LegacyPaths())
