"""How much of PyTorch does the engine speak? tinygrad's op suite, run on mltutorial.engine.

    python bench/tinygrad_ops.py PATH/TO/tinygrad/test/backend/test_ops.py [--only NAME] [-v]
        [--out bench/results/tinygrad_ops.md]

tinygrad's `test_ops.py` (MIT licence, https://github.com/tinygrad/tinygrad) checks each op with
`helper_test_op(shapes, torch_fxn, tinygrad_fxn, ...)`, where `torch_fxn` is written in PyTorch's
API. This script reads that file from a local checkout of tinygrad (it is not copied into this
project, and nothing is fetched), runs every test method with tinygrad's own names replaced by inert
stand-ins, and evaluates each `helper_test_op` case twice: `torch_fxn` on torch (the reference) and
the same function with `torch` mapped to `mltutorial.engine` (its globals, closed-over tensors,
`nn.Module`s and `functools.partial`s translated). Forward values, shapes and dtypes, then the
gradients of `out.sum()` with respect to each input, are compared at the case's own tolerances,
with the same seeded inputs tinygrad uses.

Each case ends as one of:
  pass         same shape, dtype and values (and gradients), as torch
  missing      the engine lacks the API (AttributeError, unexpected keyword, NotImplementedError)
  unsupported  the engine raises an error saying "... is not supported by mltutorial.engine"
  error        any other exception
  WRONG        a different answer than torch: the worst kind, listed one per line
Cases whose torch reference itself raises, or whose function only returns a tensor built outside
it (nothing for the engine to compute), are not counted. `helper_test_exception` cases (torch
raises the expected error: does the engine raise one too?) are reported on a separate line.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import inspect
import sys
import time
import traceback
import types
import unittest
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mltutorial import engine
from mltutorial.engine import nn as enn

torch.set_num_threads(1)
UNSUPPORTED = "not supported by mltutorial.engine"


# ---------------------------------------------------------------------- tinygrad's names, inert
class _Anything:
    """Stands for every tinygrad object: any attribute, call, index or operator gives itself."""

    def __getattr__(self, name: str) -> Any:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __getitem__(self, key: Any) -> Any:
        return self

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: Any) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<tinygrad>"


def _binop(self: Any, *args: Any) -> Any:
    return self


for _name in (
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "matmul",
    "and",
    "or",
    "xor",
    "lshift",
    "rshift",
    "lt",
    "le",
    "gt",
    "ge",
    "ne",
    "neg",
    "invert",
):
    for _prefix in ("__", "__r"):
        setattr(_Anything, f"{_prefix}{_name}__", _binop)


class _Dtypes(_Anything):
    int = "int32"
    int32 = "int32"
    float32 = "float32"
    float64 = "float64"
    uchar = "uint8"

    @staticmethod
    def max(dtype: Any) -> int:
        return 2**31 - 1

    @staticmethod
    def min(dtype: Any) -> int:
        return -(2**31)


class _Device(_Anything):
    DEFAULT = "CPU"


class _NIRRenderer:
    pass


def _getenv(key: str, default: Any = 0) -> Any:
    return default


TINYGRAD_NAMES = {
    "getenv": _getenv,
    "IMAGE": 0,
    "DEBUG": 0,
    "CI": True,
    "CPU_LLVM": 0,
    "AMD_LLVM": 0,
    "EMULATE": 0,
    "Context": lambda **kw: contextlib.nullcontext(),
    "Tensor": _Anything(),
    "Device": _Device(),
    "dtypes": _Dtypes(),
    "_to_np_dtype": lambda d: np.float32,
    "is_dtype_supported": lambda *a, **k: True,
    "NIRRenderer": _NIRRenderer,
}


# ---------------------------------------------------------------------- torch -> engine
def _to_engine(value: Any) -> Any:
    """A torch object as the engine's: tensors copied, dtypes and modules by name."""
    if isinstance(value, torch.Tensor):
        return engine.tensor(value.detach().numpy().copy(), requires_grad=value.requires_grad)
    if isinstance(value, torch.dtype):
        return getattr(engine, str(value).removeprefix("torch."))
    if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in value):
        return type(value)(_to_engine(v) for v in value)
    if callable(value) and (getattr(value, "__module__", None) or "").startswith("torch"):
        return _Lazy(value)
    return value


