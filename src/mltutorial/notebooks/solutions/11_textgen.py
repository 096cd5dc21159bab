# %% [markdown]
# # Solutions · 11 · Generation of text

# %%
import numpy as np

from mltutorial import engine
from mltutorial.engine.nn import functional as F
from mltutorial.exercises import textgen as ex


# %%
def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool))


assert ex.check_causal_mask(causal_mask)


# %%
def attention(q, k, v):
    T, d = q.shape
    scores = q @ k.T / np.sqrt(d)
    scores = np.where(causal_mask(T), scores, -np.inf)
    w = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (w / w.sum(axis=1, keepdims=True)) @ v


assert ex.check_attention(attention)

# %% [markdown]
# The engine's fused op computes the same:

# %%
q, k, v = (np.random.default_rng(i).normal(size=(5, 4)).astype(np.float32) for i in range(3))
fused = F.scaled_dot_product_attention(
    *(engine.tensor(a[None, None]) for a in (q, k, v)), is_causal=True
)
assert np.allclose(fused.numpy()[0, 0], attention(q, k, v), atol=1e-5)
