"""The playground's state: one typed table of controls, serialised to and from the URL hash.

Every control is a row `Prop(name, type, default, range)`, as TensorFlow Playground's `state.ts` keeps
its `PROPS` list: the page builds its controls from this table (served at `api/props`), a link's hash
`#dataset=spiral&lr=0.03&shape=8,8` is parsed by `State.from_hash`, and `State.to_hash` writes it back,
so a link reproduces the experiment and the defaults live in one place.

A value outside its row's range, a NaN, an unknown name or choice is a `StateError` with one line
that names the control; the web layer turns it into a 4xx and a message in the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, unquote

DATASETS = ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss", "upload")
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "L1", "L2")
PRESETS = ("none", "gradient_descent", "worst_case", "universal_approximation", "convolution")
MAX_LAYERS, MAX_NEURONS = 6, 8
MAX_STEPS_PER_EPOCH = 250  # TensorFlow Playground's batch 1 on 250 points: an epoch stays live
UA_NEURONS = ("1", "2", "4", "8", "16", "32", "64")  # the lesson grows its layer by doubling
SLIDE_FILTER = (0.0, 1.0, 2.0, 2.0, 2.0, 0.0, 0.0, 1.0, 2.0)  # the convolution slide's filter


class StateError(ValueError):
    """A control's value the playground refuses: the message names the control and its range."""


