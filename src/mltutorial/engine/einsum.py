"""`einsum`: Einstein summation over named axes, as `torch.einsum` (np.einsum underneath).

The gradient of operand i is itself an einsum: the output gradient contracted with every other
operand, onto operand i's labels. Labels that appear only in operand i were summed out, so the
gradient is constant along them (broadcast back); a label repeated in operand i (a diagonal,
'ii->i') receives its gradient on that diagonal only.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from . import backend
from .autograd import Grads
from .tensor import Tensor


def _parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Operand label strings and the output's, with '...' spelled out as capital letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(
            f"einsum(): {len(terms)} operands in the equation, but {len(shapes)} were given"
        )
    spare = iter(string.ascii_uppercase[::-1])
    ell_n = 0
    for t, s in zip(terms, shapes):
        if t.count("...") > 1:
            raise RuntimeError("einsum(): more than one ellipsis ('...') in an operand")
        if "..." in t:
            ell_n = max(ell_n, len(s) - (len(t) - 3))
    ell = "".join(next(spare) for _ in range(ell_n))[::-1]
    out_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[ell_n - k :])
        if len(t) != len(s):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                f"the number of dimensions ({len(s)}) of an operand"
            )
        out_terms.append(t)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(out_terms)
        once = sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        out = ell + "".join(once)
    return out_terms, out


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the labels missing from the output, e.g. 'ik,kj->ij' is matmul."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in operands)
    terms, out_labels = _parse(equation, [t.shape for t in ts])
    arrays = [t.data for t in ts]
    spec = ",".join(terms) + "->" + out_labels
    try:
        out = np.einsum(spec, *arrays, optimize=len(arrays) > 2)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None
    sizes = {c: n for t, a in zip(terms, arrays) for c, n in zip(t, a.shape)}

    def backward(g: np.ndarray) -> Grads:
        grads: list[np.ndarray | None] = []
        for i, (t, a) in enumerate(zip(terms, arrays)):
            if not ts[i].requires_grad:
                grads.append(None)
                continue
            unique = "".join(dict.fromkeys(t))
            others = [(u, b) for j, (u, b) in enumerate(zip(terms, arrays)) if j != i]
            known = set(out_labels).union(*(set(u) for u, _ in others))
            kept = "".join(c for c in unique if c in known)
            sub = ",".join([out_labels] + [u for u, _ in others]) + "->" + kept
            gk = np.einsum(sub, g, *(b for _, b in others), optimize=len(others) > 1)
            # labels summed out of operand i alone: constant along them
            full = np.broadcast_to(
                np.expand_dims(gk, [unique.index(c) for c in unique if c not in known])
                if len(kept) < len(unique)
                else gk,
                tuple(sizes[c] for c in unique),
            )
            if len(unique) == len(t):
                perm = [unique.index(c) for c in t]
                grads.append(backend.array_module(full).array(np.transpose(full, perm)))
            else:  # repeated labels: the gradient lives on the diagonal
                gx = backend.array_module(g).zeros(a.shape, dtype=g.dtype)
                view = np.einsum(f"{t}->{unique}", gx)
                view.setflags(write=True)
                view[...] = full
                grads.append(gx)
        return tuple(grads)

    return Tensor._make(backend.asarray(out), ts, backward)
