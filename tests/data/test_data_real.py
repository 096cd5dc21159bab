"""Every dataset in $MLTUTORIAL_DATA loads with the counts its PROVENANCE.md states.

Skipped by dataset name when MLTUTORIAL_DATA is not set (see helpers.need_data).
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

from helpers import need_data
from mltutorial import data as D


def test_sms_spam_collection_counts():
    need_data("sms_spam_collection")
    sms = D.load_sms_spam()
    assert sms.info.origin == "env" and not sms.info.is_fallback
    assert sms.info.label == "SMS Spam Collection v.1"
    assert len(sms.texts) == 5574
    assert int(sms.y.sum()) == 747 and int((sms.y == 0).sum()) == 4827
    assert sms.y.dtype == np.int64
    assert sms.texts[0].startswith("Go until jurong point")


def test_spamassassin_counts_per_folder():
    need_data("spamassassin")
    mails = D.load_spamassassin()
    assert len(mails) == 6046
    assert int(mails.y.sum()) == 1896 and int((mails.y == 0).sum()) == 4150
    assert collections.Counter(mails.groups) == {
        "easy-ham-1": 2500,
        "easy-ham-2": 1400,
        "hard-ham-1": 250,
        "spam-1": 500,
        "spam-2": 1396,
    }
    first = mails.texts[mails.ids.index("easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt")]
    assert first.startswith("Re: New Sequences Window\n\n")
    assert all(isinstance(t, str) and t for t in mails.texts)
    # HTML-only spams come out as text, not markup
    html_like = sum("<td" in t.lower() or "<font" in t.lower() for t in mails.texts)
    assert html_like < 0.02 * len(mails)


def test_movielens_100k_counts_and_splits():
    need_data("movielens_100k")
    ml = D.load_movielens()
    assert ml.n_ratings == 100_000 and ml.n_users == 943 and ml.n_items == 1682
    assert ml.user.min() == 0 and ml.user.max() == 942 and ml.item.max() == 1681
    assert ml.rating.dtype == np.float32 and set(np.unique(ml.rating)) == {1, 2, 3, 4, 5}
    assert ml.genres.shape == (1682, 19) and ml.genre_names[0] == "unknown"
    assert ml.titles[0] == "Toy Story (1995)" and ml.years[0] == 1995
    assert any("Misérables" in t for t in ml.titles)  # u.item is Latin-1
    assert len(ml.folds) == 5
    tests = np.concatenate([te for _, te in ml.folds])
    assert np.array_equal(np.sort(tests), np.arange(100_000))  # u1..u5.test partition u.data
    for tr, te in ml.folds:
        assert len(tr) == 80_000 and len(te) == 20_000 and not np.intersect1d(tr, te).size
    for name in ("ua", "ub"):
        tr, te = ml.splits[name]
        assert (len(tr), len(te)) == (90_570, 9_430)
        assert np.all(np.bincount(ml.user[te], minlength=943) == 10)  # 10 ratings per user
    assert ml.user_info is not None and len(ml.user_info.age) == 943
    assert ml.user_info.age[0] == 24 and ml.user_info.occupation[0] == "technician"


def test_tinyshakespeare_characters():
    need_data("tinyshakespeare")
    text = D.load_text()
    assert len(text.text) == 1_115_394
    assert text.text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert len(set(text.text)) == 65


def test_fashion_mnist_counts():
    need_data("fashion_mnist")
    fm = D.load_fashion_mnist()
    assert fm.X_train.shape == (60_000, 1, 28, 28) and fm.X_test.shape == (10_000, 1, 28, 28)
    assert fm.X_train.dtype == np.uint8 and fm.y_train.dtype == np.int64
    assert np.all(np.bincount(fm.y_train) == 6000) and np.all(np.bincount(fm.y_test) == 1000)
    assert fm.classes[9] == "Ankle boot"


def test_mnist_has_test_set_and_training_labels_only():
    need_data("mnist")
    m = D.load_mnist()
    assert m.X_test.shape == (10_000, 1, 28, 28) and len(m.y_test) == 10_000
    assert m.X_train.shape == (0, 1, 28, 28)
    assert len(m.extra["train_labels"]) == 60_000
    assert "training images missing" in m.info.notes
    assert np.bincount(m.y_test)[1] == 1135  # the well-known count of ones in MNIST's test set


def test_cifar10_counts():
    need_data("cifar10")
    c = D.load_cifar10()
    assert c.X_train.shape == (10_000, 3, 32, 32) and c.X_test.shape == (10_000, 3, 32, 32)
    assert np.all(np.bincount(c.y_train) == 1000) and np.all(np.bincount(c.y_test) == 1000)
    assert c.classes == [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]
    assert c.y_test[0] == 9 and c.y_train[0] == 6  # first entries named in PROVENANCE.md


def test_digits_from_scikit_learn():
    d = D.load_digits()
    assert d.info.origin == "package"
    assert len(d.X_train) + len(d.X_test) == 1797 and d.max_value == 16
    assert d.X_train.shape[1:] == (1, 8, 8)


ODDS = {
    "arrhythmia": (452, 274, 66),
    "cardio": (1831, 21, 176),
    "glass": (214, 9, 9),
    "ionosphere": (351, 33, 126),
    "letter": (1600, 32, 100),
    "lympho": (148, 18, 6),
    "mnist": (7603, 100, 700),
    "musk": (3062, 166, 97),
    "optdigits": (5216, 64, 150),
    "pendigits": (6870, 16, 156),
    "pima": (768, 8, 268),
    "satellite": (6435, 36, 2036),
    "satimage-2": (5803, 36, 71),
    "shuttle": (49097, 9, 3511),
    "vertebral": (240, 6, 30),
    "vowels": (1456, 12, 50),
    "wbc": (378, 30, 21),
}


@pytest.mark.parametrize("name", sorted(ODDS))
def test_odds_tables(name):
    need_data("anomaly_odds")
    t = D.load_odds(name)
    n, d, outliers = ODDS[name]
    assert t.X.shape == (n, d) and t.X.dtype == np.float64
    assert int(t.y.sum()) == outliers
    assert t.info.label == f"ODDS {name}"


def test_adbench_thyroid():
    need_data("anomaly_adbench")
    t = D.load_adbench()
    assert t.X.shape == (3772, 6) and int(t.y.sum()) == 93


def test_kddcup99_counts():
    need_data("kddcup99")
    t = D.load_kddcup99()
    assert t.X.shape == (494_021, 41) and len(t.feature_names) == 41
    counts = collections.Counter(t.labels.tolist())
    assert (
        counts["normal"] == 97_278 and counts["smurf"] == 280_790 and counts["neptune"] == 107_201
    )
    assert len(counts) == 23
    assert int(t.y.sum()) == 494_021 - 97_278
    assert t.feature_names[1] == "protocol_type" and t.categorical["protocol_type"] == [
        "icmp",
        "tcp",
        "udp",
    ]
    assert t.X[0, 4] == 181 and t.X[0, 5] == 5450  # src_bytes, dst_bytes of the first line


def test_hep_higgs_sample():
    need_data("hep")
    t = D.load_hep()
    assert t.X.shape == (10_984, 28) and int(t.y.sum()) == 5821
    assert t.feature_names[0] == "lepton_pT" and t.feature_names[-1] == "m_wwbb"


def test_brown_corpus():
    need_data("brown_corpus")
    b = D.load_brown()
    assert len(b.sentences) == 57_340 and b.n_words == 1_161_192  # = nltk brown.sents()/words()
    assert len(set(b.categories)) == 15
    assert b.sentences[0][:3] == ["The", "Fulton", "County"] and b.tags[0][0] == "at"


def test_en_es_corpora_stripped():
    need_data("corpora_en_es")
    c = D.load_en_es()
    for text, words in ((c.en, 432_000), (c.es, 384_000)):
        assert "PROJECT GUTENBERG" not in text.upper()[:2000] and "*** END" not in text
        assert "\r" not in text and "\ufeff" not in text
        assert len(text.split()) == pytest.approx(words, rel=0.03)  # "~432k / ~384k words"
    assert "En un lugar de la Mancha" in c.es


def test_dictionaries():
    need_data("bilingual_dictionaries")
    d = D.load_dictionary("en-es")
    assert len(d) == 112_580 and d.pairs[0] == ("the", "el")
    train, test = D.load_dictionary("en-es", "train"), D.load_dictionary("en-es", "test")
    assert len({s for s, _ in train.pairs}) == 5000 and len({s for s, _ in test.pairs}) == 1500
    de = D.load_dictionary("en-de")  # MUSE has en-de too
    assert len(de) == 101_931
    fi = D.load_dictionary("en-fi", "test")  # only xling-eval has en-fi
    assert len(fi) == 2000 and "\t" not in fi.pairs[0][0]
