# %% [markdown]
# # 13 · How do neurons learn? Gradient descent, step by step
#
# > **Slide:** "How do neurons learn? Gradient descent!"
#
# "Cost function J(w, b): difference between ground truth y and output of model h_{w,b}(x)",
# J(w, b) = ½‖h_{w,b} − y‖². Here the model is the simplest one with two parameters, a line
# h = w·x + b, so the cost is a surface over the (w, b) plane that we can draw, and gradient
# descent is a path on it. You write the steps, then let the engine's autograd and its `SGD`
# optimizer take the same steps.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.engine import optim
from mltutorial.exercises import gradient_descent as ex

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"  # the tests' setting
# %matplotlib inline

# %%
x, y = ex.data()  # 40 points around y = 2x + 1


def cost(w, b):
    return 0.5 * np.sum((w * x + b - y) ** 2)


def gradient(w, b):
    r = w * x + b - y  # (n_samples,) residuals
    return np.sum(r * x), np.sum(r)  # dJ/dw, dJ/db


# %% [markdown]
# ## The loop: edit `lr`, `n_steps` or the start and run it again


# %%
def descend(lr, n_steps=60, start=(-2.0, 4.0)):
    w, b = start
    path = [(w, b)]
    for _ in range(n_steps):
        dw, db = gradient(w, b)
        w, b = w - lr * dw, b - lr * db
        path.append((w, b))
    return np.array(path)


W, B = np.meshgrid(np.linspace(-3, 5, 120), np.linspace(-3, 6, 120))
J = 0.5 * ((W[..., None] * x + B[..., None] - y) ** 2).sum(-1)
plt.contour(W, B, J, levels=np.geomspace(J.min() + 1, J.max(), 15), cmap="viridis")
for lr in (0.002, 0.01, 0.02):
    path = descend(lr)
    print(
        f"lr = {lr}: after {len(path) - 1} steps J = {cost(*path[-1]):.2f} at {path[-1].round(3)}"
    )
    plt.plot(path[:, 0], path[:, 1], ".-", label=f"lr = {lr}")
plt.xlim(-3, 5)  # lr = 0.02 leaves the picture: it diverges
plt.ylim(-3, 6)
plt.xlabel("w")
plt.ylabel("b")
plt.legend()
plt.title("Gradient descent on J(w, b)")
plt.show()

# %% [markdown]
# ## The same steps on the engine
# Autograd computes the gradient; `optim.SGD` takes the step; `zero_grad()` clears the old
# gradient first (gradients add up otherwise). The path equals the hand-written one.

# %%
w = engine.tensor(-2.0, dtype=engine.float64, requires_grad=True)
b = engine.tensor(4.0, dtype=engine.float64, requires_grad=True)
opt = optim.SGD([w, b], lr=0.01)
x_t, y_t = engine.tensor(x, dtype=engine.float64), engine.tensor(y, dtype=engine.float64)
for _ in range(60):
    loss = 0.5 * ((w * x_t + b - y_t) ** 2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("engine:", w.item(), b.item(), " by hand:", descend(0.01)[-1])
assert np.allclose([w.item(), b.item()], descend(0.01)[-1])

# %% [markdown]
# ## Momentum: a heavy ball rolls through the narrow valley
# The valley is long and thin (w and b are correlated), so plain steps zig-zag. SGD's
# `momentum=0.9` keeps a running velocity.

# %%
n_steps = 30 if QUICK else 100
for momentum in (0.0, 0.9):
    w = engine.tensor(-2.0, dtype=engine.float64, requires_grad=True)
    b = engine.tensor(4.0, dtype=engine.float64, requires_grad=True)
    opt = optim.SGD([w, b], lr=0.002, momentum=momentum)
    losses = []
    for _ in range(n_steps):
        loss = 0.5 * ((w * x_t + b - y_t) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    plt.semilogy(losses, label=f"momentum {momentum}")
plt.xlabel("step")
plt.ylabel("J")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercises
# **1.** Find the largest learning rate at which the loop above still converges (within 5%).
# Experiment with `descend(lr)`, or work it out: J is quadratic.

# %%
my_lr = 0.01  # change me
ex.check_largest_stable_lr(my_lr)

# %% [markdown]
# **2.** Write one step of SGD with momentum the way PyTorch does it.


# %%
def momentum_step(w, v, grad, lr, momentum): ...  # your code here: return the new w and the new v


ex.check_momentum_step(momentum_step)
