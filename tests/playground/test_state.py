"""The state table: defaults, the URL round trip, and one clear error per bad value."""

from __future__ import annotations

import pytest

from mltutorial.playground.state import PROPS, State, StateError, props_public


def test_every_control_is_a_row_with_its_default():
    s = State()
    assert [p.name for p in PROPS] == list(s.values)
    assert s["dataset"] == "circle" and s["lr"] == 0.03 and s["shape"] == (4, 2)
    assert s.features() == ["x1", "x2"]
    rows = {r["name"]: r for r in props_public()}
    assert rows["lr"]["lo"] == 1e-5 and rows["lr"]["hi"] == 10.0
    assert rows["activation"]["choices"] == ["relu", "tanh", "sigmoid", "linear"]


def test_url_round_trip_of_every_control():
    s = State.make(
        dataset="spiral",
        noise=0.25,
        trainPct=70,
        batch=30,
        points=800,
        lr=0.003,
        activation="relu",
        reg="L2",
        regRate=0.01,
        shape=(8, 8, 3),
        x1sq=True,
        sinx2=True,
        seed=42,
        preset="convolution",
        neurons="32",
        filter=(-1, 0, 1, -2, 0, 2, -1, 0, 1),
        image="photo",
    )
    text = s.to_hash()
    assert "shape=8,8,3" in text and "lr=0.003" in text
    assert State.from_hash("#" + text) == s
    assert State.from_hash(text).to_hash() == text


def test_missing_controls_keep_their_defaults():
    s = State.from_hash("dataset=xor")
    assert s["dataset"] == "xor" and s["lr"] == State()["lr"]
    assert State.from_hash("shape=")["shape"] == ()  # no hidden layer: features straight to output


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("lr=nan", "finite"),
        ("lr=11", "between"),
        ("lr=0", "between"),
        ("lr=abc", "number"),
        ("shape=" + ",".join(["4"] * 40), "at most 6"),
        ("shape=9", "1 to 8"),
        ("shape=2.5", "whole"),
        ("batch=0", "between"),
        ("dataset=moons", "one of"),
        ("x1=maybe", "true or false"),
        ("wat=1", "unknown control"),
        ("x1=false&x2=false", "at least one input feature"),
        ("filter=1,2,3", "9 numbers"),
        ("noise=inf", "finite"),
        ("points=2000&trainPct=90&batch=1", "1800 steps an epoch"),
    ],
)
def test_bad_values_name_the_control(text, words):
    with pytest.raises(StateError, match=words):
        State.from_hash(text)


def test_typed_updates_from_the_socket_are_checked_too():
    with pytest.raises(StateError):
        State().update({"lr": float("nan")})
    with pytest.raises(StateError):
        State().update({"shape": [1, 2, 3, 4, 5, 6, 7]})
    assert State().update({"shape": [3, 3]})["shape"] == (3, 3)
