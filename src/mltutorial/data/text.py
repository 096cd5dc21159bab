"""Text datasets: SMS Spam Collection (TSV), plain text (tinyshakespeare or any UTF-8 file), the
English/Spanish Don Quixote pair (Gutenberg parts stripped), the Brown corpus (NLTK zip, read with
zipfile) and bilingual dictionaries (MUSE, its hunalign re-format, tab-separated pairs).
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import numpy as np

from mltutorial.data import builtin, registry
from mltutorial.data.formats import decode_utf8, read_bytes, read_text
from mltutorial.data.types import (
    BilingualCorpus,
    DataInfo,
    Dictionary,
    TaggedSentences,
    TextCorpus,
    TextLabels,
)
from mltutorial.errors import DataError

PathLike = str | os.PathLike[str] | None


def info_for(name: str, found: registry.Found | None, notes: str = "", title: str = "") -> DataInfo:
    ds = registry.get(name)
    return DataInfo(
        name,
        title or ds.title,
        found.origin if found else "builtin",
        found.path if found else None,
        ds.citation,
        ds.licence,
        notes,
    )


def _file_in(found: registry.Found, *names: str) -> Path:
    """The first of `names` inside the found folder (or the found file itself)."""
    if found.path.is_file():
        return found.path
    for n in names:
        if (found.path / n).is_file():
            return found.path / n
    raise DataError(f"{found.path}: none of {', '.join(names)} found in this folder")


# ---- SMS Spam Collection -----------------------------------------------------------------------


def parse_sms_tsv(data: bytes, path: Path) -> tuple[list[str], np.ndarray]:
    """`label<TAB>text` lines, label ham|spam (case-insensitive) -> (texts, y with 1 = spam)."""
    text = decode_utf8(data, path)
    texts: list[str] = []
    labels: list[int] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, msg = line.partition("\t")
        label = label.strip().lower()
        if not sep:
            raise DataError(f"{path}:{i}: expected 'ham<TAB>text' or 'spam<TAB>text', no tab found")
        if label not in ("ham", "spam"):
            raise DataError(f"{path}:{i}: label must be 'ham' or 'spam', found {label[:20]!r}")
        texts.append(msg)
        labels.append(label == "spam")
    if not texts:
        raise DataError(f"{path}: empty file (expected 'label<TAB>text' lines)")
    return texts, np.array(labels, dtype=np.int64)


def load_sms_spam(path: PathLike = None) -> TextLabels:
    """SMS Spam Collection: TSV `ham|spam<TAB>message`, UTF-8, no header.

    texts: 5,574 str; y (5574,) int64, 1 = spam (747); groups "ham"/"spam"; ids "line N".
    `path` may be the file or its folder. Fallback: 500 template-made SMS (~20% spam).
    """
    name = "sms_spam_collection"
    found = registry.locate(name, path)
    if found is None:
        texts, y = builtin.sms_messages()
        notes = "500 SMS written from templates by this project, about 20% spam"
        return TextLabels(
            texts,
            y,
            info_for(name, None, notes),
            ["spam" if v else "ham" for v in y],
            [f"sample {i}" for i in range(len(y))],
        )
    p = registry.verified(
        name, found, _file_in(found, "SMSSpamCollection", "SMSSpamCollection.txt")
    )
    texts, y = parse_sms_tsv(read_bytes(p), p)
    groups = ["spam" if v else "ham" for v in y]
    return TextLabels(
        texts, y, info_for(name, found), groups, [f"line {i + 1}" for i in range(len(y))]
    )


# ---- plain text --------------------------------------------------------------------------------

_GUTENBERG_START = re.compile(
    r"^[ \t]*\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M | re.I
)
_GUTENBERG_END = re.compile(
    r"^[ \t]*\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M | re.I
)


def strip_gutenberg(text: str) -> str:
    """The book between Project Gutenberg's START and END marker lines (text unchanged if absent)."""
    start = _GUTENBERG_START.search(text)
    end = _GUTENBERG_END.search(text)
    if start:
        text_end = end.start() if end and end.start() > start.end() else len(text)
        return text[start.end() : text_end].strip("\n") + "\n"
    return text


def load_text(path: PathLike = None, name: str = "tinyshakespeare") -> TextCorpus:
    """A plain UTF-8 text: tinyshakespeare by default (1,115,394 characters), or any file.

    A Project Gutenberg file loses its header and licence. Line ends become "\\n". Non-UTF-8 bytes
    and empty files are errors naming the file and line. Fallback: English prose from NumPy's and
    scikit-learn's docstrings (examples removed), up to 400,000 characters.
    """
    if path is not None and name == "tinyshakespeare" and not Path(path).is_dir():
        if str(path) == "":
            raise DataError("an empty data path: leave --data out for the default")
        p = Path(path).expanduser()
        if not p.exists():
            raise DataError(f"{p}: no such file")
        text = strip_gutenberg(read_text(p))
        return TextCorpus(text, DataInfo(p.stem, p.name, "explicit", p, "", "", ""))
    found = registry.locate(name, path)
    if found is None:
        notes = "prose from the docstrings of the installed NumPy and scikit-learn"
        return TextCorpus(builtin.docstring_text(), info_for(name, None, notes))
    p = registry.verified(name, found, _file_in(found, "input.txt"))
    return TextCorpus(read_text(p), info_for(name, found))


