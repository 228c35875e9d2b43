"""Adapters, driven through the signatures trainers really use: a real TRL GRPOTrainer step,
verl's keyword call, and the one-call API; each must agree with our own scoring."""

from __future__ import annotations

import json
import math

import pytest

import verifiers
from verifiers.base import Problem
from verifiers.integrations.adapters import (
    NAMED_REWARDS,
    AsyncTRLReward,
    TRLReward,
    compute_score,
    make_verl_compute_score,
    parse_rewards,
    problem_from_fields,
)

GOOD = "<think>We add two and three.</think><answer>5</answer>"
WRONG = "<think>We add two and three.</think><answer>6</answer>"


@pytest.mark.parametrize(
    "spec, names, weights",
    [
        pytest.param("correct", ("correct",), [1.0], id="one"),
        pytest.param("correct,format=0.5, language", ("correct", "format", "language"),
                     [1.0, 0.5, 1.0], id="weights"),
        pytest.param(["format=0", "repetition=2"], ("format", "repetition"), [0.0, 2.0], id="list"),
        pytest.param({"format": 0.25}, ("format",), [0.25], id="mapping"),
    ],
)
def test_parse_rewards(spec, names, weights):
    rs = parse_rewards(spec)
    assert rs.names == names and [r.weight for r in rs.rewards] == weights


def test_parse_rewards_uses_given_instances_by_name():
    from verifiers.text.format import FormatVerifier

    mine = FormatVerifier(variant="boxed")
    rs = parse_rewards("format=2,custom", verifiers={"format": mine, "custom": FormatVerifier()})
    assert rs.rewards[0].verifier is mine and rs.rewards[0].weight == 2.0
    assert rs.names == ("format", "custom")


@pytest.mark.parametrize(
    "spec, match",
    [
        pytest.param("correct,bogus", "bogus", id="unknown-name"),
        pytest.param("format=abc", "abc", id="bad-weight"),
        pytest.param(" , ", "at least one", id="empty"),
    ],
)
def test_parse_rewards_errors_name_the_problem(spec, match):
    with pytest.raises(ValueError, match=match):
        parse_rewards(spec)


def test_every_named_reward_builds_or_says_why():
    for name in NAMED_REWARDS:
        try:
            parse_rewards(name)
        except ValueError as exc:  # only an optional component may be missing here
            assert "unavailable" in str(exc)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        pytest.param({"answer": "5"}, 1.0, id="correct"),
        pytest.param({"answer": "6"}, 0.0, id="wrong"),
        pytest.param({"answer": "5", "rewards": "correct,format=0.5"}, 1.5, id="named-rewards"),
        pytest.param({"answer": "5", "rewards": "language", "language": "en"}, 1.0,
                     id="language-field"),
    ],
)
def test_one_call_api(kwargs, expected):
    assert verifiers.score(GOOD, **kwargs) == pytest.approx(expected)


def test_one_call_api_returns_none_when_masked_and_details_through_grade():
    # our side: unsupported target
    assert verifiers.score(GOOD, rewards="language", language="xx") is None
    scored = verifiers.grade(WRONG, answer="5")
    assert scored.verdicts["correct"].reason == "wrong_answer"
    with pytest.raises(ValueError, match="task"):
        verifiers.score(GOOD, answer="5", task="poetry")


def test_problem_from_fields_reads_common_column_names():
    p = problem_from_fields({"solution": 7, "question": "q", "language": "zh", "id": 3})
    assert (p.answer, p.question, p.id, p.meta["language"]) == ("7", "q", "3", "zh")


# --- verl ---------------------------------------------------------------------------------------
# verl cannot be installed next to our pins (verl 0.9.1 requires transformers<5.11, ray, tensordict,
# wandb). Its NaiveRewardManager (verl 0.9.1, workers/reward_manager/naive.py) calls
# compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...) by keyword,
# after adding "num_turns" and "rollout_reward_scores" to extra_info, and for a dict reads
# result["score"] and appends every key to reward_extra_info. These tests make exactly that call.


@pytest.mark.parametrize(
    "solution, truth, expected",
    [
        pytest.param(GOOD, "5", 1.0, id="answer-tag"),
        pytest.param("so the total is \\boxed{72}", "72", 1.0, id="boxed-gsm8k-style"),
        pytest.param(WRONG, "5", 0.0, id="wrong"),
        pytest.param("no answer at all", "5", 0.0, id="no-answer"),
    ],
)
def test_verl_compute_score_matches_our_scoring(solution, truth, expected):
    extra_info = {"split": "train", "index": 0, "answer": "worked solution #### 99",
                  "question": "q", "num_turns": None, "rollout_reward_scores": {}}
    out = compute_score(data_source="openai/gsm8k", solution_str=solution, ground_truth=truth,
                        extra_info=extra_info)
    ours = parse_rewards("correct").score(completion=solution,
                                          problem=Problem(id="0", question="q", answer=truth))
    assert out["score"] == ours.reward == expected
    assert out["masked"] == 0.0 and set(out) == {"score", "masked", "acc", "correct"}
    assert out["acc"] == expected


