"""Present-but-wrong files are errors naming the file and line; broken mail never stops a load."""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile

import numpy as np
import pytest

from mltutorial import data as D
from mltutorial.errors import DataError

# ---- checksums ---------------------------------------------------------------------------------


def test_bad_checksum_in_data_folder_is_an_error(no_real_data, monkeypatch):
    root = no_real_data / "data"
    (root / "tinyshakespeare").mkdir(parents=True)
    (root / "tinyshakespeare" / "input.txt").write_text("First Citizen:\nnot the real file\n")
    monkeypatch.setenv("MLTUTORIAL_DATA", str(root))
    with pytest.raises(DataError, match=r"input\.txt: checksum mismatch"):
        D.load_text()


def test_same_file_given_explicitly_is_read_without_hashing(no_real_data):
    p = no_real_data / "input.txt"
    p.write_text("To be, or not to be\n")
    assert D.load_text(p).text == "To be, or not to be\n"


def test_missing_explicit_path_is_an_error(no_real_data):
    with pytest.raises(DataError, match="no such file"):
        D.load_sms_spam(no_real_data / "nope.tsv")


# ---- malformed lines ---------------------------------------------------------------------------


def test_sms_malformed_line_names_the_line(tmp_path):
    p = tmp_path / "sms.tsv"
    p.write_text("ham\tHello there\nthis line has no tab\nspam\tWIN\n")
    with pytest.raises(DataError, match=r"sms\.tsv:2: .*no tab"):
        D.load_sms_spam(p)


def test_sms_unknown_label_names_the_line(tmp_path):
    p = tmp_path / "sms.tsv"
    p.write_text("ham\tHello\nmaybe\tWho knows\n")
    with pytest.raises(DataError, match=r"sms\.tsv:2: label must be 'ham' or 'spam'"):
        D.load_sms_spam(p)


def _movielens_folder(tmp_path, udata: str):
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "u.data").write_text(udata)
    flags = "|".join(["0"] * 19)
    items = [f"{i}|Movie {i} (1995)|01-Jan-1995||http://x|{flags}" for i in (1, 2, 3)]
    (folder / "u.item").write_bytes(
        "\n".join(items).replace("Movie 3", "Misérables").encode("latin-1")
    )
    return folder


def test_movielens_small_folder_loads(tmp_path):
    ml = D.load_movielens(_movielens_folder(tmp_path, "1\t1\t5\t881250949\n2\t3\t4\t881250950\n"))
    assert ml.n_ratings == 2 and ml.n_users == 2 and ml.n_items == 3
    assert ml.titles[2] == "Misérables (1995)"
    assert ml.item.tolist() == [0, 2] and ml.rating.tolist() == [5.0, 4.0]


def test_movielens_malformed_line_names_the_line(tmp_path):
    folder = _movielens_folder(tmp_path, "1\t1\t5\t881250949\n2\t3\tfour\t881250950\n")
    with pytest.raises(DataError, match=r"u\.data:2: not an integer"):
        D.load_movielens(folder)


def test_movielens_short_and_long_line_do_not_shift_columns(tmp_path):
    folder = _movielens_folder(tmp_path, "1\t1\t5\n881250949\t2\t3\t4\t881250950\n")
    with pytest.raises(DataError, match=r"u\.data:1: expected 4 columns, found 3"):
        D.load_movielens(folder)


def test_movielens_rating_of_unknown_movie(tmp_path):
    folder = _movielens_folder(tmp_path, "1\t1\t5\t881250949\n1\t9\t3\t881250950\n")
    with pytest.raises(DataError, match=r"u\.data:2: movie id 9 is not listed"):
        D.load_movielens(folder)


def test_movielens_csv_missing_column(tmp_path):
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating\n1,1,4.5\n")
    (tmp_path / "movies.csv").write_text(
        'movieId,title,genres\n1,"Heat, the film (1995)",Action|Crime\n'
    )
    with pytest.raises(DataError, match=r"ratings\.csv:1: missing column\(s\) timestamp"):
        D.load_movielens(tmp_path)


def test_movielens_csv_layout_loads(tmp_path):
    (tmp_path / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,10,4.5,964982703\n1,20,3.0,964982704\n"
        "7,10,5.0,964982705\n7,20,0.5,964982706\n7,30,2.0,964982707\n"
    )
    (tmp_path / "movies.csv").write_text(
        'movieId,title,genres\n10,"Heat, the film (1995)",Action|Crime\n'
        "20,Toy Story (1995),Animation|Children\n30,Nothing (2001),(no genres listed)\n"
    )
    ml = D.load_movielens(tmp_path)
    assert (ml.n_ratings, ml.n_users, ml.n_items) == (5, 2, 3)
    assert ml.titles[0] == "Heat, the film (1995)" and ml.years.tolist() == [1995, 1995, 2001]
    assert ml.genre_names == ["Action", "Animation", "Children", "Crime"]
    assert ml.genres.sum(axis=1).tolist() == [2, 2, 0]
    assert ml.rating.tolist() == [4.5, 3.0, 5.0, 0.5, 2.0] and ml.user.tolist() == [0, 0, 1, 1, 1]
    assert len(ml.folds) == 5 and ml.user_info is None


