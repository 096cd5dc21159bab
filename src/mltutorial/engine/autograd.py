"""Reverse-mode automatic differentiation: grad mode, meta mode and the backward pass.

Every op builds its output with `Tensor._make(data, parents, backward)`, where `backward(g)` maps the
gradient of the output to a tuple of gradients, one per parent (`None` where a parent needs none).
`run_backward` sorts the graph topologically once (iteratively, so deep graphs do not hit the
recursion limit), walks it from the root, accumulates each node's gradient in place once it owns the
buffer, drops every closure (and the arrays it saved) as soon as it has run, and hands leaves their
`.grad`.

Paper: Baydin et al., "Automatic differentiation in machine learning: a survey", JMLR 2018.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import backend

if TYPE_CHECKING:
    from .tensor import Tensor

Grads = tuple[np.ndarray | None, ...]
BackwardFn = Callable[[np.ndarray], Grads]


class _State:
    """Process-wide switches (the engine, like PyTorch's default mode, is single-threaded here)."""

    grad_enabled: bool = True
    meta: bool = False  # factories make zero-stride arrays (no memory): see `engine.meta()`
    shape_only: bool = False  # heavy ops only propagate shapes (used by `summary`)
    macs: int = 0  # multiply-accumulates counted by shape-only ops


STATE = _State()


class _GradMode:
    """Context manager and decorator that sets grad mode, restoring the old mode on exit."""

    enabled: bool = True

    def __enter__(self) -> None:
        self._prev = STATE.grad_enabled
        STATE.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        STATE.grad_enabled = self._prev

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        mode = type(self)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)

        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = fn.__doc__
        return wrapper


class no_grad(_GradMode):
    """`with engine.no_grad():` builds no graph (inference, optimizer steps, manual updates)."""

    enabled = False


class enable_grad(_GradMode):
    """`with engine.enable_grad():` turns graph building back on inside `no_grad`."""

    enabled = True


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


class meta:
    """`with engine.meta():` modules built inside hold zero-stride parameters (no memory, no init).

    Their shapes and parameter counts are real, so `engine.summary` can count a VGG-16 or a ResNet-50
    in milliseconds without allocating its weights. Such a model cannot be trained; load a state
    dict into it (which allocates real arrays) or build it again outside the context.
    """

    def __enter__(self) -> None:
        self._prev = STATE.meta
        STATE.meta = True

    def __exit__(self, *exc: object) -> None:
        STATE.meta = self._prev


class shape_only:
    """Inside, conv/linear/matmul/pool/norm ops return zero-stride outputs of the right shape."""

    def __enter__(self) -> None:
        self._prev = STATE.shape_only
        STATE.shape_only = True

    def __exit__(self, *exc: object) -> None:
        STATE.shape_only = self._prev


def meta_array(shape: Sequence[int], dtype: Any) -> np.ndarray:
    """A read-only array of zeros of `shape` that takes no memory (all strides are 0)."""
    return np.broadcast_to(np.zeros((), dtype=dtype), tuple(shape))


def is_meta_array(a: np.ndarray) -> bool:
    return isinstance(a, np.ndarray) and a.size > 1 and not any(a.strides) and not a.flags.writeable


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo NumPy broadcasting: sum `g` over the axes along which an operand of `shape` was expanded."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that need a gradient, each after all of its parents (iterative post-order DFS)."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._prev:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def _set_leaf_grad(node: Tensor, g: np.ndarray, handed_out: set[int]) -> None:
    from .tensor import Tensor

    if g.dtype != node.data.dtype:
        g = g.astype(node.data.dtype)
    if node.grad is not None:
        np.add(node.grad.data, g, out=node.grad.data)
        return
    # A leaf keeps the buffer it is given unless someone else may still see it: then it gets a copy.
    if g.base is not None or not backend.writeable(g) or id(g) in handed_out:
        g = backend.array_module(g).array(g, copy=True)
    handed_out.add(id(g))
    node.grad = Tensor(g)


def run_backward(root: Tensor, gradient: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) * gradient into every leaf's `.grad` that requires it."""
    order = _topological_order(root)
    xp = backend.array_module(gradient)
    grads: dict[int, np.ndarray] = {id(root): xp.array(gradient, dtype=root.data.dtype, copy=True)}
    owned: set[int] = {id(root)}  # buffers this pass allocated itself may be added to in place
    handed_out: set[int] = set()
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        fn = node._backward
        if fn is None:  # a leaf
            _set_leaf_grad(node, g, handed_out)
            continue
        if node._retain:
            _set_leaf_grad(node, g, handed_out)
        parents = node._prev
        parent_grads = fn(g)
        del g
        if not retain_graph:
            node._backward = None
            node._prev = ()
        for parent, pg in zip(parents, parent_grads):
            if pg is None or not parent.requires_grad:
                continue
            key = id(parent)
            current = grads.get(key)
            if current is None:
                grads[key] = pg
            elif key in owned:
                current += pg
                grads[key] = current  # 0-d sums are NumPy scalars: += rebinds, so store it back
            else:
                grads[key] = current + pg
                owned.add(key)
