# %% [markdown]
# # Solutions · 16 · Convolution

# %%
import numpy as np

from mltutorial.exercises import convolution as ex


# %%
def conv2d(image, kernel):
    k = kernel.shape[0]
    n = image.shape[0] - k + 1
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = np.sum(image[i : i + k, j : j + k] * kernel)
    return out


assert ex.check_conv2d(conv2d)

# %% [markdown]
# **2.** Padding adds 2·padding to the side; the filter's left edge can sit at 0, stride,
# 2·stride, … as long as k columns remain.


# %%
def output_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride + 1


assert ex.check_output_size(output_size)
