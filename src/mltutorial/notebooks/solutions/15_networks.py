# %% [markdown]
# # Solutions · 15 · From a single neuron to a neural network

# %%
import numpy as np

from mltutorial.exercises import networks as ex

# %% [markdown]
# **1.** A weight matrix of n_out × n_in and a bias of n_out. For 224·224·3 = 150,528 in and out:
# 22,658,829,312 parameters, the slide's "billions".


# %%
def dense_params(n_in, n_out):
    return n_in * n_out + n_out


assert ex.check_dense_params(dense_params)


# %%
def slide_prediction(probs, classes):
    k = int(np.argmax(probs))
    return f"{classes[k].capitalize()} ({probs[k]:.3f})"


assert ex.check_slide_prediction(slide_prediction)
