# %% [markdown]
# # Solutions · 09 · Mapping between languages

# %%
import numpy as np

from mltutorial.exercises import translate as ex


# %%
def nearest(v, M, k):
    cos = (M @ v) / (np.linalg.norm(M, axis=1) * np.linalg.norm(v))
    return np.argsort(-cos)[:k]


assert ex.check_nearest(nearest)

# %% [markdown]
# **2.** Among orthogonal W, ‖XW − Y‖² = const − 2·trace(Wᵀ XᵀY); with XᵀY = UΣVᵀ the trace is
# largest for W = UVᵀ. An orthogonal map keeps distances, so the English cloud keeps its shape.


# %%
def procrustes(X, Y):
    U, _, Vt = np.linalg.svd(X.T @ Y)
    return U @ Vt


assert ex.check_procrustes(procrustes)
