"""`WordMap`: word vectors for two languages and the rotation between them, with save and load."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mltutorial.apps.words.align import Translation, evaluate, pair_ids, procrustes
from mltutorial.apps.words.embed import Vocab, ppmi_svd, tokenize
from mltutorial.errors import UserError

FORMAT_VERSION = 1
METHODS = ("ppmi",)


class WordMap:
    """Learn English and Spanish vectors from raw text and map English onto Spanish.

    Keyword-only hyperparameters; `fit(src_text, tgt_text, pairs)` learns the vectors and the map on
    the dictionary pairs not held out (`test_fraction` of the source words are kept for `score_`).
    """

    def __init__(
        self,
        *,
        method: str = "ppmi",
        vocab_size: int = 5000,
        dim: int = 100,
        window: int = 5,
        test_fraction: float = 0.25,
        max_test: int = 1000,
        seed: int = 0,
    ) -> None:
        if method not in METHODS:
            raise UserError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        self.method = method
        self.vocab_size = vocab_size
        self.dim = dim
        self.window = window
        self.test_fraction = test_fraction
        self.max_test = max_test
        self.seed = seed

    def _vectors(self, tokens: list[str]) -> tuple[Vocab, np.ndarray]:
        vocab = Vocab.build(tokens, self.vocab_size)
        if len(vocab.words) <= self.dim:
            raise UserError(
                f"text too small: {len(vocab.words)} words occur 3+ times, need more than dim={self.dim}"
            )
        ids = vocab.ids(tokens)
        return vocab, ppmi_svd(ids, len(vocab.words), self.dim, self.window, self.seed)

    def fit(self, src_text: str, tgt_text: str, pairs: list[tuple[str, str]]) -> WordMap:
        start = time.perf_counter()
        self.src_vocab_, self.src_ = self._vectors(tokenize(src_text))
        self.tgt_vocab_, self.tgt_ = self._vectors(tokenize(tgt_text))
        known = pair_ids(pairs, self.src_vocab_.index, self.tgt_vocab_.index)
        if len(known) < 20:
            raise UserError(
                f"only {len(known)} dictionary words occur in both texts: need at least 20"
            )
        rng = np.random.default_rng(self.seed)
        sources = rng.permutation(sorted(known))
        n_test = min(self.max_test, int(len(sources) * self.test_fraction))
        self.test_pairs_ = {int(s): known[s] for s in sources[:n_test]}
        self.train_pairs_ = {int(s): known[s] for s in sources[n_test:]}
        X = [self.src_[s] for s, ts in self.train_pairs_.items() for _ in ts]
        Y = [self.tgt_[t] for _, ts in self.train_pairs_.items() for t in ts]
        self.W_ = procrustes(np.array(X), np.array(Y))
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def score(self, csls: bool = True) -> Translation:
        """Translation precision on the held-out dictionary words."""
        return evaluate(
            self.src_,
            self.tgt_,
            self.W_,
            self.test_pairs_,
            self.src_vocab_.words,
            self.tgt_vocab_.words,
            csls=csls,
        )

    def translate(self, word: str, k: int = 5) -> list[tuple[str, float]]:
        """The k nearest Spanish words to the mapped English `word`, with cosine similarity."""
        key = word.strip().lower()
        if key not in self.src_vocab_.index:
            import difflib

            close = difflib.get_close_matches(key, self.src_vocab_.words, n=3)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UserError(f"{word!r} is not in the English vocabulary{hint}")
        v = self.src_[self.src_vocab_.index[key]] @ self.W_
        sims = self.tgt_ @ (v / (np.linalg.norm(v) + 1e-8))
        best = np.argsort(-sims)[:k]
        return [(self.tgt_vocab_.words[i], float(sims[i])) for i in best]

    def save(self, path: str | Path) -> Path:
        from mltutorial.files import save_npz

        meta = {
            "format": "mltutorial.words",
            "version": FORMAT_VERSION,
            "method": self.method,
            "dim": self.dim,
            "src_words": self.src_vocab_.words,
            "tgt_words": self.tgt_vocab_.words,
        }
        return save_npz(path, meta, {"src": self.src_, "tgt": self.tgt_, "W": self.W_})

    @classmethod
    def load(cls, path: str | Path) -> WordMap:
        from mltutorial.files import Array, load_npz

        meta, arrays = load_npz(
            path,
            fmt="mltutorial.words",
            version=FORMAT_VERSION,
            what="word map",
            how="mltutorial words train -o FILE",
            header={"method": str, "dim": int, "src_words": list[str], "tgt_words": list[str]},
            arrays=lambda meta: {  # one row per word; W maps the English space onto the Spanish
                "src": Array((len(meta["src_words"]), "d_src")),
                "tgt": Array((len(meta["tgt_words"]), "d_tgt")),
                "W": Array(("d_src", "d_tgt")),
            },
        )
        src, tgt, W = arrays["src"], arrays["tgt"], arrays["W"]
        if not meta["src_words"] or not meta["tgt_words"]:
            raise UserError(f"{path}: a word map with an empty vocabulary (damaged file?)")
        model = cls(method=meta["method"], dim=meta["dim"])
        words_src, words_tgt = meta["src_words"], meta["tgt_words"]
        model.src_vocab_ = Vocab(words_src, {w: i for i, w in enumerate(words_src)}, np.zeros(0))
        model.tgt_vocab_ = Vocab(words_tgt, {w: i for i, w in enumerate(words_tgt)}, np.zeros(0))
        model.src_, model.tgt_, model.W_ = src, tgt, W
        return model