def test_hep_missing_label_column(tmp_path):
    p = tmp_path / "higgs.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"higgs\.csv:1: missing column 'label'"):
        D.load_hep(p)


def test_hep_bad_number_names_the_line(tmp_path):
    p = tmp_path / "higgs.csv"
    p.write_text("a,b,label\n1,2,0\n1,x,1\n")
    with pytest.raises(DataError, match=r"higgs\.csv:3: not a number"):
        D.load_hep(p)


def test_kdd_wrong_field_count_names_the_line(no_real_data, tmp_path):
    good = "0,tcp,http,SF," + ",".join(["0"] * 37) + ",normal."
    p = tmp_path / "kddcup.data_10_percent"
    p.write_text(good + "\n" + good + "\n0,tcp,http\n")
    with pytest.raises(DataError, match=r"kddcup\.data_10_percent:3: expected 42"):
        D.load_kddcup99(p)
    p.write_text(good + "\n" + good.replace("SF,0,", "SF,12x,", 1) + "\n")
    with pytest.raises(DataError, match=r"kddcup\.data_10_percent:2: field 5 is not a number"):
        D.load_kddcup99(p)


def test_kdd_small_file_parses(no_real_data, tmp_path):
    row = "0,{},http,SF,181,5450," + ",".join(["0"] * 35) + ",{}."
    p = tmp_path / "kddcup.data_10_percent"
    p.write_text("\n".join([row.format("tcp", "normal"), row.format("icmp", "smurf")] * 2) + "\n")
    t = D.load_kddcup99(p)
    assert t.X.shape == (4, 41) and t.y.tolist() == [0, 1, 0, 1]
    assert t.labels.tolist() == ["normal", "smurf"] * 2
    assert t.categorical["protocol_type"] == ["icmp", "tcp"] and t.X[:, 1].tolist() == [1, 0, 1, 0]
    assert t.X[0, 4] == 181 and t.X[0, 5] == 5450


# ---- binary formats ----------------------------------------------------------------------------


def _idx(images: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, images.ndim]) + b"".join(
        int(s).to_bytes(4, "big") for s in images.shape
    )
    return header + images.astype(np.uint8).tobytes()


def test_idx_reader_round_trip_gz_and_plain(tmp_path):
    X = np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256
    y = np.array([3, 7])
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(X)))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx(y))
    m = D.load_mnist(tmp_path)
    assert m.X_test.shape == (2, 1, 28, 28) and np.array_equal(m.X_test[:, 0], X)
    assert m.y_test.tolist() == [3, 7] and m.X_train.shape[0] == 0


def test_truncated_gzip_is_an_error(tmp_path):
    X = np.zeros((5, 28, 28))
    blob = gzip.compress(_idx(X))
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(blob[: len(blob) // 2])
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx(np.zeros(5)))
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: damaged or truncated gzip"):
        D.load_fashion_mnist(tmp_path)


def test_idx_with_missing_bytes_is_an_error(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx(np.zeros((5, 28, 28)))[:-10])
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx(np.zeros(5)))
    with pytest.raises(DataError, match="IDX size mismatch"):
        D.load_fashion_mnist(tmp_path)


