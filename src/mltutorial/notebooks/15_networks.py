# %% [markdown]
# # 15 · From a single neuron to a neural network
#
# > **Slide:** "Deep Learning: from a single neuron to a neural network (NN). 32 x 32 x 3 -> 3072 x 1. Cat (0.999). Billions of parameters to train!"
#
# A colour photo of 32×32 pixels is 32·32·3 = 3072 numbers. Flatten them into one column, feed them
# to many neurons at once (a dense layer, `nn.Linear`), stack layers with a non-linearity between,
# and finish with one output per class; softmax turns the outputs into probabilities:
# "Cat (0.999)". Here you build that network on the engine and train it on CIFAR-10.

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

# %%
images = load_cifar10()  # $MLTUTORIAL_DATA/cifar10, or a labelled built-in sample
print("data:", images.info.label)
n_train = 2000 if QUICK else 10000


def flatten(batch):
    return batch.reshape(len(batch), -1).astype(np.float32) / images.max_value  # (N, 3072)


X, y = flatten(images.X_train[:n_train]), images.y_train[:n_train]
mean = X.mean(axis=0)
X = X - mean
n_train = len(X)  # the built-in sample is smaller
X_test, y_test = flatten(images.X_test[:2000]) - mean, images.y_test[:2000]
print(X.shape, "->", len(images.classes), "classes:", images.classes)

# %% [markdown]
# ## The network: 3072 → 256 → 10

# %%
engine.manual_seed(0)
model = nn.Sequential(nn.Linear(3072, 256), nn.ReLU(), nn.Linear(256, len(images.classes)))
print(engine.summary(model, (1, 3072)))

# %% [markdown]
# ## Training: minibatches, cross-entropy, Adam (edit the epochs or the learning rate)

# %%
opt = optim.Adam(model.parameters(), lr=1e-3)
rng = np.random.default_rng(0)
losses = []
for _ in range(1 if QUICK else 5):
    for idx in np.array_split(rng.permutation(n_train), n_train // 64):
        loss = F.cross_entropy(model(engine.tensor(X[idx])), engine.tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
with engine.no_grad():
    probs = model(engine.tensor(X_test)).softmax(dim=-1).numpy()
print(f"test accuracy {np.mean(probs.argmax(1) == y_test):.1%} (chance 10%)")
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("cross-entropy")
plt.show()

# %% [markdown]
# ## Predictions the slide's way

# %%
fig, axes = plt.subplots(1, 5, figsize=(10, 2.4))
for ax, i in zip(axes, range(5)):
    ax.imshow(images.X_test[i].transpose(1, 2, 0) / images.max_value)
    k = probs[i].argmax()
    ax.set_title(f"{images.classes[k].capitalize()} ({probs[i, k]:.3f})", fontsize=9)
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## "Billions of parameters to train!"
# A dense layer from a 224×224×3 photo to as many neurons: count it without allocating it
# (`engine.meta()` makes zero-memory parameters).

# %%
with engine.meta():
    big = nn.Linear(224 * 224 * 3, 224 * 224 * 3)
print(f"{engine.summary(big, (1, 224 * 224 * 3)).total_params:,} parameters")

# %% [markdown]
# ## Exercises
# **1.** How many parameters has `nn.Linear(n_in, n_out)`?

# %%
from mltutorial.exercises import networks as ex


def dense_params(n_in, n_out): ...  # your code here


ex.check_dense_params(dense_params)

# %% [markdown]
# **2.** Print a prediction the slide's way: `"Cat (0.999)"` from probabilities and class names.


# %%
def slide_prediction(probs, classes): ...  # your code here


ex.check_slide_prediction(slide_prediction)
