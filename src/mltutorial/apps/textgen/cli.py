"""`mltutorial generate`: train a character language model and sample text from it.

    mltutorial generate train [--data FILE] [--model bigram|mlp|gpt] [--config NAME]
                              [--key=value ...] [-o CKPT] [--resume CKPT] [--json]
    mltutorial generate sample [--ckpt CKPT] ["PROMPT"] [--max-chars 400]
                               [--temperature 0.8] [--top-k 40] [--seed N]
    mltutorial generate ladder [--data FILE] [--config NAME] [--json]

Prompt characters that the model's vocabulary lacks are dropped, with one warning line on stderr;
an empty prompt starts from a newline.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mltutorial.clitools import Parser, add_json, add_seed, output_file, print_json
from mltutorial.errors import DataError, UserError

DEFAULT_PROMPT = "ROMEO:"


def _default_ckpt(model: str) -> Path:
    return Path(f"textgen-{model}.npz")


def _train_parser(prog: str) -> Parser:
    from mltutorial.apps.textgen.train import MODELS

    p = Parser(
        prog=f"{prog} train",
        description="Train a character-level language model (tiny Shakespeare by default). "
        "Any config field can be changed with --key=value (e.g. --max_iters=500 --n_layer=2).",
    )
    p.add_argument("--data", metavar="FILE", help="a UTF-8 text file (default: tiny Shakespeare)")
    p.add_argument("--model", choices=MODELS, default="gpt", help="the ladder's rung (default gpt)")
    p.add_argument(
        "--config",
        default=None,
        metavar="NAME",
        help="named config: tiny, tour, baby (default), shakespeare (gpt only)",
    )
    p.add_argument(
        "-o", "--out", metavar="CKPT", help="checkpoint to write (default textgen-MODEL.npz)"
    )
    p.add_argument("--resume", metavar="CKPT", help="continue training from a checkpoint")
    p.add_argument(
        "--plot", metavar="PNG", help="loss-curve figure (default: beside the checkpoint)"
    )
    p.add_argument(
        "--sample",
        type=int,
        default=300,
        metavar="N",
        help="characters to sample at the end (default 300; 0 for none)",
    )
    add_seed(p, default=None, help="random seed (default: the config's, 1337)")
    add_json(p)
    return p


def _sample_parser(prog: str) -> Parser:
    p = Parser(prog=f"{prog} sample", description="Generate text from a trained checkpoint.")
    p.add_argument(
        "prompt",
        nargs="?",
        default=DEFAULT_PROMPT,
        help=f"text to continue (default {DEFAULT_PROMPT!r}); characters outside the "
        "model's vocabulary are dropped with a warning",
    )
    p.add_argument(
        "--ckpt", default=str(_default_ckpt("gpt")), help="checkpoint (default textgen-gpt.npz)"
    )
    p.add_argument(
        "--max-chars", type=int, default=400, help="characters to generate (default 400)"
    )
    p.add_argument(
        "--temperature", type=float, default=0.8, help="> 0; lower is safer (default 0.8)"
    )
    p.add_argument("--top-k", type=int, default=40, help="sample among the k likeliest (0: all)")
    add_seed(p)
    add_json(p)
    return p


def _ladder_parser(prog: str) -> Parser:
    p = Parser(
        prog=f"{prog} ladder",
        description="Train bigram, MLP and GPT on the same split; print their validation losses.",
    )
    p.add_argument("--data", metavar="FILE", help="a UTF-8 text file (default: tiny Shakespeare)")
    p.add_argument("--config", default="tour", help="named config for mlp and gpt (default tour)")
    p.add_argument("--plot", metavar="PNG", help="write the loss curves there")
    add_seed(p, default=None, help="random seed (default: the config's)")
    add_json(p)
    return p


def _overrides(rest: list[str], parser: Parser) -> list[str]:
    for arg in rest:
        if not arg.startswith("--"):
            parser.error(f"unexpected argument {arg!r}")
    return rest


def _train(argv: list[str], prog: str) -> int:
    from mltutorial.apps.textgen import app

    parser = _train_parser(prog)
    args, rest = parser.parse_known_args(argv)
    overrides = _overrides(rest, parser)
    if args.seed is not None:
        overrides = [*overrides, f"--seed={args.seed}"]
    output_file(args.out)  # a bad path fails now, not after training
    output_file(args.plot, "--plot")
    if args.resume and (args.config or args.model != "gpt"):
        raise UserError(
            "--resume takes the model and config from the checkpoint; "
            "drop --model/--config (--key=value overrides still apply)"
        )
    run = app.train_command(
        data=args.data,
        model=args.model,
        config=args.config or "baby",
        overrides=overrides,
        out=args.out,
        resume=args.resume,
        plot=args.plot,
    )
    result = run.result
    report = {
        "dataset": run.corpus.label,
        "model": result.kind,
        "config": run.config_name,
        "params": result.n_params,
        "iters": result.step,
        "train_loss": result.train_loss,
        "val_loss": result.val_loss,
        "seconds": result.seconds,
        "checkpoint": str(run.ckpt),
        "figure": str(run.figure) if run.figure else None,
    }
    sample = ""
    if args.sample > 0:
        from mltutorial.apps.textgen.sample import generate

        sample = generate(result.model, run.corpus.vocab, "\n", max_chars=args.sample, seed=0)
    if args.json:
        print_json({**report, "sample": sample})
        return 0
    print(
        f"data        {run.corpus.label}  ({len(run.corpus.train):,} train / "
        f"{len(run.corpus.val):,} val characters, vocabulary {run.corpus.vocab.size})"
    )
    print(f"model       {result.kind} ({run.config_name}), {result.n_params:,} parameters")
    print(f"trained     {result.step} iterations in {result.seconds:.1f} s")
    print(f"loss        train {result.train_loss:.4f}, val {result.val_loss:.4f} nats/char")
    print(f"checkpoint  {run.ckpt}")
    if run.figure:
        print(f"figure      {run.figure}")
    if sample:
        print("sample:\n" + sample.strip("\n"))
    return 0


def _sample(argv: list[str], prog: str) -> int:
    from mltutorial.apps.textgen import app
    from mltutorial.apps.textgen.sample import generate

    args = _sample_parser(prog).parse_args(argv)
    if args.max_chars < 0:
        raise UserError(f"--max-chars must be >= 0 (got {args.max_chars})")
    if not args.temperature > 0:
        raise UserError(f"--temperature must be > 0 (got {args.temperature})")
    if args.top_k < 0:
        raise UserError(f"--top-k must be >= 0, 0 for all characters (got {args.top_k})")
    model, vocab, meta = app.load_checkpoint(args.ckpt)
    start = time.perf_counter()
    text = generate(
        model,
        vocab,
        args.prompt,
        max_chars=args.max_chars,
        temperature=args.temperature,
        top_k=args.top_k or None,
        seed=args.seed,
    )
    if args.json:
        print_json(
            {
                "checkpoint": args.ckpt,
                "model": meta["model"],
                "prompt": args.prompt,
                "text": text,
                "seconds": time.perf_counter() - start,
            }
        )
    else:
        print(text)
    return 0


def _ladder(argv: list[str], prog: str) -> int:
    from mltutorial.apps.textgen import app

    parser = _ladder_parser(prog)
    args, rest = parser.parse_known_args(argv)
    overrides = _overrides(rest, parser)
    if args.seed is not None:
        overrides = [*overrides, f"--seed={args.seed}"]
    output_file(args.plot, "--plot")
    ladder = app.run_ladder(data=args.data, config=args.config, overrides=overrides, plot=args.plot)
    rows = [
        {
            "model": r.kind,
            "params": r.n_params,
            "iters": r.step,
            "val_loss": r.val_loss,
            "train_loss": r.train_loss,
            "seconds": r.seconds,
        }
        for r in ladder.results
    ]
    if args.json:
        print_json(
            {
                "dataset": ladder.corpus.label,
                "config": args.config,
                "rungs": rows,
                "figure": ladder.figure,
            }
        )
        return 0
    print(f"{ladder.corpus.label}: validation loss, nats per character (config {args.config})")
    print(f"{'model':<8} {'params':>10} {'iters':>6} {'train':>7} {'val':>7} {'seconds':>8}")
    for r in rows:
        print(
            f"{r['model']:<8} {r['params']:>10,} {r['iters']:>6} {r['train_loss']:>7.4f} "
            f"{r['val_loss']:>7.4f} {r['seconds']:>8.1f}"
        )
    if ladder.figure:
        print(f"figure: {ladder.figure}")
    return 0


COMMANDS = {
    "train": (_train, "train a model (bigram, mlp or gpt) and save a checkpoint"),
    "sample": (_sample, "generate text from a checkpoint, from a prompt"),
    "ladder": (_ladder, "train all three rungs on one split and compare validation losses"),
}


def main(argv: list[str], prog: str = "mltutorial generate") -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: {prog} {{{','.join(COMMANDS)}}} [options]\n")
        print("ChatGPT's text generation, in miniature: character-level language models from")
        print("bigram counts to a small GPT on the engine (tiny Shakespeare by default).\n")
        for name, (_, help_) in COMMANDS.items():
            print(f"  {name:<8} {help_}")
        print(f"\nRun '{prog} COMMAND --help' for its options.")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        raise UserError(f"unknown subcommand {name!r} (choose from {', '.join(COMMANDS)})")
    return COMMANDS[name][0](rest, prog)


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except (UserError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
