"""`mltutorial anomaly evaluate`: the detectors side by side on fraud, particles and ODDS tables."""

from __future__ import annotations

from mltutorial.clitools import Parser, add_json, add_seed, print_json
from mltutorial.errors import UserError
from mltutorial.progress import progress


def main(argv: list[str], prog: str) -> int:
    from mltutorial.apps.anomaly import experiments as ex

    parser = Parser(
        prog=prog, description="Unsupervised anomaly detection: detectors side by side."
    )
    parser.add_argument("action", choices=["evaluate"])
    parser.add_argument(
        "--dataset",
        default="all",
        help="kddcup99, hep, odds:NAME (e.g. odds:cardio), odds (the tour's ODDS set) or all",
    )
    parser.add_argument("--quick", action="store_true", help="smaller samples, fewer epochs")
    add_seed(parser)
    add_json(parser)
    args = parser.parse_args(argv)
    name = args.dataset
    runs = []
    if name in ("all", "kddcup99"):
        runs.append(lambda: ex.fraud(args.seed, args.quick))
    if name in ("all", "hep"):
        runs.append(lambda: ex.particles(args.seed, args.quick))
    if name in ("all", "odds"):
        runs += [lambda n=n: ex.odds(n, args.seed, args.quick) for n in ex.ODDS_TOUR]
    if name.startswith("odds:"):
        runs.append(lambda: ex.odds(name.split(":", 1)[1], args.seed, args.quick))
    if not runs:
        raise UserError(f"unknown dataset {name!r}: use kddcup99, hep, odds, odds:NAME or all")
    results = [run() for run in progress(runs, "datasets")]
    if args.json:
        print_json(
            {r.name: {"data": r.data, "roc_auc": r.auc, "average_precision": r.ap} for r in results}
        )
        return 0
    for r in results:
        print(f"{r.name}  [{r.data}; {r.n_test} scored, {r.anomaly_rate:.1%} anomalies]")
        for key in r.auc:
            print(
                f"  {key:<18} ROC-AUC {r.auc[key]:.3f}   AP {r.ap[key]:.3f}   {r.seconds[key]:.1f} s"
            )
    return 0
