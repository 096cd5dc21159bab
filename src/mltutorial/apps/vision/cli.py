"""`mltutorial vision train|predict`: train an image classifier on the engine, use it on your images."""

from __future__ import annotations

import sys

import numpy as np

from mltutorial.clitools import Parser, add_json, add_seed, dispatch, output_file, print_json
from mltutorial.errors import UserError

DATASETS = ("fashion_mnist", "cifar10", "mnist", "digits", "galaxy_zoo")


def _train(argv: list[str], prog: str) -> int:
    from mltutorial import data
    from mltutorial.apps.vision import galaxies_cli
    from mltutorial.apps.vision.model import ImageClassifier

    if galaxies_cli.wants_galaxies(argv):  # its own options (task, crop) and metrics
        return galaxies_cli.train(argv, prog)
    parser = Parser(prog=prog, description="Train an image classifier (CNN or MLP) on the engine.")
    parser.add_argument("--dataset", choices=DATASETS, default="fashion_mnist")
    parser.add_argument("--arch", choices=("cnn", "mlp"), default="cnn")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="use only this many training images")
    parser.add_argument("-o", "--output", help="save the model to this .npz file")
    add_seed(parser)
    add_json(parser)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.limit < 0:
        parser.error("--epochs must be at least 1 and --limit not negative")
    output_file(args.output)  # a bad path fails now, not after training
    images = getattr(data, f"load_{args.dataset}")()
    if len(images.X_train) == 0:
        raise UserError(f"{images.info.label} has no training images here: {images.info.notes}")
    if len(images.X_test) == 0:
        raise UserError(f"{images.info.label} has no test images here: {images.info.notes}")
    X, y = images.X_train, images.y_train
    if args.limit:
        pick = np.random.default_rng(args.seed).permutation(len(X))[: args.limit]
        X, y = X[pick], y[pick]
    model = ImageClassifier(arch=args.arch, num_epochs=args.epochs, seed=args.seed)
    model.fit(X, y, images.classes, images.max_value)  # the trainer draws the progress bar
    accuracy = model.score(images.X_test, images.y_test)
    if args.output:
        model.save(args.output)
    result = {
        "dataset": images.info.label,
        "arch": args.arch,
        "n_train": len(X),
        "test_accuracy": accuracy,
        "parameters": model.n_params_,
        "seconds": model.fit_seconds_,
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"{args.arch} on {images.info.label}: test accuracy {accuracy:.2%} "
            f"({model.n_params_:,} parameters, {model.fit_seconds_:.0f} s)"
        )
        if args.output:
            print(f"saved: {args.output}")
    return 0


def _read_image(path: str, shape: tuple[int, int, int], max_value: float) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    from mltutorial.files import input_file

    c, h, w = shape
    input_file(path, "image")  # a FIFO would block the open forever
    try:
        with Image.open(path) as img:  # PIL refuses a decompression bomb (> ~179 Mpixels)
            img = img.convert("L" if c == 1 else "RGB").resize((w, h))
    except Image.DecompressionBombError:
        raise UserError(f"{path}: image too large to decode safely") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable image ({exc})") from None
    arr = np.asarray(img, dtype=np.float32) * (max_value / 255.0)
    return arr.reshape(h, w, c).transpose(2, 0, 1)


def _predict(argv: list[str], prog: str) -> int:
    from mltutorial.apps.vision import galaxies_cli
    from mltutorial.apps.vision.model import ImageClassifier

    if galaxies_cli.is_galaxy_model(argv):  # a galaxy model crops and answers its own way
        return galaxies_cli.predict(argv, prog)
    parser = Parser(
        prog=prog, description="Classify image files (PNG, JPEG, ...) with a saved model."
    )
    parser.add_argument("images", nargs="+", help="image files")
    parser.add_argument("--model-file", required=True)
    parser.add_argument("-k", type=int, default=3, help="classes shown per image")
    add_json(parser)
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("-k must be at least 1")
    model = ImageClassifier.load(args.model_file)
    read, failed = [], 0
    for path in args.images:  # a bad image is one line; the others still get their answer
        try:
            read.append((path, _read_image(path, model.shape_, model.max_value_)))
        except UserError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            failed += 1
    if not read:
        return 2
    proba = model.predict_proba(np.stack([x for _, x in read]))
    out = {}
    for (path, _), p in zip(read, proba):
        top = np.argsort(-p)[: args.k]
        out[path] = [(model.classes_[j], float(p[j])) for j in top]
    if args.json:
        print_json({k: [{"class": c, "probability": q} for c, q in v] for k, v in out.items()})
    else:
        for path, top in out.items():
            print(f"{path}: " + ", ".join(f"{c} ({q:.3f})" for c, q in top))
    return 2 if failed else 0


def main(argv: list[str], prog: str) -> int:
    return dispatch(
        argv,
        prog,
        "Supervised image classification on the engine.",
        {"train": _train, "predict": _predict},
    )
