"""From a message to numbers: a tokeniser that suits SMS and e-mail, and TF-IDF features.

Spam gives itself away by *kinds* of things more than by exact strings: a premium-rate phone number,
a short code to text, a price, a link, an address. The tokeniser keeps words (lowercased, so "FREE"
and "free" are one feature) and replaces each of those kinds with one special token, so that the
thousand different phone numbers of the training set teach one weight:

    "WINNER!! Call 09061701461 to claim £900 at www.win.co.uk"
    -> winner ! ! call <phone> to claim <money> at <url>

`TextFeatures` turns messages into a sparse (n_samples, n_features) matrix: word TF-IDF (or raw word
counts for naive Bayes) and, optionally, TF-IDF of character 2-5-grams inside words, which catch the
misspellings and glued words of SMS spam ("txt", "FREEmsg", "2nite"). TF-IDF is scikit-learn's
(sublinear tf, smooth idf, each block L2-normalised); the fitted vocabulary and idf weights are plain
arrays, so a filter saves them without pickle and rebuilds the same features on load.

Long input is truncated, not refused: words are read from the first `MAX_CHARS` characters of a
message and character n-grams from the first `MAX_CHAR_NGRAM_CHARS` (a 10 MB message costs what a
100 kB one does; spam shows itself in its first pages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

MAX_CHARS = 100_000  # words are read from this many leading characters of a message
MAX_CHAR_NGRAM_CHARS = 3_000  # character n-grams from this many (they cost ~4 strings per char)

SPECIAL_TOKENS = ("<url>", "<email>", "<phone>", "<money>", "<number>")

# Order matters: an e-mail address contains a domain, a URL may contain digits, a price contains a number.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)\S+"  # explicit links
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|biz|info|co\.uk|uk|us|tv|mobi)\b(?:/\S*)?",  # bare domains
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[£$€¥]\s?\d[\d,]*(?:\.\d+)?(?:k|m)?"  # £900, $ 1,000.00, £5k
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:p|pence|gbp|usd|eur|euros?|dollars?|pounds?)\b"  # 150p, 10 pounds
    r"|[£$€¥]",  # a bare currency sign
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w.])\+?\d(?:[\d\- ]?\d){8,}(?![\w])"
)  # 9+ digits: 09061701461, +44 7700 900123
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_TOKEN = re.compile(r"<(?:url|email|phone|money|number)>|[^\W\d_]+(?:'[^\W\d_]+)?|[!?]")

_REPLACEMENTS = (
    (_EMAIL, " <email> "),
    (_URL, " <url> "),
    (_MONEY, " <money> "),
    (_PHONE, " <phone> "),
    (_NUMBER, " <number> "),
)


def normalise(text: str) -> str:
    """`text` (truncated to MAX_CHARS) with addresses, links, prices and numbers as special tokens."""
    text = text[:MAX_CHARS]
    for pattern, token in _REPLACEMENTS:
        text = pattern.sub(token, text)
    return text


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens of a message, with `SPECIAL_TOKENS` and "!" / "?" kept as tokens."""
    return _TOKEN.findall(normalise(text).lower())


def _char_text(text: str) -> str:
    """What the character n-grams read: the lowercased start of the message, tokens normalised."""
    return normalise(text[:MAX_CHAR_NGRAM_CHARS]).lower()


def _pack(terms: np.ndarray) -> np.ndarray:
    """Terms as one UTF-8 byte array, newline-separated (no term holds a newline: both analyzers
    split on whitespace). A fixed-width string array would pad every term to the longest one."""
    return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)


def _unpack(packed: np.ndarray) -> np.ndarray:
    text = np.asarray(packed, dtype=np.uint8).tobytes().decode("utf-8")
    return np.array(text.split("\n") if text else [], dtype=str)


