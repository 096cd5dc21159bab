# %% [markdown]
# # 04 · Classification: Galaxy Zoo, elliptical or spiral?
#
# > **Slide:** "Supervised → Task-driven → Classification: autonomous car, Galaxy Zoo"
#
# The slide's Galaxy Zoo example for real: Galaxy Zoo 1 volunteers sorted SDSS galaxies into
# ellipticals, spirals winding clockwise or anti-clockwise, edge-on discs, mergers and "don't know"
# (`MLTUTORIAL_DATA`, or a labelled built-in sample of synthetic galaxies). You look at them, mirror
# a spiral by hand and see why its label must change, then train a small CNN on the engine to tell
# ellipticals from spirals, and read its answers: "spiral (0.97)".

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.data import load_galaxy_zoo
from mltutorial.data.galaxies import (
    ACW,
    CW,
    GZ1_CLASSES,
    elliptical_vs_spiral,
    read_galaxy,
    synthetic_galaxies,
)
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
images = load_galaxy_zoo(size=24 if QUICK else 32, crop=0.35)  # the centre 35 % of each cutout
print("data:", images.info.label)
print(len(images.X_train), "training galaxies,", len(images.X_test), "held out; shape (N, C, H, W)",
      images.X_train.shape)  # fmt: skip
for c, n in enumerate(np.bincount(images.y_train, minlength=6)):
    print(f"  {GZ1_CLASSES[c]:22} {n:5}")
fig, axes = plt.subplots(2, 8, figsize=(12, 3.6))
picks = [(c, i) for c in (0, 1, 2, 3) for i in np.flatnonzero(images.y_train == c)[:4]]
for ax, (c, i) in zip(axes.flat, picks):
    ax.imshow(images.X_train[i].transpose(1, 2, 0))  # (C, H, W) -> (H, W, C) to show
    ax.set_title(GZ1_CLASSES[c], fontsize=8)
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## The sky has no "up", but a mirror changes a spiral
# Rotating a galaxy gives another valid picture of the same kind of galaxy: a free training
# example. Mirroring one does too, with a catch: a clockwise spiral's mirror image winds
# anti-clockwise. So the label of a mirrored image must be swapped by hand.

# %%
SHOWCASE = "588017111287464036"  # an SDSS objID the volunteers called a clockwise spiral
cutout = images.info.path / "Imagenes" / f"{SHOWCASE}.jpeg" if images.info.path else None
if cutout is not None and cutout.is_file():  # sharper than the training images: the arms show
    galaxy = read_galaxy(cutout, size=96, crop=0.4)  # (3, H, W)
else:
    X_demo, y_demo = synthetic_galaxies(20, size=96)
    galaxy = X_demo[np.flatnonzero(y_demo == CW)[0]]
views = [(np.rot90(galaxy, k, axes=(1, 2)), CW) for k in range(4)]  # rotations: same label
mirror = galaxy[:, :, ::-1]  # flip left-right
views += [(np.rot90(mirror, k, axes=(1, 2)), ACW) for k in range(4)]  # mirrors: label swapped
fig, axes = plt.subplots(1, 8, figsize=(12, 2))
for ax, (img, label) in zip(axes, views):
    ax.imshow(img.transpose(1, 2, 0))
    ax.set_title(GZ1_CLASSES[label].replace(" spiral", ""), fontsize=8)
    ax.set_axis_off()
plt.show()
n_cw, n_acw = np.sum(images.y_train == CW), np.sum(images.y_train == ACW)
print(f"volunteers' labels: {n_cw} clockwise, {n_acw} anti-clockwise spirals")

# %% [markdown]
# In Galaxy Zoo 1 volunteers reported more anti-clockwise spirals than clockwise ones, and still
# did when shown mirrored images: the excess was in human eyes, not in the Universe (Land et al.
# 2008). For "elliptical or spiral" a mirror changes nothing, so the CNN below can use all eight
# views freely.
#
# ## Elliptical (0) or spiral (1): clockwise, anti-clockwise and edge-on together
# Mergers and "don't know" are left out. Seven in ten are elliptical, so the loss weighs each class
# by the inverse of its frequency.

