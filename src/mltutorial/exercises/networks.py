"""Checks for the networks notebook: counting a dense layer's parameters; the slide's prediction."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, call, verdict


def check_dense_params(fn) -> bool:
    """`fn(n_in, n_out)` -> the number of parameters of nn.Linear(n_in, n_out)."""

    def check() -> None:
        hint = "a dense layer has one weight per (input, output) pair and one bias per output"
        for n_in, n_out in ((3, 2), (3072, 100), (224 * 224 * 3, 224 * 224 * 3)):
            got = call(fn, n_in, n_out)
            want = n_in * n_out + n_out
            if int(got) != want:
                raise Wrong(f"Linear({n_in}, {n_out}): you said {got}, it has {want:,}. {hint}")

    return verdict(check)


def check_slide_prediction(fn) -> bool:
    """`fn(probs, classes)` -> the slide's way of printing it: 'Cat (0.999)'."""

    def check() -> None:
        classes = ["airplane", "cat", "dog"]
        probs = np.array([0.0005, 0.9992, 0.0003])
        got = call(fn, probs.copy(), classes)
        hint = (
            "the most probable class, capitalised, and its probability to 3 decimals: Cat (0.999)"
        )
        if got != "Cat (0.999)":
            raise Wrong(f"you returned {got!r}. {hint}")
        got = call(fn, np.array([0.2, 0.3, 0.5]), classes)
        if got != "Dog (0.500)":
            raise Wrong(f"for probabilities [0.2, 0.3, 0.5] you returned {got!r}. {hint}")

    return verdict(check)
