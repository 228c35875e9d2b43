"""The plain-data boundary in isolation: the driver's encoder (run here on the host, as the
candidate process runs it) reads subclasses of builtin values with the builtin's own methods and
refuses everything else; the trusted decoder builds only builtin values; the first verdict line
for a nonce wins."""

from __future__ import annotations

import enum
from collections import Counter, OrderedDict, defaultdict, namedtuple

import pytest

from verifiers.code.plain_data import decode, result_line
from verifiers.code.verifier import _DRIVER

DRIVER: dict = {"__name__": "driver"}
exec(compile(_DRIVER, "driver.py", "exec"), DRIVER)
encode = DRIVER["encode"]
Unencodable = DRIVER["Unencodable"]


class Color(enum.IntEnum):
    RED = 1


class LyingDict(dict):
    def __eq__(self, other):
        return True

    __hash__ = None

    def items(self):
        return [("a", 2)]

    def __iter__(self):
        return iter(["a"])


class LyingList(list):
    def __iter__(self):
        return iter([1, 2, 3])


class FakeInt:
    __class__ = property(lambda self: int)

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


Point = namedtuple("Point", "x y")

ENCODED = [
    pytest.param(Counter("aab"), {"a": 2, "b": 1}, id="counter"),
    pytest.param(defaultdict(list, {1: [2]}), {1: [2]}, id="defaultdict"),
    pytest.param(OrderedDict([(2, "b"), (1, "a")]), {1: "a", 2: "b"}, id="ordereddict"),
    pytest.param(Point(1, 2), (1, 2), id="namedtuple"),
    pytest.param(Color.RED, 1, id="intenum"),
    pytest.param([int, str, type(None)], [int, str, type(None)], id="builtin-types"),
    pytest.param(LyingDict(), {}, id="dict-subclass-read-by-dict-items"),
    pytest.param(LyingList([7]), [7], id="list-subclass-read-by-list-iter"),
]


@pytest.mark.parametrize(("value", "expected"), ENCODED)
def test_subclasses_encode_as_the_builtin_they_hold(value, expected):
    back = decode(encode(value))
    assert back == expected and type(back) is type(expected)


@pytest.mark.parametrize("value", [
    pytest.param(FakeInt(), id="fake-class-property"),
    pytest.param(lambda: 0, id="function"),
    pytest.param(LyingDict, id="non-builtin-type-object"),
    pytest.param(iter([1]), id="iterator"),
    pytest.param(10 ** 5000, id="int-too-long-to-print"),
])
def test_anything_else_is_unencodable(value):
    with pytest.raises(Unencodable):
        encode(value)


def test_recursive_and_huge_values_are_unencodable():
    loop: list = []
    loop.append(loop)
    with pytest.raises(Unencodable):
        encode(loop)
    with pytest.raises(Unencodable):
        encode([0] * 1_000_001)


@pytest.mark.parametrize("node", [
    pytest.param(["h", 0], id="handle-never-reaches-the-trusted-side"),
    pytest.param(["o", "Node", []], id="record-never-reaches-the-trusted-side"),
    pytest.param(["T", "LyingDict"], id="unknown-type-name"),
])
def test_trusted_decoder_refuses_what_only_travels_inside_the_sandbox(node):
    with pytest.raises(ValueError):
        decode(node)


def test_first_verdict_line_wins():
    nonce = "ab" * 16
    out = f'\n{nonce} {{"value": ["i", "4"]}}\n\n{nonce} {{"passed": true}}\n'.encode()
    assert result_line(out, nonce) == {"value": ["i", "4"]}
    assert result_line(out, "cd" * 16) is None