def test_verl_masked_sample_is_zero_and_flagged():
    fn = make_verl_compute_score("format,language")
    out = fn(data_source="d", solution_str=GOOD, ground_truth="5", extra_info={"language": "xx"})
    assert out == {"score": 0.0, "masked": 1.0, "acc": 0.0, "format": 1.0, "language": 0.0}
    out = fn("d", GOOD, "5", {"language": "en"})  # positional, as in verl's documented signature
    assert out["score"] == 2.0 and out["masked"] == 0.0


# --- TRL: one real GRPOTrainer step on a tiny random model ------------------------------------


@pytest.fixture(scope="module")
def trl_run():
    pytest.importorskip("trl", reason="TRL is in the bench extra: pip install -e '.[bench]'")
    pytest.importorskip("datasets", reason="TRL's GRPOTrainer needs datasets")
    import torch
    from datasets import Dataset
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    from trl import GRPOConfig, GRPOTrainer

    chars = list("abcdefghijklmnopqrstuvwxyz0123456789<>/ \n")
    vocab = {"<pad>": 0, "<eos>": 1, **{c: i + 2 for i, c in enumerate(chars)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(vocab), hidden_size=16,
                                         intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=2,
                                         pad_token_id=0, eos_token_id=1, bos_token_id=1))
    # Rows with an unsupported language make our side fail: those samples must be masked.
    # one batch: both rows, 2 each
    rows = [{"prompt": "2 3", "answer": "5", "language": lang} for lang in ("en", "xx")]
    reward = TRLReward(parse_rewards("format,language,repetition"), name="verity")
    seen = []

    def recording(**kwargs):
        out = reward(**kwargs)
        seen.append((kwargs, out))
        return out

    recording.__name__ = "verity"
    async_reward = AsyncTRLReward(parse_rewards("format,language,repetition"), name="verity_async")
    async_seen = []

    async def async_recording(**kwargs):
        out = await async_reward(**kwargs)
        async_seen.append(out)
        return out

    async_recording.__name__ = "verity_async"
    import tempfile

    with tempfile.TemporaryDirectory() as out_dir:
        args = GRPOConfig(output_dir=out_dir, per_device_train_batch_size=4, num_generations=2,
                          max_completion_length=12, max_steps=1, report_to=[], use_cpu=True,
                          logging_steps=1, save_strategy="no", bf16=False)
        trainer = GRPOTrainer(model=model, reward_funcs=[recording, async_recording], args=args,
                              train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
        trainer.train()
        extra = {k: list(v) for k, v in getattr(trainer, "_logs", {}).get("extra", {}).items()}
    seen[0][0]["async_out"] = async_seen[0]
    seen[0][0]["extra_columns"] = extra
    return reward, seen, trainer.state.log_history


def test_trl_passes_what_our_adapter_expects(trl_run):
    _, seen, _ = trl_run
    kwargs, out = seen[0]
    assert {"prompts", "completions", "completion_ids", "answer", "language", "trainer_state",
            "log_metric"} <= set(kwargs)
    assert len(out) == len(kwargs["completions"]) == 4
    # the async variant agrees, awaited by TRL
    assert "log_extra" in kwargs and kwargs["async_out"] == out


def test_trl_log_extra_gets_one_reason_per_row():
    logged = {}
    reward = TRLReward(parse_rewards("format,language"), name="verity")
    completions = ["<think>a</think><answer>5</answer>", "5"]
    languages = ["en", "xx"]
    out = reward(prompts=["p", "p"], completions=completions, language=languages,
                 log_extra=lambda column, values: logged.setdefault(column, []).extend(values))
    ours = [
        reward.rewards.score(
            completion=c, problem=Problem(id=str(i), question="p", meta={"language": lang})
        )
        for i, (c, lang) in enumerate(zip(completions, languages))
    ]
    assert out[0] == ours[0].reward and out[1] is None and ours[1].masked
    assert logged == {"verity_reason": [ours[0].verdicts["format"].reason,
                                        "masked:" + ours[1].verdicts["format"].reason]}


def test_trl_rewards_equal_our_own_scoring(trl_run):
    reward, seen, _ = trl_run
    kwargs, out = seen[0]
    for i, completion in enumerate(kwargs["completions"]):
        problem = Problem(id=str(i), question=kwargs["prompts"][i], answer=kwargs["answer"][i],
                          meta={"language": kwargs["language"][i]})
        ours = reward.rewards.score(completion=completion, problem=problem,
                                    completion_ids=kwargs["completion_ids"][i])
        assert out[i] == (None if ours.masked else ours.reward)
    assert [x is None for x in out] == [k == "xx" for k in kwargs["language"]]


def test_trl_masks_our_failures_and_logs_our_metrics(trl_run):
    _, seen, history = trl_run
    _, out = seen[0]
    logged = history[0]
    kept = [x for x in out if x is not None]
    # None rows excluded
    assert logged["rewards/verity/mean"] == pytest.approx(sum(kept) / len(kept))
    assert logged["verity/reward/masked"] == 2.0
    assert any(key.startswith("verity/verdict/format/") for key in logged)
    assert not math.isnan(logged["loss"])


# verl/PRIME code datasets carry their tests in ground_truth as a JSON string.
_PRIME_TRUTH = json.dumps({"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]})


@pytest.mark.parametrize("solution, truth, expected", [
    pytest.param("```python\na, b = map(int, input().split())\nprint(a + b)\n```", _PRIME_TRUTH,
                 {"score": 1.0, "masked": 0.0, "acc": 1.0}, id="prime-json-correct"),
    pytest.param("```python\nprint(3)\n```", _PRIME_TRUTH,
                 {"score": 0.5, "masked": 0.0, "acc": 0.5}, id="prime-json-hardcoded-first-answer"),
    pytest.param("```python\nprint(3)\n```", json.loads(_PRIME_TRUTH),
                 {"score": 0.5, "masked": 0.0, "acc": 0.5}, id="prime-parsed-dict"),
    pytest.param("```python\nprint(3)\n```",
                 json.dumps({"inputs": [[1]], "outputs": [1], "fn_name": "f"}),
                 {"score": 0.0, "masked": 1.0, "acc": 0.0}, id="call-based-is-masked-not-zero"),
    pytest.param("```python\nprint(3)\n```", json.dumps({"inputs": ["1"], "outputs": []}),
                 {"score": 0.0, "masked": 1.0, "acc": 0.0}, id="mismatched-pairs-are-masked"),
])
def test_verl_code_ground_truth_as_prime_json(solution, truth, expected):
    fn = make_verl_compute_score("tests")
    out = fn(data_source="codecontests", solution_str=solution, ground_truth=truth,
             extra_info={"index": 3})
    assert {k: out[k] for k in expected} == expected, out


# --- verl: reward_kwargs, and the legacy prime (float) and batch managers' call forms -------------


def test_verl_reward_kwargs_choose_rewards_gate_and_mode():
    from verifiers.integrations.adapters import compute_score as verl_entry

    good = "<think>add</think><answer>5</answer>"
    out = verl_entry("gsm8k", good, "5", None, rewards="correct,format=0.5", gate="format")
    assert (out["score"], out["acc"], out["format"], out["masked"]) == (1.5, 1.0, 1.0, 0.0)
    gated = verl_entry("gsm8k", "<answer>5</answer>", "5", None, rewards="correct,format=0.5",
                       gate="format")
    # format failed: accuracy does not count
    assert gated["score"] == 0.0 and gated["correct"] == 1.0
    plain = "The answer is 5."
    assert verl_entry("gsm8k", plain, "5", None, rewards="correct", mode="strict")["score"] == 0.0
    assert verl_entry("gsm8k", plain, "5", None, rewards="correct", mode="lenient")["score"] == 1.0
    with pytest.raises(ValueError, match="mode='loose'"):
        verl_entry("gsm8k", plain, "5", None, rewards="correct", mode="loose")


def test_verl_batch_manager_form_equals_row_by_row():
    from verifiers.integrations.verl import compute_score, compute_score_batch

    rows = [("gsm8k", f"<answer>{k}</answer>", str(k + k % 2), {"index": k}) for k in range(12)]
    rows.append(("code", "```python\nprint(1)\n```",
                 json.dumps({"inputs": [[1]], "outputs": [1], "fn_name": "f"}), None))
    got = compute_score_batch(data_sources=[r[0] for r in rows], solution_strs=[r[1] for r in rows],
                              ground_truths=[r[2] for r in rows], extra_infos=[r[3] for r in rows],
                              rewards="correct")
    assert got == [compute_score(*r, rewards="correct") for r in rows]
    assert ([g["score"] for g in got[:12]] == [1.0 - k % 2 for k in range(12)]
            and got[12]["masked"] == 1.0)


def test_verl_prime_manager_form_in_forked_processes_after_the_parent_scored():
    """verl's prime manager calls evaluation_func(task, completion, reference, extra_info) in a
    ProcessPoolExecutor and keeps only numbers; the parent has usually scored before it forks."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from verifiers.integrations.verl import compute_score_float

    # the parent scores first
    assert compute_score_float("gsm8k", "<answer>5</answer>", "5", None) == 1.0
    tasks = [("gsm8k", f"<answer>{k}</answer>", str(k + k % 2), None) for k in range(40)]
    with ProcessPoolExecutor(max_workers=4, mp_context=multiprocessing.get_context("fork")) as ex:
        got = list(ex.map(compute_score_float, *zip(*tasks)))
    assert got == [1.0 - k % 2 for k in range(40)] and all(isinstance(x, float) for x in got)
