"""Tour chapter: Google Translate's mapping between languages, learned from Don Quixote."""

from __future__ import annotations

import numpy as np

from mltutorial.chapter import ORDER_DAILY_LIFE, Chapter, ChapterContext, ChapterOutput, Table

SHOWN = [
    "one",
    "two",
    "three",
    "father",
    "house",
    "water",
    "king",
    "god",
    "good",
    "horse",
    "night",
    "eyes",
]


def _plot_map(model, path):
    from mltutorial import viz

    idx_src, idx_tgt = model.src_vocab_.index, model.tgt_vocab_.index
    shown = []
    for word in SHOWN:
        if word in idx_src:
            guess = model.translate(word, k=1)[0][0]
            shown.append((word, guess))
    if not shown:
        shown = [(w, model.translate(w, 1)[0][0]) for w in model.src_vocab_.words[50:62]]
    src = np.array([model.src_[idx_src[s]] @ model.W_ for s, _ in shown])
    tgt = np.array([model.tgt_[idx_tgt[t]] for _, t in shown])
    both = np.vstack([src, tgt])
    centred = both - both.mean(axis=0)
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ Vt[:2].T
    fig, ax = viz.figure(width=7, height=5.5)
    n = len(shown)
    ax.scatter(*xy[:n].T, color=viz.COLORS["train"], label="English word, mapped by W")
    ax.scatter(*xy[n:].T, color=viz.COLORS["val"], marker="s", label="Spanish word (its nearest)")
    for i, (s, t) in enumerate(shown):
        ax.annotate(
            s,
            xy[i],
            fontsize=9,
            color=viz.COLORS["train"],
            xytext=(3, 3),
            textcoords="offset points",
        )
        ax.annotate(
            t,
            xy[n + i],
            fontsize=9,
            color=viz.COLORS["val"],
            xytext=(3, -9),
            textcoords="offset points",
        )
        ax.plot(*np.stack([xy[i], xy[n + i]]).T, color="grey", lw=0.6, alpha=0.6)
    ax.set(xlabel="first principal direction", ylabel="second principal direction")
    ax.legend(loc="best")
    return viz.save(fig, path, title="Similar meanings are co-located: English mapped onto Spanish")


def _run(ctx: ChapterContext) -> ChapterOutput:
    from mltutorial import data, viz
    from mltutorial.apps.words import fallback
    from mltutorial.apps.words.model import WordMap

    corpus = data.load_en_es()
    dictionary = data.load_dictionary("en-es")
    vocab, dim = (1500, 40) if ctx.quick else (5000, 100)
    model = WordMap(method="ppmi", vocab_size=vocab, dim=dim, seed=ctx.seed)
    if corpus.info.is_fallback:
        en, es, pairs = fallback.corpus(ctx.seed)
        model.fit(en, es, pairs)
        data_label, citation, licence = fallback.LABEL, "", ""
    else:
        model.fit(corpus.en, corpus.es, dictionary.pairs)
        data_label = f"{corpus.info.label} + {dictionary.info.label}"
        citation = f"{corpus.info.citation} {dictionary.info.citation}".strip()
        licence = "; ".join(x for x in (corpus.info.licence, dictionary.info.licence) if x)
    nn_score, csls_score = model.score(csls=False), model.score(csls=True)
    chance = 1.0 / len(model.tgt_vocab_.words)

    fig, ax = viz.figure(width=6, height=3.8)
    names = ["chance", "nearest neighbour", "CSLS"]
    p1 = [chance, nn_score.precision_at_1, csls_score.precision_at_1]
    p5 = [5 * chance, nn_score.precision_at_5, csls_score.precision_at_5]
    x = np.arange(3)
    ax.bar(x - 0.2, p1, 0.4, label="precision@1")
    ax.bar(x + 0.2, p5, 0.4, label="precision@5")
    ax.set_xticks(x, names)
    ax.set(ylabel=f"held-out words translated right ({csls_score.n_pairs})", ylim=(0, 1))
    ax.legend()
    bars = viz.save(
        fig, ctx.out_dir / "translation_precision.png", title="English → Spanish by one rotation"
    )
    space = _plot_map(model, ctx.out_dir / "word_map.png")

    samples = [
        f"{src:>12} → {', '.join(guesses)}   (dictionary: {', '.join(answers[:4])})"
        for src, guesses, answers in csls_score.examples
    ]
    return ChapterOutput(
        summary=(
            f"en→es precision@1 {csls_score.precision_at_1:.1%} (@5 {csls_score.precision_at_5:.1%}) "
            f"on {csls_score.n_pairs} held-out words; chance {chance:.2%}"
        ),
        numbers={
            "vocab_size": vocab,
            "dim": dim,
            "train_pairs": len(model.train_pairs_),
            "test_words": csls_score.n_pairs,
            "precision_at_1": {
                "nearest": nn_score.precision_at_1,
                "csls": csls_score.precision_at_1,
            },
            "precision_at_5": {
                "nearest": nn_score.precision_at_5,
                "csls": csls_score.precision_at_5,
            },
            "chance_at_1": chance,
            "fit_seconds": model.fit_seconds_,
        },
        figures=[space, bars],
        data=data_label,
        citation=citation,
        licence=licence,
        text=(
            "Each language gets its own word vectors, learned only from which words appear near which "
            f"in its own text (positive PMI of ±{model.window}-word co-occurrences, then the top "
            f"{dim} singular directions). Nothing tells the two languages about each other.\n\n"
            "A single orthogonal matrix W, fitted on dictionary pairs (Procrustes), then rotates the "
            "English space onto the Spanish one. Words never used to fit W are translated by their "
            "nearest Spanish neighbour (CSLS corrects for 'hub' words); a guess counts as right if the "
            "MUSE dictionary lists it. Two 400k-word books are tiny next to the billions of words "
            "behind Google Translate, so expect rough, but far-above-chance, translations."
            + (
                "\n\nThis run used the built-in stand-in (the real books were not found): the "
                "'Spanish' is a cipher of the English, so its near-perfect precision only shows that "
                "the method works. Set MLTUTORIAL_DATA for the real thing."
                if corpus.info.is_fallback
                else ""
            )
        ),
        tables=[
            Table(
                "Held-out English words, translated by nearest Spanish vector",
                ["retrieval", "precision@1", "precision@5"],
                [
                    ["chance", chance, 5 * chance],
                    ["nearest neighbour", nn_score.precision_at_1, nn_score.precision_at_5],
                    ["CSLS", csls_score.precision_at_1, csls_score.precision_at_5],
                ],
            )
        ],
        samples=["\n".join(samples)],
    )


CHAPTER = Chapter(
    name="translate",
    title="Google Translate: mapping between languages",
    slide=(
        "Google translate — Mapping between languages. The semantic equivalence of words has been "
        "inferred by their context, so similar meanings are co-located."
    ),
    order=ORDER_DAILY_LIFE + 3,
    command="mltutorial words train --vocab 10000 --dim 200 -o words.npz",
    run=_run,
)
