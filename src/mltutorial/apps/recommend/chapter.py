"""Tour chapter "Netflix": the recommender ladder on MovieLens, learned tastes, reasons, cold start.

Default tour configuration: the official fold u1 only (the full 5-fold table comes from
`mltutorial recommend train`); quick (tests): an 80/20 split of the first 200 users' ratings, small MF.
"""

from __future__ import annotations

import numpy as np

from mltutorial.apps.recommend import dataset as ds
from mltutorial.apps.recommend.evaluate import COLUMNS, LADDER, evaluate
from mltutorial.apps.recommend.figures import genre_axes, plot_embeddings, plot_rmse_vs_factors
from mltutorial.apps.recommend.model import MovieRecommender
from mltutorial.apps.recommend.tuning import biases_validation_rmse, rmse_vs_factors
from mltutorial.chapter import ORDER_DAILY_LIFE, Chapter, ChapterContext, ChapterOutput, Table
from mltutorial.errors import UserError

SLIDE = "Netflix: Recommendation systems: COLLABORATIVE FILTERING / CONTENT-BASED FILTERING"
NEWCOMER = ["Toy Story (1995)", "Aladdin (1992)", "Lion King, The (1994)"]

# The RMSE-vs-factors curve uses lr 0.01, which converges in fewer epochs than the default
# (bench/RESULTS.md's tuning table), so the curve's five epochs fit the tour's time budget.
TOUR = {"folds": 1, "users": None, "mf": {}, "factors": [2, 10, 50, 100], "factor_epochs": 5}
QUICK = {
    "folds": 1,
    "users": 200,
    "mf": {"n_factors": 20, "num_epochs": 3},
    "factors": [2, 20],
    "factor_epochs": 2,
}


def _first_users(data: ds.Dataset, n_users: int, seed: int) -> ds.Dataset:
    """The ratings of the first `n_users` users with a seeded 80/20 split (quick config: u1's
    test set holds whole blocks of the first users' ratings, so a u1 subset would be lopsided)."""
    index = np.flatnonzero(data.ratings.user < n_users)
    r = data.ratings.subset(index)
    ratings = ds.Ratings(r.user, r.item, r.rating, n_users, r.n_items)
    train_idx, test_idx = ds.validation_split(len(ratings), 0.2, seed)
    name = f"first {n_users} users, 80/20"
    return ds.Dataset(
        ratings,
        data.catalog,
        [(name, train_idx, test_idx)],
        data.label,
        data.citation,
        data.licence,
        data.is_fallback,
    )


def run(ctx: ChapterContext) -> ChapterOutput:
    cfg = QUICK if ctx.quick else TOUR
    data = ds.load()
    if cfg["users"] and data.ratings.n_users > cfg["users"]:
        data = _first_users(data, cfg["users"], ctx.seed)
    mf_params = {**cfg["mf"], "seed": ctx.seed}
    result = evaluate(data, LADDER, folds=cfg["folds"], mf_params=mf_params)
    fold_name, train_idx, _ = data.folds[0]
    train = data.ratings.subset(train_idx)
    rec = MovieRecommender.from_models(train, data.catalog, data.label, result.models)

    min_ratings = 50 if len(train) > 20000 else 5
    figures = [
        plot_embeddings(
            rec.mf_.Q_,
            data.catalog,
            rec.popularity_,
            ctx.out_dir / "recommend_embeddings.png",
            min_ratings,
        )
    ]
    axes_text = genre_axes(rec.mf_.Q_, data.catalog, rec.popularity_, min_ratings)
    base = {**mf_params, "num_epochs": cfg["factor_epochs"], "lr": 0.01}
    base.pop("n_factors", None)
    trials = rmse_vs_factors(train, cfg["factors"], base, seed=ctx.seed)
    biases_val = biases_validation_rmse(train, seed=ctx.seed)
    figures.append(
        plot_rmse_vs_factors(trials, ctx.out_dir / "recommend_rmse_vs_factors.png", biases_val)
    )

    samples = []
    user = 1
    samples.append(f"user {user}, hybrid (fitted on {fold_name}):")
    samples += [r.line(n) for n, r in enumerate(rec.recommend(user, 5, "hybrid"), 1)]
    liked = []
    for title in NEWCOMER:
        try:
            liked.append(rec.find_item(title))
        except UserError:  # the built-in sample may lack a title
            continue
    if not liked:
        liked = [int(np.argmax(rec.popularity_))]
    names = ", ".join(data.catalog.titles[i] for i in liked)
    samples.append(f"newcomer who likes {names} (cold start, hybrid):")
    samples += [r.line(n) for n, r in enumerate(rec.new_user(liked, 5, "hybrid"), 1)]
    try:
        star = rec.find_item("Star Wars (1977)")
    except UserError:  # the built-in sample may lack it
        star = liked[0]
    samples.append(f"movies like {data.catalog.titles[star]} (content):")
    samples += [r.line(n) for n, r in enumerate(rec.similar(star, 5, "content"), 1)]

    mf_rmse = result.mean("mf", "rmse")
    numbers = {"folds": result.folds, **result.to_json()}
    numbers["rmse_vs_factors"] = {str(t.params["n_factors"]): t.best_rmse for t in trials}
    summary = (
        f"{fold_name}: RMSE mean {result.mean('mean', 'rmse'):.3f} -> biases "
        f"{result.mean('biases', 'rmse'):.3f} -> MF {mf_rmse:.3f} -> Bayesian MF "
        f"{result.mean('bpmf', 'rmse'):.3f}; hybrid "
        f"{result.mean('hybrid', 'rmse'):.3f}; P@10 hybrid {result.mean('hybrid', 'precision'):.3f}"
    )
    text = (
        f"Seven recommenders, from the global mean to a hybrid, were fitted on the training ratings "
        f"of fold {fold_name} and scored on its held-out ratings (RMSE, MAE; lower is better). "
        "Content-based filtering compares a user's taste profile with each movie's genres and title "
        "words; collaborative filtering learns from everyone's ratings: item-item neighbours, and "
        "matrix factorisation that gives every user and movie a vector of latent 'tastes', trained "
        "by gradient descent on the engine. Bayesian MF is the same model learned by Gibbs "
        "sampling: alternating least squares in which every solve is a random draw from what the "
        "data allow, the predictions of many such draws averaged; it needs no learning rate or "
        "regularisation to tune and overfits less.\n\n"
        "Ranking: for each test user every movie they had not rated is ranked; precision@10 is the "
        "share of the top 10 that the user rated 4 or more in the test fold, coverage the share of "
        "the catalogue that appears in someone's top 10.\n\n"
        "The embedding figure shows the learned movie vectors in 2-D (PCA). Nobody told the model "
        f"the genres; measured on the genre centres: {axes_text or 'too few movies to tell'}. "
        "The RMSE-vs-factors curve is measured on a validation split of the training fold.\n\n"
        "The five-fold table (u1..u5, as the Surprise library reports it) comes from "
        "`mltutorial recommend train`."
    )
    return ChapterOutput(
        summary=summary,
        numbers=numbers,
        figures=figures,
        data=data.label,
        citation=data.citation,
        licence=data.licence,
        text=text,
        tables=[Table(f"The ladder on {fold_name}", COLUMNS, result.rows())],
        samples=samples,
    )


CHAPTER = Chapter(
    name="recommend",
    title="Netflix: recommending movies",
    slide=SLIDE,
    order=ORDER_DAILY_LIFE + 2,
    command="mltutorial recommend train",
    run=run,
)
