"""Checks for the complexity notebook: parameters and multiply-accumulates of a convolution."""

from __future__ import annotations

from mltutorial.exercises._check import Wrong, call, verdict

_CASES = ((3, 64, 3, 224, 224), (64, 128, 3, 112, 112), (3, 96, 11, 55, 55), (512, 512, 1, 7, 7))


def check_conv_params(fn) -> bool:
    """`fn(c_in, c_out, k)` -> parameters of nn.Conv2d(c_in, c_out, k) (with bias)."""

    def check() -> None:
        hint = "each of the c_out filters is c_in × k × k weights plus one bias"
        for c_in, c_out, k, _, _ in _CASES:
            want = c_out * (c_in * k * k + 1)
            got = call(fn, c_in, c_out, k)
            if got != want:
                raise Wrong(
                    f"Conv2d({c_in}, {c_out}, {k}): you said {got}, it has {want:,}. {hint}"
                )

    return verdict(check)


def check_conv_macs(fn) -> bool:
    """`fn(c_in, c_out, k, h_out, w_out)` -> multiply-accumulates of one image through the conv."""

    def check() -> None:
        hint = (
            "every one of the c_out × h_out × w_out outputs is a sum of c_in × k × k products: "
            "one MAC each (the bias is not counted, as in engine.summary and torchvision)"
        )
        for c_in, c_out, k, h, w in _CASES:
            want = c_in * k * k * c_out * h * w
            got = call(fn, c_in, c_out, k, h, w)
            if got != want:
                raise Wrong(f"for {(c_in, c_out, k, h, w)} you said {got}, it is {want:,}. {hint}")

    return verdict(check)
