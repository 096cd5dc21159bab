# %% [markdown]
# # 17 · Universal approximation: one hidden layer, more neurons, smaller error
#
# > **Slide:** "Universal Approximation Theorem: neural networks can approximate any continuous function with arbitrary accuracy given a sufficient number of neurons."
#
# One hidden layer of N sigmoid neurons computes f(x) ≈ Σᵢ vᵢ·σ(wᵢ·x + bᵢ) + c. Each neuron is a
# soft step; add enough steps and you can draw any continuous curve. You train such networks on the
# engine for several N and watch the largest error fall.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.engine import nn, optim

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline


# %%
def target(x):
    return np.sin(3 * x) + 0.3 * x**2  # any continuous function: change it


x = np.linspace(-2, 2, 200, dtype=np.float32)[:, None]  # (n, 1)
y = target(x)


def fit(n_neurons, n_steps):
    engine.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, n_neurons), nn.Sigmoid(), nn.Linear(n_neurons, 1))
    opt = optim.Adam(net.parameters(), lr=0.05)
    X_t, y_t = engine.tensor(x), engine.tensor(y)
    for _ in range(n_steps):
        loss = ((net(X_t) - y_t) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with engine.no_grad():
        return net(X_t).numpy()


# %%
sizes = [1, 4, 16] if QUICK else [1, 2, 4, 8, 16, 32, 64]
n_steps = 1500 if QUICK else 4000
plt.plot(x, y, "k", lw=3, label="target")
errors = []
for n in sizes:
    y_hat = fit(n, n_steps)
    errors.append(np.abs(y_hat - y).max())
    print(f"N = {n:3d} neurons: max error {errors[-1]:.3f}")
    plt.plot(x, y_hat, label=f"N = {n}")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercises
# **1.** Write the output of one hidden layer by hand, for many x at once (no loops needed).

# %%
from mltutorial.exercises import universal_approximation as ex


def one_hidden_layer(x, w, b, v): ...  # your code here


ex.check_one_hidden_layer(one_hidden_layer)

# %% [markdown]
# **2.** The building block: choose w and b so one neuron σ(w·x + b) is a step at x = 0.5 on
# [0, 1] (error below 0.05 everywhere except within 0.05 of the jump).

# %%
w, b = 1.0, 0.0  # change me
ex.check_step(w, b)
