"""Program assembly: the program a completion stands for (the last fenced block of the language in
the graded region, or a bare continuation) behind the problem's trusted `code_prefix`; it only
builds source text and never runs or judges it.

Both the verifier (verifiers.code.verifier) and the benchmark loaders (verifiers.benchmarks) import
this module; it imports neither of them.
"""

from __future__ import annotations

import ast
import threading
from typing import Any, Literal, cast, overload

from verifiers.base import Problem
from verifiers.extract import code_blocks, split_sections

# CPython < 3.12 keeps the AST constructor's recursion counter in shared interpreter state, so two
# threads parsing at once can fail with "SystemError: AST constructor recursion depth mismatch"
# (python/cpython#106905); verifiers run in trainer threads, so every parse of ours is serialised.
_AST_LOCK = threading.Lock()


@overload
def parse_python(source: str, mode: Literal["exec"] = "exec") -> ast.Module: ...
@overload
def parse_python(source: str, mode: Literal["eval"]) -> ast.Expression: ...


def parse_python(source: str, mode: str = "exec") -> ast.Module | ast.Expression:
    """`ast.parse`, safe to call from several threads (see _AST_LOCK); raises what it raises."""
    with _AST_LOCK:
        return cast("ast.Module | ast.Expression", ast.parse(source, mode=mode))


LANGUAGE_TAGS = {"python": ("python", "py", "python3", "py3"), "cpp": ("cpp", "c++", "cc", "cxx")}


def extract_program(completion: str, language: str) -> str | None:
    """The last fenced block tagged with `language` in the graded region (an untagged block only
    when no tagged one exists); None when there is none."""
    region = split_sections(completion).graded
    if region is None:
        return None
    blocks = code_blocks(region)
    tagged = [b for b in blocks if b.language in LANGUAGE_TAGS[language]]
    chosen = tagged or [b for b in blocks if b.language == ""]
    return chosen[-1].code if chosen and chosen[-1].code.strip() else None


def assemble_program(problem: Problem, completion: str) -> str | None:
    """The program a benchmark-style completion stands for: the last ```python block of the graded
    region, or the raw graded text when there is no fence (HumanEval samples are bare
    continuations). With a `code_prefix` (HumanEval's prompt): if the code defines the entry point
    itself, the prefix goes first so its imports and helpers exist and the candidate's definition
    wins; otherwise the code continues the prefix, exactly as the HumanEval harness concatenates.
    None when nothing is graded (an unclosed <think>)."""
    language = str(problem.meta.get("language", "python"))
    code = extract_program(completion, language) if language in LANGUAGE_TAGS else None
    if code is None:
        code = split_sections(completion).graded
        if code is None or not code.strip():
            return None
    return prefixed(problem, code)


def prefixed(problem: Problem, code: str) -> str:
    """`code` behind the problem's trusted `code_prefix` (HumanEval's prompt: imports, signature,
    docstring), or `code` itself when there is none. CodeTestsVerifier applies it to every
    extracted program, so a fenced full definition that omits the prompt's imports still runs."""
    prefix, entry = problem.meta.get("code_prefix"), problem.meta.get("entry_point")
    if not isinstance(prefix, str):
        return code
    return prefix + "\n\n" + code if _defines(code, entry) else prefix + code


def _defines(code: str, name: Any) -> bool:
    try:
        tree = parse_python(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name
        for n in tree.body
    )
