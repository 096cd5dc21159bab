"""`mltutorial vision train --dataset galaxy_zoo` and `vision predict` with a galaxy model.

    mltutorial vision train --dataset galaxy_zoo -o galaxies.npz      # elliptical vs spiral
    mltutorial vision train --dataset galaxy_zoo --task gz1 -o gz1.npz
    mltutorial vision predict --model-file galaxies.npz my_galaxy.jpg other.png [--json]

`vision predict` reads any image Pillow reads (any size, RGB or grey), crops its centre as the
training images were cropped, and prints the slide's way: "my_galaxy.jpg: spiral (0.97)". An image
it cannot read is one line on stderr; the others still get their answer; the exit status is then 2.
"""

from __future__ import annotations

import argparse
import itertools
import sys

import numpy as np

from mltutorial.clitools import Parser, add_json, add_seed, output_file, print_json
from mltutorial.errors import UserError
from mltutorial.files import input_file
from mltutorial.progress import bar


def wants_galaxies(argv: list[str]) -> bool:
    """True when a `vision train` command line asks for the galaxy_zoo dataset."""
    return "--dataset=galaxy_zoo" in argv or any(
        a == "--dataset" and b == "galaxy_zoo" for a, b in itertools.pairwise(argv)
    )


def is_galaxy_model(argv: list[str]) -> bool:
    """True when the `--model-file` of a `vision predict` command line is a galaxy model."""
    import json

    path = next((b for a, b in itertools.pairwise(argv) if a == "--model-file"), None)
    path = path or next((a.split("=", 1)[1] for a in argv if a.startswith("--model-file=")), None)
    if path is None:
        return False
    try:
        with np.load(input_file(path, "model file"), allow_pickle=False) as z:
            return json.loads(str(z["__meta__"])).get("format") == "mltutorial.galaxies"
    except Exception:  # not ours, not readable, or not a regular file: the vision path says which
        return False


def crop_arg(text: str) -> float | str:
    """--crop's value: "auto" or a number."""
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or auto, got {text!r}") from None


def metrics(y: np.ndarray, y_hat: np.ndarray, classes: list[str]) -> dict:
    """Accuracy, balanced accuracy (mean recall per class) and the confusion matrix (true x pred)."""
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix

    return {
        "accuracy": float((y == y_hat).mean()),
        "balanced_accuracy": float(balanced_accuracy_score(y, y_hat)),
        "confusion": confusion_matrix(y, y_hat, labels=range(len(classes))).tolist(),
        "classes": list(classes),
        "n_test": len(y),
    }


