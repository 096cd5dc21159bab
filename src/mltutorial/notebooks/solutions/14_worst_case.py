# %% [markdown]
# # Solutions · 14 · What is the worst that can happen?

# %%
import numpy as np

from mltutorial.exercises import worst_case as ex

# %% [markdown]
# **1.** σ'(z) = σ(z)(1 − σ(z)) is largest at z = 0, where it is ½·½ = ¼; the chain rule
# multiplies one such factor per layer.


# %%
def sigmoid_chain_bound(n_layers):
    return 0.25**n_layers


assert ex.check_sigmoid_chain_bound(sigmoid_chain_bound)

# %% [markdown]
# **2.** Near a critical point J ≈ J₀ + ½ dᵀHd: along eigenvectors with positive eigenvalues it
# goes up, with negative ones down. Both signs: a saddle.


# %%
def is_saddle(H):
    eig = np.linalg.eigvalsh(H)
    return bool(eig.min() < 0 < eig.max())


assert ex.check_is_saddle(is_saddle)
