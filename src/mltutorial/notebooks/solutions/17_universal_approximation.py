# %% [markdown]
# # Solutions · 17 · Universal approximation

# %%
import numpy as np

from mltutorial.exercises import universal_approximation as ex


# %%
def one_hidden_layer(x, w, b, v):
    hidden = 1.0 / (1.0 + np.exp(-(np.outer(x, w) + b)))  # (n, N)
    return hidden @ v  # (n,)


assert ex.check_one_hidden_layer(one_hidden_layer)

# %% [markdown]
# **2.** σ(w(x − 0.5)) is ½ at 0.5; at distance 0.05 it is σ(0.05·w), which is above 0.95 once
# 0.05·w > ln 19 ≈ 2.94, so w > 59. Take w = 100, b = −50. Two such steps of opposite sign make a
# bump, and a sum of bumps draws any curve: that is the theorem's idea.

# %%
w, b = 100.0, -50.0
assert ex.check_step(w, b)
