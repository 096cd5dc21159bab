"""`--key=value` overrides parsed onto a typed dataclass config (nanoGPT's configurator, without exec).

Each value is converted to the field's declared type; an unknown key or a value of the wrong type is a
`UserError` that names the key and suggests the closest field. A field declares its range where it is
defined, `hidden: int = bounded(256, ge=1)`, and `check_config` (run by `parse_overrides`) refuses a
value outside it in one line, before any work. `check_memory` refuses a model that cannot fit.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import typing
from collections.abc import Sequence
from typing import Any, TypeVar

from mltutorial.errors import UserError

C = TypeVar("C")

SEED_MAX = 2**32 - 1  # NumPy's and scikit-learn's seeds are unsigned 32-bit integers


def bounded(
    default: Any = dataclasses.MISSING,
    *,
    default_factory: Any = dataclasses.MISSING,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """A dataclass field with a range: ge/gt/le/lt as in pydantic (for a list: each item)."""
    return dataclasses.field(
        default=default,
        default_factory=default_factory,
        metadata=bounds(ge=ge, gt=gt, le=le, lt=lt),
    )


def bounds(
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> dict[str, Any]:
    """`field(..., metadata=bounds(ge=1))`: the range of a field whose default needs a factory."""
    given = {"ge": ge, "gt": gt, "le": le, "lt": lt}
    return {"bounds": {k: v for k, v in given.items() if v is not None}}


def seed_field(default: int = 0) -> Any:
    """A seed: an integer from 0 to 2**32 - 1, as NumPy and scikit-learn accept."""
    return bounded(default, ge=0, le=SEED_MAX)


def _num(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _range_text(bounds: dict[str, float]) -> str:
    lo = bounds.get("ge", bounds.get("gt"))
    hi = bounds.get("le", bounds.get("lt"))
    if lo is not None and hi is not None:
        ends = {("ge", "le"): "inclusive", ("gt", "lt"): "exclusive"}
        key = ("ge" if "ge" in bounds else "gt", "le" if "le" in bounds else "lt")
        how = ends.get(key) or (
            f"{_num(hi)} excluded" if "lt" in bounds else f"{_num(lo)} excluded"
        )
        return f"between {_num(lo)} and {_num(hi)} ({how})"
    if "ge" in bounds:
        return f"at least {_num(bounds['ge'])}"
    if "gt" in bounds:
        return "positive" if bounds["gt"] == 0 else f"greater than {_num(bounds['gt'])}"
    if "le" in bounds:
        return f"at most {_num(bounds['le'])}"
    return f"less than {_num(bounds['lt'])}"


def _in_range(value: float, bounds: dict[str, float]) -> bool:
    return (
        ("ge" not in bounds or value >= bounds["ge"])
        and ("gt" not in bounds or value > bounds["gt"])
        and ("le" not in bounds or value <= bounds["le"])
        and ("lt" not in bounds or value < bounds["lt"])
    )


def check_config(cfg: Any) -> None:
    """Every field with a declared range (see `bounded`) holds a value in it; else a `UserError`."""
    for f in dataclasses.fields(cfg):
        bounds = f.metadata.get("bounds")
        value = getattr(cfg, f.name)
        if not bounds or value is None:
            continue
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise UserError(f"--{f.name}={item!r}: expected a number")
            if not _in_range(item, bounds):
                shown = ",".join(_num(v) for v in items) if items is value else _num(value)
                raise UserError(f"--{f.name}={shown}: must be {_range_text(bounds)}")


def available_memory() -> int | None:
    """Bytes of memory the machine can give now (Linux's MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(need_bytes: float, what: str) -> None:
    """Refuse, before allocating, a model whose estimated memory exceeds what the machine has."""
    have = available_memory()
    if have is not None and need_bytes > have:
        raise UserError(
            f"{what} needs about {need_bytes / 2**30:,.1f} GiB of memory; this machine has "
            f"{have / 2**30:,.1f} GiB available: choose a smaller model"
        )


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(raw: str, kind: Any, key: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (list, tuple):
        (inner, *_) = typing.get_args(kind) or (str,)
        items = [_convert(part.strip(), inner, key) for part in raw.split(",") if part.strip()]
        return items if origin is list else tuple(items)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if raw.lower() == "none":
            return None
        return _convert(raw, args[0], key)
    if kind is str and not raw.strip():
        raise UserError(f"--{key}={raw!r}: an empty value (leave the option out for the default)")
    try:
        if kind is bool:
            if raw.lower() in _TRUE:
                return True
            if raw.lower() in _FALSE:
                return False
            raise ValueError(raw)
        if kind is int:
            return int(float(raw)) if "e" in raw.lower() and float(raw).is_integer() else int(raw)
        if kind is float:
            value = float(raw)
            if not math.isfinite(value):  # a NaN or infinite setting is never what a user meant
                raise ValueError(raw)
            return value
        return kind(raw)
    except (TypeError, ValueError):
        name = getattr(kind, "__name__", str(kind))
        name = "finite float" if name == "float" else name
        raise UserError(f"--{key}={raw}: expected a value of type {name}") from None


def parse_overrides(cls: type[C], args: Sequence[str], base: C | None = None) -> C:
    """Build `cls` (a dataclass) from `base` (or its defaults) with `--key=value` / `--key value`."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    i = 0
    args = list(args)
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise UserError(f"unexpected argument {arg!r}: config values look like --key=value")
        key, sep, raw = arg[2:].partition("=")
        key = key.replace("-", "_")
        if not sep:
            if hints.get(key) is bool and (i + 1 >= len(args) or args[i + 1].startswith("--")):
                raw = "true"
            elif i + 1 < len(args):
                i += 1
                raw = args[i]
            else:
                raise UserError(f"--{key} needs a value")
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=3)
            hint = f"; did you mean {', '.join('--' + c for c in close)}?" if close else ""
            known = ", ".join(fields)
            raise UserError(f"unknown config key --{key}{hint} (known: {known})")
        values[key] = _convert(raw, hints[key], key)
        i += 1
    start = base if base is not None else cls()
    cfg = dataclasses.replace(start, **values)  # type: ignore[type-var]
    check_config(cfg)
    return cfg


S = TypeVar("S")


def settings_from_env(
    cls: type[S], prefix: str, environ: typing.Mapping[str, str] | None, overrides: dict[str, Any]
) -> S:
    """A server's frozen settings: the defaults, then `<prefix><FIELD>` variables, then `overrides`
    (None values are left out), then the class's own `check()`."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        raw = environ.get(prefix + f.name.upper())
        if raw is None:
            continue
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        try:
            if kind.startswith("int"):
                values[f.name] = int(raw)
            elif kind.startswith("float"):
                values[f.name] = float(raw)
            elif kind.startswith("bool"):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = raw
        except ValueError:
            raise UserError(f"{prefix}{f.name.upper()}={raw!r} is not a {kind}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = dataclasses.replace(cls(), **values)  # type: ignore[type-var]
    settings.check()  # type: ignore[attr-defined]
    return settings
