"""Tour chapter: supervised learning, image classification (a baseline, an MLP and a CNN)."""

from __future__ import annotations

import dataclasses
import time
import warnings

import numpy as np

from mltutorial.chapter import (
    ORDER_HOW_MACHINES_LEARN,
    Chapter,
    ChapterContext,
    ChapterOutput,
    Table,
)


def load_images(prefer: tuple[str, ...] = ("fashion_mnist", "digits")):
    """The first image set of `prefer` the registry finds for real, else the last one's fallback."""
    from mltutorial.data.image_sets import first_image_set

    return first_image_set(prefer)[1]


def plot_predictions(images, X, y, proba, path, title, n=12):
    from mltutorial import viz

    fig, axes = viz.figure(ncols=6, nrows=(n + 5) // 6, width=1.9, height=2.2)
    for ax, i in zip(axes.ravel(), range(n)):
        img = X[i].transpose(1, 2, 0).squeeze()
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        best = int(proba[i].argmax())
        ok = best == int(y[i])
        ax.set_title(
            f"{images.classes[best]} ({proba[i, best]:.2f})",
            fontsize=8,
            color="#1b7f3b" if ok else "#b3261e",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    return viz.save(fig, path, title=title)


def plot_confusion(classes, y, y_hat, path):
    from sklearn.metrics import confusion_matrix

    from mltutorial import viz

    cm = confusion_matrix(y, y_hat, labels=range(len(classes)))
    fig, ax = viz.figure(width=6.5, height=5.5)
    im = ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(classes)), classes, fontsize=8)
    ax.set(xlabel="predicted class", ylabel="true class")
    ax.grid(False)
    for (i, j), v in np.ndenumerate(cm):
        ax.text(
            j,
            i,
            str(v),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v > cm.max() / 2 else "black",
        )
    fig.colorbar(im, ax=ax, label="test images")
    return viz.save(fig, path, title="Where the CNN is wrong: confusion matrix")


def _run(ctx: ChapterContext) -> ChapterOutput:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    from mltutorial.apps.vision.model import ImageClassifier

    images = load_images()
    rng = np.random.default_rng(ctx.seed)
    n_train = min(len(images.X_train), 2000 if ctx.quick else 6000)
    n_test = min(len(images.X_test), 500 if ctx.quick else 2000)
    tr = rng.choice(len(images.X_train), n_train, replace=False)
    te = rng.choice(len(images.X_test), n_test, replace=False)
    X, y = images.X_train[tr], images.y_train[tr]
    Xt, yt = images.X_test[te], images.y_test[te]
    # keep the set's names and provenance, not its 70,000 images: the chapter uses its sample only
    images = dataclasses.replace(images, X_train=X[:0], y_train=y[:0], X_test=Xt[:0], y_test=yt[:0])
    rows, acc, params = [], {}, {}

    start = time.perf_counter()
    # float32 pixels, as the engine's networks get them: the solver's matrix products take half
    # the time they take in float64
    flat = X.reshape(len(X), -1).astype(np.float32) / images.max_value
    with warnings.catch_warnings():  # lbfgs may stop at max_iter: the baseline is what it is
        warnings.simplefilter("ignore", ConvergenceWarning)
        logreg = LogisticRegression(max_iter=200 if ctx.quick else 500).fit(flat, y)
    acc["logistic regression (scikit-learn)"] = float(
        logreg.score(Xt.reshape(len(Xt), -1).astype(np.float32) / images.max_value, yt)
    )
    params["logistic regression (scikit-learn)"] = int(logreg.coef_.size + logreg.intercept_.size)
    rows.append(
        [
            "logistic regression (scikit-learn)",
            params["logistic regression (scikit-learn)"],
            acc["logistic regression (scikit-learn)"],
            time.perf_counter() - start,
        ]
    )
    epochs = 1 if ctx.quick else 2
    probas = {}  # arch -> (n_test, n_classes): each model predicts the test set once
    for arch in ("mlp", "cnn"):
        name = f"{arch.upper()} (engine)"
        model = ImageClassifier(arch=arch, num_epochs=epochs, seed=ctx.seed)
        model.fit(X, y, images.classes, images.max_value)
        probas[arch] = model.predict_proba(Xt)
        acc[name] = float((probas[arch].argmax(axis=1) == yt).mean())
        params[name] = model.n_params_
        rows.append([name, params[name], acc[name], model.fit_seconds_])

    proba = probas["cnn"]
    figs = [
        plot_predictions(
            images,
            Xt,
            yt,
            proba,
            ctx.out_dir / "predictions.png",
            "CNN predictions on test images (green: right, red: wrong)",
        ),
        plot_confusion(images.classes, yt, proba.argmax(axis=1), ctx.out_dir / "confusion.png"),
    ]
    samples = [
        "\n".join(
            f"test image {i:>3} (truly {images.classes[int(yt[i])]}): "
            + ", ".join(
                f"{images.classes[j]} ({proba[i, j]:.3f})" for j in np.argsort(-proba[i])[:3]
            )
            for i in range(6)
        )
    ]
    best = max(acc, key=acc.get)
    return ChapterOutput(
        summary=f"test accuracy: CNN {acc['CNN (engine)']:.1%}, MLP {acc['MLP (engine)']:.1%}, "
        f"logistic regression {acc['logistic regression (scikit-learn)']:.1%}",
        numbers={
            "n_train": n_train,
            "n_test": n_test,
            "epochs": epochs,
            "accuracy": acc,
            "parameters": params,
            "best": best,
        },
        figures=figs,
        data=images.info.label,
        citation=images.info.citation,
        licence=images.info.licence,
        text=(
            "Supervised learning is task-driven: every training image comes with its label, and the "
            "model is graded on images it never saw. The ladder starts simple (a linear model on raw "
            "pixels from scikit-learn) and adds size wisely: a dense network, then a convolutional one, "
            "both trained on the engine with Adam for the same number of epochs.\n\n"
            "Each prediction is a probability per class, as on the slide's 'Cat (0.999)'."
        ),
        tables=[
            Table(
                "The same images, three models",
                ["model", "parameters", "test accuracy", "seconds"],
                rows,
            )
        ],
        samples=samples,
    )


CHAPTER = Chapter(
    name="vision",
    title="Supervised learning: image classification",
    slide="Supervised → Task-driven → Classification: autonomous car, Galaxy Zoo",
    order=ORDER_HOW_MACHINES_LEARN + 1,
    command="mltutorial vision train --dataset fashion_mnist --epochs 5 -o fashion.npz",
    run=_run,
)
