# %% [markdown]
# # 03 · Supervised learning: image classification
#
# > **Slide:** "Supervised → Task-driven → Classification: autonomous car, Galaxy Zoo"
#
# Supervised: every training image comes with its label, and the task is to predict the label of
# images never seen. Fashion-MNIST (70,000 28×28 photos of clothes, 10 classes) from
# `MLTUTORIAL_DATA`, or a labelled built-in sample. A small CNN written here on the engine learns
# it; scikit-learn's logistic regression is the baseline; then it classifies a picture you draw.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from mltutorial import engine
from mltutorial.data import load_fashion_mnist
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
images = load_fashion_mnist()
print("data:", images.info.label)
n_train = 2000 if QUICK else 20000
X = images.X_train[:n_train].astype(np.float32) / images.max_value  # (N, 1, 28, 28)
y = images.y_train[: len(X)]
X_test = images.X_test[:1000].astype(np.float32) / images.max_value
y_test = images.y_test[: len(X_test)]
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, img, label in zip(axes, X, y):
    ax.imshow(img[0], cmap="gray_r")
    ax.set_title(images.classes[label], fontsize=8)
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## The baseline: logistic regression on raw pixels (scikit-learn)

# %%
with warnings.catch_warnings():  # QUICK stops it early, on purpose: it says it did not converge
    warnings.simplefilter("ignore", ConvergenceWarning)
    baseline = LogisticRegression(max_iter=30 if QUICK else 300).fit(X.reshape(len(X), -1), y)
print(
    f"logistic regression: test accuracy {baseline.score(X_test.reshape(len(X_test), -1), y_test):.1%}"
)

# %% [markdown]
# ## A CNN on the engine (edit the layers, the epochs, the learning rate)

# %%
engine.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 8, 14, 14)
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 16, 7, 7)
    nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
)  # fmt: skip
opt = optim.Adam(model.parameters(), lr=2e-3)
rng = np.random.default_rng(0)
losses = []
for _ in range(1 if QUICK else 3):
    for idx in np.array_split(rng.permutation(len(X)), len(X) // 64):
        loss = F.cross_entropy(model(engine.tensor(X[idx])), engine.tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())


def predict_proba(batch):
    model.eval()
    with engine.no_grad():
        return model(engine.tensor(batch)).softmax(dim=-1).numpy()


print(f"CNN on the engine: test accuracy {np.mean(predict_proba(X_test).argmax(1) == y_test):.1%}")
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("cross-entropy")
plt.show()

# %% [markdown]
# ## Use it: draw your own picture
# A 28×28 array with values in [0, 1], bright = object. This one is two long legs; change it.

# %%
mine = np.zeros((28, 28), np.float32)
mine[3:26, 8:13] = 1.0
mine[3:26, 15:20] = 1.0
mine[3:7, 8:20] = 1.0
probs = predict_proba(mine[None, None])[0]
top = np.argsort(-probs)[:3]
plt.imshow(mine, cmap="gray_r")
plt.title(", ".join(f"{images.classes[k]} ({probs[k]:.2f})" for k in top))
plt.show()

# %% [markdown]
# ## Exercises
# **1.** Softmax turns the network's 10 outputs into probabilities. Write it so that it never
# overflows.

# %%
from mltutorial.exercises import vision as ex


def softmax(logits): ...  # your code here


ex.check_softmax(softmax)

# %% [markdown]
# **2.** The loss the CNN minimised: cross-entropy, as `F.cross_entropy` computes it.


# %%
def cross_entropy(logits, y): ...  # your code here


ex.check_cross_entropy(cross_entropy)
