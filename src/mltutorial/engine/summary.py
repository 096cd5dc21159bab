"""`summary(model, input_shape)`: per-layer output shapes, parameters and MACs, without computing.

The forward runs in shape-only mode: linear, conv, matmul, pooling, norm and embedding ops return
zero-stride arrays of the right shape (no arithmetic), and count their multiply-accumulates:

* one MAC = one multiply-add (the unit torchvision and ptflops report as "MACs"/"GMACs");
* Linear: out elements x in_features (i.e. batch x in x out); no MACs for the bias;
* Conv2d: out elements x (in_channels / groups) x kh x kw; no MACs for the bias;
* matmul (e.g. attention's Q K^T): out elements x the contracted size;
* BatchNorm, LayerNorm, pooling, activations, dropout, softmax, additions: 0.

`input_shape` is the whole input shape including the batch dimension, e.g. (1, 3, 224, 224), and
MACs are for that whole input. Combined with `engine.meta()` (weights that take no memory), a
ResNet-50 at 224x224 is counted in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .autograd import STATE, no_grad, shape_only
from .nn.module import Module
from .tensor import Tensor, meta_tensor


@dataclass
class SummaryRow:
    """One module call: dotted name, class name, output shape, own parameters and own MACs."""

    name: str
    type: str
    output_shape: tuple[int, ...] | str
    params: int
    macs: int
    depth: int = 0


@dataclass
class Summary:
    rows: list[SummaryRow]
    input_shape: tuple[int, ...]
    total_params: int
    trainable_params: int
    total_macs: int
    param_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def to_dict(self) -> dict[str, Any]:
        return {
            "input_shape": list(self.input_shape),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "layers": [
                {
                    "name": r.name,
                    "type": r.type,
                    "output_shape": list(r.output_shape)
                    if isinstance(r.output_shape, tuple)
                    else r.output_shape,
                    "params": r.params,
                    "macs": r.macs,
                }
                for r in self.rows
            ],
        }

    def __str__(self) -> str:
        head = ("Layer (type)", "Output shape", "Param #", "MACs")
        body = [
            (
                f"{'  ' * r.depth}{r.name or '(model)'} ({r.type})",
                str(list(r.output_shape)) if isinstance(r.output_shape, tuple) else r.output_shape,
                f"{r.params:,}",
                f"{r.macs:,}",
            )
            for r in self.rows
        ]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(4)]

        def fmt(row: Sequence[str]) -> str:
            return "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            )

        rule = "=" * len(fmt(head))
        lines = [rule, fmt(head), rule, *(fmt(r) for r in body), rule]
        lines += [
            f"Input shape: {list(self.input_shape)}",
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            f"Total MACs: {self.total_macs:,} ({self.total_macs / 1e9:.2f} G)",
            f"Params size (MB): {self.param_bytes / 2**20:.2f}",
            rule,
        ]
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def _shape_of(out: Any) -> tuple[int, ...] | str:
    if isinstance(out, Tensor):
        return tuple(out.shape)
    if isinstance(out, (tuple, list)):
        return ", ".join(str(list(o.shape)) for o in out if isinstance(o, Tensor))
    return "-"


def summary(model: Module, input_shape: Sequence[int], dtype: Any = None) -> Summary:
    """Count parameters and MACs of `model` on an input of `input_shape` (batch included).

    `dtype`: the input's dtype (default: the model's parameter dtype; use np.int64 for models that
    start with an Embedding). The model's train/eval modes are restored afterwards.
    """
    names = {id(m): n for n, m in model.named_modules()}
    depth = {id(m): (n.count(".") + 1 if n else 0) for n, m in model.named_modules()}
    params = list(model.parameters())
    if dtype is None:
        dtype = params[0].dtype if params else np.float32
    modes = {id(m): m.training for m in model.modules()}
    stack: list[list[int]] = []  # per active call: [macs at entry, macs of children]
    rows: list[tuple[int, SummaryRow]] = []
    counted: set[int] = set()

    def pre(module: Module, args: tuple[Any, ...]) -> None:
        stack.append([STATE.macs, 0])

    def post(module: Module, args: tuple[Any, ...], out: Any) -> None:
        start, children = stack.pop()
        total = STATE.macs - start
        if stack:
            stack[-1][1] += total
        own_params = sum(p.numel() for p in module.parameters(recurse=False))
        first = id(module) not in counted
        counted.add(id(module))
        leaf = not module._modules
        own_macs = total - children
        if leaf or own_params or own_macs:
            row = SummaryRow(
                names.get(id(module), "?"),
                type(module).__name__,
                _shape_of(out),
                own_params if first else 0,
                own_macs,
                depth.get(id(module), 0),
            )
            rows.append((len(stack), row))

    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(post))
    model.eval()
    STATE.macs = 0
    try:
        with no_grad(), shape_only():
            model(meta_tensor(tuple(input_shape), dtype))
    finally:
        for h in handles:
            h.remove()
        for m in model.modules():
            object.__setattr__(m, "training", modes[id(m)])
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    out_rows = [r for _, r in rows if r.name != "" or r.params or r.macs or len(rows) == 1]
    return Summary(
        rows=out_rows,
        input_shape=tuple(input_shape),
        total_params=total,
        trainable_params=trainable,
        total_macs=int(STATE.macs),
        param_bytes=sum(p.numel() * p.dtype.itemsize for p in params),
    )
