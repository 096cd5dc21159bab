# %% [markdown]
# # Solutions · 13 · Gradient descent

# %%
import numpy as np

from mltutorial.exercises import gradient_descent as ex

# %% [markdown]
# **1.** J(w, b) = ½‖wx + b − y‖² is quadratic, with the same Hessian everywhere:
# H = [[Σx², Σx], [Σx, n]]. A gradient step multiplies the error along each eigenvector of H by
# (1 − lr·λ), so it shrinks only while |1 − lr·λ| < 1 for every λ: lr < 2/λ_max.

# %%
x, _ = ex.data()
H = np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), len(x)]])
my_lr = 0.99 * 2 / np.linalg.eigvalsh(H).max()
print("largest stable learning rate ≈", my_lr)
assert ex.check_largest_stable_lr(my_lr)

# %% [markdown]
# **2.** PyTorch keeps v ← μ·v + g (no (1 − μ) factor, no lr inside v), then w ← w − lr·v.


# %%
def momentum_step(w, v, grad, lr, momentum):
    v = momentum * v + grad
    return w - lr * v, v


assert ex.check_momentum_step(momentum_step)
