"""The present server without a browser: slide position in the store, resume after a restart,
the pages' security, phones following the talk, the handout, chapters computed in the background."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from mltutorial.cli import main as cli_main
from mltutorial.live.settings import Settings
from mltutorial.live.store import Store, Submission
from mltutorial.present.app import create_present_app
from mltutorial.present.report import Report
from mltutorial.present.slides import load_talk
from present.fake_report import CHAPTERS, write_report


@pytest.fixture
def talk(deck):
    return load_talk(None, deck, CHAPTERS)


def make(tmp_path, report_dir, talk):
    settings = Settings.from_env({}, db=str(tmp_path / "talk.sqlite3"))
    app = create_present_app(settings, talk, Report(report_dir))
    return TestClient(app), app.state.live


def slide_of(talk, question):
    return next(s.index for s in talk.slides if s.question == question)


def test_slide_position_in_the_store(tmp_path, deck):
    with Store(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        info = store.create_session(deck)
        pos = store.start_slides(info.session_id, 5, "Title")
        assert (pos.index, pos.total, pos.title, pos.question) == (0, 5, "Title", None)
        # with slides, the first question waits for its slide
        assert not store.state(info.session_id).accepting()
        state, pos = store.move_slide(info.session_id, 2, 5, "Q", question=1)
        assert pos.index == 2 and state.current == 1 and state.accepting()
        state, pos = store.move_slide(info.session_id, 3, 5, "After", None)
        assert state.current == 1 and state.slide.title == "After"
        with pytest.raises(ValueError):
            store.move_slide(info.session_id, 5, 5, "x")
        with pytest.raises(ValueError):
            store.move_slide(info.session_id, 1, 5, "x", question=99)
        # a second start keeps the position
        assert store.start_slides(info.session_id, 5, "Title").index == 3


def test_resume_after_restart_on_the_same_slide_with_every_answer(tmp_path, report_dir, talk):
    client, live = make(tmp_path, report_dir, talk)
    with client:
        secret = live.session.secret
        h = {"X-Presenter-Secret": secret}
        cloud = slide_of(talk, 0)
        r = client.post("/api/present/goto", json={"index": cloud}, headers=h)
        assert r.status_code == 200 and r.json()["slide"]["index"] == cloud
        joined = client.post("/api/join", json={"code": live.session.code, "nickname": "Ada"})
        token = joined.json()["token"]
        ack = client.post("/api/answer", json={"token": token, "q": 0, "words": ["Data", "AI"]})
        assert ack.json()["ok"]
        client.post("/api/present/goto", json={"index": cloud + 1}, headers=h)
        code = live.session.code
    client2, live2 = make(tmp_path, report_dir, talk)
    with client2:
        assert live2.resumed and live2.session.code == code
        state = client2.get("/api/presenter/state", headers={"X-Presenter-Secret": secret}).json()
        assert state["slide"]["index"] == cloud + 1
        words = dict(map(tuple, live2.store.results(live2.session.session_id, 0).words))
        assert words == {"Data": 1, "AI": 1}


def test_pages_need_the_secret_and_carry_the_csp(tmp_path, report_dir, talk):
    client, live = make(tmp_path, report_dir, talk)
    with client:
        for page in ("/talk", "/speaker"):
            r = client.get(page)
            assert r.status_code == 200
            assert "script-src 'self'" in r.headers["content-security-policy"]
            assert "<script>" not in r.text and "onclick" not in r.text
        assert client.get("/api/present/slides").status_code == 401
        assert client.post("/api/present/goto", json={"index": 1}).status_code == 401
        assert client.get("/api/present/handout.html").status_code == 401
        h = {"X-Presenter-Secret": live.session.secret}
        slides = client.get("/api/present/slides", headers=h).json()
        assert len(slides["slides"]) == len(talk.slides)
        assert slides["slides"][0]["notes"].startswith("Welcome")
        bad = client.post("/api/present/goto", json={"index": 999}, headers=h)
        assert bad.status_code == 409
        assert client.get("/api/present/figure/neuron/0").status_code == 200
        assert client.get("/api/present/figure/neuron/7").status_code == 404
        assert client.get("/api/present/figure/..%2F..%2Fetc/0").status_code == 404


def test_phones_see_the_slide_title_between_questions(tmp_path, report_dir, talk):
    client, live = make(tmp_path, report_dir, talk)
    with client:
        h = {"X-Presenter-Secret": live.session.secret}
        token = client.post("/api/join", json={"code": live.session.code}).json()["token"]
        state = client.get("/api/state", params={"token": token}).json()
        assert state["slide"]["title"] == talk.slides[0].title and not state["accepting"]
        client.post("/api/present/goto", json={"index": 2}, headers=h)
        state = client.get("/api/state", params={"token": token}).json()
        assert state["slide"] == {
            "index": 2, "total": len(talk.slides), "title": talk.slides[2].title, "question": None
        }  # fmt: skip
        quiz = slide_of(talk, 2)
        client.post("/api/present/goto", json={"index": quiz}, headers=h)
        state = client.get("/api/state", params={"token": token}).json()
        assert state["index"] == 2 and state["accepting"] and state["question"]["type"] == "quiz"


def test_handout_has_the_rooms_answers_in_place(tmp_path, report_dir, talk):
    client, live = make(tmp_path, report_dir, talk)
    with client:
        h = {"X-Presenter-Secret": live.session.secret}
        sid = live.session.session_id
        people = [live.store.join(sid, n) for n in ("Ada", "<b>Grace</b>", "Alan")]
        client.post("/api/present/goto", json={"index": slide_of(talk, 0)}, headers=h)
        for p, words in zip(people, (["Data", "<script>x</script>"], ["data"], ["AI"])):
            live.store.submit(Submission(p.id, sid, 0, words=tuple(words)))
        client.post("/api/present/goto", json={"index": slide_of(talk, 2)}, headers=h)
        for p, choice in zip(people, (0, 0, 1)):
            live.store.submit(Submission(p.id, sid, 2, choice=choice, received_at=time.time()))
        client.post("/api/presenter/action", json={"action": "reveal"}, headers=h)
        r = client.get("/api/present/handout.html", headers=h)
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        text = r.text
    assert text.count('<section class="slide">') == len(talk.slides)
    assert "data:image/png;base64," in text and "/api/present/figure" not in text
    assert "<script" not in text and "&lt;script&gt;" in text
    assert ">Data<" in text and ">AI<" in text
    assert "&lt;b&gt;Grace&lt;/b&gt;" in text  # the podium by nickname, as text
    assert "2 answers" in text or "3 answers" in text
    assert "@media print" in text and "break-after: page" in text
    assert 'src="http' not in text and "<link" not in text  # self-contained


def test_missing_chapters_are_computed_in_the_background(tmp_path, deck):
    report_dir = write_report(tmp_path / "report", CHAPTERS - {"rl"})
    report = Report(report_dir, quick=True)
    assert report.missing(["rl", "neuron"]) == ["rl"]
    report.compute_missing(["rl", "neuron"])
    progress = report.progress()
    assert progress["pending"] == 1 and progress["chapters"]["rl"]["state"] in (
        "queued",
        "computing",
    )
    report.wait(120)
    assert report.ready("rl"), report.progress()
    assert report.figure("rl", 0) is not None
    saved = json.loads((report_dir / "results.json").read_text())
    assert saved["chapters"]["rl"]["status"] == "ok" and "neuron" in saved["chapters"]
    assert Report(report_dir).ready("rl")  # the next start finds it


def test_cli_refuses_a_bad_slides_file_before_serving(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text("# One\n---\n# Two\n::: figure nosuch\n")
    code = cli_main(["present", "--slides", str(bad), "--db", str(tmp_path / "x.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}:4: no chapter 'nosuch'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.sqlite3").exists()  # nothing started, nothing written


def test_cli_export_writes_the_handout(tmp_path, report_dir, capsys):
    out = tmp_path / "handout.html"
    code = cli_main(
        ["present", "--report", str(report_dir), "--db", str(tmp_path / "h.sqlite3"),
         "--export", str(out)]
    )  # fmt: skip
    assert code == 0 and out.read_text().count('<section class="slide">') == 31
    assert "handout:" in capsys.readouterr().out


def test_a_report_without_a_number_the_slides_read_is_computed_again(tmp_path):
    report_dir = write_report(tmp_path / "report")
    report = Report(report_dir)
    assert report.forget_stale([("neuron", ("accuracy",))]) == []
    assert report.forget_stale([("neuron", ("no_such_number",))]) == ["neuron"]
    assert report.missing(["neuron", "rl"]) == ["neuron"]


def test_the_cat_on_the_slide_is_the_networks_output(talk, report_dir):
    from mltutorial.present.render import Renderer

    slide = next(s for s in talk.slides if "3072" in s.body)
    assert "Cat (0.999)" in Renderer(Report(report_dir)).slide(slide)  # from results.json


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda d: (d / "results.json").write_text("{not json"), "not a tour results.json"),
        (lambda d: (d / "results.json").write_text("[1, 2]"), "not a tour results.json"),
        (lambda d: d.rmdir() or d.write_text("a file"), "not a folder"),
    ],
)
def test_cli_refuses_a_bad_report_in_one_line(tmp_path, capsys, setup, words):
    report = tmp_path / "report"
    report.mkdir()
    setup(report)
    code = cli_main(["present", "--report", str(report), "--db", str(tmp_path / "x.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_cli_export_to_a_folder_is_refused(tmp_path, report_dir, capsys):
    code = cli_main(
        ["present", "--report", str(report_dir), "--db", str(tmp_path / "h.sqlite3"),
         "--export", str(tmp_path)]
    )  # fmt: skip
    assert code == 2 and "is a folder" in capsys.readouterr().err
