"""L-BFGS: gradient descent that remembers its last few steps, for the one neuron's full-batch fit.

Gradient descent steps along -g, the gradient of the cost. L-BFGS uses the very same gradient, only
smarter: from its last m steps s_k = x_{k+1} - x_k and the changes of the gradient they caused,
y_k = g_{k+1} - g_k, it estimates how the cost curves (the inverse Hessian H) and steps along -H g
instead. H is never stored (it would be n_features x n_features): the two-loop recursion applies it
to g from the m pairs in O(m n_features) (Nocedal 1980; Liu & Nocedal 1989; Nocedal & Wright,
"Numerical Optimization", 2nd ed., Algorithm 7.4).

The step length along the direction d comes from a line search that asks for the weak Wolfe
conditions (Nocedal & Wright, eq. 3.6), found by bisection (Lewis & Overton 2013):
    Armijo:    f(x + t d) <= f(x) + c1 t g.d     the cost falls at least a little
    curvature: g(x + t d).d >= c2 g.d            the slope has flattened (the step is not too short)
The curvature condition guarantees s.y > 0, which keeps the estimate of H positive definite.

It stops when every component of the gradient is below `tol` (SciPy's `pgtol`, scikit-learn's
`tol`), when the cost stops falling (relative decrease under `ftol`), or after `max_iter` steps.
`scipy.optimize.minimize(method="L-BFGS-B")` is the oracle in the tests: it finds the same optimum
in about as many steps, but takes longer on the spam neuron's cost (its bound-handling machinery has
a cost per step), and here the algorithm stays on the page.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

CostFn = Callable[[np.ndarray], tuple[float, np.ndarray]]  # x -> (f(x), gradient (n,))


@dataclass
class LBFGSResult:
    x: np.ndarray  # (n,) the minimiser found
    fun: float  # the cost there
    grad: np.ndarray  # (n,) its gradient there
    n_iter: int  # steps taken
    n_evals: int  # calls of the cost function (one per step, more when the line search retries)
    converged: bool  # True: stopped by tol or ftol; False: ran out of max_iter or of line search
    history: list[float] = field(default_factory=list)  # the cost at x0, then after each step


def _two_loop(g: np.ndarray, pairs: deque[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """H g: the inverse-Hessian estimate of the last steps (s, y, 1 / s.y) applied to g."""
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):  # newest first
        alpha = rho * (s @ q)
        q -= alpha * y
        alphas.append(alpha)
    s, y, _ = pairs[-1]
    q *= (s @ y) / (y @ y)  # H0 = gamma I, gamma the curvature seen along the last step
    for (s, y, rho), alpha in zip(pairs, reversed(alphas)):  # oldest first
        beta = rho * (y @ q)
        q += (alpha - beta) * s
    return q


def _line_search(
    cost: CostFn,
    x: np.ndarray,
    f: float,
    g: np.ndarray,
    d: np.ndarray,
    t: float,
    *,
    c1: float = 1e-4,
    c2: float = 0.9,
    max_evals: int = 30,
) -> tuple[float, float, np.ndarray, int] | None:
    """A step t along d meeting the weak Wolfe conditions: (t, f, g at x + t d, evaluations).

    Starts from the given t (1 once the curvature is known: the direction then has the right
    length, and the first try is nearly always accepted). A step too long is cut back to the
    minimum of the parabola through f(x), the slope g.d and f(x + t d) (Nocedal & Wright, eq. 3.58),
    kept inside the bracket [lo, hi] of steps known too short and too long; a step too short is
    doubled. None when no such step is found in `max_evals` tries.
    """
    slope = g @ d  # < 0: d points downhill
    lo, hi = 0.0, np.inf
    for evals in range(1, max_evals + 1):
        f_t, g_t = cost(x + t * d)
        if not f_t <= f + c1 * t * slope:  # too long (or not finite): the cost did not fall enough
            hi = t
        elif g_t @ d < c2 * slope:  # too short: still going steeply downhill
            lo = t
        else:
            return t, f_t, g_t, evals
        if np.isinf(hi):
            t = 2 * lo
        elif np.isfinite(f_t) and hi == t:
            parabola = (
                -slope * t * t / (2 * (f_t - f - slope * t))
            )  # > 0: f_t lies above the tangent
            margin = 0.1 * (hi - lo)  # and not too near either end, where it would crawl
            t = min(max(parabola, lo + margin), hi - margin)
        else:
            t = (lo + hi) / 2
    return None


def lbfgs(
    cost: CostFn,
    x0: np.ndarray,
    *,
    m: int = 10,
    tol: float = 1e-4,
    ftol: float = 1e-12,
    max_iter: int = 200,
) -> LBFGSResult:
    """Minimise `cost` from x0 with L-BFGS, remembering the last `m` steps.

    `cost(x)` returns (f(x), gradient of f at x); x is a float64 vector of length n.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = cost(x)
    n_evals = 1
    history = [float(f)]
    pairs: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=m)  # (s, y, 1 / s.y)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        if np.max(np.abs(g)) <= tol:
            converged = True
            break
        if pairs:
            d, t = -_two_loop(g, pairs), 1.0
        else:  # no curvature known yet: a gradient step of length 1
            d, t = -g, 1.0 / np.linalg.norm(g)
        found = _line_search(cost, x, f, g, d, t)
        if found is None:
            break
        t, f_new, g_new, evals = found
        n_evals += evals
        n_iter += 1
        s, y = t * d, g_new - g  # (n,) the step, and the change of the gradient it caused
        sy = s @ y
        if sy > 1e-10 * (y @ y):  # positive curvature (Wolfe ensures it up to rounding)
            pairs.append((s, y, 1.0 / sy))
        x = x + s
        f_old, f, g = f, f_new, g_new
        history.append(float(f))
        if f_old - f <= ftol * max(abs(f_old), abs(f), 1.0):
            converged = True
            break
    return LBFGSResult(x, float(f), g, n_iter, n_evals, converged, history)
