"""`mltutorial recommend`: train and evaluate the ladder, recommend for a user, find similar movies,
and recommend for a newcomer who names a few movies they like.

    mltutorial recommend train [--data PATH] [--method all] [--folds 5] [-o model.npz] [--json]
    mltutorial recommend for --user 42 [-k 10] [--method hybrid] [--model-file model.npz]
    mltutorial recommend similar "Star Wars (1977)" [--method hybrid]
    mltutorial recommend new --like "Toy Story (1995)" --like "Aladdin"

`for`, `similar` and `new` use --model-file when given; without it they fit every model on all the
ratings of --data (MovieLens 100k by default) on the fly, which takes some seconds; use
`train -o FILE` once and `--model-file FILE` after that.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mltutorial.clitools import (
    Parser,
    add_json,
    add_seed,
    figures_after,
    output_dir,
    output_file,
    print_json,
)
from mltutorial.errors import UserError

METHODS = ("content", "collaborative", "hybrid")


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        metavar="PATH",
        help="MovieLens folder: ml-100k (u.data, u.item) or ratings.csv + movies.csv "
        "(default: the registry: $MLTUTORIAL_DATA, the cache, or a built-in sample)",
    )


def _add_mf(p: argparse.ArgumentParser) -> None:
    from mltutorial.apps.recommend.mf import GIBBS_FACTORS, SOLVERS, MatrixFactorization

    d = MatrixFactorization()
    p.add_argument(
        "--factors",
        type=int,
        default=None,
        help=f"MF latent factors (default {d.n_factors}; {GIBBS_FACTORS} per draw with --solver gibbs)",
    )
    p.add_argument(
        "--epochs", type=int, default=d.num_epochs, help=f"MF epochs (default {d.num_epochs})"
    )
    p.add_argument("--lr", type=float, default=d.lr, help=f"MF Adam learning rate (default {d.lr})")
    p.add_argument(
        "--reg", type=float, default=d.reg, help=f"MF L2 regularisation (default {d.reg})"
    )
    p.add_argument(
        "--solver",
        choices=SOLVERS,
        default=d.solver,
        help="how MF learns: fused (Adam, gradients by hand, fast), engine (Adam, autograd: the "
        f"lesson) or gibbs (Bayesian, Gibbs sampling: the bpmf rung) (default {d.solver})",
    )


def _mf_params(args: argparse.Namespace) -> dict:
    if (
        (args.factors is not None and args.factors < 1)
        or args.epochs < 1
        or args.lr <= 0
        or args.reg < 0
    ):
        raise UserError("--factors and --epochs must be >= 1, --lr > 0, --reg >= 0")
    return {
        "n_factors": args.factors,
        "num_epochs": args.epochs,
        "lr": args.lr,
        "reg": args.reg,
        "solver": args.solver,
        "seed": args.seed,
    }


def _add_use(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", type=int, default=10, help="how many movies (default 10)")
    p.add_argument("--method", choices=METHODS, default="hybrid", help="default hybrid")
    p.add_argument(
        "--model-file", metavar="FILE", help="a model saved by 'recommend train -o FILE'"
    )
    _add_data(p)
    add_seed(p)
    add_json(p)


def _parser(prog: str) -> Parser:
    parser = Parser(
        prog=prog,
        description="Netflix's recommender on MovieLens.\n\n" + __doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(
        dest="command", metavar="{train,for,similar,new}", parser_class=Parser
    )
    sub.required = True
    t = sub.add_parser(
        "train", help="evaluate the ladder on the folds; optionally save a model (-o)"
    )
    _add_data(t)
    t.add_argument(
        "--method",
        default="all",
        help="comma-separated rungs among mean,biases,content,knn,mf,bpmf,hybrid (default all)",
    )
    t.add_argument(
        "--folds",
        type=int,
        default=None,
        help="evaluate on the first N folds (default all; 0 = skip)",
    )
    t.add_argument("--no-ranking", action="store_true", help="skip precision/recall@10 (faster)")
    t.add_argument(
        "-o", "--output", metavar="FILE", help="fit every rung on all ratings and save here"
    )
    t.add_argument(
        "--figures", metavar="DIR", help="write the embedding and RMSE-vs-factors figures here"
    )
    _add_mf(t)
    add_seed(t)
    add_json(t)
    f = sub.add_parser("for", help="recommend movies for a known user")
    f.add_argument("--user", type=int, required=True, help="MovieLens user id (1-based)")
    _add_use(f)
    s = sub.add_parser("similar", help="movies similar to a movie")
    s.add_argument("title", help='a movie title, e.g. "Star Wars (1977)" or "star wars"')
    _add_use(s)
    n = sub.add_parser("new", help="cold start: recommend for someone who names movies they like")
    n.add_argument(
        "--like", action="append", required=True, metavar="TITLE", help="a movie you like (repeat)"
    )
    _add_use(n)
    return parser


def _load_data(path: str | None):
    from mltutorial.apps.recommend import dataset

    if path is not None and not Path(path).exists():
        raise UserError(f"{path}: no such file or folder")
    return dataset.load(path)


def _train(args: argparse.Namespace) -> int:
    from mltutorial.apps.recommend.evaluate import COLUMNS, LADDER, evaluate
    from mltutorial.apps.recommend.hybrid import MEMBERS
    from mltutorial.apps.recommend.model import MovieRecommender

    methods = (
        LADDER
        if args.method == "all"
        else tuple(m.strip() for m in args.method.split(",") if m.strip())
    )
    unknown = [m for m in methods if m not in LADDER]
    if not methods:
        raise UserError(
            f"--method {args.method!r} names no method; choose from {', '.join(LADDER)} or all"
        )
    if unknown:
        raise UserError(f"unknown method {unknown[0]!r}; choose from {', '.join(LADDER)} or all")
    if "hybrid" in methods:  # the hybrid blends these: evaluate them first, in ladder order
        methods = tuple(m for m in LADDER if m in methods or m in MEMBERS)
    if args.folds is not None and args.folds < 0:
        raise UserError("--folds must be >= 0")
    if args.folds == 0 and not (args.output or args.figures):
        raise UserError("--folds 0 skips the evaluation: give -o FILE and/or --figures DIR")
    output_file(args.output)  # fail before minutes of training, not after
    if args.figures:
        output_dir(args.figures, "--figures")
    mf_params = _mf_params(args)
    data = _load_data(args.data)
    out: dict = {"dataset": data.label, "folds": 0, "models": {}, "ranking": {}}
    if args.folds != 0:
        result = evaluate(
            data, methods, folds=args.folds, ranking=not args.no_ranking, mf_params=mf_params
        )
        out = result.to_json()
        if not args.json:
            print(f"{data.label}: {len(data.ratings)} ratings, folds {', '.join(result.folds)}")
            _print_table(COLUMNS, result.rows())
    if args.output or args.figures:
        start = time.perf_counter()
        rec = MovieRecommender(mf_params=mf_params).fit_dataset(data)
        if args.output:
            rec.save(args.output)
            if not args.json:
                print(
                    f"saved every rung fitted on all {len(data.ratings)} ratings to {args.output} "
                    f"({time.perf_counter() - start:.1f} s)"
                )
        if args.figures:
            with figures_after(args.output):
                _figures(rec, data, mf_params, Path(args.figures), quiet=args.json)
    if args.json:
        print_json(out)
    return 0


def _figures(rec, data, mf_params: dict, folder: Path, quiet: bool) -> None:
    from mltutorial.apps.recommend.figures import plot_embeddings, plot_rmse_vs_factors
    from mltutorial.apps.recommend.tuning import biases_validation_rmse, rmse_vs_factors

    emb = plot_embeddings(
        rec.mf_.Q_, data.catalog, rec.popularity_, folder / "recommend_embeddings.png"
    )
    train = data.ratings.subset(data.folds[0][1]) if data.folds else data.ratings
    trials = rmse_vs_factors(
        train, [1, 5, 20, 50, 100, 200], {k: v for k, v in mf_params.items() if k != "n_factors"}
    )
    curve = plot_rmse_vs_factors(
        trials, folder / "recommend_rmse_vs_factors.png", biases_validation_rmse(train)
    )
    if not quiet:
        print(f"figures: {emb}, {curve}")


def _print_table(columns: list[str], rows: list[list]) -> None:
    cells = [[("" if v is None else f"{v}") for v in row] for row in rows]
    widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def _recommender(args: argparse.Namespace, titles: list[str]):
    """(recommender, item indices of `titles`); names and the user id are checked before fitting."""
    import numpy as np

    from mltutorial.apps.recommend.model import MovieRecommender
    from mltutorial.apps.recommend.titles import TitleIndex

    if args.model_file:
        rec = MovieRecommender.load(args.model_file)
        items = [rec.find_item(t) for t in titles]
        if args.command == "for":
            rec.check_user(args.user)
        return rec, items
    data = _load_data(args.data)
    popularity = np.bincount(data.ratings.item, minlength=data.ratings.n_items)
    index = TitleIndex(data.catalog.titles, popularity)
    items = [index.find(t) for t in titles]  # fail fast, before minutes of fitting
    if args.command == "for" and not 1 <= args.user <= data.ratings.n_users:
        raise UserError(f"unknown user {args.user}; users are numbered 1..{data.ratings.n_users}")
    start = time.perf_counter()
    print(
        f"(no --model-file: fitting on all {len(data.ratings)} ratings of {data.label} ...)",
        file=sys.stderr,
    )
    need_hybrid = args.command == "for" and args.method == "hybrid"
    rec = MovieRecommender(mf_params={"seed": args.seed}).fit_dataset(data, hybrid=need_hybrid)
    print(
        f"(fitted in {time.perf_counter() - start:.1f} s; 'recommend train -o FILE' saves a model)",
        file=sys.stderr,
    )
    return rec, items


def _show(header: str, recs, as_json: bool, extra: dict) -> int:
    if as_json:
        print_json(
            {
                **extra,
                "recommendations": [
                    {
                        "item": r.item,
                        "title": r.title,
                        "score": round(r.score, 4),
                        "score_name": r.score_name,
                        "because": r.because,
                    }
                    for r in recs
                ],
            }
        )
        return 0
    print(header)
    for rank, r in enumerate(recs, 1):
        print(r.line(rank))
    return 0


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    if args.command == "train":
        return _train(args)
    if args.k < 1:
        raise UserError("-k must be >= 1")
    if args.command == "for":
        rec, _ = _recommender(args, [])
        recs = rec.recommend(args.user, args.k, args.method)
        return _show(
            f"top {args.k} for user {args.user} ({args.method}):",
            recs,
            args.json,
            {"user": args.user, "method": args.method},
        )
    if args.command == "similar":
        rec, (item,) = _recommender(args, [args.title])
        recs = rec.similar(item, args.k, args.method)
        title = rec.catalog_.titles[item]
        return _show(
            f"movies like {title} ({args.method}):",
            recs,
            args.json,
            {"movie": title, "method": args.method},
        )
    rec, items = _recommender(args, args.like)
    recs = rec.new_user(items, args.k, args.method)
    liked = [rec.catalog_.titles[i] for i in items]
    return _show(
        f"for someone who likes {', '.join(liked)} ({args.method}):",
        recs,
        args.json,
        {"liked": liked, "method": args.method},
    )
