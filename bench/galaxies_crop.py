"""Fixed centre crop vs crop="auto" (sized to each galaxy) for the galaxy classifier, on validation.

    OPENBLAS_NUM_THREADS=1 MLTUTORIAL_DATA=/work/shared/data python bench/galaxies_crop.py
        [--crops 0.35,auto] [--seeds 1,2] [--epochs 20] [--k 1.2] [--bounds 0.15,0.8]

For each split seed, the training 80 % of load_galaxy_zoo(size=32, seed=0) is split again
(stratified, that seed); GalaxyClassifier (defaults: width 16, 8-fold TTA, blend 0.2) is fitted on
four fifths and scored on the fifth left out. The test split is never read. Printed per crop and
seed: accuracy and balanced accuracy at threshold one half, and the seconds the fit took.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mltutorial.apps.vision.galaxies import GalaxyClassifier, task_labels
from mltutorial.data import galaxies, load_galaxy_zoo
from mltutorial.data.galaxies import stratified_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crops", default="0.35,auto")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--k", type=float, default=None, help="crop=auto's AUTO_K (window reach)")
    parser.add_argument("--bounds", default=None, help="crop=auto's AUTO_BOUNDS, e.g. 0.28,0.5")
    args = parser.parse_args()
    if args.k is not None:
        galaxies.AUTO_K = args.k
    if args.bounds is not None:
        galaxies.AUTO_BOUNDS = tuple(float(b) for b in args.bounds.split(","))
    for crop in args.crops.split(","):
        d = load_galaxy_zoo(size=32, crop=crop if crop == "auto" else float(crop), seed=0)
        for seed in (int(s) for s in args.seeds.split(",")):
            fit, val = stratified_split(d.y_train, 0.2, seed=seed)
            keep, y, _ = task_labels(d.y_train[val], "spiral")
            t = time.perf_counter()
            model = GalaxyClassifier(convs=1, num_epochs=args.epochs, seed=seed)
            model.fit(d.X_train[fit], d.y_train[fit])
            y_hat = model.predict(d.X_train[val][keep])
            acc = float((y_hat == y).mean())
            bal = float(np.mean([(y_hat[y == c] == c).mean() for c in (0, 1)]))
            print(
                f"crop {crop}{f' (k {galaxies.AUTO_K:g}, {galaxies.AUTO_BOUNDS})' if crop == 'auto' else ''} split seed {seed}: {acc:.1%} / {bal:.1%} "
                f"({len(y)} galaxies, {time.perf_counter() - t:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
