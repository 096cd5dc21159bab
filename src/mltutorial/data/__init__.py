"""Datasets: the registry, loaders for the real formats, and labelled built-in fallbacks.

Every loader is `load_<name>(path=None, ...)` and finds its data in this order: the explicit `path`,
`$MLTUTORIAL_DATA/<folder>/`, the user cache (`mltutorial data fetch`), data an installed package
ships, then a small built-in sample. The returned object's `.info` (a `DataInfo`) says which:
`info.origin` is "explicit" | "env" | "cache" | "package" | "builtin", `info.label` is what a report
prints (the real title, or "built-in sample standing in for <title>"), `info.is_fallback`.
A file that is present but wrong raises `mltutorial.errors.DataError` naming the file and line.

Loaders and what they return (fields: see `mltutorial.data.types`):

| loader | returns | real data (folder) | fallback |
| --- | --- | --- | --- |
| load_sms_spam | TextLabels(texts, y 1=spam) | 5,574 SMS, 747 spam (sms_spam_collection) | 500 template SMS |
| load_spamassassin | TextLabels (+ groups = corpus folder) | 6,046 mails, 1,896 spam (spamassassin) | 300 generated mails |
| load_mail_folder(path) | TextLabels | any folder with ham/ and spam/ | (path required) |
| load_spam_corpus(path) | TextLabels | dispatches: SMS TSV, SpamAssassin archive, ham/+spam/ | SMS fallback |
| load_movielens | MovieLens(user, item, rating, ...) | 100,000 ratings, 943 x 1,682 (movielens_100k) | low-rank sample |
| load_text | TextCorpus(text) | tinyshakespeare, 1,115,394 chars, or any file | docstring prose |
| load_mnist | Images NCHW uint8 | 10,000 test images only (mnist) | digits at 28x28 |
| load_fashion_mnist | Images (N, 1, 28, 28) | 60,000 + 10,000 (fashion_mnist) | digits at 28x28 |
| load_cifar10 | Images (N, 3, 32, 32) | 10,000 + 10,000 (cifar10) | digits at 32x32x3 |
| load_digits | Images (N, 1, 8, 8), values 0..16 | scikit-learn's 1,797 digits (package) | (always present) |
| load_galaxy_zoo | Images (N, 3, 64, 64), 6 GZ1 classes | 5,553 SDSS galaxies (galaxy_zoo) | 600 synthetic |
| load_odds(name) | Tabular(X, y 1=outlier) | 17 ODDS tables (anomaly_odds) | breast cancer |
| load_adbench | Tabular | thyroid 3,772 x 6 (anomaly_adbench) | breast cancer |
| load_kddcup99 | Tabular (+ labels, categorical) | 494,021 x 41 (kddcup99) | synthetic traffic |
| load_hep | Tabular (y 1=signal) | HIGGS sample 10,984 x 28 (hep) | gaussian sample |
| load_brown | TaggedSentences | 57,340 sentences (brown_corpus) | docstring sentences |
| load_en_es | BilingualCorpus(en, es) | Don Quixote both languages (corpora_en_es) | 30 sentence pairs |
| load_dictionary(pair, split) | Dictionary(pairs) | MUSE / xling-eval (bilingual_dictionaries) | ~150 en-es pairs |

Example::

    from mltutorial.data import load_sms_spam
    sms = load_sms_spam()
    print(sms.info.label, len(sms.texts), sms.y.mean())
"""

from mltutorial.data.galaxies import load_galaxy_zoo
from mltutorial.data.images import load_cifar10, load_digits, load_fashion_mnist, load_mnist
from mltutorial.data.mail import load_mail_folder, load_spam_corpus, load_spamassassin, mail_text
from mltutorial.data.movielens import load_movielens
from mltutorial.data.registry import DATASETS, locate
from mltutorial.data.tabular import ODDS_NAMES, load_adbench, load_hep, load_kddcup99, load_odds
from mltutorial.data.text import load_brown, load_dictionary, load_en_es, load_sms_spam, load_text
from mltutorial.data.types import (
    BilingualCorpus,
    DataInfo,
    Dictionary,
    Images,
    MovieLens,
    Tabular,
    TaggedSentences,
    TextCorpus,
    TextLabels,
    UserInfo,
)

__all__ = [
    "DATASETS",
    "ODDS_NAMES",
    "BilingualCorpus",
    "DataInfo",
    "Dictionary",
    "Images",
    "MovieLens",
    "Tabular",
    "TaggedSentences",
    "TextCorpus",
    "TextLabels",
    "UserInfo",
    "load_adbench",
    "load_brown",
    "load_cifar10",
    "load_dictionary",
    "load_digits",
    "load_en_es",
    "load_fashion_mnist",
    "load_galaxy_zoo",
    "load_hep",
    "load_kddcup99",
    "load_mail_folder",
    "load_mnist",
    "load_movielens",
    "load_odds",
    "load_sms_spam",
    "load_spam_corpus",
    "load_spamassassin",
    "load_text",
    "locate",
    "mail_text",
]
