"""Reinforcement learning, the talk's "error-driven" way machines learn: a policy learns CartPole.

`Reinforce` is the REINFORCE policy-gradient agent (Williams 1992) with a small network on the engine;
`evaluate` plays greedy episodes; `random_policy` and `heuristic_policy` are the baselines.
"""

from mltutorial.apps.rl.agent import Reinforce, evaluate, heuristic_policy, random_policy

__all__ = ["Reinforce", "evaluate", "heuristic_policy", "random_policy"]