def load_en_es(path: PathLike = None) -> BilingualCorpus:
    """Don Quixote in English (pg996.txt, Ormsby) and Spanish (pg2000.txt), Gutenberg parts stripped.

    en, es: str, "\\n" line ends, BOM removed. Fallback: 30 parallel sentences written for this
    project (a few hundred words per language).
    """
    name = "corpora_en_es"
    found = registry.locate(name, path)
    if found is None:
        en = "\n".join(p[0] for p in builtin.EN_ES_PAIRS) + "\n"
        es = "\n".join(p[1] for p in builtin.EN_ES_PAIRS) + "\n"
        return BilingualCorpus(
            en, es, info_for(name, None, "30 sentence pairs written by this project")
        )
    folder = found.path if found.path.is_dir() else found.path.parent
    texts = []
    for fname in ("pg996.txt", "pg2000.txt"):
        p = folder / fname
        if not p.is_file():
            raise DataError(f"{folder}: {fname} not found")
        texts.append(strip_gutenberg(read_text(registry.verified(name, found, p))))
    return BilingualCorpus(texts[0], texts[1], info_for(name, found))


# ---- Brown corpus ------------------------------------------------------------------------------


def _brown_from_zip(path: Path) -> tuple[list[list[str]], list[list[str]], list[str], int]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: not a readable zip file ({exc})") from None
    with zf:
        members = {m.filename: m for m in zf.infolist() if not m.is_dir()}
        cats: dict[str, str] = {}
        cats_name = next((n for n in members if n.endswith("cats.txt")), None)
        if cats_name:
            for line in zf.read(cats_name).decode("utf-8", "replace").splitlines():
                parts = line.split()
                if len(parts) >= 2:
                    cats[parts[0]] = parts[1]
        docs = sorted(n for n in members if re.search(r"(^|/)c[a-r]\d\d$", n))
        if not docs:
            raise DataError(f"{path}: no Brown documents (brown/ca01 ...) in this zip")
        sentences, tags, categories = [], [], []
        for doc in docs:
            try:
                raw = zf.read(doc)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise DataError(f"{path}: damaged member {doc} ({exc})") from None
            text = decode_utf8(raw, Path(f"{path}!{doc}"))
            cat = cats.get(doc.rsplit("/", 1)[-1], "")
            for line in text.splitlines():
                tokens = line.split()
                if not tokens:
                    continue
                words, ts = [], []
                for tok in tokens:
                    w, _, t = tok.rpartition("/")
                    words.append(w or t)
                    ts.append(t.lower() if w else "")
                sentences.append(words)
                tags.append(ts)
                categories.append(cat)
    return sentences, tags, categories, len(docs)


def load_brown(path: PathLike = None) -> TaggedSentences:
    """The Brown corpus from NLTK's brown.zip (no NLTK needed): `word/TAG` tokens, one sentence a line.

    sentences: 57,340 lists of tokens (1,161,192 in all), tags alongside, categories per sentence
    (15 genres from cats.txt). Fallback: the docstring prose of `load_text`'s fallback, split into
    sentences and words (tags "" and category "docstrings").
    """
    name = "brown_corpus"
    found = registry.locate(name, path)
    if found is None:
        sentences = []
        for s in re.split(r"(?<=[.!?])\s+", builtin.docstring_text()):
            words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?|\d+|[.,;:!?()]", s)
            if len(words) >= 3:
                sentences.append(words)
        info = info_for(name, None, "NumPy/scikit-learn docstring prose split into sentences")
        return TaggedSentences(
            sentences, [[""] * len(s) for s in sentences], ["docstrings"] * len(sentences), info
        )
    p = registry.verified(name, found, _file_in(found, "brown.zip"))
    sentences, tags, categories, n_docs = _brown_from_zip(p)
    return TaggedSentences(
        sentences, tags, categories, info_for(name, found, f"{n_docs} documents")
    )


# ---- bilingual dictionaries --------------------------------------------------------------------


