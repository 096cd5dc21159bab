# %% [markdown]
# # 16 · Convolution: a small filter slides over the image, sharing its weights
#
# > **Slide:** "Filter f (k x k). Parameter sharing -> learn spatial features. 32 x 32 x 3 -> we maintain spatial information!"
#
# The slide works one example: a 5×5 input, a 3×3 filter, and the 3×3 output
# [[12, 12, 17], [10, 17, 19], [9, 6, 14]]. You compute it by hand, then with the engine's
# `F.conv2d`, then train a small CNN against the dense network of the previous notebook.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.data import load_cifar10
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %% [markdown]
# ## The slide's example, by hand
# Each output number is the 3×3 window of the input times the filter, element by element, summed.

# %%
image = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], float
)
kernel = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], float)
out = np.zeros((3, 3))
for i in range(3):
    for j in range(3):
        out[i, j] = np.sum(image[i : i + 3, j : j + 3] * kernel)
print(out)

# %% [markdown]
# ## The same with `F.conv2d` (NCHW: a batch of 1 image with 1 channel, 1 filter)

# %%
conv = F.conv2d(engine.tensor(image[None, None]), engine.tensor(kernel[None, None]))
print(conv.numpy()[0, 0])
assert np.array_equal(conv.numpy()[0, 0], out)
assert np.array_equal(out, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])  # the slide's numbers

# %% [markdown]
# ## Parameter sharing: a CNN against the dense network, on the same photos
# Edit the channels or the epochs. The CNN's filters are 3×3×3 wherever they sit in the image.

# %%
images = load_cifar10()
print("data:", images.info.label)
n_train = 1000 if QUICK else 10000
scale = np.float32(images.max_value)
X = images.X_train[:n_train].astype(np.float32) / scale  # (N, 3, 32, 32)
mean = X.mean()
X, y = X - mean, images.y_train[: len(X)]
X_test = images.X_test[: 500 if QUICK else 2000].astype(np.float32) / scale - mean
y_test = images.y_test[: len(X_test)]
C, H, W = X.shape[1:]
n_classes = len(images.classes)

engine.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(C, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * (H // 4) * (W // 4), n_classes),
)  # fmt: skip
dense = nn.Sequential(nn.Flatten(), nn.Linear(C * H * W, 256), nn.ReLU(), nn.Linear(256, n_classes))


def n_params(model):
    return sum(p.data.size for p in model.parameters())


def train(model, num_epochs):
    opt = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    for _ in range(num_epochs):
        for idx in np.array_split(rng.permutation(len(X)), len(X) // 64):
            loss = F.cross_entropy(model(engine.tensor(X[idx])), engine.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    with engine.no_grad():
        return np.mean(model(engine.tensor(X_test)).numpy().argmax(1) == y_test)


for name, model in (("CNN", cnn), ("dense", dense)):
    acc = train(model, 1 if QUICK else 4)
    print(f"{name:5}: {n_params(model):>9,} parameters, test accuracy {acc:.1%}")

# %% [markdown]
# One short epoch on a thousand photos (the QUICK setting) is too little for the CNN to find its
# filters; with QUICK off it trains on 10,000 photos for 4 epochs. Compare the two lines then.
#
# ## What the first layer learned: 16 little colour filters

# %%
w = cnn[0].weight.detach().numpy()  # (16, C, 3, 3)
fig, axes = plt.subplots(2, 8, figsize=(8, 2.2))
for ax, f in zip(axes.flat, w):
    f = (f - f.min()) / (f.max() - f.min() + 1e-8)
    ax.imshow(f.transpose(1, 2, 0).squeeze(), cmap="gray")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## Exercises
# **1.** Write the convolution yourself (square image, square kernel, stride 1, no padding).

# %%
from mltutorial.exercises import convolution as ex


def conv2d(image, kernel): ...  # your code here


ex.check_conv2d(conv2d)

# %% [markdown]
# **2.** How big is the output of a k×k filter on an n×n image, with a stride and a padding?


# %%
def output_size(n, k, stride, padding): ...  # your code here


ex.check_output_size(output_size)
