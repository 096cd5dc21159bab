"""Tests for the recommender app (mltutorial.apps.recommend): metrics on real MovieLens when
MLTUTORIAL_DATA has it, everything else on the built-in sample so that it runs anywhere."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from helpers import need_data
from mltutorial.apps.recommend import dataset as ds
from mltutorial.apps.recommend.cli import main
from mltutorial.apps.recommend.evaluate import LADDER, evaluate
from mltutorial.apps.recommend.metrics import ranking_metrics
from mltutorial.apps.recommend.mf import MatrixFactorization
from mltutorial.apps.recommend.model import MovieRecommender
from mltutorial.apps.recommend.titles import TitleIndex
from mltutorial.errors import UserError

SMALL_MF = {"n_factors": 8, "num_epochs": 3}


@pytest.fixture(scope="module")
def sample():
    """The built-in MovieLens stand-in (no real data), and a recommender fitted on it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLTUTORIAL_DATA", raising=False)
        mp.setenv("XDG_CACHE_HOME", "/nonexistent-mltutorial-cache")
        data = ds.load()
    assert data.is_fallback
    rec = MovieRecommender(mf_params=SMALL_MF).fit_dataset(data)
    return data, rec


@pytest.fixture(scope="module")
def model_file(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "model.npz"
    sample[1].save(path)
    return path


def test_titles_forgiving():
    titles = [
        "Toy Story (1995)",
        "Godfather, The (1972)",
        "Romeo and Juliet (1968)",
        "Romeo and Juliet (1996)",
        "Misérables, Les (1995)",
        "Star Wars (1977)",
    ]
    index = TitleIndex(titles, popularity=np.array([10, 10, 3, 50, 1, 99]))
    assert index.find("Toy Story (1995)") == 0
    assert index.find("toy story") == 0
    assert index.find("  TOY STORY  ") == 0
    assert index.find("The Godfather") == 1
    assert index.find("godfather, the (1972)") == 1
    assert index.find("Romeo and Juliet") == 3  # no year: the most rated namesake
    assert index.find("Romeo and Juliet (1968)") == 2
    assert index.find("les miserables") == 4
    with pytest.raises(UserError, match="Star Wars \\(1977\\)"):
        index.find("Star Warz")
    with pytest.raises(UserError, match="unknown movie"):
        index.find("Toy Story (1999)")  # a known name in the wrong year is not guessed


def test_ranking_metrics_definition():
    """precision@k / recall@k on a hand-made case: 1 of the top 2 relevant, 1 of 2 relevant found."""

    class Fixed:
        def score_all(self, user):
            return np.array([0.9, 0.8, 0.7, 0.1, 0.0])

    train = ds.Ratings(np.array([0]), np.array([0]), np.array([5.0]), 1, 5)
    test = ds.Ratings(np.array([0, 0, 0]), np.array([1, 3, 2]), np.array([4.0, 5.0, 2.0]), 1, 5)
    r = ranking_metrics(Fixed(), train, test, k=2)  # top 2 of unrated {1,2,3,4}: items 1, 2
    assert r.precision == pytest.approx(0.5)
    assert r.recall == pytest.approx(0.5)
    assert r.coverage == pytest.approx(2 / 5)


def test_save_load_round_trip_identical(sample, model_file):
    data, rec = sample
    loaded = MovieRecommender.load(model_file)
    users = data.ratings.user[:500]
    items = data.ratings.item[:500]
    for name in ("biases_", "content_", "knn_", "mf_", "hybrid_"):
        a = getattr(rec, name).predict(users, items)
        b = getattr(loaded, name).predict(users, items)
        np.testing.assert_array_equal(a, b, err_msg=name)
    for method in ("content", "collaborative", "hybrid"):
        assert [r.title for r in rec.recommend(3, 5, method)] == [
            r.title for r in loaded.recommend(3, 5, method)
        ]
    liked = [loaded.find_item("Toy Story")]
    assert [r.item for r in rec.new_user(liked)] == [r.item for r in loaded.new_user(liked)]


def test_cold_start_and_explanations(sample):
    data, rec = sample
    toy = rec.find_item("toy story")
    recs = rec.new_user([toy], k=5, method="hybrid")
    assert len(recs) == 5 and toy not in [r.item for r in recs]
    assert all("because you liked Toy Story (1995)" in r.because for r in recs)
    content = rec.new_user([toy], k=5, method="content")
    genres = set(data.catalog.genre_names)
    assert all(r.because and set(r.because.split(", ")) <= genres for r in content)
    # A known user: nothing they already rated, each with a reason.
    rated = set(data.ratings.item[data.ratings.user == 0].tolist())
    for r in rec.recommend(1, 10, "collaborative"):
        assert r.item not in rated and r.because.startswith("because you liked")


def test_user_and_title_errors(sample):
    rec = sample[1]
    with pytest.raises(UserError, match=r"users are numbered 1\.\.300"):
        rec.recommend(0)
    with pytest.raises(UserError, match="unknown method"):
        rec.recommend(1, method="magic")


def _run(argv, capsys):
    try:
        code = main(argv, prog="mltutorial recommend")
    except UserError as exc:  # mltutorial.cli turns this into one line and exit 2
        code, err = 2, str(exc)
        out = capsys.readouterr().out
        return code, out, err
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_with_model_file(model_file, capsys):
    code, out, _ = _run(
        ["similar", "star wars", "--model-file", str(model_file), "-k", "3"], capsys
    )
    assert code == 0 and "movies like Star Wars (1977)" in out and out.count("\n") == 4
    code, out, _ = _run(
        [
            "new",
            "--like",
            "Toy Story",
            "--like",
            "aladdin",
            "--model-file",
            str(model_file),
            "--json",
        ],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["liked"] == ["Toy Story (1995)", "Aladdin (1992)"]
    assert len(payload["recommendations"]) == 10
    code, out, _ = _run(["for", "--user", "7", "--model-file", str(model_file)], capsys)
    assert code == 0 and "top 10 for user 7" in out


def test_cli_errors(model_file, tmp_path, capsys):
    m = ["--model-file", str(model_file)]
    code, _, err = _run(["similar", "Star Warz (1977)", *m], capsys)
    assert code == 2 and "closest: 'Star Wars (1977)'" in err and "\n" not in err
    code, _, err = _run(["for", "--user", "5000", *m], capsys)
    assert code == 2 and "unknown user 5000" in err
    code, _, err = _run(["for", "--user", "1", "--model-file", str(tmp_path / "nope.npz")], capsys)
    assert code == 2 and "no such model file" in err
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(model_file.read_bytes()[:2000])
    code, _, err = _run(["for", "--user", "1", "--model-file", str(truncated)], capsys)
    assert code == 2 and "truncated" in err
    old = tmp_path / "old.npz"
    with zipfile.ZipFile(model_file) as z:
        arrays = {n[:-4]: np.load(z.open(n)) for n in z.namelist()}
    header = json.loads(str(arrays["header"]))
    arrays["header"] = np.array(json.dumps({**header, "version": 99}))
    np.savez(old, **arrays)
    code, _, err = _run(["for", "--user", "1", "--model-file", str(old)], capsys)
    assert code == 2 and "version 99" in err
    code, _, err = _run(["for", "--user", "1", "--method", "magic", *m], capsys)
    assert code == 2 and "invalid choice" in err
    code, _, err = _run(["train", "--method", "svd"], capsys)
    assert code == 2 and "unknown method 'svd'" in err
    code, _, err = _run(["train", "--data", str(tmp_path / "missing")], capsys)
    assert code == 2 and "no such file" in err


def test_csv_layout(tmp_path, capsys):
    """--data with MovieLens's CSV layout (ratings.csv, movies.csv; half stars)."""
    rng = np.random.default_rng(0)
    movies = ["movieId,title,genres"] + [
        f'{10 * i},"Film {i}, The ({1990 + i})",{["Action", "Comedy"][i % 2]}|Drama'
        for i in range(1, 31)
    ]
    ratings = ["userId,movieId,rating,timestamp"] + [
        f"{u},{10 * (i + 1)},{rng.integers(1, 11) / 2},{1_000_000 + u}"
        for u in range(1, 41)
        for i in rng.choice(30, 12, replace=False)
    ]
    (tmp_path / "movies.csv").write_text("\n".join(movies) + "\n")
    (tmp_path / "ratings.csv").write_text("\n".join(ratings) + "\n")
    argv = ["train", "--data", str(tmp_path), "--folds", "1", "--epochs", "2", "--json"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["folds"] == 1 and payload["models"]["mf"]["rmse"] > 0
    code, out, _ = _run(["similar", "film 3", "--data", str(tmp_path), "-k", "2"], capsys)
    assert code == 0 and "movies like Film 3, The (1993)" in out


def test_train_json_shape_and_save(no_real_data, tmp_path, capsys):
    out_file = tmp_path / "m.npz"
    argv = [
        "train",
        "--folds",
        "1",
        "--epochs",
        "2",
        "--factors",
        "4",
        "--json",
        "-o",
        str(out_file),
    ]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["dataset"].startswith("built-in sample standing in for MovieLens")
    assert payload["folds"] == 1
    assert set(payload["models"]) == {"mean", "biases", "content", "knn", "mf", "bpmf", "hybrid"}
    assert set(payload["models"]["mf"]) == {"rmse", "mae", "fit_seconds"}
    assert set(payload["ranking"]["mf"]) == {"precision_at_10", "recall_at_10", "coverage"}
    assert "mean" not in payload["ranking"]
    assert payload["models"]["mf"]["rmse"] < payload["models"]["mean"]["rmse"]
    assert MovieRecommender.load(out_file).ratings_.n_users == 300


def test_chapter_quick_on_fallback(no_real_data, tmp_path):
    from mltutorial.apps.recommend.chapter import CHAPTER
    from mltutorial.chapter import ChapterContext

    out = CHAPTER.run(ChapterContext(out_dir=tmp_path, quick=True))
    assert out.data.startswith("built-in sample standing in for")
    assert "GroupLens" in out.licence
    assert all(p.exists() and p.stat().st_size > 10_000 for p in out.figures)
    assert any("because you liked" in s for s in out.samples)
    assert len(out.tables[0].rows) == 7


def test_mf_single_fold_u1():
    """Fast check on real data (u1 only): MF beats the biases and meets a per-fold bound; the
    ranking numbers of the report (precision@10, coverage) hold within a tolerance."""
    need_data("movielens_100k")
    data = ds.load()
    assert data.folds[0][0] == "u1"
    result = evaluate(data, ("biases", "mf"), folds=1, ranking=True)
    mf = result.mean("mf", "rmse")
    assert mf < result.mean("biases", "rmse") - 0.03  # measured 0.9232 vs 0.9599
    assert mf <= 0.93  # u1 is the hardest fold (Surprise's SVD: 0.951 there)
    assert result.mean("mf", "precision") == pytest.approx(0.115, abs=0.02)
    assert result.mean("biases", "precision") == pytest.approx(0.141, abs=0.01)
    assert result.mean("mf", "coverage") > 3 * result.mean("biases", "coverage")


@pytest.mark.slow
def test_ladder_five_folds_rmse_goal():
    """The issue's goal: MF's 5-fold (u1..u5) mean RMSE <= 0.915 (Surprise's SVD: 0.934), and
    the rest of the ladder in order, as in bench/results/recommend.md: the hybrid, which blends
    every rung below it, at the top, on every fold."""
    need_data("movielens_100k")
    data = ds.load()
    result = evaluate(data, LADDER, ranking=False)
    assert result.folds == ["u1", "u2", "u3", "u4", "u5"]
    rmse = {name: result.mean(name, "rmse") for name in result.scores}
    assert rmse["mf"] <= 0.915
    assert rmse["mean"] == pytest.approx(1.126, abs=0.005)  # measured 1.1256
    assert rmse["biases"] == pytest.approx(0.9457, abs=0.002)  # = Surprise's BaselineOnly here
    assert rmse["knn"] == pytest.approx(0.9204, abs=0.002)  # = Surprise's KNNBaseline (item)
    assert rmse["mf"] == pytest.approx(0.9121, abs=0.003)
    assert rmse["mf"] < rmse["knn"] < rmse["content"] < rmse["biases"] < rmse["mean"]
    assert rmse["hybrid"] < rmse["bpmf"] < rmse["mf"]
    assert rmse["hybrid"] == pytest.approx(0.8957, abs=0.003)
    for fold in range(5):
        assert result.scores["hybrid"].rmse[fold] < result.scores["bpmf"].rmse[fold]
    u1 = {name: result.scores[name].rmse[0] for name in result.scores}  # the README's figures
    assert u1["mean"] == pytest.approx(1.154, abs=0.002)
    assert u1["biases"] == pytest.approx(0.960, abs=0.002)
    assert u1["mf"] == pytest.approx(0.923, abs=0.003)
    assert u1["bpmf"] == pytest.approx(0.913, abs=0.002)
    assert u1["hybrid"] == pytest.approx(0.906, abs=0.003)


def test_bpmf_u1_meets_the_goal_on_the_hardest_fold():
    """Bayesian MF (Gibbs) on u1, the fold where gradient-descent MF misses 0.915: it meets it, and
    beats MF there (bench/results/recommend.md has all five folds)."""
    need_data("movielens_100k")
    data = ds.load()
    result = evaluate(data, ("bpmf",), folds=1, ranking=False)
    assert result.mean("bpmf", "rmse") <= 0.915
    assert result.mean("bpmf", "rmse") == pytest.approx(0.9129, abs=0.002)


@pytest.mark.slow
def test_bpmf_every_official_fold_under_0915():
    """The issue's goal on all five folds: Bayesian MF's RMSE <= 0.915 on each of u1..u5."""
    need_data("movielens_100k")
    result = evaluate(ds.load(), ("bpmf",), ranking=False)
    per_fold = result.scores["bpmf"].rmse
    assert len(per_fold) == 5 and max(per_fold) <= 0.915
    assert np.mean(per_fold) == pytest.approx(0.9023, abs=0.002)


def test_gibbs_draws_from_the_right_posterior():
    """With the prior held fixed, the sampler's draws of one table have the closed-form mean and
    covariance (the ridge solution and the inverse precision), checked by Monte Carlo."""
    from scipy import sparse

    from mltutorial.apps.recommend.bpmf import _draw_rows

    rng = np.random.default_rng(1)
    Q = rng.normal(size=(6, 2))
    user, item = np.array([0, 0, 0, 1, 1]), np.array([0, 2, 5, 1, 3])
    r = np.array([1.0, -0.5, 0.3, 2.0, -1.0])
    seen = sparse.csr_matrix((np.ones(5), (user, item)), shape=(2, 6))
    rated = sparse.csr_matrix((r, (user, item)), shape=(2, 6))
    mu, Lam, alpha = np.array([0.1, -0.2]), np.array([[2.0, 0.3], [0.3, 1.0]]), 2.0
    draws = np.stack([_draw_rows(rng, seen, rated, Q, mu, Lam, alpha) for _ in range(20000)])
    for u in range(2):
        q = Q[item[user == u]]
        precision = Lam + alpha * q.T @ q
        mean = np.linalg.solve(precision, Lam @ mu + alpha * q.T @ r[user == u])
        np.testing.assert_allclose(draws[:, u].mean(0), mean, atol=0.02)
        np.testing.assert_allclose(np.cov(draws[:, u].T), np.linalg.inv(precision), atol=0.02)


def test_bpmf_tables_are_the_averaged_draws_and_seeded():
    rng = np.random.default_rng(0)
    n = 400
    data = ds.Ratings(
        rng.integers(0, 20, n), rng.integers(0, 30, n), rng.integers(1, 6, n).astype(float), 20, 30
    )
    a = MatrixFactorization(solver="gibbs", n_factors=3, n_samples=6, burn_in=2).fit(data)
    b = MatrixFactorization(solver="gibbs", n_factors=3, n_samples=6, burn_in=2).fit(data)
    assert a.P_.shape == (20, 12) and a.Q_.shape == (30, 12)  # 4 kept draws of rank 3
    np.testing.assert_array_equal(a.Q_, b.Q_)
    assert np.all((a.predict(data.user, data.item) >= 1) & (a.predict(data.user, data.item) <= 5))
    with pytest.raises(UserError, match="burn-in"):
        MatrixFactorization(solver="gibbs", n_samples=3, burn_in=3).fit(data)


def test_mf_fit_is_seeded():
    data = ds.Ratings(
        np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 2, 0]), np.array([5.0, 3, 4, 2, 1]), 3, 3
    )
    a = MatrixFactorization(n_factors=2, num_epochs=2, batch_size=2).fit(data)
    b = MatrixFactorization(n_factors=2, num_epochs=2, batch_size=2).fit(data)
    np.testing.assert_array_equal(a.Q_, b.Q_)


def test_mf_fused_gradients_match_autograd():
    """The hand-written gradients (solver="fused") are autograd's (solver="engine"): same tables."""
    rng = np.random.default_rng(0)
    n = 300
    data = ds.Ratings(
        rng.integers(0, 20, n), rng.integers(0, 30, n), rng.integers(1, 6, n).astype(float), 20, 30
    )
    params = {"n_factors": 4, "num_epochs": 3, "batch_size": 64, "lr": 0.01}
    fused = MatrixFactorization(**params, solver="fused").fit(data)
    auto = MatrixFactorization(**params, solver="engine").fit(data)
    np.testing.assert_allclose(fused.P_, auto.P_, atol=1e-5)
    np.testing.assert_allclose(fused.Q_, auto.Q_, atol=1e-5)
    np.testing.assert_allclose(fused.b_u_, auto.b_u_, atol=1e-5)
    np.testing.assert_allclose(fused.b_i_, auto.b_i_, atol=1e-5)
    np.testing.assert_allclose(fused.history_["train_loss"], auto.history_["train_loss"], rtol=1e-5)


def test_mf_unknown_solver_is_a_user_error():
    data = ds.Ratings(np.array([0, 1]), np.array([0, 1]), np.array([5.0, 3]), 2, 2)
    with pytest.raises(UserError, match="solver"):
        MatrixFactorization(solver="als").fit(data)


def test_mf_predict_in_chunks_equals_one_gather():
    mf = MatrixFactorization()
    rng = np.random.default_rng(0)
    mf.mu_, mf.b_u_, mf.b_i_ = 3.5, rng.normal(0, 0.3, 40), rng.normal(0, 0.3, 30)
    mf.P_, mf.Q_ = rng.normal(0, 0.5, (40, 8)), rng.normal(0, 0.5, (30, 8))
    user, item = rng.integers(0, 40, 1000), rng.integers(0, 30, 1000)
    direct = np.clip(
        mf.mu_ + mf.b_u_[user] + mf.b_i_[item] + np.einsum("nk,nk->n", mf.P_[user], mf.Q_[item]),
        1,
        5,
    )
    np.testing.assert_array_equal(mf.predict(user, item, chunk=64), direct)
