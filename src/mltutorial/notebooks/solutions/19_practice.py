# %% [markdown]
# # Solutions · 19 · Do's and don'ts

# %%
from mltutorial.exercises import practice as ex


# %%
def pick_by_validation(results):
    return min(results, key=lambda r: r["val_error"])["hidden"]


assert ex.check_pick_by_validation(pick_by_validation)

# %% [markdown]
# **2.** The statistics are part of the model: learn them on the training set only.


# %%
def standardise(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


assert ex.check_standardise(standardise)
