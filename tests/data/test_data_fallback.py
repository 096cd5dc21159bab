"""On a fresh machine (no MLTUTORIAL_DATA, empty cache) every loader returns a labelled fallback."""

from __future__ import annotations

import numpy as np
import pytest

from mltutorial import data as D
from mltutorial.data.types import FALLBACK_PREFIX

LOADERS = [
    D.load_sms_spam,
    D.load_spamassassin,
    D.load_movielens,
    D.load_text,
    D.load_mnist,
    D.load_fashion_mnist,
    D.load_cifar10,
    D.load_odds,
    D.load_adbench,
    D.load_kddcup99,
    D.load_hep,
    D.load_brown,
    D.load_en_es,
    D.load_dictionary,
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_fallback_is_labelled(no_real_data, loader):
    got = loader()
    assert got.info.origin == "builtin" and got.info.is_fallback
    assert got.info.label == FALLBACK_PREFIX + got.info.title
    assert got.info.path is None and got.info.notes


def test_digits_come_from_scikit_learn(no_real_data):
    d = D.load_digits()
    assert d.info.origin == "package" and not d.info.is_fallback
    assert len(d.X_train) + len(d.X_test) == 1797


def test_sms_fallback_shape_and_determinism(no_real_data):
    a, b = D.load_sms_spam(), D.load_sms_spam()
    assert a.texts == b.texts and np.array_equal(a.y, b.y)
    assert len(a.texts) == 500 and 0.1 < a.y.mean() < 0.3
    assert a.y.dtype == np.int64 and set(np.unique(a.y)) == {0, 1}


def test_mail_fallback_goes_through_the_mime_parser(no_real_data):
    m = D.load_spamassassin()
    assert len(m) == 300 and 0.25 < m.y.mean() < 0.45
    spam = [t for t, y in zip(m.texts, m.y) if y == 1]
    assert all("<html" not in t and "<b>" not in t for t in spam)  # HTML part became text
    assert all("\n\n" in t for t in m.texts)  # subject, blank line, body


def test_movielens_fallback_is_a_usable_rating_matrix(no_real_data):
    ml = D.load_movielens()
    assert ml.n_items == len(ml.titles) == ml.genres.shape[0] == 80
    assert ml.genres.shape[1] == 19 and ml.genre_names[1] == "Action"
    assert ml.user.max() == ml.n_users - 1 and ml.item.max() < ml.n_items
    assert set(np.unique(ml.rating)) <= {1, 2, 3, 4, 5}
    assert len(ml.folds) == 5
    assert np.array_equal(
        np.sort(np.concatenate([te for _, te in ml.folds])), np.arange(ml.n_ratings)
    )
    # the low-rank model makes users differ: per-user means spread out
    means = np.bincount(ml.user, ml.rating) / np.bincount(ml.user)
    assert means.std() > 0.2


def test_text_fallback_is_english_prose(no_real_data):
    t = D.load_text()
    assert 100_000 < len(t.text) <= 400_000
    assert " the " in t.text and ">>>" not in t.text


def test_image_fallbacks_have_the_stood_in_shapes(no_real_data):
    fm, c = D.load_fashion_mnist(), D.load_cifar10()
    assert fm.X_train.shape[1:] == (1, 28, 28) and fm.X_train.dtype == np.uint8
    assert c.X_train.shape[1:] == (3, 32, 32) and c.X_test.shape[1:] == (3, 32, 32)
    assert fm.X_train.max() == 255 and len(fm.classes) == 10
    assert "digits" in fm.info.notes


def test_tabular_fallbacks(no_real_data):
    odds = D.load_odds()
    assert odds.X.shape == (378, 30) and int(odds.y.sum()) == 21  # ODDS' wbc recipe
    kdd = D.load_kddcup99()
    assert kdd.X.shape == (3000, 41) and kdd.labels is not None
    assert set(kdd.labels[kdd.y == 0]) == {"normal"}
    hep = D.load_hep()
    assert hep.X.shape == (2000, 28) and hep.feature_names[-1] == "m_wwbb"


def test_language_fallbacks(no_real_data):
    pair = D.load_en_es()
    assert len(pair.en.splitlines()) == len(pair.es.splitlines()) == 30
    d = D.load_dictionary("es-en")
    assert ("el", "the") in d.pairs and d.source_lang == "es"
    b = D.load_brown()
    assert len(b.sentences) > 1000 and all(len(s) >= 3 for s in b.sentences)
