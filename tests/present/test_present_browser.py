"""End to end in Debian's chromium: a presenter, the speaker view and three phones give the whole
default talk (every slide, with the keyboard), answer both word clouds, the quizzes and the bonus,
reload the presenter in the middle, and export the handout at the end.

Screenshots of each kind of slide at 1920x1080 and 1280x720 and of a phone at 390x844 go to
$MLTUTORIAL_PRESENT_SHOTS (default /tmp/present-shots/) for a person to look at; with
MLTUTORIAL_PRESENT_REPORT=DIR (a `mltutorial tour --quick` report) the figures are the real ones.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from mltutorial.live.settings import Settings
from mltutorial.present.app import create_present_app
from mltutorial.present.report import Report
from mltutorial.present.slides import load_talk
from present.fake_report import CHAPTERS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-sync"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing"),
]
NICKS = ("Ada", "Grace", "Alan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, deck, report_dir):
    import uvicorn

    port = _free_port()
    settings = Settings.from_env({}, db=str(tmp_path / "talk.sqlite3"), port=port)
    talk = load_talk(None, deck, CHAPTERS)
    # A real tour report makes screenshots worth looking at: MLTUTORIAL_PRESENT_REPORT=DIR
    report = Report(os.environ.get("MLTUTORIAL_PRESENT_REPORT") or report_dir)
    app = create_present_app(settings, talk, report)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app.state.live, talk
    srv.should_exit = True
    thread.join(10)


def _check_legible(page, where: str) -> None:
    """Body text >= 28 px at 1080p, and nothing runs off the slide."""
    sizes = page.locator("#slide p, #slide li").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    scale = page.locator("#canvas").evaluate("e => e.getBoundingClientRect().height / 1080")
    assert all(s * scale >= 28 for s in sizes), (where, sizes, scale)
    over = page.locator("#slide").evaluate(
        "e => [e.scrollHeight - e.clientHeight, e.scrollWidth - e.clientWidth]"
    )
    assert over[0] <= 1 and over[1] <= 1, (where, over)


@pytest.mark.slow
def test_the_whole_talk_with_three_phones(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    base, live, talk = server
    secret, code = live.session.secret, live.session.code
    n = len(talk.slides)
    shots = Path(os.environ.get("MLTUTORIAL_PRESENT_SHOTS", "/tmp/present-shots"))
    shots.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, int] = {}
    for s in talk.slides:
        kind = (
            "title" if s.index == 0
            else "podium" if s.question == 6
            else f"question-{live.store.deck(live.session.session_id).questions[s.question].type}"
            if s.question is not None
            else "figure" if any(d.name == "figure" for d in s.directives)
            else "text"
        )  # fmt: skip
        kinds.setdefault(kind, s.index)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ctx = browser.new_context(
                viewport={"width": 1920, "height": 1080}, accept_downloads=True
            )
            presenter = ctx.new_page()
            presenter.on("pageerror", lambda e: errors.append(str(e)))
            presenter.goto(f"{base}/talk#key={secret}")
            presenter.wait_for_selector(f"#slide-number:has-text('1 / {n}')")
            speaker = ctx.new_page()
            speaker.on("pageerror", lambda e: errors.append(str(e)))
            speaker.goto(f"{base}/speaker#key={secret}")
            speaker.wait_for_selector(f"#sp-number:has-text('Slide 1 / {n}')")
            assert "Welcome" in speaker.locator("#sp-notes").inner_text()

            phones = []
            for nick in NICKS:
                pctx = browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                )
                phone = pctx.new_page()
                phone.on("pageerror", lambda e: errors.append(str(e)))
                phone.goto(f"{base}/?code={code}")
                phone.fill("#nick-input", nick)
                phone.click("#join-button")
                # before any question: the slide on screen
                phone.wait_for_selector("#q-prompt:has-text('Machine learning tutorial')")
                phones.append(phone)
            phones[0].screenshot(path=str(shots / "phone-390x844-title.png"))

            answers = {
                0: (["Data", "patterns"], ["data", "statistics"], ["AI", "<b>x</b>"]),
                1: (["data"], ["Learning"], ["data", "learning"]),
            }
            picks = {2: (0, 0, 1), 3: (0, 1, 0), 4: (0, 0, 0), 5: (0, 1, 2)}
            reloaded = False
            for i, slide in enumerate(talk.slides):
                if i > 0:
                    presenter.keyboard.press(["ArrowRight", "PageDown", " "][i % 3])
                presenter.wait_for_selector(f"#slide-number:has-text('{i + 1} / {n}')")
                speaker.wait_for_selector(f"#sp-number:has-text('Slide {i + 1} / {n}')")
                q = slide.question
                if q is not None and q < 6:  # the live screen shows this slide's question
                    presenter.wait_for_selector(f"#progress:has-text('Question {q + 1} of 6')")
                if q is None:
                    presenter.wait_for_selector("#slide h1")
                    _check_legible(presenter, f"slide {i + 1}")
                    phones[1].wait_for_selector(f"#q-prompt:has-text({slide.title!r})")
                elif q in answers:
                    for phone, words in zip(phones, answers[q]):
                        phone.wait_for_selector(".word-input")
                        for box, word in zip(phone.locator(".word-input").all(), words):
                            box.fill(word)
                        phone.click("#q-form button[type=submit]")
                        phone.wait_for_selector("text=Answer received")
                    presenter.wait_for_selector("#count:has-text('3 answers')")
                    presenter.locator("#cloud .word").first.wait_for()
                    words = presenter.locator("#cloud .word").all_inner_texts()
                    assert "<b>x</b>" in words or q == 1
                    if q == 0:
                        # remove an answer from the speaker view
                        speaker.locator(".sp-word", has_text="statistics").click()
                        deadline = time.monotonic() + 10
                        while "statistics" in presenter.locator("#cloud .word").all_inner_texts():
                            assert time.monotonic() < deadline
                            time.sleep(0.1)
                elif q in picks:
                    prompt = live.store.deck(live.session.session_id).questions[q]
                    for phone, pick in zip(phones, picks[q]):
                        phone.wait_for_selector(f"#q-prompt:has-text({prompt.prompt!r})")
                        phone.locator(".option").nth(pick).click()
                        if prompt.type != "quiz":
                            phone.click("#q-form button[type=submit]")
                        phone.wait_for_selector("text=Answer received")
                    presenter.wait_for_selector("#count:has-text('3 answers')")
                    speaker.wait_for_selector("#sp-reveal:visible")
                    speaker.click("#sp-reveal")
                    presenter.wait_for_selector(".bar-row.correct")
                else:  # the podium
                    presenter.wait_for_selector(".podium")
                    names = presenter.locator(".step-name").all_inner_texts()
                    assert "Ada" in names
                for kind, index in kinds.items():
                    if index == i:
                        presenter.screenshot(path=str(shots / f"talk-1920x1080-{kind}.png"))
                        if kind == "question-wordcloud":
                            phones[0].screenshot(path=str(shots / "phone-390x844-question.png"))
                if i == 15 and not reloaded:  # a reload in the middle lands on the same slide
                    presenter.reload()
                    presenter.wait_for_selector(f"#slide-number:has-text('16 / {n}')")
                    reloaded = True
            assert reloaded

            # the other keys: Home/End, PageUp, blank, overview; a second presenter window follows
            second = ctx.new_page()
            second.goto(f"{base}/talk#key={secret}")
            second.wait_for_selector(f"#slide-number:has-text('{n} / {n}')")
            presenter.keyboard.press("Home")
            presenter.wait_for_selector(f"#slide-number:has-text('1 / {n}')")
            speaker.wait_for_selector(f"#sp-number:has-text('Slide 1 / {n}')")
            second.wait_for_selector(f"#slide-number:has-text('1 / {n}')")
            presenter.keyboard.press("End")
            presenter.wait_for_selector(f"#slide-number:has-text('{n} / {n}')")
            second.wait_for_selector(f"#slide-number:has-text('{n} / {n}')")
            second.close()
            presenter.keyboard.press("PageUp")
            presenter.wait_for_selector(f"#slide-number:has-text('{n - 1} / {n}')")
            presenter.keyboard.press("b")
            assert presenter.locator("#blank").is_visible()
            presenter.keyboard.press("b")
            presenter.keyboard.press("o")
            assert presenter.locator(".tile").count() == n
            presenter.screenshot(path=str(shots / "talk-1920x1080-overview.png"))
            presenter.locator(".tile").nth(13).click()
            presenter.wait_for_selector(f"#slide-number:has-text('14 / {n}')")
            phones[2].wait_for_selector(f"#q-prompt:has-text({talk.slides[13].title!r})")
            speaker.screenshot(path=str(shots / "speaker-1920x1080.png"))

            # the same slides at 1280x720
            small = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            small.goto(f"{base}/talk#key={secret}")
            small.wait_for_selector(f"#slide-number:has-text('14 / {n}')")
            for kind, index in kinds.items():
                small.keyboard.press("Home")
                for _ in range(index):
                    small.keyboard.press("ArrowRight")
                small.wait_for_selector(f"#slide-number:has-text('{index + 1} / {n}')")
                q = talk.slides[index].question
                if q is not None and q < 6:  # quick key presses end on the right question
                    small.wait_for_selector(f"#progress:has-text('Question {q + 1} of 6')")
                time.sleep(0.3)
                small.screenshot(path=str(shots / f"talk-1280x720-{kind}.png"))

            # the handout, from the speaker view's button
            with speaker.expect_download() as info:
                speaker.click("#sp-handout")
            path = tmp_path / "handout.html"
            info.value.save_as(path)
            text = path.read_text()
            assert text.count('<section class="slide">') == n
            (shots / "handout.html").write_text(text)
            assert ">Data<" in text  # the word cloud as drawn
            assert "&lt;b&gt;x&lt;/b&gt;" in text  # audience text as text
            assert "statistics" not in text  # removed from the cloud by the speaker
            assert "#1 Ada:" in text  # the podium by nickname
            assert "3 answers" in text
            assert "data:image/png;base64," in text
            assert not errors, errors
        finally:
            browser.close()


def test_keys_move_every_window_and_the_phone_follows(server):
    """The quick check of the default run: keys, the speaker view and a phone in sync, no errors."""
    sync_api = pytest.importorskip("playwright.sync_api")
    base, live, talk = server
    secret, n = live.session.secret, len(talk.slides)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 720})
            presenter, speaker = ctx.new_page(), ctx.new_page()
            phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            for page in (presenter, speaker, phone):
                page.on("pageerror", lambda e: errors.append(str(e)))
            presenter.goto(f"{base}/talk#key={secret}")
            speaker.goto(f"{base}/speaker#key={secret}")
            phone.goto(f"{base}/?code={live.session.code}")
            phone.click("#join-button")
            presenter.wait_for_selector(f"#slide-number:has-text('1 / {n}')")
            presenter.keyboard.press("ArrowRight")
            presenter.keyboard.press("PageDown")
            presenter.wait_for_selector(f"#slide-number:has-text('3 / {n}')")
            speaker.wait_for_selector(f"#sp-number:has-text('Slide 3 / {n}')")
            phone.wait_for_selector(f"#q-prompt:has-text({talk.slides[2].title!r})")
            presenter.keyboard.press("ArrowLeft")
            speaker.wait_for_selector(f"#sp-number:has-text('Slide 2 / {n}')")
            wrong = ctx.new_page()
            wrong.goto(f"{base}/talk#key=not-the-key")
            wrong.wait_for_selector("#message:has-text('wrong presenter key')")
            assert not errors, errors
        finally:
            browser.close()


def test_a_playground_slide_trains_in_its_frame(tmp_path, deck, report_dir):
    """`::: playground STATE`: the playground's page in the slide, framed by the same origin only."""
    sync_api = pytest.importorskip("playwright.sync_api")
    import uvicorn

    from mltutorial.present.slides import parse_talk

    talk = parse_talk("# Try it\n\n::: playground preset=worst_case&lr=0.15\n", deck, CHAPTERS)
    port = _free_port()
    settings = Settings.from_env({}, db=str(tmp_path / "pg.sqlite3"), port=port)
    app = create_present_app(settings, talk, Report(report_dir))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        assert thread.is_alive()
        time.sleep(0.05)
    errors: list[str] = []
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/talk#key={app.state.live.session.secret}")
            page.wait_for_selector("iframe.playground")
            frame = page.frame_locator("iframe.playground")
            frame.locator("canvas:visible").first.wait_for(timeout=20000)
            page.wait_for_timeout(1500)
            shots = Path(os.environ.get("MLTUTORIAL_PRESENT_SHOTS", "/tmp/present-shots"))
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "talk-1280x720-playground.png"))
            browser.close()
    finally:
        srv.should_exit = True
        thread.join(10)
    assert not errors, errors
