"""Math benchmark rows (GSM8K, MATH, DeepScaleR, AIME/AMC, OlympiadBench) -> Problem with the gold
as text; it never checks that a gold parses (loading.map_rows grades each gold against itself,
once)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from verifiers.base import Problem
from verifiers.benchmarks.rows import _gold_number, _id, _text
from verifiers.extract import boxes

# --------------------------------------------------------------------------------------------
# Math
# --------------------------------------------------------------------------------------------


def _gsm8k(row: Mapping[str, Any], index: int) -> Problem:
    solution = _text(row, "answer")
    if "####" not in solution:
        raise ValueError("column 'answer' has no '####' before the final answer")
    gold = solution.rsplit("####", 1)[1].strip().replace(",", "")  # "1,000" -> "1000"
    return Problem(
        str(index), _text(row, "question"), gold, meta={"source": "gsm8k", "solution": solution}
    )


def _math_like(source: str, id_key: str | None) -> Callable[[Mapping[str, Any], int], Problem]:
    def mapper(row: Mapping[str, Any], index: int) -> Problem:
        question = _text(row, "problem")
        gold = row.get("answer")
        if isinstance(gold, (int, float)) and not isinstance(gold, bool):
            gold = _gold_number(gold, "answer")
        if not (isinstance(gold, str) and gold.strip()):
            found = boxes(row.get("solution") or "") if isinstance(row.get("solution"), str) else []
            if not found:
                raise ValueError("no 'answer' column and no \\boxed{} in 'solution'")
            gold = found[-1].text  # MATH's convention: the last box of the solution is the answer
        pid = _id(row, id_key) if id_key and row.get(id_key) is not None else str(index)
        meta = {"source": source}
        for key in ("subject", "level", "solution", "type"):
            if row.get(key) is not None:
                meta[key] = row[key]
        return Problem(pid, question, gold.strip(), meta=meta)

    return mapper


def _aime(row: Mapping[str, Any], index: int) -> Problem:
    lower = {str(k).lower(): v for k, v in row.items()}  # AIME 2024 exports use "Problem"/"Answer"
    question = _text(lower, "problem", "question")
    gold = _gold_number(lower.get("answer"), "answer")
    pid = str(lower["id"]) if lower.get("id") not in (None, "") else str(index)
    meta = {"source": "aime"}
    if isinstance(lower.get("solution"), str):
        meta["solution"] = lower["solution"]
    return Problem(pid, question, gold, meta=meta)


def _olympiad(row: Mapping[str, Any], index: int) -> Problem:
    """OlympiadBench: `question`, `final_answer` (a list of answers, each often in `$...$`, or its
    string form), `unit` ("None" when there is none), `context` for multi-part problems."""
    question = _text(row, "question")
    answers = row.get("final_answer")
    if isinstance(answers, str) and answers.startswith("["):
        try:
            answers = ast.literal_eval(answers)
        except (ValueError, SyntaxError):
            raise ValueError("column 'final_answer' is not a list of answers") from None
    if isinstance(answers, str):
        answers = [answers]
    if not (isinstance(answers, list) and answers and all(isinstance(a, str) for a in answers)):
        raise ValueError("column 'final_answer' has no answer (a list of strings)")
    gold = ", ".join(a.strip().strip("$").strip() for a in answers)
    context = row.get("context")
    if isinstance(context, str) and context.strip() not in ("", "None"):
        question = f"{context.strip()}\n\n{question}"
    meta = {"source": "olympiadbench"}
    for key in ("unit", "answer_type", "subfield", "is_multiple_answer", "solution"):
        if row.get(key) not in (None, "None"):
            meta[key] = row[key]
    pid = str(row["id"]) if row.get("id") not in (None, "") else str(index)
    return Problem(pid, question, gold, meta=meta)
