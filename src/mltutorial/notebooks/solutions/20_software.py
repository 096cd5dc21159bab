# %% [markdown]
# # Solutions · 20 · Software: you will learn this

# %%
from mltutorial.exercises import software as ex


# %%
def train_step(model, optimizer, loss_fn, X, y):
    optimizer.zero_grad()  # gradients accumulate otherwise
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


assert ex.check_train_step(train_step)


# %%
def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


assert ex.check_count_parameters(count_parameters)
