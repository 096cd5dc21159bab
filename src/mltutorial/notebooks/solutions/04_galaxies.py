# %% [markdown]
# # Solutions · 04 · Galaxy Zoo

# %%
import numpy as np

from mltutorial.exercises import galaxies as ex

# %% [markdown]
# **1.** Only the two spiral windings trade places (1 ↔ 2); np.where does it without a loop.


# %%
def mirror_labels(y):
    return np.where(y == 1, 2, np.where(y == 2, 1, y))


assert ex.check_mirror_labels(mirror_labels)

# %% [markdown]
# **2.** w_c = n / (k · n_c): then w_c · n_c = n / k for every class. A class with no example gets
# no weight to speak of (it never appears in the loss); `np.maximum` avoids dividing by zero.


# %%
def class_weights(y, k):
    counts = np.bincount(y, minlength=k)
    return len(y) / (k * np.maximum(counts, 1))


assert ex.check_class_weights(class_weights)

# %% [markdown]
# **3.** Saying "elliptical" every time scores 70 % accuracy and 50 % balanced accuracy: the
# balanced number asks the model to find the spirals too.


# %%
def balanced_accuracy(y, y_hat):
    return np.mean([np.mean(y_hat[y == c] == c) for c in np.unique(y)])


assert ex.check_balanced_accuracy(balanced_accuracy)
