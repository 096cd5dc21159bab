# %% [markdown]
# # 19 · Creating a ML model: do's and don'ts
#
# > **Slide:** "Creating a ML model: do's and dont's. Start simple, increase size wisely. Don't choose non-learnable parameters of your model at random. Get better over time (with more data!)"
#
# Three of the slide's rules, measured on handwritten digits (scikit-learn's 1,797 8×8 images,
# always present): grow the model from small and watch training and validation error part ways;
# choose the size on a validation set, never on the test set or at random; and more data helps.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.data import load_digits
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %% [markdown]
# ## Three splits: train (fit), validation (choose), test (report once, at the end)

# %%
digits = load_digits()
print("data:", digits.info.label)
X_all = np.concatenate([digits.X_train, digits.X_test]).reshape(-1, 64).astype(np.float32) / 16
y_all = np.concatenate([digits.y_train, digits.y_test])
order = np.random.default_rng(0).permutation(len(X_all))
X_all, y_all = X_all[order], y_all[order]
X_train, y_train = X_all[:1000], y_all[:1000]
X_val, y_val = X_all[1000:1400], y_all[1000:1400]
X_test, y_test = X_all[1400:], y_all[1400:]


def train(hidden, X, y, num_epochs=60 if QUICK else 200):
    engine.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    X_t, y_t = engine.tensor(X), engine.tensor(y)
    for _ in range(num_epochs):  # full batch: small data
        loss = F.cross_entropy(model(X_t), y_t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def error(model, X, y):
    with engine.no_grad():
        return float(np.mean(model(engine.tensor(X)).numpy().argmax(1) != y))


# %% [markdown]
# ## Start simple, increase size wisely

# %%
results = []
for hidden in [1, 2, 4, 16, 64] if QUICK else [1, 2, 4, 8, 16, 32, 64, 256]:
    model = train(hidden, X_train, y_train)
    results.append(
        {
            "hidden": hidden,
            "train_error": error(model, X_train, y_train),
            "val_error": error(model, X_val, y_val),
        }
    )
    print(results[-1])
plt.semilogx(
    [r["hidden"] for r in results], [r["train_error"] for r in results], "o-", label="train"
)
plt.semilogx(
    [r["hidden"] for r in results], [r["val_error"] for r in results], "o-", label="validation"
)
plt.xlabel("hidden neurons")
plt.ylabel("error")
plt.legend()
plt.show()

# %% [markdown]
# ## Get better over time (with more data!)

# %%
best = min(results, key=lambda r: r["val_error"])["hidden"]
sizes = [50, 200, 1000]
val_errors = [error(train(best, X_train[:n], y_train[:n]), X_val, y_val) for n in sizes]
for n, e in zip(sizes, val_errors):
    print(f"{n:5d} training images: validation error {e:.3f}")
print(
    f"and once, at the end, the test error of {best} neurons:",
    error(train(best, X_train, y_train), X_test, y_test),
)

# %% [markdown]
# ## Exercises
# **1.** Choose the model size from a list of runs.

# %%
from mltutorial.exercises import practice as ex


def pick_by_validation(results): ...  # your code here: return the best run's "hidden"


ex.check_pick_by_validation(pick_by_validation)

# %% [markdown]
# **2.** Standardise features (mean 0, standard deviation 1 per column) without leaking the test set.


# %%
def standardise(
    X_train, X_test
): ...  # your code here: return (X_train standardised, X_test standardised)


ex.check_standardise(standardise)
