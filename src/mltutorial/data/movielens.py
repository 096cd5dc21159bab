"""MovieLens: the 100K layout (u.data, u.item in Latin-1, u.user, u.genre, u1..u5 and ua/ub splits)
and the CSV layout of the newer releases (ratings.csv, movies.csv with "|"-separated genres).

Both give the same `MovieLens` object. Fallback: ratings from a low-rank model over 80 well-known
films with their MovieLens genres (see `builtin.movielens_ratings`).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np

from mltutorial.data import builtin, registry
from mltutorial.data.formats import decode_utf8, int_table, read_bytes
from mltutorial.data.types import DataInfo, MovieLens, UserInfo
from mltutorial.errors import DataError

PathLike = str | os.PathLike[str] | None
NAME = "movielens_100k"


def _info(found: registry.Found | None, notes: str = "", title: str = "") -> DataInfo:
    ds = registry.get(NAME)
    return DataInfo(
        NAME,
        title or ds.title,
        found.origin if found else "builtin",
        found.path if found else None,
        ds.citation,
        ds.licence,
        notes,
    )


def kfold(n: int, k: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """A shuffled k-fold split of range(n): k (train_idx, test_idx) pairs, each sorted."""
    perm = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(perm, k)
    return [
        (np.sort(np.concatenate([p for j, p in enumerate(parts) if j != i])), np.sort(parts[i]))
        for i in range(k)
    ]


def _year(title: str, date: str) -> int:
    m = re.search(r"(\d{4})\s*$", date) or re.search(r"\((\d{4})\)\s*$", title)
    return int(m.group(1)) if m else 0


def _read_items(
    path: Path, genre_names: list[str]
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """u.item (Latin-1): id|title|release date|video date|url|19 flags -> ids, titles, years, genres."""
    text = read_bytes(path).decode("latin-1")
    ids, titles, years, genres = [], [], [], []
    n_genres = len(genre_names)
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        f = line.split("|")
        if len(f) != 5 + n_genres:
            raise DataError(
                f"{path}:{i}: expected {5 + n_genres} '|'-separated fields, found {len(f)}"
            )
        try:
            ids.append(int(f[0]))
            genres.append([int(v) for v in f[5:]])
        except ValueError:
            raise DataError(f"{path}:{i}: movie id and genre flags must be integers") from None
        titles.append(f[1])
        years.append(_year(f[1], f[2]))
    if not ids:
        raise DataError(f"{path}: empty file (expected movies)")
    return np.array(ids, np.int64), titles, np.array(years, np.int64), np.array(genres, np.uint8)


def _read_users(path: Path) -> tuple[np.ndarray, UserInfo]:
    ids, age, gender, occ, zips = [], [], [], [], []
    for i, line in enumerate(read_bytes(path).decode("latin-1").splitlines(), 1):
        if not line.strip():
            continue
        f = line.split("|")
        if len(f) != 5:
            raise DataError(f"{path}:{i}: expected 5 '|'-separated fields, found {len(f)}")
        try:
            ids.append(int(f[0]))
            age.append(int(f[1]))
        except ValueError:
            raise DataError(f"{path}:{i}: user id and age must be integers") from None
        gender.append(f[2])
        occ.append(f[3])
        zips.append(f[4])
    return np.array(ids, np.int64), UserInfo(np.array(age, np.int64), gender, occ, zips)


def _index_of(
    keys_sorted: np.ndarray, order: np.ndarray, keys: np.ndarray, path: Path
) -> np.ndarray:
    pos = np.searchsorted(keys_sorted, keys)
    pos = np.minimum(pos, len(keys_sorted) - 1)
    bad = np.flatnonzero(keys_sorted[pos] != keys)
    if len(bad):
        raise DataError(f"{path}:{bad[0] + 1}: this rating is not in u.data")
    return order[pos]


def _load_100k(found: registry.Found, folder: Path) -> MovieLens:
    def file(name: str) -> Path:
        p = folder / name
        if not p.is_file():
            raise DataError(f"{folder}: {name} not found (MovieLens 100K layout)")
        return registry.verified(NAME, found, p)

    data_path = file("u.data")
    table = int_table(read_bytes(data_path), data_path, 4)  # (n, 4): user, item, rating, timestamp
    genre_names = list(builtin.GENRES_100K)
    if (folder / "u.genre").is_file():
        g = [ln.split("|")[0] for ln in file("u.genre").read_bytes().decode("latin-1").splitlines()]
        genre_names = [x for x in g if x]
    item_ids, titles, years, genres = _read_items(file("u.item"), genre_names)
    user_info = None
    if (folder / "u.user").is_file():
        user_ids, user_info = _read_users(file("u.user"))
    else:
        user_ids = np.unique(table[:, 0])
    user_ids_sorted = np.sort(user_ids)
    item_order = np.argsort(item_ids)
    u_pos = np.searchsorted(user_ids_sorted, table[:, 0])
    i_pos = np.searchsorted(item_ids[item_order], table[:, 1])
    for what, pos, ids_sorted, col in (
        ("user", u_pos, user_ids_sorted, 0),
        ("movie", i_pos, item_ids[item_order], 1),
    ):
        pos_c = np.minimum(pos, len(ids_sorted) - 1)
        bad = np.flatnonzero(ids_sorted[pos_c] != table[:, col])
        if len(bad):
            raise DataError(
                f"{data_path}:{bad[0] + 1}: {what} id {table[bad[0], col]} is not listed"
            )
    if user_info is not None:
        order = np.argsort(user_ids)
        user_info = UserInfo(
            user_info.age[order],
            [user_info.gender[i] for i in order],
            [user_info.occupation[i] for i in order],
            [user_info.zip_code[i] for i in order],
        )
    user = u_pos.astype(np.int64)
    item = item_order[np.minimum(i_pos, len(item_ids) - 1)].astype(np.int64)
    rating = table[:, 2].astype(np.float32)
    if rating.min() < 1 or rating.max() > 5:
        bad = int(np.flatnonzero((rating < 1) | (rating > 5))[0])
        raise DataError(f"{data_path}:{bad + 1}: rating {rating[bad]:g} outside 1..5")
    # official splits: map each (user id, item id) line to its index in u.data
    keys = table[:, 0] * 100_000 + table[:, 1]
    order = np.argsort(keys, kind="stable")
    keys_sorted = keys[order]
    if len(np.unique(keys_sorted)) != len(keys_sorted):
        raise DataError(f"{data_path}: a user rates the same movie twice")

    def split(stem: str) -> tuple[np.ndarray, np.ndarray]:
        out = []
        for part in ("base", "test"):
            p = file(f"{stem}.{part}")
            t = int_table(read_bytes(p), p, 4)
            out.append(np.sort(_index_of(keys_sorted, order, t[:, 0] * 100_000 + t[:, 1], p)))
        return out[0], out[1]

    folds = [split(f"u{k}") for k in range(1, 6) if (folder / f"u{k}.base").is_file()]
    splits = {s: split(s) for s in ("ua", "ub") if (folder / f"{s}.base").is_file()}
    notes = "" if len(folds) == 5 else f"only {len(folds)} of the official folds u1..u5 found"
    return MovieLens(
        user,
        item,
        rating,
        table[:, 3].astype(np.int64),
        len(user_ids_sorted),
        len(item_ids),
        titles,
        years,
        genres,
        genre_names,
        user_ids_sorted,
        item_ids,
        _info(found, notes),
        user_info,
        folds,
        splits,
    )


def _load_csv(found: registry.Found, folder: Path) -> MovieLens:
    rpath = registry.verified(NAME, found, folder / "ratings.csv")
    mpath = registry.verified(NAME, found, folder / "movies.csv")
    lines = decode_utf8(read_bytes(rpath), rpath).splitlines()
    if not lines:
        raise DataError(f"{rpath}: empty file (expected userId,movieId,rating,timestamp)")
    header = [h.strip() for h in lines[0].split(",")]
    need = ["userId", "movieId", "rating", "timestamp"]
    missing = [c for c in need if c not in header]
    if missing:
        raise DataError(
            f"{rpath}:1: missing column(s) {', '.join(missing)} (header: {lines[0][:80]})"
        )
    cols = [header.index(c) for c in need]
    body = [ln for ln in lines[1:] if ln.strip()]
    try:
        table = np.array([ln.split(",") for ln in body], dtype=np.float64)
        if table.ndim != 2 or table.shape[1] != len(header):
            raise ValueError
    except ValueError:
        for i, ln in enumerate(lines[1:], 2):
            f = ln.split(",")
            if ln.strip() and (len(f) != len(header) or not all(_is_number(x) for x in f)):
                raise DataError(
                    f"{rpath}:{i}: expected {len(header)} numbers, found {ln[:60]!r}"
                ) from None
        raise
    table = table[:, cols]
    reader = csv.reader(io.StringIO(decode_utf8(read_bytes(mpath), mpath)))
    mheader = next(reader, None)
    if not mheader or [h.strip() for h in mheader[:3]] != ["movieId", "title", "genres"]:
        raise DataError(f"{mpath}:1: expected header movieId,title,genres")
    ids, titles, genre_lists = [], [], []
    for i, row in enumerate(reader, 2):
        if not row:
            continue
        if len(row) < 3:
            raise DataError(f"{mpath}:{i}: expected movieId,title,genres")
        try:
            ids.append(int(row[0]))
        except ValueError:
            raise DataError(f"{mpath}:{i}: movieId must be an integer") from None
        titles.append(row[1].strip())
        genre_lists.append([g for g in row[2].split("|") if g and g != "(no genres listed)"])
    genre_names = sorted({g for gl in genre_lists for g in gl})
    genres = np.zeros((len(ids), len(genre_names)), np.uint8)
    for r, gl in enumerate(genre_lists):
        for g in gl:
            genres[r, genre_names.index(g)] = 1
    item_ids = np.array(ids, np.int64)
    item_order = np.argsort(item_ids)
    pos = np.searchsorted(item_ids[item_order], table[:, 1].astype(np.int64))
    pos = np.minimum(pos, len(item_ids) - 1)
    bad = np.flatnonzero(item_ids[item_order][pos] != table[:, 1])
    if len(bad):
        raise DataError(f"{rpath}:{bad[0] + 2}: movieId {int(table[bad[0], 1])} not in movies.csv")
    user_ids, user = np.unique(table[:, 0].astype(np.int64), return_inverse=True)
    folds = kfold(len(table))
    notes = "CSV layout; folds: a shuffled 5-fold split of the ratings (seed 0)"
    years = np.array([_year(t, "") for t in titles], np.int64)
    return MovieLens(
        user.astype(np.int64),
        item_order[pos].astype(np.int64),
        table[:, 2].astype(np.float32),
        table[:, 3].astype(np.int64),
        len(user_ids),
        len(item_ids),
        titles,
        years,
        genres,
        genre_names,
        user_ids,
        item_ids,
        _info(found, notes, "MovieLens (CSV layout)"),
        None,
        folds,
    )


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def _builtin() -> MovieLens:
    user, item, rating, ts = builtin.movielens_ratings()
    titles = [t for t, _ in builtin.MOVIES]
    n_users, n_items = int(user.max()) + 1, len(titles)
    notes = (
        f"{len(rating):,} ratings by {n_users} simulated users of {n_items} well-known films "
        "(low-rank model over their genres); folds: shuffled 5-fold split (seed 0)"
    )
    return MovieLens(
        user,
        item,
        rating,
        ts,
        n_users,
        n_items,
        titles,
        np.array([_year(t, "") for t in titles], np.int64),
        builtin.genre_matrix(),
        list(builtin.GENRES_100K),
        np.arange(1, n_users + 1),
        np.arange(1, n_items + 1),
        _info(None, notes),
        None,
        kfold(len(rating)),
    )


def load_movielens(path: PathLike = None) -> MovieLens:
    """MovieLens 100K (or any MovieLens in the CSV layout): see `MovieLens` for the fields.

    100K: 100,000 ratings by 943 users on 1,682 movies, folds u1..u5, splits ua/ub, user_info.
    `path` may be the ml-100k folder, its parent, or a folder with ratings.csv and movies.csv.
    """
    found = registry.locate(NAME, path)
    if found is None:
        return _builtin()
    base = found.path if found.path.is_dir() else found.path.parent
    for folder in (base, base / "ml-100k", base / "ml-latest-small"):
        if (folder / "u.data").is_file():
            return _load_100k(found, folder)
        if (folder / "ratings.csv").is_file():
            return _load_csv(found, folder)
    raise DataError(
        f"{base}: no MovieLens files (expected u.data and u.item, or ratings.csv and movies.csv)"
    )
