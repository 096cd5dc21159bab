# %% [markdown]
# # Solutions · 08 · Netflix: recommending movies

# %%
import numpy as np

from mltutorial import engine
from mltutorial.exercises import recommend as ex


# %%
def rmse(predicted, actual):
    return np.sqrt(np.mean((predicted - actual) ** 2))


assert ex.check_rmse(rmse)


# %%
def mf_gradient(p, q, b_u, b_i, mu, r):
    e = mu + b_u + b_i + p @ q - r
    return 2 * e * q, 2 * e * p


assert ex.check_mf_gradient(mf_gradient)

# %% [markdown]
# Autograd agrees:

# %%
rng = np.random.default_rng(0)
p0, q0 = rng.normal(size=3), rng.normal(size=3)
p = engine.tensor(p0, dtype=engine.float64, requires_grad=True)
q = engine.tensor(q0, dtype=engine.float64, requires_grad=True)
((3.5 + 0.1 - 0.2 + (p * q).sum() - 4.0) ** 2).backward()
assert np.allclose(p.grad.numpy(), mf_gradient(p0, q0, 0.1, -0.2, 3.5, 4.0)[0])