# %%
keep, y = elliptical_vs_spiral(images.y_train)
keep_t, y_test = elliptical_vs_spiral(images.y_test)
X = images.X_train[keep].astype(np.float32) / 255
X_test = images.X_test[keep_t].astype(np.float32) / 255
if QUICK:  # fewer galaxies, same proportions
    X, y = X[:800], y[:800]
    X_test, y_test = X_test[:300], y_test[:300]
mean, std = X.mean(axis=(0, 2, 3), keepdims=True), X.std(axis=(0, 2, 3), keepdims=True)
X, X_test = (X - mean) / std, (X_test - mean) / std
classes = ["elliptical", "spiral"]
weight = len(y) / (2 * np.bincount(y, minlength=2))
print(f"{len(y)} training galaxies, {y.mean():.0%} spiral; class weights {np.round(weight, 2)}")

# %% [markdown]
# ## A small CNN on the engine (edit the channels, the epochs, the learning rate)
# Each batch is shown in a random one of the eight views (rotations and mirrors).

# %%
engine.manual_seed(0)
width = 8
model = nn.Sequential(
    nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * width, 2),
)  # fmt: skip
opt = optim.Adam(model.parameters(), lr=3e-3)
rng = np.random.default_rng(0)
losses = []
model.train()
for _ in range(4 if QUICK else 10):
    for idx in np.array_split(rng.permutation(len(X)), len(X) // 32):
        k, flip = rng.integers(4), rng.integers(2)
        xb = np.rot90(X[idx], k, axes=(2, 3))
        xb = np.ascontiguousarray(xb[..., ::-1] if flip else xb)
        logits = model(engine.tensor(xb))
        loss = F.cross_entropy(logits, engine.tensor(y[idx]), weight=engine.tensor(weight))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
model.eval()


def predict_proba(batch):
    with engine.no_grad():
        return model(engine.tensor(np.ascontiguousarray(batch))).softmax(dim=-1).numpy()


proba = predict_proba(X_test)
y_hat = proba.argmax(1)
recalls = [np.mean(y_hat[y_test == c] == c) for c in (0, 1)]
print(f"held-out accuracy {np.mean(y_hat == y_test):.1%}, balanced accuracy "
      f"{np.mean(recalls):.1%} (always 'elliptical': {np.mean(y_test == 0):.1%})")  # fmt: skip
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("weighted cross-entropy")
plt.show()

# %% [markdown]
# ## Its answers on galaxies it never saw

# %%
fig, axes = plt.subplots(1, 8, figsize=(12, 2.2))
for ax, i in zip(axes, range(8)):
    k = int(proba[i].argmax())
    answer = f"{classes[k]} ({proba[i, k]:.2f})"
    print(f"galaxy {i}: {answer:18}  volunteers: {classes[y_test[i]]}")
    ax.imshow(np.clip(X_test[i] * std[0] + mean[0], 0, 1).transpose(1, 2, 0))
    ax.set_title(answer, fontsize=8, color="black" if k == y_test[i] else "#b3261e")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# The class weights ask the CNN to find the spirals, at the price of calling some ellipticals
# spirals: its accuracy can fall below "always elliptical" while its balanced accuracy rises.
# On the QUICK setting the CNN sees 800 small galaxies four times; with QUICK off, every training
# galaxy at 32×32 for ten epochs. `mltutorial vision train --dataset galaxy_zoo` trains the full
# model, and averages its answer over the eight views.
#
# ## Exercises
# **1.** The labels (GZ1's six classes, 0…5) of the mirror images of galaxies labelled `y`.

# %%
from mltutorial.exercises import galaxies as ex


def mirror_labels(y): ...  # your code here


ex.check_mirror_labels(mirror_labels)

# %% [markdown]
# **2.** The class weights the loss used: with k classes, each class should weigh the same in total.


# %%
def class_weights(y, k): ...  # your code here


ex.check_class_weights(class_weights)

# %% [markdown]
# **3.** Balanced accuracy: the mean of the classes' recalls. Why is it the honest number here?


# %%
def balanced_accuracy(y, y_hat): ...  # your code here


ex.check_balanced_accuracy(balanced_accuracy)
