# %% [markdown]
# # 01 · Hardware: the same work on a CPU and on a GPU
#
# > **Slide:** "What happened? 1. Big Data (WWW in 90s) 2. Hardware (GPUs, TPUs) 3. Software (Keras, Pytorch,...)"
#
# Networks are mostly matrix products: thousands of independent multiply-adds. A CPU has a few
# cores; a GPU has thousands and does them at once. Here you time a float32 matrix product with
# NumPy on the CPU and, if this machine has an NVIDIA GPU and CuPy, the very same call on the GPU,
# and then one training step of the baby GPT with the engine on both (`model.to("cuda")`).
# Without a GPU the notebook says so and shows the CPU numbers.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from mltutorial.engine import backend
from mltutorial.lessons import hardware

# %matplotlib inline

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
print("GPU:", hardware.gpu_name() or "none on this machine (CuPy and an NVIDIA GPU are needed)")

# %% [markdown]
# ## A matrix product on the CPU
#
# The first call is slower (memory is touched for the first time), so we time a few and keep the
# median.

# %%
n = 256 if QUICK else 2048
rng = np.random.default_rng(0)
A = rng.standard_normal((n, n), dtype=np.float32)
B = rng.standard_normal((n, n), dtype=np.float32)
times = []
for _ in range(3):
    start = time.perf_counter()
    A @ B
    times.append(time.perf_counter() - start)
print(f"{n}x{n} float32 product on the CPU: median {np.median(times) * 1e3:.1f} ms")

# %% [markdown]
# ## Exercise 1: how many operations per second?
#
# Each of the n·n outputs is a dot product of length n: n multiplies and n adds. Write
# `gflops(n, seconds)`, the billions of floating-point operations per second one product achieved.

# %%
from mltutorial.exercises import hardware as ex


def gflops(n, seconds): ...  # your code


ex.check_gflops(gflops)

# %% [markdown]
# ## Exercise 2: a fair timer
#
# A GPU works asynchronously: `a @ b` on CuPy returns at once and the product runs later, so a
# clock stopped right away measures nothing. Write `median_seconds(work, repeats, sync)`: call
# `work()` once untimed (warm-up), then `repeats` times with the clock stopped only after `sync()`
# (`backend.synchronize` on a GPU), and return the median.


# %%
def median_seconds(work, repeats, sync): ...  # your code


ex.check_timer(median_seconds)

# %% [markdown]
# ## CPU and GPU side by side
#
# The lesson times the product and one baby-GPT training step (the engine's own code, on NumPy or
# on CuPy) on each device this machine has.

# %%
cfg = (
    hardware.Config(size=256, repeats=1, gpt_repeats=1, batch_size=2)
    if QUICK
    else hardware.Config()
)
result = hardware.run(cfg)
print(hardware.table_text(result))
print("GPU available:", backend.gpu_available())

# %%
path = hardware.plot(result, "hardware.png")
plt.imshow(plt.imread(path))
plt.axis("off")
plt.show()
