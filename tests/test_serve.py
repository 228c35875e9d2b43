"""`verity serve` end to end: a real uvicorn server on 127.0.0.1, real HTTP requests in the exact
shapes OpenRLHF, verl and SandboxFusion clients send, real verifiers and sandbox behind it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

requests = pytest.importorskip("requests")
pytest.importorskip("starlette",
                    reason="the serve extra is not installed: pip install 'verity[serve]'")
pytest.importorskip("uvicorn",
                    reason="the serve extra is not installed: pip install 'verity[serve]'")

from verifiers.integrations import client  # noqa: E402
from verifiers.integrations.adapters import make_verl_compute_score  # noqa: E402
from verifiers.integrations.serve import BackgroundServer, RewardService, ServeConfig  # noqa: E402

CHAT_PROMPT = "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"
PAD = "<|endoftext|>"


@pytest.fixture(scope="module")
def server():
    service = RewardService(
        ServeConfig(
            reward_sets={"math": "correct", "r1": "correct,format=0.5", "code": "tests"},
            workers=2,
            deadline_s=10.0,
            max_rows=64,
            max_body_bytes=1 << 20,
            coalesce_s=0.3,
        )
    )
    with BackgroundServer(service) as srv:
        yield srv
    service.close()


def _openrlhf_post(url: str, queries, prompts, labels):
    """What OpenRLHF 0.11.2 sends and reads (SingleTurnAgentExecutor._fetch_rewards_via_http):
    aiohttp `session.post(url, json={"query", "prompts", "labels"})` with one decoded sequence per
    rollout, `raise_for_status()`, then `.json()`; it keeps `scores` (or `rewards` when absent),
    `rewards` and `extra_logs`. requests puts the same JSON on the wire."""
    response = requests.post(url=url, json={"query": queries, "prompts": prompts, "labels": labels},
                             timeout=180)
    response.raise_for_status()
    return response.json()


# query = hf_tokenizer.decode(prompt_ids + response_ids, skip_special_tokens=False): the prompt
# (chat template included), the response and its special tokens; older OpenRLHF releases also
# left-padded.
OPENRLHF_ROWS = [
    pytest.param(CHAT_PROMPT + "<think>2+3</think><answer>5</answer><|im_end|>" + PAD, CHAT_PROMPT,
                 "5", 1.0, 0.0, id="0.11.2-decoded-sequence-with-special-tokens"),
    pytest.param(PAD * 3 + CHAT_PROMPT + "<think>2+3</think><answer>5</answer><|im_end|>" + PAD * 2,
                 CHAT_PROMPT, "5", 1.0, 0.0, id="correct-with-padding-and-special-tokens"),
    pytest.param(CHAT_PROMPT + "<answer>6</answer><|im_end|>", CHAT_PROMPT, "5", 0.0, 0.0,
                 id="wrong"),
    pytest.param(CHAT_PROMPT + "no answer here", CHAT_PROMPT, "5", 0.0, 0.0, id="no-answer"),
    pytest.param(CHAT_PROMPT + "<answer>6</answer>" + CHAT_PROMPT + "<answer>5</answer>",
                 CHAT_PROMPT, "5", 0.0, 0.0, id="attack-repeating-the-prompt-to-hide-a-hedge"),
    pytest.param(CHAT_PROMPT + "<answer>5</answer><|im_end|><answer>6</answer>", CHAT_PROMPT, "5",
                 0.0, 0.0, id="attack-text-after-a-special-token-is-still-read"),
    pytest.param("<answer>5</answer>", CHAT_PROMPT, "5", 0.0, 1.0,
                 id="prompt-not-in-query-is-masked"),
    pytest.param(CHAT_PROMPT + "<answer>5</answer>", CHAT_PROMPT, None, 0.0, 1.0,
                 id="no-label-is-masked"),
]


@pytest.mark.parametrize("query, prompt, label, reward, masked", OPENRLHF_ROWS)
def test_get_reward_in_openrlhf_exact_shape(server, query, prompt, label, reward, masked):
    out = _openrlhf_post(server.url + "/get_reward", [query], [prompt], [label])
    assert out["rewards"] == out["scores"] == [reward]
    assert out["extra_logs"]["masked"] == [masked]


@pytest.mark.parametrize("path, body", [
    pytest.param("/get_reward", json.dumps({"query": [CHAT_PROMPT + "<answer>5</answer>"],
                                            "prompts": [CHAT_PROMPT],
                                            "labels": [float("nan")]}), id="openrlhf-label-NaN"),
    pytest.param("/compute_score", json.dumps({"rows": [{"data_source": "x",
                                                         "solution_str": "<answer>5</answer>",
                                                         "ground_truth": float("nan")}]}),
                 id="verl-ground-truth-NaN"),
])
def test_an_unreadable_gold_is_masked_not_graded(server, path, body):
    """aiohttp and Python's json write float('nan') as NaN: a missing gold, never the text "NaN"."""
    out = requests.post(server.url + path, data=body, headers={"Content-Type": "application/json"},
                        timeout=60).json()
    masked = (
        out["extra_logs"]["masked"]
        if "extra_logs" in out
        else [r["masked"] for r in out["results"]]
    )
    assert masked == [1.0]
    assert (out.get("rewards") or [r["score"] for r in out["results"]]) == [0.0]


