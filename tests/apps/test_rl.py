"""Reinforcement learning: REINFORCE on the engine learns CartPole; save/load; CLI errors."""

import numpy as np
import pytest

from mltutorial.apps.rl.agent import Reinforce, evaluate, heuristic_policy, random_policy
from mltutorial.cli import main


@pytest.fixture(scope="module")
def agent():
    return Reinforce(episodes=200, seed=0).fit("CartPole-v1")


def test_learns_far_beyond_random(agent):
    learned = evaluate(agent.act, "CartPole-v1", 10, seed=1).mean()
    rand = evaluate(random_policy(1), "CartPole-v1", 10, seed=1).mean()
    assert rand < 40
    assert learned > 3 * rand and learned >= 100, (learned, rand)
    first, last = np.mean(agent.history_.returns[:20]), np.mean(agent.history_.returns[-20:])
    assert last > 2 * first


def test_heuristic_baseline_balances():
    assert evaluate(heuristic_policy, "CartPole-v1", 3, seed=0).mean() > 150


def test_save_load_round_trip(agent, tmp_path):
    path = agent.save(tmp_path / "policy.npz")
    again = Reinforce.load(path)
    obs = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    assert [agent.act(o) for o in obs] == [again.act(o) for o in obs]


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["rl", "play", "--model-file", str(tmp_path / "missing.npz")]) == 2
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    assert main(["rl", "play", "--model-file", str(bad)]) == 2
    assert main(["rl", "train", "--env", "NoSuchEnv-v9", "--episodes", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all("error:" in line for line in err)
