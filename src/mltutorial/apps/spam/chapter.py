"""The tour's chapter for the slide "Gmail — Anti-spam algorithms — Spam / Non-spam".

Trains the ladder (majority, naive Bayes, one neuron, MLP) on the SMS Spam Collection (or the
built-in sample when it is absent), shows the model table, the figures and a few test messages as the
neuron classifies them. Alone, with more options: `mltutorial spam train --figures DIR`.
"""

from __future__ import annotations

import textwrap

import numpy as np

from mltutorial.chapter import ORDER_DAILY_LIFE, Chapter, ChapterContext, ChapterOutput, Table

SLIDE = "Gmail — Anti-spam algorithms — Spam / Non-spam"


def _config(quick: bool, seed: int):
    from .ladder import LadderConfig

    if quick:  # the tests' run: a subsample, words only, few MLP epochs (a few seconds)
        return LadderConfig(seed=seed, max_train=1500, char_ngrams=None, mlp_epochs=4)
    return LadderConfig(seed=seed)


def _samples(result, k: int = 3) -> list[str]:
    """A few test messages with the neuron's verdict: spam and ham it got right, and its mistakes."""
    r = result.results["neuron"]
    y, y_hat, p = result.y_test, r.y_pred, r.y_score
    picks: list[tuple[str, int]] = []
    for title, mask in (
        ("spam, caught", (y == 1) & (y_hat == 1)),
        ("ham, let through", (y == 0) & (y_hat == 0)),
        ("spam the neuron missed", (y == 1) & (y_hat == 0)),
        ("ham flagged as spam", (y == 0) & (y_hat == 1)),
    ):
        idx = np.flatnonzero(mask)[:k]
        picks += [(title, int(i)) for i in idx]
    lines = []
    for title, i in picks:
        text = " ".join(result.test_texts[i].split())
        text = textwrap.shorten(text, width=90, placeholder=" ...")
        verdict = "spam" if y_hat[i] else "ham"
        lines.append(f"{verdict} {p[i]:.3f}  [{title}]  {text}")
    return ["\n".join(lines)] if lines else []


def run(ctx: ChapterContext) -> ChapterOutput:
    from . import plots
    from .ladder import load_corpus, train_ladder

    corpus = load_corpus()
    result = train_ladder(corpus, _config(ctx.quick, ctx.seed))
    figures = plots.plot_all(result, ctx.out_dir)
    res = result.results
    best = result.best()
    rows = [
        [
            plots.LABELS[name],
            r.metrics["accuracy"],
            r.metrics["precision"],
            r.metrics["recall"],
            r.metrics["f1"],
            r.metrics["roc_auc"],
            r.metrics["train_seconds"],
        ]
        for name, r in res.items()
    ]
    table = Table(
        title=f"The ladder on {result.dataset}: {result.n_test} held-out messages",
        columns=["model", "accuracy", "precision", "recall", "F1 (spam)", "ROC-AUC", "train s"],
        rows=rows,
    )
    spam_words, ham_words = plots.top_words(res["neuron"].filter, k=8)
    neuron, nb = res["neuron"].metrics, res["nb"].metrics
    numbers = {
        "n_train": result.n_train,
        "n_test": result.n_test,
        "n_features": result.n_features,
        "best_model": best,
        **{f"{name}_{k}": v for name, r in res.items() for k, v in r.metrics.items()},
    }
    best_m = res[best].metrics
    summary = (
        f"{plots.LABELS[best]} best: accuracy {best_m['accuracy']:.2%}, F1 {best_m['f1']:.3f}; "
        + (
            f"naive Bayes F1 {nb['f1']:.3f}"
            if best == "neuron"
            else f"one neuron F1 {neuron['f1']:.3f}, naive Bayes {nb['f1']:.3f}"
        )
    )
    text = (
        f"Four models on one stratified 80/20 split of {result.dataset} ({result.n_train} training, "
        f"{result.n_test} test messages), following the talk's 'start simple, increase size "
        f"wisely'. Always answering 'ham' is already {res['majority'].metrics['accuracy']:.1%} "
        f"accurate and catches no spam at all, which is why spam filters are judged on the F1 of "
        f"the spam class.\n\n"
        f"Messages become {result.n_features:,} TF-IDF features: lowercased words, with links, "
        f"phone numbers, prices, e-mail addresses and other numbers each folded into one token, "
        f"plus character n-grams inside words. Naive Bayes reads word counts. One neuron, "
        f"sigmoid(w . x + b), reaches F1 {neuron['f1']:.3f} (naive Bayes {nb['f1']:.3f}); a "
        f"small MLP on the same features, trained by gradient descent on the engine, "
        f"{res['mlp'].metrics['f1']:.3f}. "
        f"The neuron learns from the gradient of its cross-entropy, X^T (p - y) / n: gradient "
        f"descent would step down it a little at a time; L-BFGS uses the same gradient smarter, "
        f"remembering its last steps to estimate how the cost curves, and converges in "
        f"{res['neuron'].filter.model.n_iter_} steps, each over the whole training set "
        f"(`--solver gd` trains it by gradient descent instead). "
        f"Spam is any message with p(spam) >= 0.5.\n\n"
        f"The neuron's weights are readable: most toward spam {', '.join(w for w, _ in spam_words)}; "
        f"most toward ham {', '.join(w for w, _ in ham_words)}."
    )
    return ChapterOutput(
        summary=summary,
        numbers=numbers,
        figures=figures,
        data=corpus.info.label,
        citation=corpus.info.citation,
        licence=corpus.info.licence,
        text=text,
        tables=[table],
        samples=_samples(result),
    )


CHAPTER = Chapter(
    name="spam",
    title="Gmail's anti-spam: one neuron against spam",
    slide=SLIDE,
    order=ORDER_DAILY_LIFE + 1,
    command="mltutorial spam train --figures spam-figures",
    run=run,
)
