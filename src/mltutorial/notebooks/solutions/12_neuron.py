# %% [markdown]
# # Solutions · 12 · What is a neuron?

# %%
import numpy as np

from mltutorial.exercises import neuron as ex

# %% [markdown]
# **1.** σ(z) = 1/(1 + e^(−z)), so dσ/dz = e^(−z)/(1 + e^(−z))² = σ(z)(1 − σ(z)).


# %%
def sigmoid_derivative(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1 - s)


assert ex.check_sigmoid_derivative(sigmoid_derivative)

# %% [markdown]
# **2.** J = ½ Σ (hᵢ − yᵢ)², hᵢ = σ(zᵢ), zᵢ = w·xᵢ + b. The chain rule:
# dJ/dzᵢ = (hᵢ − yᵢ)·hᵢ(1 − hᵢ), then dJ/dw = Σ dJ/dzᵢ·xᵢ = Xᵀ(dJ/dz) and dJ/db = Σ dJ/dzᵢ.


# %%
def cost_gradient(w, b, X, y):
    h = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    delta = (h - y) * h * (1 - h)
    return X.T @ delta, delta.sum()


assert ex.check_cost_gradient(cost_gradient)
