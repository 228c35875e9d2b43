"""The pool base: the request/reply format every backend's worker speaks, the shared contract
(unknown layers refused, run after close refused, a dead slot masked then replaced) through
the real local backend; the backend-independent properties live in test_sandbox.py."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from sandboxes import base
from sandboxes.base import Limits, Program, RunResult, Status
from sandboxes.pool import SlotPool, decode_reply, encode_request


def test_request_carries_source_then_stdins_and_a_budget():
    limits = Limits(cpu_s=1.5, wall_s=4.0, compile_cpu_s=10.0)
    header, blobs, budget_s = encode_request(Program("print(1)"), [b"a", b"bc"], limits,
                                             stop_on_error=True, fast=False)
    assert blobs == [b"print(1)", b"a", b"bc"]
    assert (header["op"], header["language"], header["stop_on_error"], header["fast"]) == (
        "run", "python", True, False)
    assert header["limits"]["wall_s"] == 4.0 and header["limits"]["cpu_s"] == 1.5
    assert budget_s == 2 * (4.0 + 2) + 10.0 * 2 + 30


def test_default_wall_backstop_travels_explicitly():
    header, _, _ = encode_request(Program("x"), [b""], Limits(cpu_s=2.0), stop_on_error=False,
                                  fast=True)
    assert header["limits"]["wall_s"] == 5.0  # 2 x cpu_s + 1


@pytest.mark.parametrize("reply,blobs,expected", [
    pytest.param({"results": [{"status": "ok", "exit_code": 0, "signal": None, "cpu_s": 0.1,
                               "wall_s": 0.2, "peak_memory_mb": 3.0, "detail": ""}]},
                 [bytearray(b"out"), bytearray(b"err")],
                 [RunResult(Status.OK, 0, None, b"out", b"err", 0.1, 0.2, 3.0, "")], id="one"),
    pytest.param({"results": []}, [], [], id="none"),
])
def test_reply_decodes_to_results(reply, blobs, expected):
    assert decode_reply(reply, blobs) == expected


@pytest.mark.parametrize("reply", [
    pytest.param({"error": "unknown op 'x'"}, id="error"),
    pytest.param({}, id="empty"),
    pytest.param({"results": [{"status": "forged"}]}, id="unknown-status"),
    pytest.param({"results": [{"status": "ok"}]}, id="missing-fields"),
    pytest.param({"results": [None]}, id="not-a-mapping"),
    pytest.param({"results": 5}, id="not-a-list"),
    pytest.param({"results": [{"status": "ok", "exit_code": 0, "signal": None, "cpu_s": 0,
                               "wall_s": 0, "peak_memory_mb": 0, "detail": ""}] * 2},
                 id="too-few-blobs"),
])
def test_a_malformed_reply_raises_for_the_pool_to_mask(reply):
    with pytest.raises(ValueError):
        decode_reply(reply, [b"", b""])


def test_base_is_vocabulary_only():
    """The wire format lives in sandboxes.pool, not beside the vocabulary."""
    assert not hasattr(base.Limits, "request") and not hasattr(base.RunResult, "from_reply")
    assert {"Program", "Limits", "RunResult", "Status", "Sandbox"} <= set(vars(base))


def test_unknown_layers_are_refused_before_anything_starts():
    class Pool(SlotPool):
        layer_names = ("pid", "net")

    with pytest.raises(ValueError,
                       match=r"names unknown layers \['gpu'\]; allowed: \('pid', 'net'\)"):
        Pool(require=["pid", "gpu"])


needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="LocalSandbox needs Linux namespaces")


@needs_linux
def test_local_backend_keeps_the_contract():
    from sandboxes.local import LocalSandbox

    sb = LocalSandbox(slots=1)
    assert isinstance(sb, SlotPool) and isinstance(sb, base.Sandbox)
    with sb:
        assert sb.run(Program("print(2)"), [], Limits()) == []
        victim = sb._slots[0].proc.pid
        os.kill(victim, signal.SIGKILL)
        masked = sb.run(Program("print(2)"), [b"", b""], Limits())
        assert [r.status for r in masked] == [Status.SANDBOX_ERROR] * 2
        assert "local sandbox slot 0" in masked[0].detail
        assert sb.run(Program("print(3)"), [b""], Limits())[0].stdout == b"3\n"  # replaced
        assert sb._slots[0].proc.pid != victim and len(sb._slots) == 1
    with pytest.raises(RuntimeError, match=r"LocalSandbox.run after close\(\)"):
        sb.run(Program("print(1)"), [b""], Limits())
