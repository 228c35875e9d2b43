"""LanguageVerifier: hand-written snippets, generated mixtures at known ratios, targets, config."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers.base import Problem, Verifier
from verifiers.text.language import LanguageVerifier, detect_language, word_counts

TOLERANCE = 0.05


def _think(text: str) -> str:
    return f"<think>{text}</think><answer>5</answer>"


def _score(target: str, text: str) -> float:
    verdict = LanguageVerifier(language=target)(completion=_think(text), problem=Problem(id="p"))
    return verdict.score


# (target, reasoning, true ratio). True ratios are counted by hand: English words, one per
# Chinese character, one per kana/kanji character, one per Korean or Russian word.
SNIPPETS = [
    # --- pure English, with LaTeX, numbers and code that must not count ---------------------
    pytest.param("en", "We add the two numbers.", 1.0, id="en-plain"),
    pytest.param("en", "We compute $\\frac{1}{2} + \\sqrt{3}$ and simplify.", 1.0,
                 id="en-inline-latex"),
    pytest.param("en", "Then $$\\int_0^1 x^2 dx = \\frac13$$ holds.", 1.0, id="en-display-latex"),
    pytest.param("en", "Use \\[ a^2 + b^2 = c^2 \\] here.", 1.0, id="en-bracket-latex"),
    pytest.param("en", "So \\( \\alpha \\) is small.", 1.0, id="en-paren-latex"),
    pytest.param("en", "We get 3.14159 and 2,718 after 10 steps.", 1.0, id="en-numbers"),
    pytest.param("en", "Run `print(结果)` now.", 1.0, id="en-inline-code-with-chinese"),
    pytest.param("en", "Code:\n```python\n# 注释 中文\nx = 1\n```\nDone here.", 1.0,
                 id="en-fenced-code-with-chinese"),
    pytest.param("en", "Let x be 5 and y be 6.", 1.0, id="en-single-letter-variables"),
    pytest.param("en", "\\begin{align} 中文 &= 1 \\end{align} is aligned.", 1.0,
                 id="en-environment"),
    pytest.param("en", "Café naïve résumé.", 1.0, id="en-accented-latin"),
    pytest.param("en", "The value $\\text{公式}$ stays out.", 1.0, id="en-chinese-inside-math"),
    # --- pure Chinese, with formulas -------------------------------------------------------------
    pytest.param("zh", "我们先计算。", 1.0, id="zh-plain"),
    pytest.param("zh", "设 $x^2 + y^2 = 1$，求最大值。", 1.0, id="zh-inline-latex"),
    pytest.param("zh", "设 x 为正数，则 x+1>1。", 1.0, id="zh-bare-variable"),
    pytest.param("zh", "由 \\[ \\frac{a}{b} = 2 \\] 可得结论。", 1.0, id="zh-display-latex"),
    pytest.param("zh", "答案是 42。", 1.0, id="zh-number"),
    pytest.param("zh", "代码如下：\n```python\nprint('hello world')\n```\n完成。", 1.0,
                 id="zh-code-block"),
    pytest.param("zh", "计算 \\sqrt{2} 的值。", 1.0, id="zh-bare-command"),
    # --- hand-counted mixtures --------------------------------------------------------------------
    pytest.param("zh", "我们 compute 结果", 4 / 5, id="zh-code-switch-one-word"),
    pytest.param("zh", "首先 we need to find 答案", 4 / 8, id="zh-code-switch-mid-sentence"),
    pytest.param("en", "First 我们 compute the sum", 4 / 6, id="en-code-switch"),
    pytest.param("zh", "Let us think. 让我们想想。", 5 / 8, id="zh-sentence-switch"),
    pytest.param("en", "Wait, 等一下, check again.", 3 / 6, id="en-wait-in-chinese"),
    pytest.param("zh", "All English words here.", 0.0, id="zh-off-target"),
    pytest.param("en", "全部都是中文。", 0.0, id="en-off-target"),
    # --- Japanese, Korean, Russian ---------------------------------------------------------------
    pytest.param("ja", "これは日本語の文です。", 1.0, id="ja-kana-kanji"),
    pytest.param("ja", "まず $x=2$ を代入します。", 1.0, id="ja-with-math"),
    pytest.param("ja", "カタカナとひらがな。", 1.0, id="ja-katakana-hiragana"),
    pytest.param("ja", "これは test です。", 5 / 6, id="ja-code-switch"),
    pytest.param("ja", "これは日本語です。这是中文。", 7 / 11, id="ja-vs-chinese-sentence"),
    pytest.param("zh", "这是中文。これは日本語です。", 4 / 11, id="zh-vs-japanese-sentence"),
    pytest.param("ko", "이것은 한국어 문장입니다.", 1.0, id="ko-plain"),
    pytest.param("ko", "먼저 $x$ 값을 구합니다.", 1.0, id="ko-with-math"),
    pytest.param("ko", "먼저 we compute 값을", 2 / 4, id="ko-code-switch"),
    pytest.param("ru", "Сначала вычислим сумму.", 1.0, id="ru-plain"),
    pytest.param("ru", "Сначала compute сумму.", 2 / 3, id="ru-code-switch"),
    pytest.param("en", "The ratio is αβ in Greek.", 5 / 6, id="en-greek-word"),
    pytest.param("en", "The angle α is small.", 1.0, id="en-lone-greek-letter-is-math"),
]


@pytest.mark.parametrize("target, text, ratio", SNIPPETS)
def test_hand_counted_snippets(target, text, ratio):
    assert abs(_score(target, text) - ratio) <= TOLERANCE


_EN_WORDS = ("we", "compute", "the", "sum", "then", "check", "value", "again", "because",
             "triangle", "area", "equals", "half", "base", "times", "height", "so", "answer")
_ZH_WORDS = ("我们", "计算", "结果", "三角形", "面积", "等于", "因为", "所以", "答案", "检查", "再")
_NOISE = ("$x^2 + 1 = 0$", "$$\\frac{a}{b}$$", "`f(x)`", "42", "3.5", "\\(n\\)", "x", "=", "+")


def _mixture(rng: random.Random, zh_share: float, noise: bool, mid_sentence: bool):
    """A text with a known number of English words and Chinese characters."""
    pieces: list[str] = []
    en = zh = 0
    while en + zh < 200:
        if rng.random() < zh_share:
            word = rng.choice(_ZH_WORDS)
            zh += len(word)
        else:
            word = rng.choice(_EN_WORDS)
            en += 1
        pieces.append(word)
        if noise and rng.random() < 0.2:
            pieces.append(rng.choice(_NOISE))
        if not mid_sentence and rng.random() < 0.1:
            pieces.append("。\n")
    return " ".join(pieces), zh / (en + zh)


MIXTURES = [
    pytest.param(share, noise, mid, seed, id=f"zh{share:.2f}-{'noisy' if noise else 'clean'}-"
                 f"{'mid' if mid else 'sent'}-s{seed}")
    for share in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    for noise in (False, True)
    for mid in (False, True)
    for seed in (0,)
]


@pytest.mark.parametrize("zh_share, noise, mid_sentence, seed", MIXTURES)
def test_generated_mixtures_within_tolerance(zh_share, noise, mid_sentence, seed):
    text, true_zh = _mixture(random.Random(seed * 1000 + int(zh_share * 100)), zh_share, noise,
                             mid_sentence)
    assert abs(_score("zh", text) - true_zh) <= TOLERANCE
    assert abs(_score("en", text) - (1 - true_zh)) <= TOLERANCE


def test_there_are_at_least_80_snippets():
    assert len(SNIPPETS) + 2 * len(MIXTURES) >= 80


@pytest.mark.parametrize(
    "verifier, problem, expected",
    [
        pytest.param(LanguageVerifier(language="zh"),
                     Problem(id="p", question="Solve it", meta={"language": "en"}),
                     "zh", id="config-wins"),
        pytest.param(LanguageVerifier(),
                     Problem(id="p", question="Solve it", meta={"language": "zh-CN"}),
                     "zh", id="meta-with-region"),
        pytest.param(LanguageVerifier(), Problem(id="p", question="求 x 的值。"), "zh",
                     id="detected-zh"),
        pytest.param(LanguageVerifier(), Problem(id="p", question="Find the value of $x$."), "en",
                     id="detected-en"),
        pytest.param(LanguageVerifier(), Problem(id="p", question="값을 구하시오."), "ko",
                     id="detected-ko"),
        pytest.param(LanguageVerifier(), Problem(id="p", question="$1+1$"), None,
                     id="undetectable"),
        pytest.param(LanguageVerifier(meta_key="reasoning_language"),
                     Problem(id="p", question="Write f.",
                             meta={"language": "python", "reasoning_language": "zh"}),
                     "zh", id="code-task-other-key"),
        pytest.param(LanguageVerifier(meta_key="reasoning_language"),
                     Problem(id="p", question="Write a function.", meta={"language": "python"}),
                     "en", id="code-task-key-absent-detects"),
    ],
)
def test_target_resolution(verifier, problem, expected):
    assert verifier.target(problem) == expected


@pytest.mark.parametrize(
    "completion, problem, reason, score, infra",
    [
        pytest.param(_think("We compute."), Problem(id="p", meta={"language": "en"}), "consistent",
                     1.0, False, id="consistent"),
        pytest.param(_think("We 计算."), Problem(id="p", meta={"language": "en"}), "mixed", 1 / 3,
                     False, id="mixed"),
        pytest.param(_think("计算。"), Problem(id="p", meta={"language": "en"}), "off_target", 0.0,
                     False, id="off-target"),
        pytest.param(_think("$x=1$ 42"), Problem(id="p", meta={"language": "en"}), "no_reasoning",
                     0.0, False, id="only-math"),
        pytest.param("<answer>We compute.</answer>", Problem(id="p", meta={"language": "en"}),
                     "no_reasoning", 0.0, False, id="no-think-block"),
        pytest.param(_think("We compute."), Problem(id="p", question="$1$"), "unknown_language",
                     0.0, True, id="unknown-target-masked"),
        pytest.param(_think("We compute."), Problem(id="p", meta={"language": "xx"}),
                     "unsupported_language", 0.0, True, id="unsupported-masked"),
        pytest.param(None, Problem(id="p", meta={"language": "en"}), "no_reasoning", 0.0, False,
                     id="non-string"),
    ],
)
def test_reasons(completion, problem, reason, score, infra):
    verdict = LanguageVerifier()(completion=completion, problem=problem)
    assert (verdict.reason, verdict.infra_error) == (reason, infra)
    assert verdict.score == pytest.approx(score)
    assert verdict.reason in LanguageVerifier.REASONS


def test_only_the_think_block_is_read_by_default():
    completion = "<think>我们计算。</think><answer>The answer is five</answer>"
    problem = Problem(id="p", meta={"language": "zh"})
    assert LanguageVerifier()(completion=completion, problem=problem).score == 1.0
    assert LanguageVerifier(region="completion")(completion=completion, problem=problem).score < 1.0


def test_prefilled_think_is_read():
    assert LanguageVerifier(language="en")(completion="We compute.</think>5",
                                           problem=Problem(id="p")).score == 1.0


@pytest.mark.parametrize(
    "kwargs, key",
    [pytest.param({"language": "klingon"}, "language", id="language"),
     pytest.param({"region": "answer"}, "region", id="region"),
     pytest.param({"meta_key": ""}, "meta_key", id="meta-key")],
)
def test_config_validation_names_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        LanguageVerifier(**kwargs)


def test_protocol_and_helpers():
    assert isinstance(LanguageVerifier(), Verifier)
    assert detect_language("Привет мир") == "ru"
    assert word_counts("costs $5 and\n\n$6 more") == {"latin": 3}


def toy_detector(sentence: str) -> str:
    """Stands in for an offline detector (the optional extra): French if it has French words."""
    return "FR-fr" if re.search(r"\b(nous|le|la|est|donc)\b", sentence, re.IGNORECASE) else "en"


def broken_detector(sentence: str) -> str:
    raise RuntimeError("model file missing")


@pytest.mark.parametrize(
    "target, text, ratio",
    [
        pytest.param("fr", "Nous calculons la somme. We check it.", 4 / 7,
                     id="fr-target-en-sentence"),
        pytest.param("en", "Nous calculons la somme. We check it.", 3 / 7,
                     id="en-target-fr-sentence"),
        pytest.param("fr", "Nous calculons la somme donc 5.", 1.0, id="fr-only"),
        pytest.param("fr", "Nous calculons. 我们计算。", 2 / 6, id="fr-and-chinese"),
        pytest.param("zh", "Nous calculons. 我们计算。", 4 / 6,
                     id="non-latin-target-ignores-detector"),
    ],
)
def test_a_plugged_detector_tells_latin_languages_apart(target, text, ratio):
    v = LanguageVerifier(language=target, latin_detector=f"{__name__}:toy_detector")
    assert v(completion=_think(text), problem=Problem(id="p")).score == pytest.approx(ratio)
    without = LanguageVerifier(language=target)(completion=_think(text),
                                                problem=Problem(id="p")).score
    assert without >= v(completion=_think(text), problem=Problem(id="p")).score


@pytest.mark.parametrize(
    "path, reason",
    [
        pytest.param(f"{__name__}:broken_detector", "detector_error", id="raises"),
        pytest.param("no_such_module_xyz:detect", "detector_error", id="missing-module"),
    ],
)
def test_a_failing_detector_masks_instead_of_scoring(path, reason):
    verdict = LanguageVerifier(language="fr", latin_detector=path)(
        completion=_think("Nous calculons."), problem=Problem(id="p"))
    assert (verdict.reason, verdict.infra_error) == (reason, True)


def test_detector_path_is_validated():
    with pytest.raises(ValueError, match="latin_detector"):
        LanguageVerifier(latin_detector="no-colon")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["en", "zh", "ja", "ko", "ru", "fr"]))
def test_any_text_gets_a_score_in_range_from_the_closed_vocabulary(text, target):
    verdict = LanguageVerifier(language=target)(completion=f"<think>{text}</think>",
                                                problem=Problem(id="p"))
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.reason in LanguageVerifier.REASONS and not verdict.infra_error
