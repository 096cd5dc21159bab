"""`mltutorial spam train | classify | evaluate`: train a spam filter, use it, measure it.

    mltutorial spam train                          # the ladder on the SMS Spam Collection, saves the neuron
    mltutorial spam train --data ~/mail --model nb -o my-filter.npz     # ~/mail/ham/, ~/mail/spam/
    mltutorial spam train --solver gd --epochs 20  # the neuron by gradient descent instead of L-BFGS
    mltutorial spam classify "WINNER! Call 09061701461 to claim your prize"     -> spam 0.998
    echo "see you at 6" | mltutorial spam classify -                           -> ham 0.012
    mltutorial spam evaluate --model-file my-filter.npz --data other-mail/ --json

classify prints one line per message: the verdict and p(spam). Messages from a file or stdin are one
per line (blank lines are skipped); bytes that are not UTF-8 are replaced, not refused; a message is
read up to its first 100,000 characters. Without --model-file, classify uses the filter `train`
saved last (in the user cache).
"""

from __future__ import annotations

import sys
from typing import Any

from mltutorial.clitools import (
    Parser,
    add_json,
    add_seed,
    figures_after,
    output_dir,
    output_file,
    print_json,
)
from mltutorial.config import check_config
from mltutorial.errors import UserError
from mltutorial.files import input_file

JSON_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "train_seconds")


def _add_data(p: Parser) -> None:
    p.add_argument(
        "--data",
        metavar="PATH",
        help="an SMS-style TSV (label<TAB>text), the SpamAssassin .tar.xz, or a folder with ham/ and spam/",
    )
    p.add_argument(
        "--dataset", metavar="NAME", help="a registry dataset: sms (default) or spamassassin"
    )


def _parser(prog: str) -> Parser:
    from .filter import default_model_path

    parser = Parser(prog=prog, description="Gmail's anti-spam: train, classify, evaluate.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    t = sub.add_parser(
        "train", help="train the model ladder and save a filter", prog=f"{prog} train"
    )
    _add_data(t)
    t.add_argument(
        "--model",
        choices=("nb", "neuron", "mlp", "all"),
        default="all",
        help="which model to train (all: the whole ladder; the neuron is saved)",
    )
    t.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help=f"where to save the filter (default {default_model_path()})",
    )
    t.add_argument(
        "--tune-threshold",
        action="store_true",
        help="pick the spam threshold by F1 on a validation split of the training data (default 0.5)",
    )
    t.add_argument("--figures", metavar="DIR", help="also write the figures (PNG) into DIR")
    t.add_argument(
        "--solver",
        choices=("lbfgs", "gd"),
        default="lbfgs",
        help="how the neuron learns: lbfgs, full-batch L-BFGS to convergence (default), or gd, "
        "mini-batch gradient descent (Adam) on the engine; both follow the same gradient",
    )
    t.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs of the neuron with --solver gd (default 10)",
    )
    add_seed(t)
    add_json(t)

    c = sub.add_parser(
        "classify",
        help="classify messages: prints 'spam 0.998' / 'ham 0.012'",
        description=(
            "Prints one line per message: the verdict and p(spam). With --file or '-', each line is "
            "one message (blank lines are skipped); with --mail, each file is one raw e-mail. Bytes "
            "that are not UTF-8 are replaced; a message is read up to its first 100,000 characters."
        ),
    )
    c.prog = f"{prog} classify"
    c.add_argument("texts", nargs="*", metavar="TEXT", help="messages to classify; '-' reads stdin")
    c.add_argument("--file", metavar="F", help="read messages from F, one per line")
    c.add_argument(
        "--mail",
        metavar="FILE",
        nargs="+",
        help="raw e-mail files (RFC 822, e.g. .eml): each is one message (subject + body)",
    )
    c.add_argument("--model-file", metavar="FILE", default=None, help="a filter saved by train")

    e = sub.add_parser("evaluate", help="measure a saved filter on a labelled corpus")
    e.prog = f"{prog} evaluate"
    e.add_argument("--model-file", metavar="FILE", default=None, help="a filter saved by train")
    _add_data(e)
    add_json(e)
    return parser


def _print_table(rows: dict[str, dict[str, float]], title: str) -> None:
    print(title)
    print(
        f"  {'model':<9} {'accuracy':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'ROC-AUC':>8} {'train s':>8}"
    )
    for name, m in rows.items():
        secs = m.get("train_seconds")
        print(
            f"  {name:<9} {m['accuracy']:>9.2%} {m['precision']:>9.3f} {m['recall']:>7.3f} "
            f"{m['f1']:>6.3f} {m['roc_auc']:>8.3f} {'' if secs is None else f'{secs:8.2f}':>8}"
        )


def _json_models(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {k: m[k] for k in JSON_METRICS if k in m} for name, m in rows.items()}


