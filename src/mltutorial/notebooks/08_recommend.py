# %% [markdown]
# # 08 · Netflix: recommending movies
#
# > **Slide:** "Netflix: Recommendation systems: COLLABORATIVE FILTERING / CONTENT-BASED FILTERING"
#
# Collaborative filtering: people who rated alike before will rate alike again. Matrix
# factorisation gives every user a vector p_u and every movie a vector q_i so that
# r̂ = μ + b_u + b_i + p_u·q_i predicts the rating. You train it on the engine on MovieLens 100k
# (`MLTUTORIAL_DATA`, or a labelled built-in sample), then it recommends movies for your own tastes.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.data import load_movielens
from mltutorial.engine import nn, optim

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
ml = load_movielens()
print(
    "data:",
    ml.info.label,
    "|",
    len(ml.rating),
    "ratings,",
    ml.n_users,
    "users,",
    ml.n_items,
    "movies",
)
train_idx, test_idx = ml.folds[0]
u_train, i_train, r_train = ml.user[train_idx], ml.item[train_idx], ml.rating[train_idx]
u_test, i_test, r_test = ml.user[test_idx], ml.item[test_idx], ml.rating[test_idx]
mu = float(r_train.mean())
print(
    f"the global mean {mu:.2f} as every prediction: RMSE {np.sqrt(np.mean((r_test - mu) ** 2)):.3f}"
)

# %% [markdown]
# ## Matrix factorisation on the engine
# Embeddings are lookup tables of learnable vectors. A penalty `reg`·(‖p_u‖² + ‖q_i‖²) keeps them
# small, or the model memorises the training ratings (set `reg = 0` and watch the test RMSE climb).
# Edit the factors, epochs, reg.


# %%
class MF(nn.Module):
    def __init__(self, n_users, n_items, factors=32):
        super().__init__()
        self.p = nn.Embedding(n_users, factors)
        self.q = nn.Embedding(n_items, factors)
        self.b_u = nn.Embedding(n_users, 1)
        self.b_i = nn.Embedding(n_items, 1)
        for table in (self.p, self.q):
            table.weight.data *= 0.1
        for table in (self.b_u, self.b_i):
            table.weight.data *= 0.0

    def forward(self, user, item):
        dot = (self.p(user) * self.q(item)).sum(dim=1)  # (B,)
        return mu + self.b_u(user).reshape(-1) + self.b_i(item).reshape(-1) + dot


engine.manual_seed(0)
model = MF(ml.n_users, ml.n_items)
opt = optim.Adam(model.parameters(), lr=5e-3)
reg = 0.1
rng = np.random.default_rng(0)


def rmse_on(u, i, r):
    with engine.no_grad():
        return float(np.sqrt(np.mean((model(engine.tensor(u), engine.tensor(i)).numpy() - r) ** 2)))


curve = []
for epoch in range(2 if QUICK else 6):
    for b in np.array_split(rng.permutation(len(r_train)), max(1, len(r_train) // 512)):
        u, i = engine.tensor(u_train[b]), engine.tensor(i_train[b])
        loss = ((model(u, i) - engine.tensor(r_train[b])) ** 2).mean()
        loss = loss + reg * ((model.p(u) ** 2).sum(dim=1) + (model.q(i) ** 2).sum(dim=1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    curve.append((rmse_on(u_train, i_train, r_train), rmse_on(u_test, i_test, r_test)))
    print(f"epoch {epoch + 1}: train RMSE {curve[-1][0]:.3f}, test RMSE {curve[-1][1]:.3f}")
plt.plot(curve, "o-")
plt.legend(["train", "test"])
plt.xlabel("epoch")
plt.ylabel("RMSE")
plt.show()

# %% [markdown]
# ## Use it: rate a few movies yourself
# Your ratings give you a vector p (movies' q and biases stay fixed): a small least-squares fit.
# Then the movies with the highest predicted rating that you have not seen.

# %%
my_ratings = {"Star Wars": 5, "Toy Story": 4, "Fargo": 5, "Titanic": 1, "Scream": 2}  # edit me
found = {}
for name, stars in my_ratings.items():
    hits = [k for k, t in enumerate(ml.titles) if name.lower() in t.lower()]
    if hits:
        found[hits[0]] = stars
print("you rated:", [ml.titles[k] for k in found])
Q = model.q.weight.detach().numpy()
b_i = model.b_i.weight.detach().numpy()[:, 0]
items = np.array(list(found))
target = np.array(list(found.values()), np.float32) - mu - b_i[items]
A = Q[items]
p_me = np.linalg.solve(A.T @ A + 1.0 * np.eye(A.shape[1]), A.T @ target)  # ridge: few ratings
predicted = mu + b_i + Q @ p_me
predicted[items] = -np.inf
counts = np.bincount(ml.item, minlength=ml.n_items)
predicted[counts < 20] = -np.inf  # movies almost nobody rated are guesses
for k in np.argsort(-predicted)[:10]:
    print(f"{predicted[k]:.2f}  {ml.titles[k]}")

# %% [markdown]
# ## Exercises
# **1.** The score the curve shows: root mean squared error.

# %%
from mltutorial.exercises import recommend as ex


def rmse(predicted, actual): ...  # your code here


ex.check_rmse(rmse)

# %% [markdown]
# **2.** The gradient autograd computed for one rating: of (μ + b_u + b_i + p·q − r)² with respect
# to p and to q.


# %%
def mf_gradient(p, q, b_u, b_i, mu, r): ...  # your code here: return (d/dp, d/dq)


ex.check_mf_gradient(mf_gradient)
