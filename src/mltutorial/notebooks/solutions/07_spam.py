# %% [markdown]
# # Solutions · 07 · Gmail's anti-spam

# %%
import numpy as np

from mltutorial.exercises import spam as ex


# %%
def precision_recall(y, y_hat):
    tp = np.sum((y_hat == 1) & (y == 1))
    fp = np.sum((y_hat == 1) & (y == 0))
    fn = np.sum((y_hat == 0) & (y == 1))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


assert ex.check_precision_recall(precision_recall)


# %%
def f1(y, y_hat):
    p, r = precision_recall(y, y_hat)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


assert ex.check_f1(f1)
