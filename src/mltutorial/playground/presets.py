"""The talk's experiments as playground presets, computed by the lessons' own code.

- `gradient_descent(lr)`: the lesson's two-parameter model h = w x + b on iris petals, its cost
  J(w, b) = 1/(2n) ||h - y||^2 as a surface, and the descent path for this learning rate
  (`lessons.gradient_descent.run`).
- `worst_case(lr)`: the same valley past 2 / lambda_max: where the cost passed the `worst_case`
  lesson's threshold (1e6) and the engine's `trainer.fit` stopped with `DivergenceError`.
- `universal_approximation(neurons)`: the lesson's run growing one tanh layer 1, 2, 4, ... 64; the
  fit for the chosen width and its maximum error (`lessons.universal_approximation.run`, cached).
- `convolution(filter, image)`: `lessons.convolution.convolve` on the slide's 5x5 example or on a
  real photograph (scikit-learn's sample image of a Chinese temple, in grey).

Each returns a JSON-ready dict; the page draws it.
"""

from __future__ import annotations

import functools

import numpy as np

from mltutorial.lessons import convolution as conv_lesson
from mltutorial.lessons import gradient_descent as gd_lesson
from mltutorial.lessons import universal_approximation as ua_lesson
from mltutorial.lessons import worst_case as wc_lesson

SURFACE = 60  # the cost surface is SURFACE x SURFACE cells
GD_STEPS = 600  # enough for lr >= 0.03 to converge; the path stops where it converged
PHOTO_STEP = 3  # the photograph is shown at 1/PHOTO_STEP of its size (143 x 214)


def _round(values, digits: int = 5) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


def _descent(lr: float, max_steps: int) -> dict:
    result = gd_lesson.run(gd_lesson.Config(lrs=[lr], max_steps=max_steps))
    r = result.runs[0]
    w_lo, w_hi = result.w_star - 1.5, result.w_star + 1.5
    b_lo, b_hi = result.b_star - 3.0, result.b_star + 3.0
    w = np.linspace(w_lo, w_hi, SURFACE)
    b = np.linspace(b_hi, b_lo, SURFACE)  # top row is the largest b
    W, B = np.meshgrid(w, b)
    J = gd_lesson.cost(W, B, result.x, result.y)  # (SURFACE, SURFACE)
    path = np.clip(np.nan_to_num(r.path), -1e6, 1e6)  # a diverging path leaves the map: clip it
    return {
        "lr": lr,
        "lr_limit": result.lr_limit,
        "eigenvalues": list(result.eigenvalues),
        "w_star": result.w_star,
        "b_star": result.b_star,
        "J_star": result.J_star,
        "extent": [w_lo, w_hi, b_lo, b_hi],
        "log_cost": _round(np.log10(J), 4),
        "path": _round(path, 5),
        "costs": [c if np.isfinite(c) else None for c in r.costs],
        "converged_step": r.converged_step,
        "diverged_step": r.diverged_step,
    }


def gradient_descent(lr: float) -> dict:
    """Descent path and costs for `lr` on the lesson's cost surface."""
    return {"preset": "gradient_descent", **_descent(lr, GD_STEPS)}


def worst_case(lr: float) -> dict:
    """The same valley with a learning rate meant to be past 2 / lambda_max: the clean stop."""
    out = _descent(lr, 10_000)
    threshold = wc_lesson.Config().max_cost
    step = out["diverged_step"]
    out |= {
        "preset": "worst_case",
        "threshold": threshold,
        "message": (
            f"J passed {threshold:.0e} at step {step}: the engine stopped there, "
            f"{len(out['costs'])} costs measured, no update made from the last one"
            if step is not None
            else f"lr {lr:g} is below 2/lambda_max = {out['lr_limit']:.4f}: no divergence"
        ),
    }
    return out


@functools.lru_cache(maxsize=4)
def _ua_run(steps: int) -> ua_lesson.Result:
    return ua_lesson.run(ua_lesson.Config(max_neurons=64, steps=steps))


def universal_approximation(neurons: int, steps: int = 500) -> dict:
    """The lesson's fit with `neurons` tanh neurons (a power of two up to 64) and its max error."""
    result = _ua_run(steps)
    i = result.neurons.index(neurons)
    step = max(1, len(result.x_grid) // 400)
    x = result.x_grid[::step]
    return {
        "preset": "universal_approximation",
        "neurons": neurons,
        "x": _round(x, 4),
        "target": _round(ua_lesson.target(x), 4),
        "fit": _round(result.fits[i][::step], 4),
        "x_train": _round(result.x_train, 4),
        "max_error": result.max_errors[i],
        "rms_error": result.rms_errors[i],
        "all_neurons": result.neurons,
        "all_max_errors": result.max_errors,
    }


@functools.lru_cache(maxsize=1)
def _photo() -> np.ndarray:
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image("china.jpg").astype(np.float64)  # (427, 640, 3)
    grey = rgb @ np.array([0.299, 0.587, 0.114]) / 255.0
    return grey[::PHOTO_STEP, ::PHOTO_STEP]  # (143, 214) in [0, 1]


def convolution(kernel: tuple[float, ...], image: str) -> dict:
    """The 3x3 `kernel` (row by row) slid over the slide's 5x5 example or the photograph."""
    k = np.asarray(kernel, dtype=np.float64).reshape(3, 3)
    if image == "slide":
        x = np.asarray(conv_lesson.SLIDE_INPUT, dtype=np.float64)
        out = conv_lesson.convolve(conv_lesson.SLIDE_INPUT, k.tolist())
        return {
            "preset": "convolution",
            "image": "slide",
            "input": x.tolist(),
            "filter": k.tolist(),
            "output": _round(out, 4),
            "slide_output": conv_lesson.SLIDE_OUTPUT,
        }
    x = _photo()
    out = conv_lesson.convolve(x.tolist(), k.tolist())  # (H - 2, W - 2)
    lo, hi = float(out.min()), float(out.max())
    scaled = (out - lo) / (hi - lo) if hi > lo else np.zeros_like(out)
    return {
        "preset": "convolution",
        "image": "photo",
        "filter": k.tolist(),
        "input_shape": list(x.shape),
        "input": _bytes01(x),
        "output_shape": list(out.shape),
        "output": _bytes01(scaled),
        "output_range": [lo, hi],
        "source": "scikit-learn sample image china.jpg (grey, 1/3 size)",
    }


def _bytes01(values: np.ndarray) -> str:
    import base64

    q = np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")
