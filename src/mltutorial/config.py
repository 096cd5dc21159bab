"""`--key=value` overrides parsed onto a typed dataclass config (nanoGPT's configurator, without exec).

Each value is converted to the field's declared type; an unknown key or a value of the wrong type is a
`UserError` that names the key and suggests the closest field.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Sequence
from typing import Any, TypeVar

from mltutorial.errors import UserError

C = TypeVar("C")

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
    return dataclasses.replace(start, **values)  # type: ignore[type-var]