def parse_pairs(data: bytes, path: Path) -> list[tuple[str, str]]:
    """Word pairs, one per line, in any of: `tgt @ src` (hunalign, file named src-tgt.dict),
    `src<TAB>tgt` (xling-eval, our own TSV) or `src tgt` (MUSE .txt). Returns (source, target).
    """
    text = decode_utf8(data, path)
    hunalign = path.suffix == ".dict" or " @ " in text[:2000]
    pairs = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if hunalign:
            tgt, sep, src = line.partition(" @ ")
        elif "\t" in line:
            src, sep, tgt = line.partition("\t")
        else:
            fields = line.split()
            sep = " " if len(fields) == 2 else ""
            src, tgt = [*fields, "", ""][:2]
        src, tgt = src.strip(), tgt.strip()
        if not sep or not src or not tgt:
            raise DataError(
                f"{path}:{i}: expected a word pair ('src<TAB>tgt', 'src tgt' or 'tgt @ src')"
            )
        pairs.append((src, tgt))
    if not pairs:
        raise DataError(f"{path}: empty file (expected word pairs)")
    return pairs


def _muse_split(pairs: list[tuple[str, str]], split: str) -> list[tuple[str, str]]:
    """MUSE's convention: the first 5,000 distinct source words train, the next 1,500 test."""
    order: dict[str, int] = {}
    for src, _ in pairs:
        order.setdefault(src, len(order))
    lo, hi = (0, 5000) if split == "train" else (5000, 6500)
    return [(s, t) for s, t in pairs if lo <= order[s] < hi]


def load_dictionary(pair: str = "en-es", split: str = "full", path: PathLike = None) -> Dictionary:
    """A bilingual dictionary: pairs of (source word, target word), e.g. ("the", "el").

    pair: "en-es", "es-en", "en-fr", "fr-en", "en-de", "de-en" (MUSE, ~100k pairs) or an xling-eval
    pair (en-de, en-fi, en-fr, en-hr, en-it, en-ru, en-tr). split: "full"; "train" / "test" = MUSE's
    convention (first 5,000 distinct source words / next 1,500) on MUSE files, or xling-eval's own
    5k train / 2k test files where MUSE has no such pair. `path` may be any pairs file.
    Fallback: about 150 English-Spanish pairs written by this project (split ignored).
    """
    if split not in ("full", "train", "test"):
        raise DataError(f"split must be full, train or test, not {split!r}")
    name = "bilingual_dictionaries"
    if path is not None and Path(path).is_file():
        p = Path(path)
        src, _, tgt = p.stem.split(".")[-1].partition("-")
        pairs = parse_pairs(read_bytes(p), p)
        if split != "full":
            pairs = _muse_split(pairs, split)
        info = DataInfo(name, p.name, "explicit", p, registry.get(name).citation, "", "")
        return Dictionary(pairs, src or "src", tgt or "tgt", info)
    found = registry.locate(name, path)
    source, _, target = pair.partition("-")
    if found is None:
        pairs = builtin.EN_ES_WORDS
        if pair == "es-en":
            pairs = [(t, s) for s, t in pairs]
        elif pair != "en-es":
            raise DataError(
                f"no built-in dictionary for {pair!r} (only en-es, es-en); set MLTUTORIAL_DATA"
            )
        info = info_for(name, None, f"{len(pairs)} English-Spanish pairs written by this project")
        return Dictionary(list(pairs), source, target, info)
    folder = found.path
    muse = [folder / "muse_hunalign_format" / f"{pair}.dict", folder / "muse" / f"{pair}.txt"]
    muse += [folder / f"{pair}.dict", folder / f"{pair}.txt"]
    for p in muse:
        if p.is_file():
            pairs = parse_pairs(read_bytes(registry.verified(name, found, p)), p)
            if split != "full":
                pairs = _muse_split(pairs, split)
            notes = "MUSE full dictionary" + (
                f", {split} split by MUSE's convention" if split != "full" else ""
            )
            return Dictionary(pairs, source, target, info_for(name, found, notes))
    xl = folder / "xling_eval_bli" / pair
    if not xl.is_dir() and (folder / "xling_eval_bli" / f"{target}-{source}").is_dir():
        xl = folder / "xling_eval_bli" / f"{target}-{source}"
    files = {
        "train": xl / f"yacle.train.freq.5k.{pair}.tsv",
        "test": xl / f"yacle.test.freq.2k.{pair}.tsv",
    }
    if xl.is_dir() and all(f.is_file() for f in files.values()):
        chosen = [files["train"], files["test"]] if split == "full" else [files[split]]
        pairs = []
        for p in chosen:
            pairs += parse_pairs(read_bytes(registry.verified(name, found, p)), p)
        notes = f"xling-eval BLI {split if split != 'full' else 'train 5k + test 2k'}"
        return Dictionary(pairs, source, target, info_for(name, found, notes))
    raise DataError(
        f"{folder}: no dictionary for {pair!r} (looked for MUSE {pair}.dict/.txt and xling-eval)"
    )
