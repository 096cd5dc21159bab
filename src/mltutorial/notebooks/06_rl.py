# %% [markdown]
# # 06 · Reinforcement learning: a policy learns CartPole by trial and error
#
# > **Slide:** "Reinforcement learning → Error-driven → Artificial intelligence, game theory"
#
# No labels here: an agent acts, the world answers with a reward, and the agent changes so that
# what it did before a good outcome becomes more likely. The game is Gymnasium's CartPole-v1 (keep
# a pole upright on a cart: +1 per step, at most 500). The agent is a small network on the engine
# giving π(a | s), trained by REINFORCE (Williams 1992), which you write here step by step.

# %%
import os

import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.apps.rl import evaluate
from mltutorial.engine import nn, optim

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %% [markdown]
# ## The policy: state (4 numbers) → probabilities of pushing left or right

# %%
engine.manual_seed(0)
policy = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 2))
opt = optim.Adam(policy.parameters(), lr=0.01)
rng = np.random.default_rng(0)


def act(obs, greedy=False):
    with engine.no_grad():
        p = policy(engine.tensor(obs[None].astype(np.float32))).softmax(dim=-1).numpy()[0]
    return int(p.argmax()) if greedy else int(rng.choice(2, p=p))


def returns_to_go(rewards, gamma=0.99):
    G, out = 0.0, []
    for r in reversed(rewards):
        G = r + gamma * G
        out.append(G)
    return out[::-1]


# %% [markdown]
# ## REINFORCE: play, then make the actions of good episodes more likely
# loss = −mean(log π(a_t | s_t) · G_t), with G_t the discounted reward still to come, normalised.
# Edit the number of episodes: a few hundred are needed to balance for the full 500 steps.

# %%
env = gym.make("CartPole-v1")
n_episodes = 40 if QUICK else 400
history = []
batch_obs, batch_act, batch_ret = [], [], []
for episode in range(n_episodes):
    obs, _ = env.reset(seed=episode)
    rewards, done = [], False
    while not done:
        action = act(obs)
        batch_obs.append(obs)
        batch_act.append(action)
        obs, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        done = terminated or truncated
    batch_ret += returns_to_go(rewards)
    history.append(sum(rewards))
    if (episode + 1) % 4 == 0:  # learn from 4 episodes at a time
        G = np.array(batch_ret, np.float32)
        G = (G - G.mean()) / (G.std() + 1e-8)
        log_p = policy(engine.tensor(np.array(batch_obs, np.float32))).log_softmax(dim=-1)
        chosen = log_p[np.arange(len(batch_act)), np.array(batch_act)]
        loss = -(chosen * engine.tensor(G)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        batch_obs, batch_act, batch_ret = [], [], []
env.close()
plt.plot(history)
plt.xlabel("episode")
plt.ylabel("steps balanced")
plt.show()

# %% [markdown]
# ## Use it: watch the learned policy play, against chance

# %%
learned = evaluate(lambda obs: act(obs, greedy=True), "CartPole-v1", episodes=5, seed=0)
chance = evaluate(lambda obs: int(rng.integers(2)), "CartPole-v1", episodes=5, seed=0)
print("learned policy:", learned.mean(), "steps on average; random:", chance.mean())

# %% [markdown]
# ## Exercises
# **1.** The discounted return of every step of an episode.

# %%
from mltutorial.exercises import rl as ex


def discounted_returns(rewards, gamma): ...  # your code here


ex.check_discounted_returns(discounted_returns)

# %% [markdown]
# **2.** Be the policy yourself: a rule on obs = (position, velocity, angle, angular velocity) that
# returns 0 (push left) or 1 (push right) and keeps the pole up for 195+ steps on average.


# %%
def my_policy(obs):
    return 0  # your rule here


ex.check_policy(my_policy)