class TextFeatures:
    """Messages -> sparse features (scikit-learn's TF-IDF on our tokens), estimator-style.

    kind: "tfidf" (word TF-IDF, plus char n-gram TF-IDF when `char_ngrams` is set) or "counts" (raw
        word counts, what multinomial naive Bayes models).
    char_ngrams: (min_n, max_n) of character n-grams within words, or None for words only.
    min_df: a term must appear in this many training messages to get a feature (drops one-offs).
    max_features: keep the most frequent terms per block (None: all). SMS has ~7k words and ~30k
        n-grams, all kept; e-mail corpora have hundreds of thousands, mostly one-offs.
    """

    def __init__(
        self,
        *,
        kind: str = "tfidf",
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 1,
        char_min_df: int = 2,
        max_features: int | None = 50_000,
    ) -> None:
        if kind not in ("tfidf", "counts"):
            raise ValueError(f"kind must be 'tfidf' or 'counts', not {kind!r}")
        self.kind = kind
        self.char_ngrams = char_ngrams if kind == "tfidf" else None
        self.min_df = min_df
        self.char_min_df = char_min_df
        self.max_features = max_features

    # -- the two vectorizers: word tokens and character n-grams
    def _word_vectorizer(self, vocabulary: Sequence[str] | None = None) -> CountVectorizer:
        return CountVectorizer(
            tokenizer=tokenize,
            lowercase=False,
            token_pattern=None,
            min_df=self.min_df,
            max_features=self.max_features,
            vocabulary=None if vocabulary is None else list(vocabulary),
            dtype=np.float32,
        )

    def _char_vectorizer(self, vocabulary: Sequence[str] | None = None) -> CountVectorizer:
        assert self.char_ngrams is not None
        return CountVectorizer(
            analyzer="char_wb",
            preprocessor=_char_text,
            ngram_range=tuple(self.char_ngrams),
            min_df=self.char_min_df,
            max_features=self.max_features,
            vocabulary=None if vocabulary is None else list(vocabulary),
            dtype=np.float32,
        )

    @staticmethod
    def _tfidf(idf: np.ndarray) -> TfidfTransformer:
        tfidf = TfidfTransformer(sublinear_tf=True)
        tfidf.idf_ = np.asarray(idf, dtype=np.float64)
        return tfidf

    def fit(self, texts: Sequence[str], y: object = None) -> TextFeatures:
        self._fit(list(texts))
        return self

    def _fit(self, texts: list[str]) -> list[sp.csr_matrix]:
        """Fit vocabularies and idf weights; return the training count blocks (words, chars)."""
        if not texts:
            raise ValueError("cannot fit features on zero messages")
        words = self._word_vectorizer()
        counts = words.fit_transform(texts)
        self.words_ = words.get_feature_names_out().astype(str)
        self._word_vec_ = words
        blocks = [counts]
        if self.char_ngrams is not None:
            chars = self._char_vectorizer()
            try:
                blocks.append(chars.fit_transform(texts))
                self.chars_ = chars.get_feature_names_out().astype(str)
                self._char_vec_ = chars
            except ValueError:  # no n-gram reaches min_df (a tiny corpus): words only
                self.chars_ = np.array([], dtype=str)
                self._char_vec_ = None
        else:
            self.chars_ = np.array([], dtype=str)
            self._char_vec_ = None
        if self.kind == "tfidf":
            self.word_idf_ = TfidfTransformer(sublinear_tf=True).fit(blocks[0]).idf_
            self.char_idf_ = (
                TfidfTransformer(sublinear_tf=True).fit(blocks[1]).idf_
                if len(blocks) > 1
                else np.array([], dtype=np.float64)
            )
        else:
            self.word_idf_ = np.array([], dtype=np.float64)
            self.char_idf_ = np.array([], dtype=np.float64)
        return blocks

    @property
    def n_features_(self) -> int:
        return len(self.words_) + len(self.chars_)

    @property
    def feature_names_(self) -> np.ndarray:
        """Word features first (tokens as they are), then character n-grams quoted: "'win'"."""
        return np.concatenate([self.words_, np.array([f"'{c}'" for c in self.chars_], dtype=str)])

    def _weigh(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        if self.kind == "counts":
            return sp.csr_matrix(blocks[0], dtype=np.float32)
        weighted = [self._tfidf(self.word_idf_).transform(blocks[0])]
        if len(blocks) > 1:
            weighted.append(self._tfidf(self.char_idf_).transform(blocks[1]))
        return sp.csr_matrix(sp.hstack(weighted, format="csr"), dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """(n_samples, n_features) float32 CSR matrix."""
        texts = list(texts)
        blocks = [self._word_vec_.transform(texts)]
        if self._char_vec_ is not None:
            blocks.append(self._char_vec_.transform(texts))
        return self._weigh(blocks)

    def fit_transform(self, texts: Sequence[str], y: object = None) -> sp.csr_matrix:
        return self._weigh(self._fit(list(texts)))

    # -- save / load as plain arrays (no pickle)
    def get_state(self) -> dict[str, np.ndarray]:
        return {
            "kind": np.array(self.kind),
            "char_ngrams": np.array(self.char_ngrams if self.char_ngrams else (0, 0)),
            "words": _pack(self.words_),
            "chars": _pack(self.chars_),
            "word_idf": self.word_idf_,
            "char_idf": self.char_idf_,
        }

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> TextFeatures:
        lo, hi = (int(v) for v in state["char_ngrams"])
        self = cls(kind=str(state["kind"]), char_ngrams=(lo, hi) if hi else None)
        self.words_ = _unpack(state["words"])
        self.chars_ = _unpack(state["chars"])
        self.word_idf_ = np.asarray(state["word_idf"], dtype=np.float64)
        self.char_idf_ = np.asarray(state["char_idf"], dtype=np.float64)
        if self.kind == "tfidf" and len(self.word_idf_) != len(self.words_):
            raise ValueError("word vocabulary and idf weights differ in length")
        self._word_vec_ = self._word_vectorizer(self.words_)
        self._char_vec_ = self._char_vectorizer(self.chars_) if len(self.chars_) else None
        return self