@pytest.mark.parametrize("form", ["remote_url", "reward_func_file"])
def test_openrlhf_0_11_2_executor_gets_our_verdicts(server, form):
    """OpenRLHF's own reward path: SingleTurnAgentExecutor.execute tokenizes the prompt, decodes
    prompt + response with special tokens, then posts to our /get_reward (remote_url) or loads and
    calls reward_func from our file (a path ending in .py), and stores what it reads. Only the
    generation is ours (a stand-in for vLLM that returns chosen token ids)."""
    agent = pytest.importorskip(
        "openrlhf.utils.agent",
        reason="OpenRLHF 0.11.2 is not importable here; "
        "bench/trainer_venvs.sh runs this test in a separate venv with it",
    )
    from types import SimpleNamespace

    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(os.path.join(os.path.dirname(__file__), "..", "models",
                                                     "tiny-base"))
    prompt = "Question: What is 2+3?\nPut the answer in <answer></answer>.\n"

    class Engine:  # stands in for vLLM's async engine: the response is chosen, not sampled
        def __init__(self, text: str):
            self.ids = tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]

        async def generate(self, prompt_token_ids, params, multi_modal_data=None):
            out = SimpleNamespace(token_ids=self.ids, finish_reason="stop", logprobs=None)
            return SimpleNamespace(outputs=[out])

    from verifiers.integrations import openrlhf

    executor = agent.SingleTurnAgentExecutor(
        server.url + "/get_reward" if form == "remote_url" else openrlhf.__file__
    )
    cases = [("<think>2+3</think><answer>5</answer>", "5", 1.0, 0.0),
             ("<answer>6</answer>", "5", 0.0, 0.0),
             ("<answer>5</answer><answer>6</answer>", "5", 0.0, 0.0),
             ("<answer>5</answer>", "", 0.0, 1.0)]
    for text, label, reward, masked in cases:
        out = asyncio.run(executor.execute(prompt, label,
                                           SimpleNamespace(max_tokens=64, logprobs=None), 512, tok,
                                           Engine(text)))
        plain = {k: v.tolist() if hasattr(v, "tolist") else v for k, v in out["extra_logs"].items()}
        assert list(out["reward"]) == [reward] and list(out["scores"]) == [reward], (text, out)
        assert plain["masked"] == [masked] and plain["correct"] == [reward]


def test_get_reward_batches_keep_row_order(server):
    labels = [str(k + k % 2) for k in range(40)]  # row k answers k: right for even k
    queries = [CHAT_PROMPT + f"<answer>{k}</answer><|im_end|>" for k in range(40)]
    out = _openrlhf_post(server.url + "/get_reward", queries, [CHAT_PROMPT] * 40, labels)
    assert out["rewards"] == [1.0 - k % 2 for k in range(40)]
    assert (
        out["extra_logs"]["correct"] == out["rewards"] and out["extra_logs"]["masked"] == [0.0] * 40
    )


def test_named_reward_sets(server):
    query = CHAT_PROMPT + "<think>add</think><answer>5</answer>"
    out = requests.post(server.url + "/get_reward?set=r1",
                        json={"query": [query], "prompts": [CHAT_PROMPT], "labels": ["5"]},
                        timeout=60).json()
    assert out["rewards"] == [1.5] and out["extra_logs"]["format"] == [1.0]


