# %% [markdown]
# # 12 · What is a neuron? One neuron learns to tell malignant from benign tumours
#
# > **Slide:** "Simplifying the human brain: what is a neuron?"
#
# A neuron takes numbers in, weighs them, adds a bias and squashes the sum:
# **h = σ(w·x + b)**, with σ(z) = 1 / (1 + e^(−z)). It learns by making the slide's cost
# **J(w, b) = ½‖h − y‖²** smaller. In this notebook you write all of it by hand, check your
# gradient against the engine's autograd, and run gradient descent in a loop you can edit.
#
# Data: scikit-learn's breast-cancer table (569 tumours, 30 measurements each; y = 1 malignant),
# shipped with scikit-learn, so it is real data on every machine.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from mltutorial import engine

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"  # the tests' setting: fewer steps
# %matplotlib inline

# %% [markdown]
# ## The data
# Standardise each measurement with the *training* mean and spread, so one learning rate suits
# every weight.

# %%
table = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(
    table.data, 1 - table.target, test_size=0.25, random_state=0, stratify=table.target
)  # scikit-learn says 1 = benign; the slide's question is "malignant?", so flip it
mean, std = X_train.mean(axis=0), X_train.std(axis=0)
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
print(X_train.shape, "training tumours,", y_train.mean().round(3), "malignant")

# %% [markdown]
# ## The neuron and the slide's cost, by hand


# %%
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def neuron(w, b, X):
    return sigmoid(X @ w + b)  # (n_samples,) h = σ(w·x + b) for every tumour


def cost(w, b, X, y):
    return 0.5 * np.sum((neuron(w, b, X) - y) ** 2)  # J(w, b) = ½‖h − y‖²


def gradient(w, b, X, y):
    """Chain rule: dJ/dh = h − y, dh/dz = h(1 − h), dz/dw = x, dz/db = 1."""
    h = neuron(w, b, X)
    delta = (h - y) * h * (1 - h)  # (n_samples,) dJ/dz
    return X.T @ delta, delta.sum()


rng = np.random.default_rng(0)
w, b = rng.normal(scale=0.1, size=X_train.shape[1]), 0.0
print("J at the start:", cost(w, b, X_train, y_train))

# %% [markdown]
# ## The same cost on the engine: autograd gives the same gradient
# The engine records every operation and runs the chain rule backwards (`J.backward()`); in float64
# its gradient equals ours up to rounding.

# %%
w_t = engine.tensor(w, dtype=engine.float64, requires_grad=True)
b_t = engine.tensor(b, dtype=engine.float64, requires_grad=True)
X_t = engine.tensor(X_train, dtype=engine.float64)
y_t = engine.tensor(y_train, dtype=engine.float64)
J = 0.5 * (((X_t @ w_t + b_t).sigmoid() - y_t) ** 2).sum()
J.backward()
dw, db = gradient(w, b, X_train, y_train)
print("J:", J.item(), "by hand:", cost(w, b, X_train, y_train))
print("largest difference in dJ/dw:", np.abs(w_t.grad.numpy() - dw).max())
print("difference in dJ/db:", abs(b_t.grad.item() - db))
assert np.allclose(w_t.grad.numpy(), dw, atol=1e-10)

# %% [markdown]
# ## Gradient descent: a loop you can edit
# Step against the gradient: w ← w − lr·dJ/dw. Change `lr` and `n_steps` and run again: too large
# a step and J jumps about; too small and it crawls.

# %%
lr = 0.01
n_steps = 100 if QUICK else 500
history = []
for _ in range(n_steps):
    dw, db = gradient(w, b, X_train, y_train)
    w, b = w - lr * dw, b - lr * db
    history.append(cost(w, b, X_train, y_train))

accuracy = np.mean((neuron(w, b, X_test) > 0.5) == y_test)
print(f"after {n_steps} steps: J = {history[-1]:.2f}, test accuracy {accuracy:.1%}")
plt.plot(history)
plt.xlabel("step")
plt.ylabel("J(w, b)")
plt.title("The slide's cost falls as the neuron learns")
plt.show()

# %% [markdown]
# ## Use it: your own tumour
# Take a test tumour and change its measurements; the neuron's h is its belief that it is malignant.
# Which weights are largest? Those measurements move h most.

# %%
tumour = X_test[0].copy()
print("h =", neuron(w, b, tumour).round(3), "truth:", "malignant" if y_test[0] else "benign")
biggest = np.argsort(-np.abs(w))[:3]
for i in biggest:
    print(f"  weight {w[i]:+.2f} on {table.feature_names[i]}")
tumour[biggest[0]] += 2.0 * np.sign(w[biggest[0]])  # two standard deviations "more suspicious"
print("after changing it: h =", neuron(w, b, tumour).round(3))

# %% [markdown]
# ## Exercises
# Each check prints ✓ right or ✗ wrong with a hint. Solutions: `solutions/12_neuron.ipynb`.
#
# **1.** Write the sigmoid's derivative dσ/dz (it works on a NumPy array of z).

# %%
from mltutorial.exercises import neuron as ex


def sigmoid_derivative(z): ...  # your code here


ex.check_sigmoid_derivative(sigmoid_derivative)

# %% [markdown]
# **2.** Write the gradient of J(w, b) = ½‖σ(Xw + b) − y‖² yourself (without looking up!): return
# the pair (dJ/dw, dJ/db).


# %%
def cost_gradient(w, b, X, y): ...  # your code here


ex.check_cost_gradient(cost_gradient)
