"""`mltutorial rl train|play`: teach a policy to balance CartPole by trial and error, then watch it play."""

from __future__ import annotations

from mltutorial.clitools import Parser, add_json, add_seed, dispatch, output_file, print_json
from mltutorial.config import check_memory
from mltutorial.progress import bar


def _train(argv: list[str], prog: str) -> int:
    from mltutorial.apps.rl.agent import Reinforce, evaluate, random_policy

    parser = Parser(prog=prog, description="Train a REINFORCE policy on the engine.")
    parser.add_argument("--env", default="CartPole-v1", help="Gymnasium environment id")
    parser.add_argument("--episodes", type=int, default=400, help="training episodes")
    parser.add_argument("--hidden", type=int, default=32, help="hidden units of the policy")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate")
    parser.add_argument("-o", "--output", help="save the trained policy to this .npz file")
    add_seed(parser)
    add_json(parser)
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.hidden < 1 or not args.lr > 0:
        parser.error("--episodes and --hidden must be positive and --lr > 0")
    output_file(args.output)  # a bad path fails now, not after training
    # weights and Adam's moments, and a batch of up to ~2,000 steps through the hidden layer,
    # float32, a few copies each: a rough bound, enough to refuse an absurd --hidden at once
    check_memory(16 * args.hidden * (64 + 2000), f"a policy with --hidden {args.hidden}")
    progress = bar(args.episodes, "episodes")

    def tick(episode: int, total: float) -> None:
        progress.update(1)
        progress.set_postfix(ret=f"{total:.0f}")

    agent = Reinforce(hidden=args.hidden, lr=args.lr, episodes=args.episodes, seed=args.seed).fit(
        args.env, on_episode=tick
    )
    progress.close()
    learned = evaluate(agent.act, args.env, 20, args.seed)
    rand = evaluate(random_policy(args.seed), args.env, 20, args.seed)
    if args.output:
        agent.save(args.output)
    result = {
        "env": args.env,
        "episodes": args.episodes,
        "mean_return_random": float(rand.mean()),
        "mean_return_learned": float(learned.mean()),
        "last_50_training_return": float(
            sum(agent.history_.returns[-50:]) / min(50, args.episodes)
        ),
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"{args.env}: greedy policy returns {learned.mean():.1f} on average over 20 episodes "
            f"(random policy: {rand.mean():.1f})"
        )
        if args.output:
            print(f"saved: {args.output}")
    return 0


def _play(argv: list[str], prog: str) -> int:
    from mltutorial.apps.rl.agent import Reinforce, check_env, evaluate

    parser = Parser(prog=prog, description="Play greedy episodes with a saved policy.")
    parser.add_argument("--model-file", required=True, help="a policy saved by 'rl train -o'")
    parser.add_argument("--episodes", type=int, default=10)
    add_seed(parser)
    add_json(parser)
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be at least 1")
    agent = Reinforce.load(args.model_file)
    check_env(agent)
    totals = evaluate(agent.act, agent.env_id_, args.episodes, args.seed)
    if args.json:
        print_json({"env": agent.env_id_, "returns": totals, "mean_return": float(totals.mean())})
    else:
        print(f"{agent.env_id_}: returns {', '.join(f'{t:.0f}' for t in totals)}")
    return 0


def main(argv: list[str], prog: str) -> int:
    description = "Reinforcement learning: error-driven learning on CartPole."
    return dispatch(argv, prog, description, {"train": _train, "play": _play})