def train(argv: list[str], prog: str) -> int:
    from mltutorial.apps.vision.galaxies import TASKS, GalaxyClassifier, task_labels
    from mltutorial.data import load_galaxy_zoo

    parser = Parser(
        prog=prog, description="Train a Galaxy Zoo classifier (CNN or MLP) on the engine."
    )
    parser.add_argument("--dataset", choices=("galaxy_zoo",), required=True)
    parser.add_argument("--task", choices=TASKS, default="spiral")
    parser.add_argument("--arch", choices=("cnn", "mlp"), default="cnn")
    parser.add_argument("--epochs", type=int, default=40, help="passes over the data (default 40)")
    parser.add_argument("--size", type=int, default=32, help="image side in pixels after the crop")
    parser.add_argument(
        "--crop",
        type=crop_arg,
        default=0.35,
        help='centre fraction of each cutout, or "auto": sized to each galaxy (Petrosian radius)',
    )
    parser.add_argument("--width", type=int, default=16, help="channels of the first conv layer")
    parser.add_argument(
        "--convs",
        type=int,
        choices=(1, 2),
        default=2,
        help="conv layers per block: 2 (the default) is more accurate, 1 twice as fast",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="elliptical vs spiral: call a galaxy a spiral from this p(spiral) (default 0.67 for "
        "the two-conv CNN, chosen on validation; 0.5 otherwise; lower finds more spirals)",
    )
    parser.add_argument("--limit", type=int, default=0, help="use only this many training images")
    parser.add_argument("-o", "--output", help="save the model to this .npz file")
    add_seed(parser)
    add_json(parser)
    args = parser.parse_args(argv)
    if args.threshold is not None and not 0 < args.threshold < 1:
        parser.error("--threshold must be between 0 and 1")
    if args.epochs < 1 or args.limit < 0 or args.size < 8 or args.width < 1:
        parser.error("--epochs, --size (>= 8) and --width must be positive, --limit not negative")
    if args.crop != "auto" and not 0.05 <= args.crop <= 1:
        parser.error("--crop must be between 0.05 and 1, or auto")
    output_file(args.output)  # a bad path fails now, not after training
    images = load_galaxy_zoo(size=args.size, crop=args.crop, seed=args.seed)
    X, y = images.X_train, images.y_train
    if args.limit:
        pick = np.random.default_rng(args.seed).permutation(len(X))[: args.limit]
        X, y = X[pick], y[pick]
    model = GalaxyClassifier(
        task=args.task,
        arch=args.arch,
        num_epochs=args.epochs,
        width=args.width,
        convs=args.convs,
        threshold=args.threshold,
        seed=args.seed,
    )
    n_used = int(task_labels(y, args.task)[0].sum())
    progress = bar(args.epochs * max(1, n_used // model.batch_size), f"training {args.arch}")

    def tick(loss: float) -> None:
        progress.update(1)
        progress.set_postfix(loss=f"{loss:.3f}")

    model.fit(X, y, on_step=tick)
    progress.close()
    model.crop_ = args.crop
    keep, y_test, classes = task_labels(images.y_test, args.task)
    result = metrics(y_test, model.predict(images.X_test[keep]), classes)
    if args.output:
        model.save(args.output)
    result.update(
        dataset=images.info.label,
        task=args.task,
        arch=args.arch,
        n_train=n_used,
        parameters=model.n_params_,
        seconds=model.fit_seconds_,
    )
    if args.json:
        print_json(result)
        return 0
    print(
        f"{args.arch} on {images.info.label} ({args.task}): test accuracy "
        f"{result['accuracy']:.1%}, balanced accuracy {result['balanced_accuracy']:.1%} "
        f"({model.n_params_:,} parameters, {model.fit_seconds_:.0f} s)"
    )
    w = max(len(c) for c in classes)
    print(f"confusion matrix (rows: true, columns: predicted; {result['n_test']} test galaxies)")
    for c, row in zip(classes, result["confusion"]):
        print(f"  {c:<{w}}  " + " ".join(f"{v:>5}" for v in row))
    if args.output:
        print(f"saved: {args.output}")
    return 0


def predict(argv: list[str], prog: str) -> int:
    from mltutorial.apps.vision.galaxies import GalaxyClassifier
    from mltutorial.data.galaxies import read_galaxy

    parser = Parser(prog=prog, description="Classify galaxy images with a saved galaxy model.")
    parser.add_argument("images", nargs="+", help="image files (JPEG, PNG, ...; any size)")
    parser.add_argument("--model-file", required=True)
    parser.add_argument("-k", type=int, default=1, help="classes shown per image")
    add_json(parser)
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("-k must be at least 1")
    model = GalaxyClassifier.load(args.model_file)
    size = model.shape_[1]
    good, arrays, failed = [], [], 0
    for path in args.images:
        try:
            arrays.append(read_galaxy(path, size, model.crop_))
            good.append(path)
        except UserError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            failed += 1
    proba = model.predict_proba(np.stack(arrays)) if arrays else np.zeros((0, 1))
    decided = model.predict_from_proba(proba) if arrays else []
    out = {}
    for path, p, first in zip(good, proba, decided):
        # the model's answer first (its threshold, not the larger probability), then by probability
        rest = [int(j) for j in np.argsort(-p) if j != first]
        top = [int(first), *rest[: args.k - 1]]
        out[path] = [(model.classes_[j], float(p[j])) for j in top]
    if args.json:
        print_json({k: [{"class": c, "probability": q} for c, q in v] for k, v in out.items()})
    else:
        for path, top in out.items():
            print(f"{path}: " + ", ".join(f"{c} ({q:.2f})" for c, q in top))
    return 2 if failed else 0
