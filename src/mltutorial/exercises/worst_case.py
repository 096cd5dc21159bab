"""Checks for the worst-case notebook: how small a gradient through sigmoids can get; saddles."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, verdict


def check_sigmoid_chain_bound(fn) -> bool:
    """`fn(n_layers)` -> the largest possible |d output / d input| through n stacked sigmoids."""

    def check() -> None:
        hint = (
            "each sigmoid multiplies the gradient by σ'(z) = σ(z)(1 − σ(z)), at most 0.25 "
            "(at z = 0); n of them multiply n such factors"
        )
        for n in (1, 3, 10):
            got = float(as_array(call(fn, n)))
            if not np.isclose(got, 0.25**n, rtol=1e-6):
                raise Wrong(f"for {n} layers you gave {got:.3g}. {hint}")

    return verdict(check)


def check_is_saddle(fn) -> bool:
    """`fn(H)` -> True when a critical point with Hessian H is a saddle (neither min nor max)."""

    def check() -> None:
        cases = [
            (np.diag([2.0, -1.0]), True),
            (np.array([[1.0, 2.0], [2.0, 1.0]]), True),  # eigenvalues 3 and -1
            (np.diag([1.0, 3.0]), False),
            (np.diag([-1.0, -3.0]), False),
            (np.array([[2.0, 1.0], [1.0, 2.0]]), False),  # eigenvalues 3 and 1
        ]
        hint = (
            "a saddle has a Hessian with eigenvalues of both signs (np.linalg.eigvalsh): "
            "up in one direction, down in another; the diagonal alone is not enough"
        )
        for H, want in cases:
            got = call(fn, H.copy())
            if bool(got) != want:
                raise Wrong(f"for H = {H.tolist()} you said {bool(got)}. {hint}")

    return verdict(check)