VERL_ROWS = [
    {"data_source": "openai/gsm8k", "solution_str": "so \\boxed{72}", "ground_truth": "72",
     "extra_info": {"index": 0}},
    {"data_source": "openai/gsm8k", "solution_str": "<answer>71</answer>", "ground_truth": "72",
     "extra_info": None},
    {"data_source": "x", "solution_str": "<answer>1</answer>", "ground_truth": "",
     "extra_info": {}},
]


def test_compute_score_equals_the_in_process_adapter(server):
    out = requests.post(server.url + "/compute_score", json={"rows": VERL_ROWS},
                        timeout=60).json()["results"]
    local = make_verl_compute_score("correct")
    assert out == [local(r["data_source"], r["solution_str"], r["ground_truth"],
                         r["extra_info"]) for r in VERL_ROWS]
    assert [r["masked"] for r in out] == [0.0, 0.0, 1.0]  # an empty gold is ours: masked, score 0.0


def test_compute_score_reads_prime_code_ground_truth(server):
    truth = json.dumps({"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]})
    rows = [
        {
            "data_source": "code",
            "solution_str": "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
            "ground_truth": truth,
        },
        {"data_source": "code", "solution_str": "```python\nprint(3)\n```", "ground_truth": truth},
    ]
    out = client.compute_score_batch(server.url, rows, reward_set="code")
    assert [(r["score"], r["masked"]) for r in out] == [(1.0, 0.0), (0.5, 0.0)]


def test_async_client_for_verls_reward_loop(server):
    async def many():
        return await asyncio.gather(*(client.compute_score(r["data_source"], r["solution_str"],
                                                           r["ground_truth"], r["extra_info"],
                                                           url=server.url) for r in VERL_ROWS))

    out = asyncio.run(many())
    assert [r["score"] for r in out] == [1.0, 0.0, 0.0] and [r["masked"] for r in out] == [0.0, 0.0,
                                                                                           1.0]


# --- SandboxFusion's /run_code ---------------------------------------------------------------

RUN_CODE = [
    pytest.param({"code": "print(input()[::-1])", "language": "python", "stdin": "abc"},
                 ("Success", "Finished", 0, "cba\n"), id="python-ok"),
    pytest.param({"code": "raise SystemExit(3)", "language": "python"},
                 ("Failed", "Finished", 3, ""), id="exit-3"),
    pytest.param({"code": "while True: pass", "language": "python", "run_timeout": 0.5},
                 ("Failed", "TimeLimitExceeded", None, ""), id="time-limit"),
    pytest.param({"code": "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);"
                          "printf(\"%d\\n\",a*b);}",
                  "language": "cpp", "stdin": "6 7", "compile_timeout": 30},
                 ("Success", "Finished", 0, "42\n"), id="cpp-ok"),
]


@pytest.mark.parametrize("body, expected", RUN_CODE)
def test_run_code_in_sandboxfusion_shape(server, body, expected):
    out = requests.post(server.url + "/run_code", json=body, timeout=120).json()
    run = out["run_result"]
    assert (out["status"], run["status"], run["return_code"], run["stdout"]) == expected


def test_run_code_compiles_a_program_once_for_concurrent_tests_and_caches_compile_errors(server):
    source = "#include <cstdio>\nint main(){int x;scanf(\"%d\",&x);printf(\"%d\\n\",x+1);}"
    batcher = server.service.runner
    before = batcher.sandbox_calls if batcher else 0
    barrier = threading.Barrier(8)
    outs: dict[int, dict] = {}

    def one(k: int) -> None:
        barrier.wait()
        outs[k] = requests.post(
            server.url + "/run_code",
            json={"code": source, "language": "cpp", "stdin": str(k), "compile_timeout": 30},
            timeout=120,
        ).json()

    threads = [threading.Thread(target=one, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert ({k: o["run_result"]["stdout"] for k, o in outs.items()}
            == {k: f"{k + 1}\n" for k in range(8)})
    # 8 requests, one compile (two at worst)
    assert server.service.runner.sandbox_calls - before <= 2
    broken = {"code": "int main( {", "language": "cpp"}
    first = requests.post(server.url + "/run_code", json=broken, timeout=120).json()
    calls = server.service.runner.sandbox_calls
    again = requests.post(server.url + "/run_code", json=broken, timeout=120).json()
    assert (
        first["status"] == again["status"] == "Failed"
        and first["compile_result"]["return_code"] != 0
    )
    # answered from the cache
    assert again == first and server.service.runner.sandbox_calls == calls


# --- bad input: 4xx naming the field, and the server keeps serving ------------------------------

BAD_REQUESTS = [
    pytest.param("/get_reward", b"{not json", 400, "body", id="malformed-json"),
    pytest.param("/get_reward", b"[" * 100000 + b"]" * 100000, 400, "body",
                 id="json-nested-100000-deep"),
    pytest.param("/get_reward", b"\xff\xfe\x00", 400, "body", id="not-utf8"),
    pytest.param("/get_reward", json.dumps([1, 2]).encode(), 400, "body", id="body-not-an-object"),
    pytest.param("/get_reward", json.dumps({"prompts": []}).encode(), 400, "query",
                 id="missing-query"),
    pytest.param("/get_reward", json.dumps({"query": "abc", "prompts": []}).encode(), 400, "query",
                 id="query-not-a-list"),
    pytest.param("/get_reward", json.dumps({"query": ["a"], "prompts": ["a", "b"]}).encode(), 400,
                 "prompts", id="length-mismatch"),
    pytest.param("/get_reward", json.dumps({"query": [1], "prompts": ["a"]}).encode(), 400,
                 "query[0]", id="query-item-not-a-string"),
    pytest.param("/get_reward", json.dumps({"query": ["a"] * 65, "prompts": ["a"] * 65}).encode(),
                 413, "query", id="too-many-rows"),
    pytest.param("/get_reward", json.dumps({"query": ["a" * (2 << 20)], "prompts": ["a"]}).encode(),
                 413, "body", id="body-over-the-limit"),
    pytest.param("/get_reward?set=nope", json.dumps({"query": ["a"], "prompts": ["a"]}).encode(),
                 404, "set", id="unknown-reward-set"),
    pytest.param("/compute_score",
                 json.dumps({"rows": [{"solution_str": 5, "ground_truth": "1"}]}).encode(), 400,
                 "rows[0].solution_str", id="verl-wrong-type"),
    pytest.param("/compute_score", json.dumps({"rows": [{"solution_str": "x"}]}).encode(), 400,
                 "rows[0].ground_truth", id="verl-missing-ground-truth"),
    pytest.param("/run_code", json.dumps({"code": "print(1)", "language": "cobol"}).encode(), 400,
                 "language", id="unsupported-language"),
    pytest.param("/run_code", json.dumps({"code": "print(1)", "language": "python",
                                          "run_timeout": 1e9}).encode(),
                 400, "run_timeout", id="absurd-timeout"),
    pytest.param("/run_code",
                 json.dumps({"code": "x", "language": "python", "files": {"a": "Zm9v"}}).encode(),
                 400, "files", id="files-not-supported"),
    pytest.param("/run_code", json.dumps({"code": None, "language": "python"}).encode(), 400,
                 "code", id="no-code"),
]


@pytest.mark.parametrize("path, body, status, field", BAD_REQUESTS)
def test_bad_requests_get_4xx_naming_the_field_and_the_server_keeps_serving(server, path, body,
                                                                            status, field):
    reply = requests.post(server.url + path, data=body,
                          headers={"Content-Type": "application/json"}, timeout=60)
    assert reply.status_code == status, reply.text
    assert reply.json()["field"] == field and reply.json()["error"]
    assert "rewards" not in reply.json() and "results" not in reply.json()
    ok = _openrlhf_post(server.url + "/get_reward", [CHAT_PROMPT + "<answer>5</answer>"],
                        [CHAT_PROMPT], ["5"])
    assert ok["rewards"] == [1.0]


def test_health_and_metrics(server):
    health = requests.get(server.url + "/health", timeout=30).json()
    assert health["status"] == "ok" and health["reward_sets"]["r1"] == ["correct", "format"]
    assert isinstance(health["worker_restarts"], int)
    # one masked row
    _openrlhf_post(server.url + "/get_reward", ["<answer>5</answer>"], [CHAT_PROMPT], ["5"])
    text = requests.get(server.url + "/metrics", timeout=30).text
    assert 'verity_requests_total{route="/get_reward",code="200"}' in text
    assert 'verity_request_seconds_bucket{route="/get_reward",le="+Inf"}' in text
    masked = next(
        line
        for line in text.splitlines()
        if line.startswith('verity_rows_masked_total{route="/get_reward"}')
    )
    assert int(masked.split()[-1]) >= 1
    assert 'verity_verdicts_total{reward="correct",reason="correct"}' in text


# --- admission, auth, the CLI --------------------------------------------------------------------


class _Slow:
    """A verifier that takes 0.1 s per row and always says correct (module-level: it travels to
    the pool)."""

    REASONS = frozenset({"correct"})

    def __call__(self, *, completion, problem):
        from verifiers.base import Verdict

        time.sleep(0.1)
        return Verdict(1.0, "correct")


def test_rows_queued_past_their_deadline_are_masked_never_scored():
    """Four times more rows than one worker can score within the deadline: the ones that could
    not start in time are masked as our capacity (the queue wait counts), the rest scored, none
    0."""
    from verifiers.base import Problem
    from verifiers.integrations.feeder import PoolFeeder
    from verifiers.rewards import Reward, RewardSet

    feeder = PoolFeeder(RewardSet((Reward("slow", _Slow()),), workers=1, deadline_s=0.4))
    try:
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as requests_at_once:
            parts = list(
                requests_at_once.map(
                    lambda i: feeder.score(
                        ["x"] * 8, [Problem(id=f"{i}-{k}", question="") for k in range(8)]
                    ),
                    range(4),
                )
            )
        assert time.monotonic() - start < 20
        out = [r for part in parts for r in part]
    finally:
        feeder.close()
    assert all(
        (r.masked and r.reward == 0.0 and r.verdicts["slow"].infra_error)
        or (not r.masked and r.reward == 1.0)
        for r in out
    )
    assert len(out) == 32 and 0 < sum(r.masked for r in out) < 32
    assert any("server's queue" in r.verdicts["slow"].detail for r in out if r.masked)


def test_overload_gets_429_and_a_token_is_required_when_configured():
    service = RewardService(ServeConfig(reward_sets={"math": "correct"}, workers=1, max_inflight=1,
                                        token="s3cret"))
    auth = {"Authorization": "Bearer s3cret"}
    try:
        with BackgroundServer(service) as srv:
            assert requests.get(srv.url + "/health", timeout=30).status_code == 401
            assert requests.get(srv.url + "/health", headers={"Authorization": "Bearer nope"},
                                timeout=30).status_code == 401
            slow = threading.Thread(
                target=requests.post,
                args=(srv.url + "/run_code",),
                kwargs={
                    "json": {"code": "import time; time.sleep(2)", "language": "python"},
                    "headers": auth,
                    "timeout": 60,
                },
            )
            slow.start()
            time.sleep(0.5)
            busy = requests.post(srv.url + "/get_reward", json={"query": ["a"], "prompts": ["a"]},
                                 headers=auth, timeout=30)
            assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
            slow.join()
            out = requests.post(
                srv.url + "/get_reward",
                json={
                    "query": [CHAT_PROMPT + "<answer>5</answer>"],
                    "prompts": [CHAT_PROMPT],
                    "labels": ["5"],
                },
                headers=auth,
                timeout=60,
            )
            assert out.status_code == 200 and out.json()["rewards"] == [1.0]
    finally:
        service.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_verity_serve_command_starts_serves_and_stops():
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "verifiers",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--set",
            "math=correct",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/health", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (
                proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        out = _openrlhf_post(url + "/get_reward", [CHAT_PROMPT + "<answer>5</answer>"],
                             [CHAT_PROMPT], ["5"])
        assert out["rewards"] == [1.0]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) is not None


def test_serve_usage_errors_name_the_flag(capsys):
    from verifiers.cli import main

    assert main(["serve", "--set", "oops"]) == 2
    assert "--set 'oops' is not allowed" in capsys.readouterr().err
    assert main(["serve", "--set", "m=nosuchreward"]) == 2
    assert "nosuchreward" in capsys.readouterr().err
