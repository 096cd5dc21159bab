"""`mltutorial data ...` through mltutorial.cli.main: list, info, path, fetch (offline and from a
local HTTP server), verify, unknown names."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import socket
import threading
import time

import pytest

from helpers import need_data
from mltutorial.cli import main
from mltutorial.data import load_text, registry
from mltutorial.data.registry import Download


def run(capsys, *argv):
    rc = main(["data", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_list_on_a_fresh_machine(no_real_data, capsys):
    rc, out, _ = run(capsys, "list")
    assert rc == 0
    assert "sms_spam_collection" in out and "not found: built-in sample" in out
    assert "package (scikit-learn)" in out  # digits


def test_list_json_with_real_data(capsys):
    need_data("sms_spam_collection")
    rc, out, _ = run(capsys, "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rc == 0 and rows["sms_spam_collection"]["found"] == "$MLTUTORIAL_DATA"
    assert rows["sms_spam_collection"]["size"] == 477_907 + 5_793


def test_info_shows_citation_files_and_hashes(no_real_data, capsys):
    rc, out, _ = run(capsys, "info", "sms_spam_collection")
    assert rc == 0
    assert "Almeida" in out and "5,574 messages" in out
    assert "7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d" in out
    assert "put the files in" in out


def test_path_of_real_and_missing_dataset(no_real_data, capsys, monkeypatch):
    rc, _, err = run(capsys, "path", "hep")
    assert rc == 2 and err.count("\n") == 1 and "not found" in err
    folder = no_real_data / "data" / "hep"
    folder.mkdir(parents=True)
    (folder / "higgs.csv").write_text("a,label\n1,0\n")
    monkeypatch.setenv("MLTUTORIAL_DATA", str(no_real_data / "data"))
    rc, out, _ = run(capsys, "path", "hep")
    assert rc == 0 and out.strip() == str(folder)


@pytest.mark.parametrize(
    "argv", [["info", "smsspam"], ["path", "spamassasin"], ["fetch", "movielen"]]
)
def test_unknown_name_one_line_with_close_match(no_real_data, capsys, argv):
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "unknown dataset" in err and "did you mean" in err


def test_unknown_subcommand_is_one_line(capsys):
    rc, _, err = run(capsys, "lsit")
    assert rc == 2 and err.count("\n") == 1 and "invalid choice" in err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_offline_says_so_in_one_line_quickly(no_real_data, capsys, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}/input.txt"
    ds = registry.DATASETS["tinyshakespeare"]
    monkeypatch.setitem(
        registry.DATASETS, "tinyshakespeare", _with_downloads(ds, Download(url, "input.txt"))
    )
    t0 = time.perf_counter()
    rc, _, err = run(capsys, "fetch", "tinyshakespeare", "--timeout", "2")
    assert time.perf_counter() - t0 < 10
    assert rc == 2 and err.count("\n") == 1
    assert "cannot download tinyshakespeare" in err and "mltutorial/tinyshakespeare/" in err
    assert not (registry.cache_root() / "tinyshakespeare").exists()


def _with_downloads(ds, *downloads):
    import dataclasses

    return dataclasses.replace(ds, downloads=tuple(downloads))


@pytest.fixture
def http_dir(tmp_path):
    """A local HTTP server over tmp_path/www (stands in for the dataset's host)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep stderr for the command under test
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_downloads_checks_and_the_loader_finds_it(
    no_real_data, capsys, monkeypatch, http_dir
):
    root, base = http_dir
    body = b"First Citizen:\nSpeak, speak.\n"
    (root / "input.txt").write_bytes(body)
    sha = hashlib.sha256(body).hexdigest()
    ds = registry.DATASETS["tinyshakespeare"]
    monkeypatch.setitem(
        registry.DATASETS,
        "tinyshakespeare",
        _with_downloads(ds, Download(f"{base}/input.txt", "input.txt", sha)),
    )
    # the registry knows only the real file's hash; let this small file be a known version too
    monkeypatch.setattr(
        registry,
        "_KNOWN",
        {"tinyshakespeare": [registry.KnownFile("input.txt", len(body), sha, None)]},
    )
    rc, out, _ = run(capsys, "fetch", "tinyshakespeare")
    assert rc == 0 and "1 file(s) saved" in out
    text = load_text()
    assert text.info.origin == "cache" and text.text == body.decode()
    rc, out, _ = run(capsys, "fetch", "tinyshakespeare")
    assert rc == 0 and "already present" in out


def test_fetch_with_wrong_checksum_leaves_nothing(no_real_data, capsys, monkeypatch, http_dir):
    root, base = http_dir
    (root / "input.txt").write_bytes(b"tampered\n")
    ds = registry.DATASETS["tinyshakespeare"]
    monkeypatch.setitem(
        registry.DATASETS,
        "tinyshakespeare",
        _with_downloads(ds, Download(f"{base}/input.txt", "input.txt", "0" * 64)),
    )
    rc, _, err = run(capsys, "fetch", "tinyshakespeare")
    assert rc == 2 and "checksum mismatch" in err and err.count("\n") == 1
    cache = registry.cache_root()
    assert not (cache / "tinyshakespeare").exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".tinyshakespeare")]


def test_fetch_unpacks_a_zip(no_real_data, capsys, monkeypatch, http_dir):
    import zipfile

    root, base = http_dir
    with zipfile.ZipFile(root / "sms.zip", "w") as zf:
        zf.writestr("SMSSpamCollection", "ham\thello\nspam\tWIN now\n")
        zf.writestr("readme", "a readme\n")
    ds = registry.DATASETS["sms_spam_collection"]
    monkeypatch.setitem(
        registry.DATASETS,
        "sms_spam_collection",
        _with_downloads(ds, Download(f"{base}/sms.zip", "sms.zip", unpack="zip")),
    )
    rc, _, err = run(capsys, "fetch", "sms_spam_collection")
    # the unpacked SMSSpamCollection is not the known file: refused, nothing kept
    assert rc == 2 and "differs from every known version" in err
    assert not (registry.cache_root() / "sms_spam_collection").exists()


def test_verify_real_data(capsys):
    need_data("sms_spam_collection")
    rc, out, _ = run(capsys, "verify", "sms_spam_collection", "tinyshakespeare", "hep")
    assert rc == 0 and "0 problem(s)" in out and "4 file(s) match" in out


def test_verify_reports_a_damaged_file(no_real_data, capsys, monkeypatch):
    folder = no_real_data / "data" / "hep"
    folder.mkdir(parents=True)
    (folder / "higgs.csv").write_text("damaged\n")
    monkeypatch.setenv("MLTUTORIAL_DATA", str(no_real_data / "data"))
    rc, out, err = run(capsys, "verify")
    assert rc == 2 and "MISMATCH" in out and "higgs.csv" in out
    assert err.count("\n") == 1
