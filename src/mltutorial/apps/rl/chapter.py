"""Tour chapter: reinforcement learning, "error-driven": REINFORCE learns to balance CartPole."""

from __future__ import annotations

import numpy as np

from mltutorial.chapter import (
    ORDER_HOW_MACHINES_LEARN,
    Chapter,
    ChapterContext,
    ChapterOutput,
    Table,
)


def _run(ctx: ChapterContext) -> ChapterOutput:
    from mltutorial import viz
    from mltutorial.apps.rl.agent import Reinforce, evaluate, heuristic_policy, random_policy

    episodes = 60 if ctx.quick else 400
    env_id = "CartPole-v1"
    agent = Reinforce(episodes=episodes, seed=ctx.seed).fit(env_id)
    n_eval = 5 if ctx.quick else 20
    scores = {
        "random policy": evaluate(random_policy(ctx.seed), env_id, n_eval, ctx.seed),
        "hand-written rule": evaluate(heuristic_policy, env_id, n_eval, ctx.seed),
        "REINFORCE (engine)": evaluate(agent.act, env_id, n_eval, ctx.seed),
    }
    returns = np.asarray(agent.history_.returns)
    window = min(20, len(returns))
    smooth = np.convolve(returns, np.ones(window) / window, mode="valid")

    fig, (ax1, ax2) = viz.figure(ncols=2, width=5.5, height=3.8)
    ax1.plot(returns, alpha=0.35, label="episode return")
    ax1.plot(np.arange(window - 1, len(returns)), smooth, label=f"mean of last {window}")
    ax1.axhline(500, color="grey", ls="--", lw=1, label="maximum (500)")
    ax1.set(
        xlabel="training episode", ylabel="return (steps balanced)", title="Learning from errors"
    )
    ax1.legend(loc="upper left")
    names = list(scores)
    ax2.bar(
        names,
        [scores[n].mean() for n in names],
        color=[viz.COLORS["peer"], "#9467bd", viz.COLORS["ours"]],
    )
    ax2.set(ylabel=f"mean return over {n_eval} greedy episodes", title="After training")
    ax2.tick_params(axis="x", labelsize=8)
    path = viz.save(
        fig, ctx.out_dir / "rl_cartpole.png", title="Reinforcement learning: CartPole-v1"
    )

    learned = float(scores["REINFORCE (engine)"].mean())
    return ChapterOutput(
        summary=f"CartPole return {learned:.0f} after {episodes} episodes (random {scores['random policy'].mean():.0f})",
        numbers={
            "episodes": episodes,
            "mean_return": {k: float(v.mean()) for k, v in scores.items()},
            "last_20_training_return": float(returns[-window:].mean()),
        },
        figures=[path],
        data="Gymnasium CartPole-v1 (simulated cart and pole; Barto, Sutton & Anderson 1983)",
        citation="Williams (1992), Simple statistical gradient-following algorithms for connectionist reinforcement learning",
        licence="Gymnasium: MIT",
        text=(
            "Nobody labels the right move here: the agent only learns how long the pole stayed up. "
            "A policy network (4 inputs, 32 tanh units, 2 actions) on the engine plays whole episodes, "
            "then REINFORCE nudges the log-probability of each action it took in proportion to the "
            "(normalised) return that followed: actions before long balancing get more likely.\n\n"
            "The random policy and a hand-written rule are the baselines; the learned policy is played "
            "greedily on fresh episodes."
        ),
        tables=[
            Table(
                "Mean return over greedy evaluation episodes (maximum 500)",
                ["policy", "mean return", "min", "max"],
                [[k, float(v.mean()), float(v.min()), float(v.max())] for k, v in scores.items()],
            )
        ],
    )


CHAPTER = Chapter(
    name="rl",
    title="Reinforcement learning: a policy learns CartPole by trial and error",
    slide="Reinforcement learning → Error-driven → Artificial intelligence, game theory",
    order=ORDER_HOW_MACHINES_LEARN + 3,
    command="mltutorial rl train --episodes 600 -o cartpole.npz",
    run=_run,
)
