# %% [markdown]
# # 14 · What is the worst that can happen?
#
# > **Slide:** "What is the worst that can happen?"
#
# Gradient descent only looks at the slope where it stands. Four things go wrong, each one you can
# provoke here by editing a number: too large a step **diverges**, too small a step **crawls**,
# a cost with **two minima** keeps the one you start near, a **saddle** is flat without being a
# minimum, and through many sigmoids the gradient **vanishes**.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.engine import nn

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %% [markdown]
# ## Divergence and crawling on J(w) = ½·a·w²
# One step multiplies w by (1 − lr·a): with a = 4 the step diverges as soon as lr > 2/a = 0.5.

# %%
a = 4.0
for lr in (0.01, 0.2, 0.45, 0.55):
    w, path = 1.0, []
    for _ in range(30):
        w = w - lr * a * w  # dJ/dw = a·w
        path.append(0.5 * a * w * w)
    plt.semilogy(path, label=f"lr = {lr}")
    print(f"lr = {lr}: J after 30 steps = {path[-1]:.3g}")
plt.xlabel("step")
plt.ylabel("J")
plt.legend()
plt.show()

# %% [markdown]
# ## Two minima: where you start decides where you end
# J(w) = w⁴ − 2w² + 0.3w has a deep minimum near w = −1 and a shallower one near w = +1.


# %%
def J(w):
    return w**4 - 2 * w**2 + 0.3 * w


def dJ(w):
    return 4 * w**3 - 4 * w + 0.3


ws = np.linspace(-1.6, 1.6, 200)
plt.plot(ws, J(ws), color="grey")
for start in (-1.5, -0.2, 0.3, 1.5):
    w = start
    for _ in range(200):
        w -= 0.02 * dJ(w)
    print(f"start {start:+.1f} -> w = {w:+.3f}, J = {J(w):+.3f}")
    plt.plot([start, w], [J(start), J(w)], "o-")
plt.xlabel("w")
plt.ylabel("J(w)")
plt.show()

# %% [markdown]
# ## A saddle: J(w₁, w₂) = w₁² − w₂²
# At (0, 0) the gradient is zero, yet it is no minimum. Started exactly on the w₁ axis, gradient
# descent stops there; a tiny push in w₂ and it slides away.

# %%
for start in ((1.0, 0.0), (1.0, 1e-6)):
    w = np.array(start)
    for _ in range(60):
        w = w - 0.1 * np.array([2 * w[0], -2 * w[1]])
    print(f"start {start} -> {w.round(6)}, J = {w[0] ** 2 - w[1] ** 2:.3g}")

# %% [markdown]
# ## Vanishing gradients through stacked sigmoids (on the engine)
# Each sigmoid multiplies the gradient by at most 0.25. Build deeper nets, do one backward pass
# and look at the first layer's gradient.

# %%
engine.manual_seed(0)
X = engine.randn(64, 16)
depths = [2, 4, 8] if QUICK else [2, 4, 8, 16, 24]
for act in (nn.Sigmoid, nn.ReLU):
    sizes = []
    for depth in depths:
        layers = []
        for _ in range(depth):
            layers += [nn.Linear(16, 16), act()]
        net = nn.Sequential(*layers, nn.Linear(16, 1))
        net(X).sum().backward()
        sizes.append(np.abs(net[0].weight.grad.numpy()).mean())
    plt.semilogy(depths, sizes, "o-", label=act.__name__)
    print(act.__name__, [f"{s:.1e}" for s in sizes])
plt.xlabel("layers")
plt.ylabel("mean |dJ/dW| of the first layer")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercises
# **1.** The largest possible gradient through n stacked sigmoids (ignore the weights).

# %%
from mltutorial.exercises import worst_case as ex


def sigmoid_chain_bound(n_layers): ...  # your code here


ex.check_sigmoid_chain_bound(sigmoid_chain_bound)

# %% [markdown]
# **2.** A point where the gradient is zero, with Hessian H (a symmetric matrix): is it a saddle?


# %%
def is_saddle(H): ...  # your code here: True or False


ex.check_is_saddle(is_saddle)
