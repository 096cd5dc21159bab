"""Sparse inputs: `linear(X, W, b)`, torch's `F.linear` for a SciPy CSR matrix X.

Text models see tens of thousands of features (one per word) with a few dozen non-zero per row.
Densifying a batch costs n_features floats per row; this op keeps X sparse and does the products
with SciPy in both directions. X is data, not a parameter: it gets no gradient (as in torch, where
`torch.sparse.mm(X, W.T)` with a constant sparse X gives gradients to W only).

    y = X @ W.T + b                       X (B, n_features) sparse, W (out, n_features), b (out,)
    dL/dW = (X.T @ g).T                   (out, n_features), g = dL/dy (B, out)
    dL/db = sum over the batch of g       (out,)

Cost: one pass over X's non-zeros each way, instead of B * n_features * out multiply-adds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor


def linear(input: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias for a SciPy sparse `input` (B, in): a (B, out) tensor."""
    if input.ndim != 2 or input.shape[1] != weight.shape[1]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
            f"{weight.shape[1]}x{weight.shape[0]})"
        )
    W = weight.data
    out = np.asarray(input @ W.T, dtype=W.dtype)  # (B, out)
    if bias is not None:
        out += bias.data

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:  # g (B, out)
        grad_w = np.asarray(input.T @ g, dtype=W.dtype).T  # (out, n_features)
        if bias is None:
            return (grad_w,)
        return (grad_w, g.sum(axis=0))  # (out,)

    parents = (weight,) if bias is None else (weight, bias)
    return Tensor._make(out, parents, backward)
