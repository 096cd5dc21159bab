# %% [markdown]
# # 05 · Unsupervised learning: anomaly detection
#
# > **Slide:** "Unsupervised → Data-driven → Anomaly detection: fraud detection, novel particle detection"
#
# Unsupervised: nobody labels the data. A detector learns what *normal* looks like and scores how
# far each new point is from it. The data: KDD Cup 99 network connections (`MLTUTORIAL_DATA`, or a
# labelled built-in sample), normal traffic with 2% attacks mixed in, the labels hidden from the
# detectors and used only to grade them. You write an autoencoder on the engine and a Gaussian
# detector by hand, beside scikit-learn's IsolationForest.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from mltutorial import engine
from mltutorial.data import load_kddcup99
from mltutorial.engine import nn, optim

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
table = load_kddcup99()
print("data:", table.info.label, table.X.shape)
numeric = [i for i, n in enumerate(table.feature_names) if n not in table.categorical]
X_all = np.log1p(np.abs(table.X[:, numeric])).astype(np.float32)  # byte counts span 9 decades
rng = np.random.default_rng(0)
normal, attack = np.flatnonzero(table.y == 0), np.flatnonzero(table.y == 1)
n_normal = min(len(normal), 3000 if QUICK else 20000)
n_attack = min(len(attack), max(1, int(0.02 * n_normal / 0.98)))
idx = rng.permutation(
    np.concatenate(
        [rng.choice(normal, n_normal, replace=False), rng.choice(attack, n_attack, replace=False)]
    )
)
X_train, X_test, y_test = X_all[idx[::2]], X_all[idx[1::2]], table.y[idx[1::2]]
mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
Z_train, Z_test = (X_train - mean) / std, (X_test - mean) / std
print(
    f"{len(Z_train)} unlabelled connections to learn from; {y_test.mean():.1%} of the test half are attacks"
)

# %% [markdown]
# ## An autoencoder on the engine: squeeze each connection through 4 numbers and back
# It learns to rebuild normal traffic; what it rebuilds badly is unusual. The score is the
# reconstruction error.

# %%
engine.manual_seed(0)
n_features = Z_train.shape[1]
autoencoder = nn.Sequential(
    nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, 4), nn.ReLU(),
    nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, n_features),
)  # fmt: skip
opt = optim.Adam(autoencoder.parameters(), lr=3e-3)
for _ in range(5 if QUICK else 10):
    for batch in np.array_split(rng.permutation(len(Z_train)), len(Z_train) // 128):
        x = engine.tensor(Z_train[batch])
        loss = ((autoencoder(x) - x) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def reconstruction_error(Z):
    with engine.no_grad():
        return ((autoencoder(engine.tensor(Z)).numpy() - Z) ** 2).mean(axis=1)


# %% [markdown]
# ## A Gaussian by hand, and the library's IsolationForest

# %%
cov_inv = np.linalg.pinv(np.cov(Z_train, rowvar=False))


def gaussian_score(Z):
    return np.einsum("ij,jk,ik->i", Z, cov_inv, Z)  # squared Mahalanobis distance to the mean


forest = IsolationForest(n_estimators=100, random_state=0).fit(Z_train)
scores = {
    "autoencoder (engine)": reconstruction_error(Z_test),
    "Gaussian (by hand)": gaussian_score(Z_test),
    "IsolationForest (scikit-learn)": -forest.score_samples(Z_test),
}
for name, s in scores.items():
    print(f"{name:32} ROC-AUC {roc_auc_score(y_test, s):.3f}")
s = scores["autoencoder (engine)"]
plt.hist(np.log10(s[y_test == 0]), bins=50, alpha=0.6, density=True, label="normal")
plt.hist(np.log10(s[y_test == 1]), bins=50, alpha=0.6, density=True, label="attack")
plt.xlabel("log10 reconstruction error")
plt.legend()
plt.show()

# %% [markdown]
# Which detector wins depends on the data and on the settings: the autoencoder is the most
# sensitive (its epochs, its bottleneck, how many attacks hide in its training data). Run with
# QUICK on and off and compare; try `nn.Linear(32, 2)` as the bottleneck.
#
# ## Use it: your own connection
# Take a normal connection and make it strange: a burst of bytes, many failed logins. Edit the
# numbers (`table.feature_names` has their names).

# %%
names = [table.feature_names[i] for i in numeric]
mine = table.X[normal[0], numeric].astype(np.float32).copy()
print(
    "a normal connection scores",
    reconstruction_error((np.log1p(mine)[None] - mean) / std)[0].round(3),
)
for name, value in (("src_bytes", 5e6), ("num_failed_logins", 4), ("count", 500)):
    if name in names:
        mine[names.index(name)] = value
print(
    "your strange one scores   ",
    reconstruction_error((np.log1p(mine)[None] - mean) / std)[0].round(3),
)

# %% [markdown]
# ## Exercises
# **1.** ROC-AUC, the number above, by counting pairs.

# %%
from mltutorial.exercises import anomaly as ex


def roc_auc(scores, y): ...  # your code here


ex.check_roc_auc(roc_auc)

# %% [markdown]
# **2.** The Gaussian detector's distance: Mahalanobis, from the training mean and covariance.


# %%
def mahalanobis(X_train, X): ...  # your code here


ex.check_mahalanobis(mahalanobis)
