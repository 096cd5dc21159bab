"""Content-based filtering: recommend movies that look like the ones you rated well.

- Item profile x_i: the movie's genres plus the words of its title (TF-IDF, so "Star" and "Trek"
  count more than "The"), each block L2-normalised, genres weighted `genre_weight`, then the whole
  row L2-normalised.
- User profile p_u = sum_j (r_uj - rbar_u) x_j over the movies j the user rated: movies rated above
  the user's own average pull the profile towards them, movies rated below push it away.
- Score s_ui = cos(p_u, x_i): ranks every movie for the user, and explains itself through the
  features that contribute most (e.g. "Sci-Fi, Action").
- Rating prediction: r_hat_ui = b_ui + alpha * s_ui, alpha fitted by least squares on the training
  residuals with leave-one-out profiles (the movie itself is removed from the profile, otherwise
  alpha would learn from a movie "resembling itself").
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse

from mltutorial.apps.recommend.baselines import Recommender, clip, fit_biases
from mltutorial.apps.recommend.dataset import Catalog, Ratings
from mltutorial.apps.recommend.titles import split_year

_STOP = {"the", "a", "an", "of", "and", "in", "to", "on", "for", "with", "la", "le", "les", "de"}


def title_words(title: str) -> list[str]:
    name, _ = split_year(title)
    name = re.sub(r"\(.*?\)", " ", name)  # alternative titles "(Les Misérables)"
    words = re.findall(r"[a-z0-9']+", name.lower())
    return [w.strip("'") for w in words if w.strip("'") and w.strip("'") not in _STOP]


def _normalize_rows(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def item_profiles(
    catalog: Catalog, genre_weight: float = 2.0, min_df: int = 2
) -> tuple[np.ndarray, list[str]]:
    """(X (n_items, n_features) row-normalised, feature names): genres, then title words (TF-IDF)."""
    docs = [title_words(t) for t in catalog.titles]
    df: dict[str, int] = {}
    for doc in docs:
        for w in set(doc):
            df[w] = df.get(w, 0) + 1
    vocab = sorted(w for w, c in df.items() if c >= min_df)
    column = {w: j for j, w in enumerate(vocab)}
    W = np.zeros((len(docs), len(vocab)))
    for row, doc in enumerate(docs):
        for w in doc:
            if w in column:
                W[row, column[w]] += 1.0
    idf = np.log((1 + len(docs)) / (1 + np.array([df[w] for w in vocab]))) + 1.0
    X = np.hstack([genre_weight * _normalize_rows(catalog.genres), _normalize_rows(W * idf)])
    return _normalize_rows(X), list(catalog.genre_names) + [f'"{w}"' for w in vocab]


class ContentBased(Recommender):
    """Cosine between a user's taste profile and each movie's genres and title words."""

    name = "content"

    def __init__(self, *, genre_weight: float = 2.0, min_df: int = 2) -> None:
        self.genre_weight = genre_weight  # genres say more about a film than one title word
        self.min_df = min_df  # a title word seen once cannot link two movies

    def fit(self, train: Ratings, catalog: Catalog) -> ContentBased:
        self.X_, self.feature_names_ = item_profiles(catalog, self.genre_weight, self.min_df)
        self.n_words_ = len(self.feature_names_) - len(catalog.genre_names)
        self.mu_, self.b_u_, self.b_i_ = fit_biases(train)
        self.n_items_ = train.n_items
        u, i, r = train.user, train.item, train.rating
        counts = np.bincount(u, minlength=train.n_users)
        rbar = np.bincount(u, r, minlength=train.n_users) / np.maximum(counts, 1)
        w = r - rbar[u]  # (n,) centred ratings
        A = sparse.csr_matrix((w, (u, i)), shape=(train.n_users, train.n_items))
        P = np.asarray(A @ self.X_)  # (n_users, n_features): sum_j w_uj x_j
        self.profiles_ = P
        # Leave-one-out cosines on the training ratings (the movie itself removed from the
        # profile): with |x_i| = 1, p.x_i - w and |p - w x_i|^2 = |p|^2 - 2 w p.x_i + w^2.
        dots = (P @ self.X_.T)[u, i]  # (n,) p_u . x_i, via a small (n_users, n_items) product
        x_norm2 = np.einsum("nd,nd->n", self.X_, self.X_)[i]  # 1, or 0 for an empty profile
        p_norm2 = np.einsum("nd,nd->n", P, P)[u]
        num = dots - w * x_norm2
        den = np.sqrt(np.maximum(p_norm2 - 2 * w * dots + w * w * x_norm2, 0) * x_norm2)
        s = np.divide(num, den, out=np.zeros_like(num), where=den > 1e-12)
        resid = r - self.mu_ - self.b_u_[u] - self.b_i_[i]
        self.alpha_ = float(s @ resid / max(s @ s, 1e-12))
        norms = np.linalg.norm(P, axis=1, keepdims=True)
        # (n_users, n_items) cosines s_ui, every user against every movie
        self.cosines_ = np.divide(P, norms, out=np.zeros_like(P), where=norms > 0) @ self.X_.T
        return self

    def scores(self, profile: np.ndarray) -> np.ndarray:
        """(n_items,) cosine between one profile (n_features,) and every item."""
        norm = np.linalg.norm(profile)
        return self.X_ @ profile / norm if norm > 0 else np.zeros(self.X_.shape[0])

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        s = self.cosines_[user, item]
        return clip(self.mu_ + self.b_u_[user] + self.b_i_[item] + self.alpha_ * s)

    def score_all(self, user: int) -> np.ndarray:
        return self.cosines_[user]

    def explain(self, profile: np.ndarray, item: int, n: int = 2) -> str:
        """The genres that make `item` match the profile most, e.g. 'Sci-Fi, Action' (title words,
        quoted, only when no genre contributes)."""
        contrib = profile * self.X_[item]
        n_genres = len(self.feature_names_) - self.n_words_
        for block in (np.arange(n_genres), np.arange(n_genres, contrib.size)):
            top = [j for j in block[np.argsort(-contrib[block])][:n] if contrib[j] > 0]
            if top:
                return ", ".join(self.feature_names_[j] for j in top)
        return ""

    def get_state(self) -> dict[str, np.ndarray]:
        return {"alpha": np.array(self.alpha_)}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.alpha_ = float(state["alpha"])
