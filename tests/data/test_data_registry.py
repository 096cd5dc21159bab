"""The registry itself: names match the shared data folders, every known file is listed once."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from helpers import data_root
from mltutorial import data as D
from mltutorial.data import registry
from mltutorial.errors import UserError


def test_registry_names_are_the_shared_folder_names():
    root = data_root()
    if root is None:
        pytest.skip("real dataset folder not found (set MLTUTORIAL_DATA)")
    folders = {p.name for p in root.iterdir() if p.is_dir()}
    assert folders == set(registry.DATASETS) - {"digits"}


def test_every_dataset_has_title_licence_citation_and_files():
    for name, ds in registry.DATASETS.items():
        assert ds.name == name and ds.title and ds.licence and ds.citation and ds.counts
        if name != "digits":
            assert ds.known_files and ds.downloads, name
    listed = [
        (k.path, k.sha256, k.md5) for ds in registry.DATASETS.values() for k in ds.known_files
    ]
    assert len(listed) == len(set(listed))
    assert (
        sum(1 for ds in registry.DATASETS.values() for k in ds.known_files if k.sha256)
        == 104 + 12 + 5
    )  # + gravitational_waves, galaxy_zoo


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UserError, match="did you mean movielens_100k"):
        registry.get("movielens")


def test_resolution_order_explicit_env_cache(no_real_data, monkeypatch):
    env = no_real_data / "env" / "hep"
    cache = no_real_data / "cache" / "mltutorial" / "hep"
    for folder in (env, cache):
        folder.mkdir(parents=True)
        (folder / "higgs.csv").write_text("a,label\n1,0\n")
    assert registry.locate("hep").origin == "cache"
    monkeypatch.setenv("MLTUTORIAL_DATA", str(no_real_data / "env"))
    assert registry.locate("hep") == registry.Found("env", env)
    assert registry.locate("hep", cache / "higgs.csv").origin == "explicit"
    t = D.load_hep(cache / "higgs.csv")
    assert t.info.origin == "explicit" and t.X.shape == (1, 1)


def test_digits_from_a_csv_copy(tmp_path):
    rows = [",".join(["0"] * 64 + [str(d % 10)]) for d in range(20)]
    p = tmp_path / "digits.csv.gz"
    p.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    d = D.load_digits(p)
    assert d.info.origin == "explicit" and len(d.X_train) + len(d.X_test) == 20
    assert sorted(np.concatenate([d.y_train, d.y_test]).tolist()) == sorted(
        d % 10 for d in range(20)
    )


def test_datainfo_label():
    real = D.DataInfo("x", "Some Data", "env", None, "", "")
    fake = D.DataInfo("x", "Some Data", "builtin", None, "", "")
    assert real.label == "Some Data" and not real.is_fallback
    assert fake.label == "built-in sample standing in for Some Data" and fake.is_fallback
