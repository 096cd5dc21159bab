# %% [markdown]
# # 18 · Comparing complexity: parameters and operations of famous networks
#
# > **Slide:** "Comparing complexity... An Analysis of Deep Neural Network Models for Practical Applications, 2017."
#
# Canziani et al. (2017) compared ImageNet networks by accuracy, operations and parameters. You build
# two of them on the engine (AlexNet and VGG-16, written here layer by layer) and count with
# `engine.summary`: parameters and multiply-accumulates (MACs: one multiply-add = one MAC).
# `engine.meta()` makes the parameters zero-memory, so even VGG-16's 138 million cost nothing.

# %%
import matplotlib.pyplot as plt

from mltutorial import engine
from mltutorial.engine import nn

# %matplotlib inline


# %%
def alexnet(n_classes=1000):
    """Krizhevsky et al. 2012, as torchvision builds it."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d((6, 6)), nn.Flatten(),
        nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, n_classes),
    )  # fmt: skip


def vgg16(n_classes=1000):
    """Simonyan & Zisserman 2014: 3×3 convolutions only, channels doubling after each pool."""
    layers, c_in = [], 3
    for v in [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        "M",
    ]:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c_in, v, 3, padding=1), nn.ReLU()]
            c_in = v
    return nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, n_classes),
    )  # fmt: skip


# %%
counts = {}
for name, build in (("AlexNet", alexnet), ("VGG-16", vgg16)):
    with engine.meta():
        model = build()
    s = engine.summary(model, (1, 3, 224, 224))
    counts[name] = (s.total_params, s.total_macs)
    print(f"{name:8} {s.total_params:>13,} parameters {s.total_macs / 1e9:6.2f} G MACs")
assert counts["VGG-16"][0] == 138_357_544  # torchvision's number

# %% [markdown]
# Where do they sit? VGG-16 has far more operations than AlexNet for its accuracy gain; the paper's
# point is that accuracy, operations and parameters must be read together.

# %%
for name, (params, macs) in counts.items():
    plt.scatter(macs / 1e9, params / 1e6, s=params / 1e6 * 5)
    plt.annotate(name, (macs / 1e9, params / 1e6))
plt.xlabel("G MACs per image")
plt.ylabel("million parameters")
plt.show()

# %% [markdown]
# The summary per layer shows where VGG-16's parameters are: the first dense layer alone has
# 512·7·7·4096 + 4096 ≈ 103 million.

# %%
with engine.meta():
    print(engine.summary(vgg16(), (1, 3, 224, 224)))

# %% [markdown]
# ## Exercises
# **1.** Parameters of `nn.Conv2d(c_in, c_out, k)`.

# %%
from mltutorial.exercises import complexity as ex


def conv_params(c_in, c_out, k): ...  # your code here


ex.check_conv_params(conv_params)

# %% [markdown]
# **2.** Its multiply-accumulates on one image, given the output's height and width.


# %%
def conv_macs(c_in, c_out, k, h_out, w_out): ...  # your code here


ex.check_conv_macs(conv_macs)
