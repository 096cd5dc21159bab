"""The recommender a person uses: every rung fitted on all ratings, recommendations with reasons,
cold start, and one versioned model file.

`MovieRecommender().fit(dataset)` fits biases, content, kNN, MF and the hybrid (which adds the
Bayesian MF) on every rating;
`recommend(user)`, `similar(item)` and `new_user(liked)` return `Recommendation`s that say why
("because you liked Star Wars (1977)", "Sci-Fi, Action").

Model file (`save`/`load`): one NumPy .npz (no pickle) holding a JSON header {"format":
"mltutorial-recommend", "version": 2, hyperparameters, dataset label}, the catalogue, the training
ratings, and each rung's learned arrays. kNN is a lazy learner: its similarities are rebuilt from the
stored ratings on load (deterministic, about a second), which keeps the file small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mltutorial.apps.recommend.baselines import Biases, Recommender
from mltutorial.apps.recommend.content import ContentBased
from mltutorial.apps.recommend.dataset import Catalog, Dataset, Ratings
from mltutorial.apps.recommend.hybrid import MEMBERS, Hybrid, bayesian_mf
from mltutorial.apps.recommend.knn import ItemKNN
from mltutorial.apps.recommend.mf import MatrixFactorization
from mltutorial.apps.recommend.titles import TitleIndex
from mltutorial.errors import UserError
from mltutorial.files import Array, atomic_path, check_arrays, check_header, read_npz

FORMAT = "mltutorial-recommend"
VERSION = 2  # 2: the hybrid blends the Bayesian MF too (its draws are saved)
METHODS = ("content", "collaborative", "hybrid")
LIKED_MIN = 4.0  # a rating that counts as "you liked it" in explanations


@dataclass
class Recommendation:
    item: int
    title: str
    score: float  # predicted rating for a known user; a similarity or blended score otherwise
    because: str
    score_name: str = "score"  # "predicted rating", "similarity" or "score" (a blend)

    def line(self, rank: int) -> str:
        return f"{rank:>2}. {self.title}  ({self.score_name} {self.score:.2f})  {self.because}"


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else x - x.mean()


# What a saved model's arrays must look like (files.check_arrays): the sizes follow the ratings.
_ARRAYS = {
    "ratings/user": Array(("n_ratings",), "iu"),
    "ratings/item": Array(("n_ratings",), "iu"),
    "ratings/rating": Array(("n_ratings",)),
    "ratings/shape": Array((2,), "iu"),
    "catalog/titles": Array(("n_items",), "U"),
    "catalog/genres": Array(("n_items", "n_genres"), "iufb"),
    "catalog/genre_names": Array(("n_genres",), "U"),
    "biases/mu": Array(()),
    "biases/b_u": Array(("n_users",)),
    "biases/b_i": Array(("n_items",)),
    "content/alpha": Array(()),
    "knn/k": Array((), "iu"),
    "knn/shrinkage": Array((), "fiu"),
    "mf/mu": Array(()),
    "mf/P": Array(("n_users", "n_factors")),
    "mf/Q": Array(("n_items", "n_factors")),
    "mf/b_u": Array(("n_users",)),
    "mf/b_i": Array(("n_items",)),
    "bpmf/mu": Array(()),
    "bpmf/P": Array(("n_users", "n_draw_factors")),
    "bpmf/Q": Array(("n_items", "n_draw_factors")),
    "bpmf/b_u": Array(("n_users",)),
    "bpmf/b_i": Array(("n_items",)),
    "hybrid/weights": Array((len(MEMBERS) + 1,)),
}


class MovieRecommender:
    """All rungs fitted on one set of ratings, ready to recommend (see module docstring)."""

    def __init__(self, *, mf_params: dict | None = None, min_ratings: int = 5) -> None:
        self.mf_params = dict(mf_params or {})
        self.min_ratings = min_ratings  # movies rated fewer times are not recommended (noise)

    # ----------------------------------------------------------------------------- fitting
    def fit(
        self, ratings: Ratings, catalog: Catalog, label: str = "", hybrid: bool = True
    ) -> MovieRecommender:
        """Fit every rung on `ratings`; hybrid=False leaves the hybrid's blend (which fits the
        members a second time on 90% of the ratings) until `recommend(method="hybrid")` needs it."""
        self.ratings_ = ratings
        self.catalog_ = catalog
        self.label_ = label
        self.biases_ = Biases().fit(ratings, catalog)
        self.content_ = ContentBased().fit(ratings, catalog)
        self.knn_ = ItemKNN().fit(ratings, catalog)
        self.mf_ = MatrixFactorization(**self.mf_params).fit(ratings, catalog)
        self.hybrid_: Hybrid | None = self._fit_hybrid() if hybrid else None
        self._index()
        return self

    def _fit_hybrid(self) -> Hybrid:
        """The blend; it fits the Bayesian MF (its one member no other method uses) itself."""
        fitted: dict[str, Recommender] = {
            "biases": self.biases_,
            "content": self.content_,
            "knn": self.knn_,
            "mf": self.mf_,
        }
        return Hybrid(mf_params=self.mf_params).fit(self.ratings_, self.catalog_, fitted=fitted)

    def hybrid(self) -> Hybrid:
        if self.hybrid_ is None:
            self.hybrid_ = self._fit_hybrid()
        return self.hybrid_

    @classmethod
    def from_models(
        cls, ratings: Ratings, catalog: Catalog, label: str, fitted: dict[str, Recommender]
    ) -> MovieRecommender:
        """Wrap rungs already fitted on `ratings` (the ladder's, e.g. in the tour)."""
        self = cls(mf_params=fitted["mf"].get_params())
        self.ratings_, self.catalog_, self.label_ = ratings, catalog, label
        self.biases_ = fitted["biases"]
        self.content_ = fitted["content"]
        self.knn_ = fitted["knn"]
        self.mf_ = fitted["mf"]
        self.hybrid_ = fitted["hybrid"]
        self._index()
        return self

    def fit_dataset(self, dataset: Dataset, hybrid: bool = True) -> MovieRecommender:
        return self.fit(dataset.ratings, dataset.catalog, dataset.label, hybrid)

    def _index(self) -> None:
        self.popularity_ = np.bincount(self.ratings_.item, minlength=self.ratings_.n_items)
        self.titles_ = TitleIndex(self.catalog_.titles, self.popularity_)

    # ----------------------------------------------------------------------------- lookups
    def find_item(self, title: str) -> int:
        return self.titles_.find(title)

    def check_user(self, user: int) -> int:
        """`user` is the 1-based MovieLens id a person types; returns the 0-based index."""
        n = self.ratings_.n_users
        if not 1 <= user <= n:
            raise UserError(f"unknown user {user}; users are numbered 1..{n}")
        return user - 1

    def _method(self, method: str) -> str:
        if method not in METHODS:
            raise UserError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
        return method

    def _candidates(self, exclude: np.ndarray) -> np.ndarray:
        ok = self.popularity_ >= self.min_ratings
        ok[exclude] = False
        return ok

    @staticmethod
    def _top(scores: np.ndarray, ok: np.ndarray, k: int) -> np.ndarray:
        scores = np.where(ok, scores, -np.inf)
        k = min(k, int(ok.sum()))
        top = np.argpartition(-scores, k - 1)[:k] if k > 0 else np.array([], int)
        return top[np.argsort(-scores[top], kind="stable")]

    # ----------------------------------------------------------------------------- reasons
    def _because_liked(self, item: int, liked: np.ndarray) -> str:
        """'because you liked X': the liked movie most similar to `item` (kNN similarity)."""
        if liked.size == 0:
            return ""
        sims = self.knn_.sim_[item, liked]
        best = liked[int(np.argmax(sims))]
        return f"because you liked {self.catalog_.titles[best]}"

    def _reason(self, method: str, item: int, liked: np.ndarray, profile: np.ndarray) -> str:
        genres = self.content_.explain(profile, item)
        liked_part = self._because_liked(item, liked)
        if method == "content":
            return genres
        if method == "collaborative":
            return liked_part
        return "; ".join(p for p in (liked_part, genres) if p)

    # ----------------------------------------------------------------------------- use
    def recommend(self, user: int, k: int = 10, method: str = "hybrid") -> list[Recommendation]:
        """Top-k movies user `user` (1-based id) has not rated, with reasons.

        content: ranked by the content cosine; collaborative: by MF's predicted rating; hybrid: by
        the hybrid's blended rating. "because you liked X": of the movies the user rated >= 4, the
        one with the highest kNN similarity to the recommendation."""
        method = self._method(method)
        u = self.check_user(user)
        rated, ratings = self.knn_.rated(u)
        if method == "content":
            scores = self.content_.score_all(u)
        elif method == "collaborative":
            scores = self.mf_.score_all(u)
        else:
            scores = self.hybrid().score_all(u)
        top = self._top(scores, self._candidates(rated), k)
        liked = rated[ratings >= LIKED_MIN] if (ratings >= LIKED_MIN).any() else rated
        profile = self.content_.profiles_[u]
        name = "similarity" if method == "content" else "predicted rating"
        return [
            Recommendation(
                int(i),
                self.catalog_.titles[i],
                float(scores[i]),
                self._reason(method, i, liked, profile),
                name,
            )
            for i in top
        ]

    def similar(self, item: int, k: int = 10, method: str = "hybrid") -> list[Recommendation]:
        """Movies most like `item`: co-rated (kNN similarity and MF factor cosine) and/or content."""
        method = self._method(method)
        collaborative = 0.5 * self.knn_.sim_[item].astype(
            np.float64
        ) + 0.5 * self.mf_.item_similarity(item)
        content = self.content_.X_ @ self.content_.X_[item]
        scores = {"content": content, "collaborative": collaborative}.get(
            method, 0.5 * collaborative + 0.5 * content
        )
        top = self._top(scores, self._candidates(np.array([item])), k)
        out = []
        for i in top:
            shared = [
                self.catalog_.genre_names[g]
                for g in np.flatnonzero(self.catalog_.genres[i] * self.catalog_.genres[item])
            ]
            co = self._co_raters(item, int(i))
            parts = {
                "collaborative": f"{co} people rated both",
                "content": f"shares {', '.join(shared)}" if shared else "similar title words",
            }
            because = (
                parts[method]
                if method in parts
                else f"{parts['collaborative']}; {parts['content']}"
            )
            out.append(
                Recommendation(
                    int(i), self.catalog_.titles[i], float(scores[i]), because, "similarity"
                )
            )
        return out

    def _co_raters(self, a: int, b: int) -> int:
        r = self.ratings_
        return len(np.intersect1d(r.user[r.item == a], r.user[r.item == b]))

    def new_user(
        self, liked: list[int], k: int = 10, method: str = "hybrid"
    ) -> list[Recommendation]:
        """Cold start: recommendations for someone who only named movies they like.

        content: cosine to the sum of the liked movies' profiles; collaborative: MF fold-in (a user
        vector solved with item factors fixed, the liked movies counted as 5 stars) plus the kNN
        similarity to the liked movies; hybrid: the z-scored average of the two.
        """
        method = self._method(method)
        liked_arr = np.unique(np.asarray(liked, np.int64))
        if liked_arr.size == 0:
            raise UserError("name at least one movie you like (--like TITLE)")
        profile = self.content_.X_[liked_arr].sum(axis=0)
        content = self.content_.scores(profile)
        b_u, p_u = self.mf_.fold_in(liked_arr, np.full(liked_arr.size, 5.0))
        mf = self.mf_.score_new(b_u, p_u)
        knn = np.maximum(self.knn_.sim_[:, liked_arr], 0).sum(axis=1).astype(np.float64)
        collaborative = 0.5 * _zscore(mf) + 0.5 * _zscore(knn)
        scores = {"content": content, "collaborative": collaborative}.get(
            method, 0.5 * collaborative + 0.5 * _zscore(content)
        )
        top = self._top(scores, self._candidates(liked_arr), k)
        return [
            Recommendation(
                int(i),
                self.catalog_.titles[i],
                float(scores[i]),
                self._reason(method, int(i), liked_arr, profile),
                "similarity" if method == "content" else "score",
            )
            for i in top
        ]

    # ----------------------------------------------------------------------------- save / load
    def save(self, path: str | Path) -> Path:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "dataset": self.label_,
            "mf_params": self.mf_params,
            "min_ratings": self.min_ratings,
            "knn": {"k": self.knn_.k, "shrinkage": self.knn_.shrinkage},
        }
        arrays: dict[str, np.ndarray] = {
            "header": np.array(json.dumps(header)),
            "ratings/user": self.ratings_.user,
            "ratings/item": self.ratings_.item,
            "ratings/rating": self.ratings_.rating,
            "ratings/shape": np.array([self.ratings_.n_users, self.ratings_.n_items]),
            "catalog/titles": np.array(self.catalog_.titles),
            "catalog/genres": self.catalog_.genres,
            "catalog/genre_names": np.array(self.catalog_.genre_names),
        }
        for name, model in self._models().items():
            for key, value in model.get_state().items():
                arrays[f"{name}/{key}"] = np.asarray(value)
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
        return Path(path)

    def _models(self) -> dict[str, Recommender]:
        return {
            "biases": self.biases_,
            "content": self.content_,
            "knn": self.knn_,
            "mf": self.mf_,
            "bpmf": self.hybrid().members_["bpmf"],
            "hybrid": self.hybrid(),
        }

    @classmethod
    def load(cls, path: str | Path) -> MovieRecommender:
        """A model saved by `save`; a damaged or edited file is one `UserError` line."""
        path = Path(path)
        if path.is_dir():
            raise UserError(
                f"{path}: is a folder; give the model file saved by 'recommend train -o'"
            )
        if not path.exists():
            raise UserError(
                f"{path}: no such model file (make one with 'mltutorial recommend train -o FILE')"
            )
        arrays = read_npz(path, "recommender model")
        try:
            header = json.loads(str(arrays["header"]))
        except (ValueError, KeyError):
            raise UserError(f"{path}: not a recommender model file, or truncated") from None
        if not isinstance(header, dict):
            raise UserError(f"{path}: not a recommender model file (the header is not an object)")
        if header.get("format") != FORMAT:
            raise UserError(
                f"{path}: not a recommender model file (format {header.get('format')!r})"
            )
        if header.get("version") != VERSION:
            raise UserError(
                f"{path}: model file version {header.get('version')} is not supported "
                f"(this mltutorial reads version {VERSION}); retrain with 'recommend train -o'"
            )
        check_header(
            header,
            {"dataset": str, "mf_params": dict, "min_ratings": int, "knn": dict},
            str(path),
        )
        sizes = check_arrays(arrays, _ARRAYS, str(path))
        n_users, n_items = (int(v) for v in arrays["ratings/shape"])
        user, item = arrays["ratings/user"], arrays["ratings/item"]
        if (
            n_items != sizes["n_items"]
            or not 0 <= user.min() <= user.max() < n_users
            or not 0 <= item.min() <= item.max() < n_items
            or n_users != sizes["n_users"]
        ):
            raise UserError(f"{path}: model file whose ratings and sizes disagree (damaged?)")
        try:
            return cls._from_arrays(header, arrays)
        except (KeyError, ValueError, IndexError, TypeError):
            raise UserError(f"{path}: model file is incomplete or damaged") from None

    @classmethod
    def _from_arrays(cls, header: dict, arrays: dict[str, np.ndarray]) -> MovieRecommender:
        self = cls(mf_params=header["mf_params"], min_ratings=int(header["min_ratings"]))
        n_users, n_items = (int(v) for v in arrays["ratings/shape"])
        self.ratings_ = Ratings(
            arrays["ratings/user"],
            arrays["ratings/item"],
            arrays["ratings/rating"],
            n_users,
            n_items,
        )
        self.catalog_ = Catalog(
            [str(t) for t in arrays["catalog/titles"]],
            arrays["catalog/genres"],
            [str(g) for g in arrays["catalog/genre_names"]],
        )
        self.label_ = header["dataset"]

        def state(name: str) -> dict[str, np.ndarray]:
            prefix = name + "/"
            return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}

        self.biases_ = Biases()
        self.biases_.set_state(state("biases"))
        self.content_ = ContentBased().fit(self.ratings_, self.catalog_)  # profiles: deterministic
        self.content_.set_state(state("content"))
        self.knn_ = ItemKNN(**header["knn"]).fit(self.ratings_, self.catalog_)
        self.mf_ = MatrixFactorization(**self.mf_params)
        self.mf_.set_state(state("mf"))
        bpmf = bayesian_mf(self.mf_params)
        bpmf.set_state(state("bpmf"))
        self.hybrid_ = Hybrid(mf_params=self.mf_params)
        self.hybrid_.set_state(state("hybrid"))
        self.hybrid_.members_ = {
            "biases": self.biases_,
            "content": self.content_,
            "knn": self.knn_,
            "mf": self.mf_,
            "bpmf": bpmf,
        }
        self.hybrid_.n_items_ = n_items
        self._index()
        return self