@dataclass(frozen=True)
class Prop:
    """One control: its URL name, type, default and range.

    Types: "number", "int" (with lo, hi), "bool", "choice" (one of `choices`), "shape" (hidden layer
    sizes, `1,8`), "floats" (nine numbers in [lo, hi], a 3x3 filter).
    """

    name: str
    type: str
    default: Any
    lo: float | None = None  # numbers: inclusive bounds
    hi: float | None = None
    choices: tuple[str, ...] = ()
    label: str = ""

    def parse(self, text: str) -> Any:
        """The value of this control from its URL text; StateError when it is not allowed."""
        text = text.strip()
        if self.type == "bool":
            if text not in ("true", "false", "1", "0"):
                raise StateError(f"{self.name} must be true or false, not {text!r}")
            return text in ("true", "1")
        if self.type == "choice":
            if text not in self.choices:
                raise StateError(
                    f"{self.name} must be one of {', '.join(self.choices)}, not {text!r}"
                )
            return text
        if self.type in ("shape", "floats"):
            parts = [p for p in text.split(",") if p.strip()] if text else []
            integer = self.type == "shape"
            return self.check(tuple(_number(self.name, p, integer=integer) for p in parts))
        return self.check(_number(self.name, text, integer=self.type == "int"))

    def check(self, value: Any) -> Any:
        """`value` if it is allowed, else StateError naming the control."""
        if self.type == "shape":
            if len(value) > MAX_LAYERS:
                raise StateError(
                    f"{self.name}: at most {MAX_LAYERS} hidden layers, not {len(value)}"
                )
            for n in value:
                if n != int(n):
                    raise StateError(f"{self.name}: neurons per layer must be whole, not {n}")
                if not 1 <= n <= MAX_NEURONS:
                    raise StateError(f"{self.name}: 1 to {MAX_NEURONS} neurons per layer, not {n}")
            return tuple(int(n) for n in value)
        if self.type == "floats":
            if len(value) != 9:
                raise StateError(f"{self.name} needs 9 numbers (3x3), not {len(value)}")
            prop = Prop(self.name, "number", 0.0, self.lo, self.hi)
            return tuple(prop.check(v) for v in value)
        if self.type in ("number", "int"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise StateError(f"{self.name} must be a number")
            if not math.isfinite(value):
                raise StateError(f"{self.name} must be a finite number, not {value}")
            if self.type == "int" and value != int(value):
                raise StateError(f"{self.name} must be a whole number, not {value}")
            assert self.lo is not None and self.hi is not None
            if not self.lo <= value <= self.hi:
                raise StateError(
                    f"{self.name} must be between {self.lo:g} and {self.hi:g}, not {value:g}"
                )
            return int(value) if self.type == "int" else float(value)
        if self.type == "bool":
            if not isinstance(value, bool):
                raise StateError(f"{self.name} must be true or false")
            return value
        if value not in self.choices:
            raise StateError(f"{self.name} must be one of {', '.join(self.choices)}, not {value!r}")
        return value

    def format(self, value: Any) -> str:
        if self.type == "bool":
            return "true" if value else "false"
        if self.type == "shape":
            return ",".join(str(n) for n in value)
        if self.type == "floats":
            return ",".join(f"{v:g}" for v in value)
        if self.type == "number":
            return f"{value:.6g}"
        return str(value)

    def public(self) -> dict[str, Any]:
        """The row as the page reads it (to build its controls)."""
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        row = {"name": self.name, "type": self.type, "default": default, "label": self.label}
        if self.lo is not None:
            row |= {"lo": self.lo, "hi": self.hi}
        if self.choices:
            row["choices"] = list(self.choices)
        return row


def _number(name: str, text: str, integer: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise StateError(f"{name} must be a number, not {text!r}") from None
    if integer and math.isfinite(value) and value == int(value):
        return int(value)
    return value


PROPS: tuple[Prop, ...] = (
    Prop("dataset", "choice", "circle", choices=DATASETS, label="data"),
    Prop("noise", "number", 0.0, 0.0, 0.5, label="noise"),
    Prop("trainPct", "int", 50, 10, 90, label="training data %"),
    Prop("batch", "int", 10, 1, 100, label="batch size"),
    Prop("points", "int", 500, 50, 2000, label="points"),
    Prop("lr", "number", 0.03, 1e-5, 10.0, label="learning rate"),
    Prop("activation", "choice", "tanh", choices=ACTIVATIONS, label="activation"),
    Prop("reg", "choice", "none", choices=REGULARIZATIONS, label="regularisation"),
    Prop("regRate", "number", 0.0, 0.0, 10.0, label="regularisation rate"),
    Prop("shape", "shape", (4, 2), label="hidden layers"),
    *(Prop(f, "bool", f in ("x1", "x2"), label=f) for f in FEATURES),
    Prop("showTest", "bool", False, label="show test data"),
    Prop("discretize", "bool", False, label="discretize output"),
    Prop("seed", "int", 1, 0, 2**31 - 1, label="seed"),
    Prop("preset", "choice", "none", choices=PRESETS, label="preset"),
    # The presets' own knobs: universal_approximation's width, convolution's filter and image.
    Prop("neurons", "choice", "8", choices=UA_NEURONS, label="neurons"),
    Prop("filter", "floats", SLIDE_FILTER, -10.0, 10.0, label="3x3 filter"),
    Prop("image", "choice", "slide", choices=("slide", "photo"), label="image"),
)
BY_NAME = {p.name: p for p in PROPS}


@dataclass(frozen=True)
class State:
    """The values of every control; defaults from `PROPS`. Build with `State.make(**values)`."""

    values: dict[str, Any] = field(default_factory=lambda: {p.name: p.default for p in PROPS})

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @classmethod
    def make(cls, **values: Any) -> State:
        return cls().update(values)

    def update(self, changes: dict[str, Any]) -> State:
        """A new state with `changes` (typed values, or URL text) checked against the table."""
        new = dict(self.values)
        for name, value in changes.items():
            prop = BY_NAME.get(name)
            if prop is None:
                raise StateError(f"unknown control {name!r}")
            if isinstance(value, str) and prop.type not in ("choice",):
                new[name] = prop.parse(value)
            elif prop.type == "shape" and isinstance(value, list | tuple):
                new[name] = prop.check(tuple(_int_neurons(name, v) for v in value))
            elif prop.type == "floats" and isinstance(value, list | tuple):
                new[name] = prop.check(tuple(value))
            else:
                new[name] = prop.check(value)
        state = replace(self, values=new)
        if not state.features():
            raise StateError("select at least one input feature")
        if state["dataset"] != "upload":
            check_work(round(state["points"] * state["trainPct"] / 100), state["batch"])
        return state

    def features(self) -> list[str]:
        return [f for f in FEATURES if self.values[f]]

    @property
    def problem(self) -> str:
        return "regression" if str(self.values["dataset"]).startswith("reg-") else "classification"

    def to_hash(self) -> str:
        """`name=value&...` for every control (as state.ts's `serialize`)."""
        return "&".join(f"{p.name}={quote(p.format(self.values[p.name]), safe=',')}" for p in PROPS)

    @classmethod
    def from_hash(cls, text: str) -> State:
        """The state a URL hash describes; missing controls keep their defaults."""
        changes: dict[str, str] = {}
        for pair in text.lstrip("#").split("&"):
            if not pair.strip():
                continue
            name, _, value = pair.partition("=")
            changes[unquote(name)] = unquote(value)
        return cls().update(changes)

    def public(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()}


def _int_neurons(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StateError(f"{name}: neurons per layer must be whole numbers")
    if value != int(value):
        raise StateError(f"{name}: neurons per layer must be whole numbers, not {value}")
    return int(value)


def check_work(n_train: int, batch: int) -> None:
    """StateError when one epoch would take more than MAX_STEPS_PER_EPOCH steps (CPU per tab)."""
    steps = -(-n_train // batch)
    if steps > MAX_STEPS_PER_EPOCH:
        need = -(-n_train // MAX_STEPS_PER_EPOCH)
        raise StateError(
            f"batch size {batch} with {n_train} training points is {steps} steps an epoch; "
            f"at most {MAX_STEPS_PER_EPOCH} keep it live: use a batch size of {need} or more"
        )


def props_public() -> list[dict[str, Any]]:
    return [p.public() for p in PROPS]


__all__ = ["PROPS", "Prop", "State", "StateError", "props_public"]
