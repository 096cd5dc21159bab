"""Galaxy Zoo: the loader, the sky's symmetries and the CW/ACW swap, the CLI's bad inputs, the chapter
with and without the data, and (slow) the elliptical-vs-spiral goal on the real images."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from helpers import need_data
from mltutorial.apps.vision.galaxies import (
    GalaxyClassifier,
    augment,
    dihedral,
    fit_logistic,
    mirrored_labels,
    simple_features,
    task_labels,
)
from mltutorial.chapter import ChapterContext
from mltutorial.cli import main
from mltutorial.data import load_galaxy_zoo
from mltutorial.data.galaxies import ACW, CW, EDGE_ON, ELLIPTICAL, read_galaxy, synthetic_galaxies
from mltutorial.errors import DataError, UserError


def test_the_eight_views_are_the_dihedral_group():
    X = np.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5)
    views = [dihedral(X, t) for t in range(8)]
    assert len({v.tobytes() for v in views}) == 8  # all distinct
    for v in views:  # closed: a view of a view is a view
        assert any(np.array_equal(dihedral(v, 1), w) for w in views)
        assert any(np.array_equal(dihedral(v, 4), w) for w in views)
    assert np.array_equal(dihedral(dihedral(X, 4), 4), X)  # a mirror is its own inverse


def test_a_mirror_swaps_clockwise_and_anticlockwise_a_rotation_does_not():
    y = np.array([ELLIPTICAL, CW, ACW, EDGE_ON, 4, 5])
    for t in range(4):
        assert np.array_equal(mirrored_labels(y, t, (CW, ACW)), y)
    for t in range(4, 8):
        assert mirrored_labels(y, t, (CW, ACW)).tolist() == [ELLIPTICAL, ACW, CW, EDGE_ON, 4, 5]
    assert np.array_equal(mirrored_labels(y, 5, None), y)  # elliptical vs spiral: nothing to swap


def test_the_synthetic_spirals_are_mirror_images_of_each_other():
    # the fallback's chirality is real: a mirrored clockwise spiral looks like an anti-clockwise one
    X, y = synthetic_galaxies(400, 32, seed=1)
    cw, acw = X[y == CW].astype(float).mean(0), X[y == ACW].astype(float).mean(0)
    mirrored = dihedral(X[y == CW][:, :, :, :], 4).astype(float).mean(0)
    assert np.abs(mirrored - acw).mean() < np.abs(cw - acw).mean()
    # augment keeps each image with its own (swapped where mirrored) label
    rng = np.random.default_rng(0)
    Xa, ya = augment(X[:50], y[:50], rng, (CW, ACW))
    assert Xa.shape == X[:50].shape and sorted(ya[y[:50] == ELLIPTICAL]) == [ELLIPTICAL] * int(
        (y[:50] == ELLIPTICAL).sum()
    )


def test_tta_swaps_back_so_a_mirror_image_gets_the_mirrored_answer(no_real_data):
    d = load_galaxy_zoo(size=16)
    model = GalaxyClassifier(task="gz1", num_epochs=1, width=4).fit(d.X_train, d.y_train)
    X = d.X_test[:20]
    p, p_mirror = model.predict_proba(X), model.predict_proba(np.ascontiguousarray(dihedral(X, 4)))
    assert np.allclose(p[:, [ELLIPTICAL, EDGE_ON]], p_mirror[:, [ELLIPTICAL, EDGE_ON]], atol=1e-5)
    assert np.allclose(p[:, CW], p_mirror[:, ACW], atol=1e-5)
    assert np.allclose(p.sum(axis=1), 1, atol=1e-5)


def test_fit_logistic_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    Z = rng.normal(size=(400, 5))
    y = (Z @ [1.5, -1.0, 0.5, 0.0, 2.0] + rng.normal(size=400) > 1.0).astype(np.int64)
    weight = len(y) / (2 * np.bincount(y))
    beta = fit_logistic(Z, y, weight, l2=1e-3)
    # ours: sum_i w_i loss_i + l2 N |w|^2 / 2; scikit-learn: C sum_i w_i loss_i + |w|^2 / 2
    ref = LogisticRegression(C=1 / (1e-3 * len(y)), class_weight=dict(enumerate(weight)), tol=1e-10)
    ref.fit(Z, y)
    assert np.allclose(beta, [ref.intercept_[0], *ref.coef_[0]], atol=1e-4)


def test_blend_and_threshold_survive_save_and_load(no_real_data, tmp_path):
    d = load_galaxy_zoo(size=16)
    model = GalaxyClassifier(num_epochs=1, width=4, blend=0.4, threshold=0.45)
    model.fit(d.X_train, d.y_train)
    p = model.predict_proba(d.X_test)
    assert p.shape == (len(d.X_test), 2) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(model.predict(d.X_test), (p[:, 1] >= 0.45).astype(int))
    assert np.array_equal(model.predict_from_proba(p), model.predict(d.X_test))
    again = GalaxyClassifier.load(model.save(tmp_path / "g.npz"))
    assert np.allclose(again.predict_proba(d.X_test), p, atol=1e-6)
    assert again.blend == 0.4 and again.threshold == 0.45


@pytest.mark.parametrize("convs", [1, 2])
def test_depth_survives_save_and_load_and_old_files_have_one_conv(no_real_data, tmp_path, convs):
    d = load_galaxy_zoo(size=16)
    model = GalaxyClassifier(num_epochs=1, width=4, convs=convs).fit(d.X_train, d.y_train)
    n_convs = sum(type(m).__name__ == "Conv2d" for m in model.net_)
    assert n_convs == 3 * convs + 1
    p = model.predict_proba(d.X_test)
    path = model.save(tmp_path / "g.npz")
    again = GalaxyClassifier.load(path)
    assert again.convs == convs and np.allclose(again.predict_proba(d.X_test), p, atol=1e-6)
    with np.load(path) as f:  # a file from before `convs` existed: its meta does not name it
        arrays = dict(f)
    meta = json.loads(str(arrays.pop("__meta__")))
    del meta["convs"]
    old = tmp_path / "old.npz"
    np.savez(old, __meta__=np.array(json.dumps(meta)), **arrays)
    if convs == 1:
        assert GalaxyClassifier.load(old).convs == 1
    else:  # two convs' weights under a one-conv header: one clear line, not a traceback
        with pytest.raises(UserError):
            GalaxyClassifier.load(old)


def test_simple_features_in_chunks_equal_all_at_once(no_real_data):
    X = load_galaxy_zoo(size=24).X_train[:50]
    assert np.allclose(simple_features(X, chunk=7), simple_features(X, chunk=len(X)), atol=1e-12)
    assert simple_features(X[:0]).shape == (0, 5)


def test_fallback_says_so(no_real_data):
    d = load_galaxy_zoo(size=32)
    assert d.info.is_fallback and "built-in sample standing in for Galaxy Zoo" in d.info.label
    assert d.X_train.shape[1:] == (3, 32, 32) and d.X_train.dtype == np.uint8
    _, y, classes = task_labels(d.y_train, "spiral")
    assert classes == ["elliptical", "spiral"] and 0.6 < (y == 0).mean() < 0.8


def test_loader_on_real_data():
    need_data("galaxy_zoo")
    d = load_galaxy_zoo(size=32, crop=0.35)
    assert not d.info.is_fallback and d.info.origin == "env"
    assert len(d.X_train) + len(d.X_test) == 5553 and d.X_train.shape[1:] == (3, 32, 32)
    counts = np.bincount(np.concatenate([d.y_train, d.y_test]), minlength=6)
    assert counts.tolist() == [3852, 356, 370, 837, 47, 91]
    test_share = np.bincount(d.y_test, minlength=6) / counts  # stratified 80/20
    assert np.allclose(test_share, 0.2, atol=0.03)
    assert not set(d.extra["ids_train"]) & set(d.extra["ids_test"])
    f = simple_features(d.X_train[:200])
    assert f.shape == (200, 5) and np.isfinite(f).all()
    # ellipticals are redder and more concentrated than spirals, as astronomers know
    keep, y, _ = task_labels(d.y_train[:200], "spiral")
    assert f[keep][y == 0, 0].mean() > f[keep][y == 1, 0].mean()


def test_read_galaxy_any_size_grey_or_rgb(tmp_path):
    grey = tmp_path / "grey.png"
    Image.fromarray(np.full((300, 500), 128, np.uint8)).save(grey)
    a = read_galaxy(grey, size=24)
    assert a.shape == (3, 24, 24) and (a == 128).all()
    small = tmp_path / "small.jpg"
    Image.new("RGB", (10, 7), (200, 10, 10)).save(small)
    assert read_galaxy(small, size=24).shape == (3, 24, 24)


def _blob(scale: float, side: int = 423) -> Image.Image:
    """A round exponential disc of `scale` pixels on a sky of 20 counts, as an RGB image."""
    grid = np.arange(side) - (side - 1) / 2
    r = np.hypot(*np.meshgrid(grid, grid, indexing="ij"))
    return Image.fromarray((20 + 200 * np.exp(-r / scale)).astype(np.uint8)).convert("RGB")


def _second_moment_radius(x: np.ndarray) -> float:
    light = x.astype(float).sum(axis=0)
    light = np.clip(light - np.median(np.concatenate([light[0], light[-1]])), 0, None)
    grid = np.arange(light.shape[0]) - (light.shape[0] - 1) / 2
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    return float(np.sqrt((light * (xx**2 + yy**2)).sum() / light.sum()))


def test_auto_crop_makes_a_small_and_a_large_galaxy_the_same_size(tmp_path):
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    _blob(10.0).save(small)
    _blob(25.0).save(large)
    fixed = [_second_moment_radius(read_galaxy(p, size=32, crop=0.35)) for p in (small, large)]
    auto = [_second_moment_radius(read_galaxy(p, size=32, crop="auto")) for p in (small, large)]
    assert fixed[1] / fixed[0] > 1.5  # a fixed crop keeps most of the factor between them
    assert auto[1] / auto[0] == pytest.approx(1.0, abs=0.15)
    assert 4 < auto[0] < 12  # the galaxy fills a good part of the 32 pixels, not all of them
    # a galaxy too big or too small for the bounds gets the bound, not a crop off the image
    for scale in (0.5, 200.0):
        _blob(scale).save(small)
        assert read_galaxy(small, size=32, crop="auto").shape == (3, 32, 32)


def test_read_galaxy_bad_inputs(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a picture at all")
    with pytest.raises(DataError, match="not a readable image"):
        read_galaxy(bad)
    with pytest.raises(DataError, match="no such image"):
        read_galaxy(tmp_path / "missing.jpg")
    huge = tmp_path / "huge.png"  # 60 Mpx of one colour: a tiny file, a huge image
    Image.new("L", (10_000, 6_000)).save(huge)
    with pytest.raises(DataError, match="too large"):
        read_galaxy(huge)


def test_cli_train_and_predict(no_real_data, tmp_path, capsys):
    model = tmp_path / "g.npz"
    argv = ["vision", "train", "--dataset", "galaxy_zoo", "--epochs", "1", "--size", "16"]
    assert main([*argv, "--width", "4", "-o", str(model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "built-in sample" in out["dataset"] and np.array(out["confusion"]).sum() == out["n_test"]
    good = tmp_path / "g1.jpg"
    Image.new("RGB", (423, 423), (90, 80, 60)).save(good)
    grey = tmp_path / "g2.png"
    Image.new("L", (100, 60), 40).save(grey)
    bad = tmp_path / "bad.jpg"
    bad.write_text("nope")
    code = main(["vision", "predict", "--model-file", str(model), str(good), str(bad), str(grey)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("\n") == 1 and "bad.jpg" in captured.err
    lines = captured.out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{good}: ")
    assert lines[0].rstrip(")").split(" (")[0].endswith(("elliptical", "spiral"))
    assert main(["vision", "predict", "--model-file", str(model), str(good), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)[str(good)][0]
    trained = GalaxyClassifier.load(model)
    p = trained.predict_proba(read_galaxy(good, 16)[None])
    said = trained.classes_[int(trained.predict_from_proba(p)[0])]
    assert answer["class"] == said and answer["probability"] == pytest.approx(
        float(p[0, trained.classes_.index(said)]), abs=1e-6
    )
    # --crop auto travels with the model to `vision predict`
    assert main([*argv, "--width", "4", "--crop", "auto", "-o", str(model), "--json"]) == 0
    capsys.readouterr()
    assert GalaxyClassifier.load(model).crop_ == "auto"
    assert main(["vision", "predict", "--model-file", str(model), str(good)]) == 0
    assert capsys.readouterr().out.startswith(f"{good}: ")
    assert main([*argv, "--crop", "big"]) == 2
    assert "expected a number or auto" in capsys.readouterr().err
    # --threshold travels with the model; outside (0, 1) it is one line and status 2
    assert main([*argv, "--width", "4", "--threshold", "0.3", "-o", str(model), "--json"]) == 0
    capsys.readouterr()
    assert GalaxyClassifier.load(model).threshold_ == 0.3
    assert main([*argv, "--threshold", "1.5"]) == 2
    assert "--threshold must be between 0 and 1" in capsys.readouterr().err


def test_chapter_without_data(no_real_data, tmp_path):
    from mltutorial.apps.galaxies.chapter import CHAPTER

    out = CHAPTER.run(ChapterContext(out_dir=tmp_path, quick=True))
    assert "built-in sample standing in for Galaxy Zoo" in out.data
    assert "chirality" in out.text and "anti-clockwise" in out.text
    assert [p.name for p in out.figures] == ["confusion.png", "mistakes.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in out.figures)
    assert " (0." in out.samples[0] or " (1.00)" in out.samples[0]


def test_chapter_with_data(tmp_path):
    need_data("galaxy_zoo")
    from mltutorial.apps.galaxies.chapter import CHAPTER

    out = CHAPTER.run(ChapterContext(out_dir=tmp_path, quick=True))
    assert out.data == "Galaxy Zoo 1 (SDSS galaxy images)"
    models = out.numbers["models"]
    features = models["logistic regression on colour, concentration, shape (scikit-learn)"]
    # five named features already beat always answering "elliptical" on balanced accuracy
    assert features["balanced_accuracy"] > 0.65


@pytest.mark.slow
def test_cnn_on_real_data_elliptical_vs_spiral():
    """The full CLI configuration (32x32 crops, width 16, two convs per block, 40 epochs, D4 + TTA,
    p(spiral) blended with the colour-and-shape logistic regression, weight 0.2, called a spiral
    from 0.67: both fixed on validation splits) on the held-out split of seed 0, the hardest of the
    five test splits in bench/results/galaxies_search.md (their mean: 90.4 % / 88.1 %).

    Measured on seed 0: accuracy 89.0 %, balanced accuracy 86.2 % on an AVX-512 machine; 88.1 % and
    84.8 % on an AVX2 one (AMD EPYC Zen 3), the same in two runs there. BLAS kernels that round
    differently send the 40 epochs down another path, so the tolerance covers both machines, about
    one point under the lower. A regression (always "elliptical" is 71 %) still fails. About 8 min
    on an idle 2-core machine.
    """
    need_data("galaxy_zoo")
    from sklearn.metrics import balanced_accuracy_score

    d = load_galaxy_zoo(size=32, crop=0.35)
    model = GalaxyClassifier(width=16).fit(d.X_train, d.y_train)
    assert model.num_epochs == 40 and model.convs == 2  # the defaults, as measured
    assert model.blend_ == 0.2 and model.threshold_ == 0.67
    keep, y, _ = task_labels(d.y_test, "spiral")
    y_hat = model.predict(d.X_test[keep])
    accuracy, balanced = (y_hat == y).mean(), balanced_accuracy_score(y, y_hat)
    assert accuracy >= 0.87 and balanced >= 0.835, (accuracy, balanced)


def test_data_verify_checks_every_image_against_the_manifest():
    need_data("galaxy_zoo")
    from mltutorial.data.fetch import verify

    rows = verify(["galaxy_zoo"])
    assert {r.status for r in rows} == {"ok"} and len(rows) == 5557  # 5,553 images + 4 files
