# %% [markdown]
# # Solutions · 06 · Reinforcement learning

# %%
import numpy as np

from mltutorial.exercises import rl as ex


# %%
def discounted_returns(rewards, gamma):
    G, out = 0.0, np.zeros(len(rewards))
    for t in reversed(range(len(rewards))):
        G = rewards[t] + gamma * G
        out[t] = G
    return out


assert ex.check_discounted_returns(discounted_returns)

# %% [markdown]
# **2.** Push toward the side the pole falls to; adding half the angular velocity looks ahead,
# which is what keeps it from overshooting.


# %%
def my_policy(obs):
    _, _, angle, angular_velocity = obs
    return int(angle + 0.5 * angular_velocity > 0)


assert ex.check_policy(my_policy)
