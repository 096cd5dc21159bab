# %% [markdown]
# # 20 · Software (Keras, PyTorch, ...): you will learn this
#
# > **Slide:** "What happened? 1. Big Data (WWW in 90s) 2. Hardware (GPUs, TPUs) 3. Software (Keras, Pytorch,...) You will learn this"
#
# That slide comes early in the talk (its "Brief history"); this notebook comes last because it
# uses everything before it. The engine every notebook used speaks PyTorch: the same names,
# arguments, shapes and numbers. Below, ONE model file is written twice, differing only in its
# import lines, and trained from the same starting weights on both: the numbers agree. What you
# learned here is PyTorch. (PyTorch is optional: without it the cells say so and run the engine.)

# %%
import importlib
import sys
import tempfile
from pathlib import Path

import numpy as np

from mltutorial.data import load_digits

# %% [markdown]
# ## The model file, and its two import headers

# %%
HEADERS = {
    "engine": "from mltutorial import engine as torch\n"
    "from mltutorial.engine import nn, optim\n"
    "import mltutorial.engine.nn.functional as F\n",
    "torch": "import torch\nfrom torch import nn, optim\nimport torch.nn.functional as F\n",
}
BODY = '''

class Net(nn.Module):
    """A small CNN for 8x8 digits."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)  # (B, 8, 4, 4)
        return self.fc(x.flatten(1))


def train(model, X, y, steps=20, lr=0.1):
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    X, y = torch.tensor(X), torch.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
'''
folder = Path(tempfile.mkdtemp())
sys.path.insert(0, str(folder))
for backend, header in HEADERS.items():
    (folder / f"model_{backend}.py").write_text(header + BODY)
print((folder / "model_torch.py").read_text()[:200], "...")

# %% [markdown]
# ## Train both from the same weights on the same digits

# %%
digits = load_digits()
X = digits.X_train[:512].astype(np.float32) / digits.max_value  # (512, 1, 8, 8)
y = digits.y_train[:512]

ours = importlib.import_module("model_engine")
ours.torch.manual_seed(0)
net = ours.Net()
weights = {name: np.array(p.data) for name, p in net.state_dict().items()}
losses = {"engine": ours.train(net, X, y)}
try:
    theirs = importlib.import_module("model_torch")
except ImportError:
    print("PyTorch is not installed (pip install torch): the engine ran alone.")
else:
    tnet = theirs.Net()
    tnet.load_state_dict({k: theirs.torch.from_numpy(v) for k, v in weights.items()})
    losses["torch"] = theirs.train(tnet, X, y)
for step in (0, 1, 5, 19):
    print(f"step {step + 1:2d}: " + "  ".join(f"{k} {v[step]:.6f}" for k, v in losses.items()))
if "torch" in losses:
    gap = np.max(np.abs(np.array(losses["engine"]) - np.array(losses["torch"])))
    print(f"largest difference over 20 steps: {gap:.1e}")
    assert gap < 1e-3

# %% [markdown]
# ## Exercises
# **1.** The training step every notebook wrote, as a function: it runs on the engine and on
# PyTorch unchanged.

# %%
from mltutorial.exercises import software as ex


def train_step(
    model, optimizer, loss_fn, X, y
): ...  # your code here: one step; return the loss as a number


ex.check_train_step(train_step)

# %% [markdown]
# **2.** Count a model's learnable numbers, with code that works on both backends.


# %%
def count_parameters(model): ...  # your code here


ex.check_count_parameters(count_parameters)