class _Lazy:
    """A torch function held in a closure: looked up on the engine only when called, so a missing
    one counts as a missing API of the case that calls it."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _engine_callable(self.fn, {})(*args, **kwargs)


def _engine_callable(fn: Any, engine_globals: dict[str, Any]) -> Any:
    """The same function written against mltutorial.engine."""
    if isinstance(fn, functools.partial):
        args = [_to_engine(a) for a in fn.args]
        kwargs = {k: _to_engine(v) for k, v in fn.keywords.items()}
        return functools.partial(_engine_callable(fn.func, engine_globals), *args, **kwargs)
    if isinstance(fn, torch.nn.Module):
        cls = getattr(enn, type(fn).__name__)  # AttributeError: the engine lacks the module
        params = inspect.signature(cls).parameters
        return cls(**{k: _to_engine(v) for k, v in vars(fn).items() if k in params})
    if (
        isinstance(fn, types.FunctionType)
        and fn.__module__ != "torch"
        and "torch." not in (fn.__module__ or "")
    ):
        closure = None
        if fn.__closure__:
            closure = tuple(types.CellType(_to_engine(c.cell_contents)) for c in fn.__closure__)
        return types.FunctionType(
            fn.__code__, engine_globals, fn.__name__, fn.__defaults__, closure
        )
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", "") or ""
    if name is None:
        raise AttributeError(f"cannot translate {fn!r} to mltutorial.engine")
    if "functional" in module or getattr(torch.nn.functional, name, None) is fn:
        return getattr(enn.functional, name)
    for alias, f in vars(torch.nn.functional).items():  # e.g. F.logsigmoid is torch's log_sigmoid
        if f is fn and not alias.startswith("_"):
            return getattr(enn.functional, alias)
    if hasattr(engine, name):
        return getattr(engine, name)
    return getattr(engine.Tensor, name)


# ---------------------------------------------------------------------- one case
class Results:
    def __init__(self, verbose: bool) -> None:
        self.counts: Counter[str] = Counter()
        self.exceptions: Counter[str] = Counter()
        self.wrong: list[str] = []
        self.missing: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.test = ""
        self.engine_globals: dict[str, Any] = {}
        self.verbose = verbose


RESULTS: Results


def _inputs(shps: Any, vals: Any, low: float, high: float, forward_only: bool) -> list[Any]:
    if shps is None:
        ts = [torch.tensor(x, requires_grad=not forward_only) for x in vals]
    else:
        np.random.seed(0)
        data = [np.random.uniform(low=low, high=high, size=s).astype(np.float32) for s in shps]
        ts = [torch.tensor(d, requires_grad=not forward_only) for d in data]
    return [t.type(torch.int32) if t.dtype == torch.int64 else t for t in ts]


def _kind(exc: BaseException) -> str:
    msg = str(exc)
    if UNSUPPORTED in msg:
        return "unsupported"
    if isinstance(exc, (AttributeError, NotImplementedError)) or (
        isinstance(exc, TypeError)
        and ("unexpected keyword" in msg or "positional argument" in msg or "not callable" in msg)
    ):
        return "missing"
    return "error"


def _same(ours: Any, theirs: torch.Tensor, atol: float, rtol: float) -> str | None:
    """None when equal, else what differs."""
    if not isinstance(ours, engine.Tensor):
        return f"returned {type(ours).__name__}, not a Tensor"
    t = theirs.detach().numpy()
    if ours.shape != tuple(t.shape):
        return f"shape {ours.shape} != {tuple(t.shape)}"
    if str(ours.dtype) != str(t.dtype):
        return f"dtype {ours.dtype} != {t.dtype}"
    try:
        if np.issubdtype(t.dtype, np.floating):
            np.testing.assert_allclose(ours.data, t, atol=atol, rtol=rtol)
        else:
            np.testing.assert_equal(ours.data, t)
    except AssertionError as e:
        return " ".join(str(e).split())[:200]
    return None


def helper_test_op(
    shps: Any,
    torch_fxn: Any,
    tinygrad_fxn: Any = None,
    atol: float = 1e-6,
    rtol: float = 1e-3,
    grad_atol: float = 1e-4,
    grad_rtol: float = 1e-3,
    forward_only: bool = False,
    vals: Any = None,
    low: float = -2,
    high: float = 2,
) -> None:
    """Evaluate one case on torch and on the engine; record its outcome."""
    r = RESULTS
    where = f"{r.test}#{sum(r.counts.values()) + 1}"
    try:
        ts = _inputs(shps, vals, low, high, forward_only)
        ref = torch_fxn(*ts)
        ref_grads = None
        if not forward_only and ts:
            try:
                ref_grads = torch.autograd.grad(torch_fxn(*ts).sum(), ts)
            except Exception:  # torch gives no gradient (e.g. an input unused): compare forward
                ref_grads = None
    except Exception:
        r.counts["torch raises (not counted)"] += 1
        return
    try:
        fn = _engine_callable(torch_fxn, r.engine_globals)
        es = [engine.tensor(t.detach().numpy().copy(), requires_grad=t.requires_grad) for t in ts]
        out = fn(*es)
        closed = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ())]
        if not es and any(out is c for c in closed):
            r.counts["nothing to compute (not counted)"] += 1
            return
        diff = _same(out, ref, atol, rtol)
        if diff is None and ref_grads is not None:
            out2 = fn(*es)
            out2.sum().backward()
            for i, (e, g) in enumerate(zip(es, ref_grads)):
                if e.grad is None:
                    if np.any(g.numpy() != 0):
                        diff = f"no gradient for input {i}"
                    continue
                d = _same(e.grad, g, grad_atol, grad_rtol)
                if d is not None:
                    diff = f"gradient of input {i}: {d}"
                    break
    except Exception as exc:
        kind = _kind(exc)
        r.counts[kind] += 1
        label = f"{type(exc).__name__}: {' '.join(str(exc).split())[:90]}"
        (r.missing if kind == "missing" else r.errors)[label] += 1
        if r.verbose:
            print(f"{kind:11s} {where}: {label}")
        return
    if diff is None:
        r.counts["pass"] += 1
    else:
        r.counts["WRONG"] += 1
        r.wrong.append(f"{where}: {diff}")


def helper_test_exception(
    self: Any,
    shps: Any,
    torch_fxn: Any,
    tinygrad_fxn: Any = None,
    expected: Any = None,
    forward_only: bool = False,
    exact: bool = False,
    vals: Any = None,
    low: float = -1.5,
    high: float = 1.5,
) -> None:
    """torch raises `expected`: the engine should raise too (any exception; the right type counts)."""
    r = RESULTS
    ts = _inputs(shps, vals, low, high, forward_only)
    try:
        torch_fxn(*ts)
        return
    except Exception:
        pass
    try:
        es = [engine.tensor(t.detach().numpy().copy(), requires_grad=t.requires_grad) for t in ts]
        _engine_callable(torch_fxn, r.engine_globals)(*es)
    except Exception as exc:
        ok = expected is None or isinstance(exc, expected)
        r.exceptions["raises the same type" if ok else "raises another type"] += 1
        return
    r.exceptions["DOES NOT RAISE"] += 1
    r.wrong.append(f"{r.test} (exception case): the engine returns where torch raises")


# ---------------------------------------------------------------------- running the file
class _Guard(ast.NodeTransformer):
    """Wrap every statement of a test method in try/except, so that one tinygrad-only line (or
    failing assert) skips only itself and the cases after it still run."""

    def _wrap(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.Return)):
                out.append(stmt)
                continue
            for field in ("body", "orelse"):
                if isinstance(stmt, (ast.For, ast.While, ast.If, ast.With)) and getattr(
                    stmt, field, None
                ):
                    setattr(stmt, field, self._wrap(getattr(stmt, field)))
            handler = ast.ExceptHandler(
                type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()]
            )
            out.append(ast.Try(body=[stmt], handlers=[handler], orelse=[], finalbody=[]))
        return out

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        for fn in node.body:
            if isinstance(fn, ast.FunctionDef) and fn.name not in ("helper_test_exception",):
                fn.body = self._wrap(fn.body)
        return node


def _load(path: Path) -> dict[str, Any]:
    tree = ast.parse(path.read_text())
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, (ast.Import, ast.ImportFrom)) and "tinygrad" in ast.unparse(node))
    ]
    tree = ast.fix_missing_locations(_Guard().visit(tree))
    ns: dict[str, Any] = {"__name__": "tinygrad_test_ops", **TINYGRAD_NAMES}
    exec(compile(tree, str(path), "exec"), ns)
    ns["helper_test_op"] = helper_test_op
    return ns


def run(path: Path, only: str | None, verbose: bool) -> Results:
    global RESULTS
    RESULTS = Results(verbose)
    ns = _load(path)
    RESULTS.engine_globals = {**ns, "torch": engine}
    for cls_name in ("TestOps", "TestOpsUint8"):
        cls = ns.get(cls_name)
        if cls is None:
            continue
        cls.helper_test_exception = helper_test_exception
        for name in sorted(n for n in vars(cls) if n.startswith("test_")):
            if only and only not in name:
                continue
            RESULTS.test = f"{cls_name}.{name}"
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    getattr(cls(name), name)()
            except unittest.SkipTest:
                pass
            except Exception:
                if verbose:
                    traceback.print_exc()
    return RESULTS


def report(r: Results, seconds: float) -> str:
    counted = ("pass", "missing", "unsupported", "error", "WRONG")
    total = sum(r.counts[k] for k in counted)
    lines = [
        f"tinygrad helper_test_op cases on mltutorial.engine ({seconds:.0f} s): {total} counted"
    ]
    for k in counted:
        lines.append(f"  {k:12s} {r.counts[k]:5d}  ({100 * r.counts[k] / max(total, 1):.1f} %)")
    for k, v in sorted(r.counts.items()):
        if k not in counted:
            lines.append(f"  ({k}: {v})")
    lines.append(f"helper_test_exception cases: {dict(r.exceptions)}")
    if r.wrong:
        lines.append("WRONG answers:")
        lines += [f"  {w}" for w in r.wrong]
    lines.append("most common missing APIs:")
    lines += [f"  {n:4d}  {m}" for m, n in r.missing.most_common(40)]
    lines.append("most common other errors:")
    lines += [f"  {n:4d}  {m}" for m, n in r.errors.most_common(25)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("test_ops", type=Path, help="tinygrad's test/backend/test_ops.py (local)")
    ap.add_argument("--only", help="run only test methods whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--out", type=Path, help="also write the report as a bench/results section")
    args = ap.parse_args(argv)
    if not args.test_ops.is_file():
        print(
            f"error: {args.test_ops} is not a file (give tinygrad's test_ops.py)", file=sys.stderr
        )
        return 2
    start = time.perf_counter()
    results = run(args.test_ops, args.only, args.verbose)
    text = report(results, time.perf_counter() - start)
    print(text)
    if args.out:
        args.out.write_text(
            "## PyTorch coverage: tinygrad's op suite on the engine\n\n"
            f"Command: `python bench/tinygrad_ops.py PATH/TO/tinygrad/test/backend/test_ops.py "
            f"--out {args.out}` (tinygrad's file from a local checkout; see the script's "
            "docstring for what each outcome means).\n\n```\n" + text + "\n```\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