def test_cifar_batch_round_trip_and_damaged_pickle(tmp_path):
    data = np.arange(2 * 3072).reshape(2, 3072) % 256
    batch = {b"data": data.astype(np.uint8), b"labels": [3, 5], b"batch_label": b"x"}
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=2))
    (tmp_path / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
    c = D.load_cifar10(tmp_path)
    assert c.X_train.shape == (2, 3, 32, 32) and c.y_test.tolist() == [3, 5]
    assert c.X_train[0, 1, 0, 0] == data[0, 1024] % 256  # green plane starts at byte 1024
    (tmp_path / "test_batch").write_bytes(b"\x80\x02garbage")
    with pytest.raises(DataError, match=r"test_batch: not a CIFAR python batch"):
        D.load_cifar10(tmp_path)


def test_mat_file_that_is_not_a_mat(tmp_path):
    p = tmp_path / "cardio.mat"
    p.write_bytes(b"this is not matlab")
    with pytest.raises(DataError, match=r"cardio\.mat"):
        D.load_odds("cardio", p)


# ---- text encodings and empty files ------------------------------------------------------------


def test_non_utf8_text_names_line_and_column(tmp_path):
    p = tmp_path / "book.txt"
    p.write_bytes("line one\nline two\nMisérables\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"book\.txt:3: not UTF-8 text \(byte 0xe9 at column 4\)"):
        D.load_text(p)


@pytest.mark.parametrize(
    "loader", [D.load_text, D.load_sms_spam, D.load_hep], ids=lambda f: f.__name__
)
def test_empty_file_is_reported(tmp_path, loader):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.txt: empty file"):
        loader(p)


def test_gutenberg_header_and_licence_are_stripped(tmp_path):
    p = tmp_path / "pg1.txt"
    p.write_bytes(
        "\ufeffThe Project Gutenberg eBook of X\r\n\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n"
        "Chapter 1\r\nIt was a dark night.\r\n"
        "  *** END OF THE PROJECT GUTENBERG EBOOK X ***\r\nLicence text\r\n".encode()
    )
    assert D.load_text(p).text == "Chapter 1\nIt was a dark night.\n"


def test_dictionary_formats(tmp_path):
    hun = tmp_path / "en-es.dict"
    hun.write_text("el @ the\n#el @ #the\n")
    d = D.load_dictionary(path=hun)
    assert d.pairs == [("the", "el"), ("#the", "#el")] and (d.source_lang, d.target_lang) == (
        "en",
        "es",
    )
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("dog\tperro\ncat\tgato\n")
    assert D.load_dictionary(path=tsv).pairs == [("dog", "perro"), ("cat", "gato")]
    bad = tmp_path / "bad.tsv"
    bad.write_text("dog\tperro\nlonely\n")
    with pytest.raises(DataError, match=r"bad\.tsv:2: expected a word pair"):
        D.load_dictionary(path=bad)


# ---- e-mail ------------------------------------------------------------------------------------

QP_LATIN1 = b"""From: a@example.org
Subject: =?iso-8859-1?q?Caf=E9_tonight?=
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 at eight, see you th=
ere.
"""

HTML_BASE64 = (
    b"From: b@example.org\nSubject: Offer\nMIME-Version: 1.0\n"
    b'Content-Type: multipart/alternative; boundary="XX"\n\n--XX\n'
    b"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + __import__("base64").encodebytes(
        "<html><head><style>p{}</style></head><body><p>Win &amp; save €100</p><br>now</body></html>".encode()
    )
    + b"\n--XX--\n"
)

BROKEN = [
    b"",  # empty file
    b"\x00\x01\x02\xff\xfe binary junk",
    b"Subject: bad base64\nContent-Transfer-Encoding: base64\n\n!!!not base64@@@\n",
    b"Subject: odd charset\nContent-Type: text/plain; charset=x-no-such-charset\n\nhello \xe9\n",
    b'Subject: unterminated\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\npart one\n',
    b"Subject: =?utf-8?b?!!!?=\n\nbroken encoded word\n",
    b"From nobody Mon Jan  1 00:00:00 2002\r\nSubject: crlf\r\n\r\nwindows line ends\r\n",
]


def test_mail_decoding():
    assert D.mail_text(QP_LATIN1) == "Café tonight\n\nCafé at eight, see you there."
    text = D.mail_text(HTML_BASE64)
    assert text.startswith("Offer\n\n") and "Win & save €100" in text and "<" not in text
    assert "p{}" not in text  # style content skipped


def test_broken_mails_never_crash_a_folder_load(tmp_path):
    for label in ("ham", "spam"):
        (tmp_path / label).mkdir()
        for i, raw in enumerate(BROKEN):
            (tmp_path / label / f"{i:03d}.eml").write_bytes(raw)
    (tmp_path / "ham" / "good.eml").write_bytes(QP_LATIN1)
    mails = D.load_mail_folder(tmp_path)
    assert len(mails) == 2 * len(BROKEN) + 1 and int(mails.y.sum()) == len(BROKEN)
    assert all(isinstance(t, str) for t in mails.texts)
    by_id = dict(zip(mails.ids, mails.texts))
    assert "windows line ends" in by_id["ham/006.eml"]
    assert "part one" in by_id["spam/004.eml"]
    assert "Café at eight" in by_id["ham/good.eml"]


def test_folder_without_ham_or_spam_is_an_error(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "1.eml").write_bytes(QP_LATIN1)
    with pytest.raises(DataError, match="no messages found"):
        D.load_mail_folder(tmp_path)


def _tar_xz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        for name, raw in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


def test_spam_archive_read_in_place_and_truncated_archive(no_real_data):
    blob = _tar_xz(
        {"easy_ham/00001.abc": QP_LATIN1, "spam_2/00002.def": HTML_BASE64, "easy_ham/cmds": b"x"}
    )
    p = no_real_data / "corpus.tar.xz"
    p.write_bytes(blob)
    mails = D.load_spam_corpus(p)  # dispatches on the archive
    assert mails.y.tolist() == [0, 1] and mails.groups == ["easy_ham", "spam_2"]
    again = D.load_spam_corpus(p)  # second load comes from the parsed cache
    assert again.texts == mails.texts
    bad = no_real_data / "cut.tar.xz"
    bad.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match=r"cut\.tar\.xz: damaged or truncated archive"):
        D.load_spam_corpus(bad)


def test_spam_corpus_dispatches_on_tsv_and_folder(no_real_data, tmp_path):
    tsv = tmp_path / "sms.tsv"
    tsv.write_text("ham\thi\nspam\tWIN\n")
    assert D.load_spam_corpus(tsv).y.tolist() == [0, 1]
    (tmp_path / "mail" / "ham").mkdir(parents=True)
    (tmp_path / "mail" / "spam").mkdir()
    (tmp_path / "mail" / "ham" / "1").write_bytes(QP_LATIN1)
    (tmp_path / "mail" / "spam" / "1").write_bytes(HTML_BASE64)
    assert D.load_spam_corpus(tmp_path / "mail").y.tolist() == [0, 1]
