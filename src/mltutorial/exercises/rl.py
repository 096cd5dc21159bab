"""Checks for the reinforcement-learning notebook: discounted returns; a policy that balances."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def check_discounted_returns(fn) -> bool:
    """`fn(rewards, gamma)` -> G_t = r_t + γ·r_{t+1} + γ²·r_{t+2} + … for every step t."""

    def check() -> None:
        rewards = [1.0, 0.0, 2.0, 1.0]
        gamma = 0.5
        want = np.zeros(4)
        running = 0.0
        for t in reversed(range(4)):
            running = rewards[t] + gamma * running
            want[t] = running
        got = as_array(call(fn, list(rewards), gamma))
        hint = (
            "each step's return is its reward plus γ times the NEXT step's return: "
            "go backwards from the end, G = r + γ·G"
        )
        if got.shape == (4,) and np.allclose(got[::-1], want):
            hint = "your returns are in reverse order. " + hint
        close(got, want, hint)

    return verdict(check)


def check_policy(policy, episodes: int = 5) -> bool:
    """`policy(obs) -> 0 or 1` balances CartPole-v1 for 195+ steps on average (the classic goal)."""

    def check() -> None:
        from mltutorial.apps.rl import evaluate

        call(policy, np.zeros(4, np.float32))  # fails early, with a hint, if it cannot run
        returns = evaluate(lambda obs: int(policy(obs)), "CartPole-v1", episodes, seed=0)
        if returns.mean() < 195:
            raise Wrong(
                f"your policy balances {returns.mean():.0f} steps on average (goal 195). Look at "
                "obs = (position, velocity, angle, angular velocity): push the cart (1 = right) "
                "toward the side the pole is falling to, and look at where it is going, not only "
                "where it is"
            )

    return verdict(check)
