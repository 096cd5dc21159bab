"""E-mail corpora: RFC 822 messages parsed with the standard library, from a folder with ham/ and
spam/ subfolders (Enron-Spam, personal archives), or straight from a tar archive (the SpamAssassin
public corpus as shared/data keeps it, the npm package it came from, or the original tarballs).

A message becomes one text: its subject, a blank line, and its body as plain text (quoted-printable
and base64 decoded, charsets honoured, HTML parts turned into text when there is no plain part).
A broken message never stops a load: whatever cannot be parsed is kept as raw text.
"""

from __future__ import annotations

import email
import email.header
import functools
import html
import os
import re
import tarfile
from collections.abc import Iterable, Iterator
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from mltutorial.data import builtin, registry
from mltutorial.data.cache import cached
from mltutorial.data.text import info_for, load_sms_spam
from mltutorial.data.types import DataInfo, TextLabels
from mltutorial.errors import DataError
from mltutorial.progress import progress

PathLike = str | os.PathLike[str] | None
_FORMAT_VERSION = 1  # bump when mail_text changes, to re-parse cached archives


class _HTMLText(HTMLParser):
    """Visible text of an HTML document: tags dropped, script/style skipped, blocks on new lines."""

    _BLOCKS = frozenset(
        [
            "p",
            "br",
            "div",
            "tr",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "table",
            "title",
            "blockquote",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.out)
    except Exception:  # malformed markup: strip tags crudely rather than fail
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _decode(payload: bytes, charset: str | None) -> str:
    for cs in (charset, "utf-8", "latin-1"):
        if not cs:
            continue
        try:
            return payload.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")  # pragma: no cover - latin-1 decodes anything


def _subject(msg: Message) -> str:
    raw = msg.get("Subject", "")
    try:
        return str(email.header.make_header(email.header.decode_header(str(raw)))).strip()
    except Exception:  # undecodable encoded-words: keep them as written
        return str(raw).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        inner = part.get_payload()
        return inner if isinstance(inner, str) else ""
    return _decode(payload, part.get_content_charset())


def mail_text(raw: bytes) -> str:
    """Subject, blank line, plain-text body of one RFC 822 message (bytes). Never raises."""
    try:
        msg = email.message_from_bytes(raw)
        plain, markup = [], []
        for part in msg.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            if part.get_filename():  # an attached file, not the message
                continue
            sub = part.get_content_subtype()
            (markup if sub == "html" else plain).append(_part_text(part))
        body = "\n\n".join(t.strip() for t in plain if t.strip())
        if not body and markup:
            body = "\n\n".join(html_to_text(m) for m in markup)
        if not body and not msg.is_multipart():
            body = _part_text(msg)
        if "<html" in body[:2000].lower():
            body = html_to_text(body)  # HTML sent as text/plain
        return f"{_subject(msg)}\n\n{body.strip()}"
    except Exception:  # a message so broken the parser gives up: keep the raw text
        return raw.decode("latin-1")


def _label_of(parts: Iterable[str]) -> int | None:
    """1 for spam, 0 for ham, from the nearest folder whose name says so; None if neither."""
    for name in reversed(list(parts)):
        low = name.lower()
        if "spam" in low:
            return 1
        if "ham" in low:
            return 0
    return None


def _is_message_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return not base.startswith(".") and base != "cmds" and not base.endswith((".json", ".js"))


def _collect(items: Iterator[tuple[str, bytes]], source: Path, info: DataInfo) -> TextLabels:
    texts, y, groups, ids = [], [], [], []
    for rel, raw in items:
        parts = rel.split("/")
        label = _label_of(parts[:-1])
        if label is None or not _is_message_name(rel):
            continue
        texts.append(mail_text(raw))
        y.append(label)
        groups.append(parts[-2])
        ids.append(rel)
    if not texts:
        raise DataError(
            f"{source}: no messages found (expected files under folders named ham/ and spam/, "
            "e.g. easy_ham/, spam_2/)"
        )
    return TextLabels(texts, np.array(y, dtype=np.int64), info, groups, ids)


def _archive_items(path: Path) -> Iterator[tuple[str, bytes]]:
    try:
        with tarfile.open(path, "r:*") as tar:
            members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
            for m in progress(members, desc=f"reading {path.name}"):
                f = tar.extractfile(m)
                if f is not None:
                    yield m.name.lstrip("./"), f.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DataError(f"{path}: damaged or truncated archive ({exc})") from None


def _folder_items(root: Path) -> Iterator[tuple[str, bytes]]:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            yield p.relative_to(root).as_posix(), p.read_bytes()


def load_mail_archive(path: Path, info: DataInfo | None = None) -> TextLabels:
    """Every message in a tar archive (.tar.xz, .tgz, .tar.bz2, ...) under ham/spam-named folders."""
    if info is None:
        info = DataInfo(path.name, path.name, "explicit", path, "", "", "")

    def build() -> dict:
        got = _collect(_archive_items(path), path, info)
        return {"texts": got.texts, "y": got.y, "groups": got.groups, "ids": got.ids}

    parsed = cached("mail", _FORMAT_VERSION, [path], build)
    return TextLabels(parsed["texts"], parsed["y"], info, parsed["groups"], parsed["ids"])


def load_mail_folder(path: str | os.PathLike[str]) -> TextLabels:
    """E-mails laid out as <root>/.../ham/<file> and .../spam/<file>, one raw message per file.

    Any folder name containing "spam" or "ham" labels the files below it (spam checked first), so
    Enron-Spam (enron1/ham, enron1/spam) and SpamAssassin's easy_ham/, spam_2/ both work.
    texts, y (1 = spam), groups (the labelling folder's name), ids (path relative to root).
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataError(f"{root}: not a folder (expected one with ham/ and spam/ inside)")
    info = DataInfo(root.name, f"e-mail folder {root.name}", "explicit", root, "", "", "")
    return _collect(_folder_items(root), root, info)


@functools.lru_cache(maxsize=1)
def _builtin_mail_parsed() -> tuple[
    tuple[str, ...], tuple[int, ...], tuple[str, ...], tuple[str, ...]
]:
    texts, y = builtin.sms_messages(300, 0.35, seed=1)
    folder = ["spam" if v else "ham" for v in y]
    items = (
        (f"{f}/{i:05d}.eml", builtin.mail(t, bool(v), i))
        for i, (t, v, f) in enumerate(zip(texts, y, folder))
    )
    got = _collect(items, Path("<builtin>"), info_for("spamassassin", None))
    return tuple(got.texts), tuple(got.y.tolist()), tuple(got.groups), tuple(got.ids)


def _builtin_mail(name: str) -> TextLabels:
    texts, y, groups, ids = _builtin_mail_parsed()  # parsed once per process
    notes = (
        "300 e-mails generated by this project from SMS-like templates (35% spam, HTML in spams)"
    )
    info = info_for(name, None, notes)
    return TextLabels(list(texts), np.array(y, dtype=np.int64), info, list(groups), list(ids))


def load_spamassassin(path: PathLike = None) -> TextLabels:
    """The SpamAssassin public corpus: 6,046 messages, 4,150 ham and 1,896 spam.

    Read straight from the archive (`spamassassin_public_corpus.tar.xz`, or the npm package's
    .tgz, or the original *_easy_ham.tar.bz2 ... tarballs) or from an unpacked folder.
    groups: corpus folder ("easy-ham-1", "hard-ham-1", "spam-2", ...); ids: path inside.
    Fallback: 300 generated e-mails (35% spam).
    """
    name = "spamassassin"
    found = registry.locate(name, path)
    if found is None:
        return _builtin_mail(name)
    info = info_for(name, found)
    if found.path.is_file():
        return load_mail_archive(found.path, info)
    archives = sorted(
        p
        for p in found.path.iterdir()
        if p.is_file() and re.search(r"\.(tar(\.\w+)?|tgz|tbz2?)$", p.name)
    )
    if archives:
        parts = [load_mail_archive(registry.verified(name, found, a), info) for a in archives]
        return TextLabels(
            [t for p in parts for t in p.texts],
            np.concatenate([p.y for p in parts]),
            info,
            [g for p in parts for g in p.groups],
            [i for p in parts for i in p.ids],
        )
    return _collect(_folder_items(found.path), found.path, info)


def load_spam_corpus(path: PathLike = None) -> TextLabels:
    """Whatever spam corpus `path` is: an SMS TSV file, a mail archive, or a ham/+spam/ folder.

    Without a path: the SMS Spam Collection (or its fallback).
    """
    if path is None:
        return load_sms_spam()
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{p}: no such file or folder")
    if p.is_file():
        if tarfile.is_tarfile(p):
            return load_mail_archive(p)
        return load_sms_spam(p)
    if (p / "SMSSpamCollection").is_file():
        return load_sms_spam(p)
    if any(p.glob("*.tar*")) or any(p.glob("*.tgz")):
        return load_spamassassin(p)
    return load_mail_folder(p)
