"""REINFORCE on a Gymnasium environment, with the policy network on the engine.

Paper: Williams, "Simple statistical gradient-following algorithms for connectionist reinforcement
learning", Machine Learning 8 (1992). The gradient of the expected return is estimated as
sum_t G_t * grad log pi(a_t | s_t), where G_t is the discounted return from step t; returns are
normalised per batch of episodes (a baseline that cuts variance).

Acting uses NumPy only (one small matrix product per step); learning replays the whole batch of
episodes through the engine in one forward and one backward pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mltutorial.errors import UserError

FORMAT_VERSION = 1


def _make_env(env_id: str):
    try:
        import gymnasium as gym
    except ImportError as exc:  # pragma: no cover - gymnasium is a dependency
        raise UserError("reinforcement learning needs the 'gymnasium' package") from exc
    try:
        env = gym.make(env_id)
    except Exception as exc:
        raise UserError(f"unknown or unavailable environment {env_id!r}: {exc}") from None
    # the policy is a softmax over actions, reading a flat vector of observations
    if not isinstance(env.action_space, gym.spaces.Discrete):
        env.close()
        raise UserError(
            f"{env_id} has a continuous action space ({env.action_space}); this policy "
            "needs a discrete one (e.g. CartPole-v1, Acrobot-v1)"
        )
    shape = getattr(env.observation_space, "shape", None)
    if not isinstance(env.observation_space, gym.spaces.Box) or shape is None or len(shape) != 1:
        env.close()
        raise UserError(f"{env_id}: this policy needs observations that are a flat vector")
    return env


def _discounted(rewards: list[float], gamma: float) -> np.ndarray:
    out = np.zeros(len(rewards), dtype=np.float32)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):  # the one loop over time: returns are a recurrence
        running = rewards[t] + gamma * running
        out[t] = running
    return out


@dataclass
class History:
    returns: list[float] = field(default_factory=list)  # one per training episode
    losses: list[float] = field(default_factory=list)  # one per update


class Reinforce:
    """A softmax policy pi(a|s) = softmax(MLP(s)) trained by REINFORCE.

    Keyword-only hyperparameters; `fit(env_id)` trains and returns self; learned state ends in `_`.
    """

    def __init__(
        self,
        *,
        hidden: int = 32,
        lr: float = 0.01,
        gamma: float = 0.99,
        episodes: int = 300,
        batch_episodes: int = 4,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.lr = lr
        self.gamma = gamma
        self.episodes = episodes
        self.batch_episodes = batch_episodes
        self.seed = seed

    def _build(self, n_obs: int, n_actions: int):
        from mltutorial import engine
        from mltutorial.engine import nn

        engine.manual_seed(self.seed)
        return nn.Sequential(
            nn.Linear(n_obs, self.hidden), nn.Tanh(), nn.Linear(self.hidden, n_actions)
        )

    def _logits(self, obs: np.ndarray) -> np.ndarray:
        """Policy logits in plain NumPy (fast acting without building a graph)."""
        W1, b1, W2, b2 = self.weights_
        return np.tanh(obs @ W1.T + b1) @ W2.T + b2

    def _sync(self) -> None:
        self.weights_ = [p.data for p in self.net_.parameters()]

    def act(self, obs: np.ndarray, rng: np.random.Generator | None = None) -> int:
        """Sample an action (or take the most likely one when `rng` is None)."""
        logits = self._logits(np.asarray(obs, dtype=np.float32))
        if rng is None:
            return int(np.argmax(logits))
        p = np.exp(logits - logits.max())
        cdf = np.cumsum(p, dtype=np.float64)
        # rng.choice(len(p), p=p)'s own draw, without its per-call checks of p (most of the cost)
        return int(np.searchsorted(cdf / cdf[-1], rng.random(), side="right"))

    def fit(
        self, env_id: str = "CartPole-v1", on_episode: Callable[[int, float], None] | None = None
    ):
        from mltutorial import engine
        from mltutorial.engine import optim

        env = _make_env(env_id)
        self.env_id_ = env_id
        n_obs = int(np.prod(env.observation_space.shape))
        n_actions = int(env.action_space.n)
        self.net_ = self._build(n_obs, n_actions)
        self._sync()
        opt = optim.Adam(self.net_.parameters(), lr=self.lr)
        rng = np.random.default_rng(self.seed)
        self.history_ = History()
        batch_obs, batch_act, batch_ret = [], [], []
        for episode in range(self.episodes):
            obs, _ = env.reset(seed=self.seed * 100_003 + episode)
            rewards: list[float] = []
            done = False
            while not done:
                action = self.act(obs, rng)
                batch_obs.append(np.asarray(obs, dtype=np.float32))
                batch_act.append(action)
                obs, reward, terminated, truncated, _ = env.step(action)
                rewards.append(float(reward))
                done = terminated or truncated
            batch_ret.append(_discounted(rewards, self.gamma))
            self.history_.returns.append(float(sum(rewards)))
            if on_episode is not None:
                on_episode(episode, self.history_.returns[-1])
            if (episode + 1) % self.batch_episodes == 0:
                X = engine.tensor(np.stack(batch_obs))  # (N, n_obs)
                G = np.concatenate(batch_ret)
                G = (G - G.mean()) / (G.std() + 1e-8)  # normalised returns: a baseline
                log_p = self.net_(X).log_softmax(dim=-1)  # (N, n_actions)
                chosen = log_p[np.arange(len(batch_act)), np.asarray(batch_act)]  # (N,)
                loss = -(chosen * engine.tensor(G.astype(np.float32))).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                self._sync()
                self.history_.losses.append(loss.item())
                batch_obs, batch_act, batch_ret = [], [], []
        env.close()
        return self

    def save(self, path: str | Path) -> Path:
        from mltutorial.files import save_npz

        meta = {
            "format": "mltutorial.rl",
            "version": FORMAT_VERSION,
            "env_id": self.env_id_,
            "hidden": self.hidden,
            "gamma": self.gamma,
            "lr": self.lr,
        }
        return save_npz(path, meta, {f"w{i}": w for i, w in enumerate(self.weights_)})

    @classmethod
    def load(cls, path: str | Path) -> Reinforce:
        from mltutorial.files import Array, load_npz

        meta, arrays = load_npz(
            path,
            fmt="mltutorial.rl",
            version=FORMAT_VERSION,
            what="RL policy",
            how="mltutorial rl train -o FILE",
            header={"env_id": str, "hidden": int, "gamma": float, "lr": float},
            arrays=lambda meta: {  # nn.Linear's (out, in) weights, then biases
                "w0": Array((meta["hidden"], "n_obs")),
                "w1": Array((meta["hidden"],)),
                "w2": Array(("n_actions", meta["hidden"])),
                "w3": Array(("n_actions",)),
            },
        )
        weights = [arrays[f"w{i}"] for i in range(4)]
        agent = cls(hidden=int(meta["hidden"]), gamma=float(meta["gamma"]), lr=float(meta["lr"]))
        agent.weights_ = weights
        agent.env_id_ = str(meta["env_id"])
        return agent


def check_env(agent: Reinforce) -> None:
    """A `UserError` unless the saved policy's sizes fit its environment's (an edited file)."""
    env = _make_env(agent.env_id_)
    n_obs, n_actions = env.observation_space.shape[0], int(env.action_space.n)
    env.close()
    w_in, b_out = agent.weights_[0], agent.weights_[3]
    if w_in.shape[1] != n_obs or len(b_out) != n_actions:
        raise UserError(
            f"the policy reads {w_in.shape[1]} observations and picks among {len(b_out)} "
            f"actions; {agent.env_id_} has {n_obs} and {n_actions}"
        )


def evaluate(
    policy: Callable[[np.ndarray], int], env_id: str, episodes: int, seed: int
) -> np.ndarray:
    """Play `episodes` episodes with `policy(obs) -> action`; return the total reward of each."""
    env = _make_env(env_id)
    totals = np.zeros(episodes)
    for i in range(episodes):
        obs, _ = env.reset(seed=10_000 + seed * 1000 + i)
        done = False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(policy(obs))
            totals[i] += reward
            done = terminated or truncated
    env.close()
    return totals


def random_policy(seed: int = 0) -> Callable[[np.ndarray], int]:
    rng = np.random.default_rng(seed)
    return lambda obs: int(rng.integers(2))


def heuristic_policy(obs: np.ndarray) -> int:
    """A hand-written CartPole controller: push toward where the pole is falling."""
    _, _, angle, angular_velocity = obs
    return int(angle + 0.5 * angular_velocity > 0)