def _train(args: Any) -> int:
    from . import plots
    from .filter import default_model_path
    from .ladder import LadderConfig, load_corpus, train_ladder

    corpus = load_corpus(args.data, args.dataset)
    models = (
        ("majority", "nb", "neuron", "mlp") if args.model == "all" else ("majority", args.model)
    )
    cfg = LadderConfig(
        models=models,
        seed=args.seed,
        tune_threshold=args.tune_threshold,
        neuron_solver=args.solver,
    )
    if args.epochs is not None:
        if args.solver != "gd":
            raise UserError("--epochs counts gradient descent's epochs: give it with --solver gd")
        if args.epochs < 1:
            raise UserError("--epochs must be at least 1")
        cfg.neuron_epochs = args.epochs
    check_config(cfg)
    out = output_file(args.output) if args.output else default_model_path()  # fail before training
    if args.figures:
        output_dir(args.figures, "--figures")
    result = train_ladder(corpus, cfg)
    saved = "neuron" if args.model == "all" else args.model
    result.results[saved].filter.save(out)
    with figures_after(out):
        figures = plots.plot_all(result, args.figures) if args.figures else []
    if args.json:
        shown = {n: r.metrics for n, r in result.results.items() if n != "majority"}
        print_json(
            {
                "dataset": result.dataset,
                "n_train": result.n_train,
                "n_test": result.n_test,
                "models": _json_models(shown),
            }
        )
        return 0
    rows = {n: r.metrics for n, r in result.results.items()}
    _print_table(
        rows,
        f"{result.dataset}: {result.n_train} training / {result.n_test} test messages "
        f"(stratified, seed {args.seed}), {result.n_features} TF-IDF features",
    )
    threshold = result.results[saved].metrics["threshold"]
    print(f"saved the {saved} filter (spam if p >= {threshold:.3f}) to {out}")
    for path in figures:
        print(f"figure: {path}")
    return 0


def _read_messages(args: Any) -> list[str]:
    """Messages from the arguments, --file or stdin ('-'): decoded leniently, blank lines skipped."""
    if sum(bool(x) for x in (args.file, args.texts, args.mail)) > 1:
        raise UserError("give messages as arguments, with --file or with --mail: one of them")
    if args.mail:
        from mltutorial.data import mail_text

        from .features import MAX_CHARS

        messages = []
        for name in args.mail:
            path = input_file(name, "mail file")
            messages.append(mail_text(path.read_bytes())[:MAX_CHARS])
        return messages
    if args.file:
        path = input_file(args.file, "message file")
        return _lines(path.read_bytes(), str(path))
    if not args.texts:
        raise UserError(
            "nothing to classify: give a message, --file F, --mail F, or - to read stdin"
        )
    messages: list[str] = []
    for text in args.texts:
        if text == "-":
            if sys.stdin is None:  # started with stdin closed (<&-)
                raise UserError("'-' reads stdin, but stdin is closed")
            messages += _lines(sys.stdin.buffer.read(), "stdin")
        elif not text.strip():
            raise UserError("empty message: nothing to classify")
        else:
            messages.append(text)
    return messages


def _lines(data: bytes, where: str) -> list[str]:
    from .features import MAX_CHARS

    lines = data.decode("utf-8", errors="replace").splitlines()
    messages = [line[:MAX_CHARS] for line in lines if line.strip()]
    if not messages:
        raise UserError(f"no messages in {where} (it is empty or only blank lines)")
    return messages


def _classify(args: Any) -> int:
    from .filter import SpamFilter, default_model_path

    flt = SpamFilter.load(args.model_file or default_model_path())
    messages = _read_messages(args)
    out = sys.stdout
    for label, p in flt.classify(messages):
        out.write(f"{label} {p:.3f}\n")
    out.flush()
    return 0


def _evaluate(args: Any) -> int:
    from .filter import SpamFilter, default_model_path
    from .ladder import evaluate, load_corpus

    flt = SpamFilter.load(args.model_file or default_model_path())
    corpus = load_corpus(args.data, args.dataset)
    if len(corpus) == 0:
        raise UserError("the corpus has no messages")
    m = evaluate(flt, corpus)
    trained = flt.meta.get("test", {})
    if "train_seconds" in trained:
        m["train_seconds"] = trained["train_seconds"]
    if args.json:
        print_json(
            {
                "dataset": corpus.info.label,
                "n_train": flt.meta.get("n_train"),
                "n_test": len(corpus),
                "models": _json_models({flt.model_name: m}),
            }
        )
        return 0
    _print_table(
        {flt.model_name: m},
        f"{flt.model_name} filter trained on {flt.meta.get('dataset', '?')}, measured on all "
        f"{len(corpus)} messages of {corpus.info.label} (threshold {flt.threshold:.3f})",
    )
    same_data = flt.meta.get("data_path") == (str(corpus.info.path) if corpus.info.path else None)
    if same_data and flt.meta.get("dataset") == corpus.info.label:
        print("note: same corpus as training: these numbers include the training messages")
    return 0


def main(argv: list[str], prog: str = "mltutorial spam") -> int:
    args = _parser(prog).parse_args(argv)
    if args.action == "train":
        return _train(args)
    if args.action == "classify":
        return _classify(args)
    return _evaluate(args)
