"""Image classification: the engine CNN learns digits; save/load predicts the same; CLI on image files."""

import numpy as np
import pytest

from mltutorial.apps.vision.model import ImageClassifier
from mltutorial.cli import main


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    X = d.images.astype(np.uint8)[:, None]  # (1797, 1, 8, 8), values 0..16
    return X, d.target.astype(np.int64), [str(i) for i in range(10)]


@pytest.fixture(scope="module")
def cnn(digits):
    X, y, classes = digits
    return ImageClassifier(arch="cnn", num_epochs=4, seed=0).fit(X[:1400], y[:1400], classes, 16)


def test_cnn_learns_digits(digits, cnn):
    X, y, _ = digits
    assert cnn.score(X[1400:], y[1400:]) > 0.9


def test_save_load_same_predictions(digits, cnn, tmp_path):
    X, _, _ = digits
    again = ImageClassifier.load(cnn.save(tmp_path / "m.npz"))
    np.testing.assert_allclose(
        again.predict_proba(X[1400:]), cnn.predict_proba(X[1400:]), atol=1e-6
    )


def test_predict_cli_on_png(digits, cnn, tmp_path, capsys):
    from PIL import Image

    X, y, _ = digits
    path = cnn.save(tmp_path / "m.npz")
    img = tmp_path / "digit.png"
    Image.fromarray((X[1500, 0] * 15).astype(np.uint8)).save(img)
    assert main(["vision", "predict", str(img), "--model-file", str(path), "-k", "1"]) == 0
    assert capsys.readouterr().out.startswith(f"{img}: {y[1500]} (")
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    assert main(["vision", "predict", str(bad), "--model-file", str(path)]) == 2
    assert main(["vision", "predict", str(img), "--model-file", str(tmp_path / "none.npz")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2
