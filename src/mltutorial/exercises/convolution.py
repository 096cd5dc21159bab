"""Checks for the convolution notebook: a convolution by hand; the size of its output."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict


def _xcorr(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    k = kernel.shape[0]
    n = image.shape[0] - k + 1
    return np.array(
        [[np.sum(image[i : i + k, j : j + k] * kernel) for j in range(n)] for i in range(n)]
    )


def check_conv2d(fn) -> bool:
    """`fn(image, kernel)` -> the valid (no padding, stride 1) convolution of square 2-D arrays."""

    def check() -> None:
        rng = np.random.default_rng(3)
        image = rng.integers(0, 4, size=(6, 6)).astype(float)
        kernel = rng.integers(-1, 3, size=(3, 3)).astype(float)
        got = call(fn, image.copy(), kernel.copy())
        hint = (
            "out[i, j] = Σ image[i:i+k, j:j+k] * kernel, element by element, for i, j in "
            "0 … n − k; deep-learning libraries do not flip the kernel"
        )
        if np.shape(got) == (4, 4) and np.allclose(got, _xcorr(image, kernel[::-1, ::-1])):
            hint = "you flipped the kernel (the mathematicians' convolution). " + hint
        close(got, _xcorr(image, kernel), hint)

    return verdict(check)


def check_output_size(fn) -> bool:
    """`fn(n, k, stride, padding)` -> the side of a convolution's output on an n×n input."""

    def check() -> None:
        hint = "out = ⌊(n + 2·padding − k) / stride⌋ + 1: the positions where the filter fits"
        for n, k, s, p in (
            (5, 3, 1, 0),
            (32, 3, 1, 1),
            (224, 7, 2, 3),
            (7, 3, 2, 0),
            (28, 5, 1, 0),
        ):
            want = (n + 2 * p - k) // s + 1
            got = call(fn, n, k, s, p)
            if got != want:
                raise Wrong(
                    f"n={n}, k={k}, stride={s}, padding={p}: you said {got}, it is {want}. {hint}"
                )

    return verdict(check)
