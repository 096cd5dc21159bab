"""What a presenter hit on the live screens, checked in Debian's chromium (issue 14's list).

A projector at 1920x1080 (and 1280x720) and phones at 390x844: the quiz countdown never covers the
question, the footer stays one line at "Time's up", the projector's timer is large, a scannable QR
and the code stay while answering is open and "Reconnecting…" does not cover them, the word cloud
shows "Google" as written, a second tab shows the stored answer, a wrong presenter key says so.
Screenshots go to $MLTUTORIAL_LIVE_SHOTS when set (e.g. /tmp/live-shots), for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing"),
]

QUIZ_S = 5  # the shortest time limit a deck allows: "Time's up" comes quickly
DECK = f"""
title: Screens
questions:
  - type: wordcloud
    prompt: Name a company that uses machine learning every day
    max_entries: 1
  - type: quiz
    prompt: Which algorithm adjusts the weights of a neural network to reduce its error on the data?
    time_limit: {QUIZ_S}
    options: [Gradient descent, K-means clustering, Dijkstra's shortest path, Bubble sort]
    correct: Gradient descent
  - type: choice
    prompt: Did you like it?
    options: ["Yes", "No"]
"""


def _box(page, selector):
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return box


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _footer_is_one_line(page) -> None:
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.status > *:not([hidden]), .controls button')]"
        ".filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect())"
        ".map(r => [r.top, r.height])"
    )
    buttons = page.evaluate(
        "() => [...document.querySelectorAll('.controls button')].filter(e => !e.hidden)"
        ".map(e => e.getBoundingClientRect().height)"
    )
    assert max(buttons) - min(buttons) < 1, buttons  # no button grows to two lines
    centres = [top + height / 2 for top, height in tops]
    assert max(centres) - min(centres) < max(buttons), tops  # one row


def test_presenter_screens_and_phones(make_server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    deck_file = tmp_path / "screens.yaml"
    deck_file.write_text(DECK)
    server = make_server(deck=str(deck_file))
    live, base = server.live, server.base
    code = live.session.code
    shots = tmp_path / "shots"
    shots.mkdir()

    def shot(page, name):
        page.screenshot(path=str(shots / f"{name}.png"))

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            errors: list[str] = []
            pctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            presenter = pctx.new_page()
            presenter.on("pageerror", lambda e: errors.append(str(e)))
            presenter.goto(f"{base}/presenter#key={live.session.secret}")
            presenter.wait_for_selector(".join-panel")  # no answers yet: the big join panel
            assert not presenter.locator("#join-side").is_visible()
            shot(presenter, "presenter-lobby-1080")

            phones, contexts = [], []
            for i, word in enumerate(["Google", "google", "Google"]):
                ctx = browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                )
                phone = ctx.new_page()
                phone.on("pageerror", lambda e: errors.append(str(e)))
                phone.goto(f"{base}/?code={code}")
                phone.fill("#nick-input", ["Ada", "Grace", "Alan"][i])
                phone.click("#join-button")
                phone.wait_for_selector(".word-input")
                phone.fill(".word-input", word)
                phone.click("#q-form button[type=submit]")
                phone.wait_for_selector("text=Answer received")
                phones.append(phone)
                contexts.append(ctx)

            # The cloud merges "Google" and "google" and shows the spelling most people used.
            presenter.wait_for_selector("#count:has-text('3 answers')")
            words = presenter.locator("#cloud .word").all_inner_texts()
            assert words == ["Google"]
            # Answering is open: a QR big enough to scan from the back, and the code.
            side = presenter.locator("#join-side")
            side.wait_for()
            qr = _box(presenter, "#qr-side")
            assert qr["width"] >= 300 and qr["height"] >= 300, qr
            assert presenter.locator("#code-side").inner_text() == f"{code[:4]} {code[4:]}"
            shot(presenter, "presenter-wordcloud-1080")
            # "Reconnecting…" (as the socket wrapper shows it) covers neither code nor QR.
            presenter.evaluate(
                "() => { const b = document.getElementById('error');"
                " b.textContent = 'Reconnecting…'; b.hidden = false; }"
            )
            banner = _box(presenter, "#error")
            for selector in ("#code", "#qr-side", "#code-side", "#prompt"):
                assert not _overlap(banner, _box(presenter, selector)), selector
            shot(presenter, "presenter-reconnecting-1080")
            presenter.evaluate("() => { document.getElementById('error').hidden = true; }")
            # A second tab of the first phone, opened before the quiz.
            tab2 = contexts[0].new_page()
            tab2.set_viewport_size({"width": 390, "height": 844})

            # The quiz, with a long question: the phone's countdown sits above it, never on it.
            presenter.click("#next")
            presenter.wait_for_selector("#progress:has-text('Question 2 of 3')")
            tab2.goto(f"{base}/?code={code}")
            timer = presenter.locator("#timer")
            timer.wait_for()
            size = float(timer.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
            assert size >= 80, size  # readable from the back of the room at 1080p
            assert _box(presenter, "#qr-side")["width"] >= 300  # still there on the quiz
            assert not _overlap(_box(presenter, "#timer"), _box(presenter, "#prompt"))
            _footer_is_one_line(presenter)
            shot(presenter, "presenter-quiz-1080")
            for phone in phones:
                phone.wait_for_selector("#q-timer:not([hidden])")
            assert not _overlap(_box(phones[0], "#q-timer"), _box(phones[0], "#q-prompt"))
            shot(phones[0], "phone-quiz-390")
            # Tab 1 answers A; tab 2, still showing the options, taps C: it shows A, as stored.
            tab2.wait_for_selector(".option")
            phones[0].locator(".option", has_text="Gradient descent").click()
            phones[0].wait_for_selector("text=Answer received")
            tab2.locator(".option", has_text="Dijkstra").click()
            tab2.wait_for_selector("text=You had already answered this one.")
            assert tab2.locator(".answered-what").inner_text() == "Gradient descent"
            assert tab2.locator(".answered-title").inner_text() == "Your answer"
            shot(tab2, "phone-second-tab-390")
            phones[1].locator(".option", has_text="K-means").click()

            # Time's up: the footer keeps its one line, the buttons their size.
            before = _box(presenter, ".status")["height"]
            presenter.wait_for_selector('#timer:has-text("Time\'s up")', timeout=QUIZ_S * 3000)
            presenter.wait_for_selector("#open:has-text('Open')")
            assert abs(_box(presenter, ".status")["height"] - before) < 1
            _footer_is_one_line(presenter)
            assert not side.is_visible()  # answering closed: the big QR makes room again
            shot(presenter, "presenter-timesup-1080")
            phones[2].wait_for_selector('#q-timer:has-text("Time\'s up")')
            shot(phones[2], "phone-timesup-390")
            presenter.set_viewport_size({"width": 1280, "height": 720})
            _footer_is_one_line(presenter)
            shot(presenter, "presenter-timesup-720")
            presenter.set_viewport_size({"width": 1920, "height": 1080})
            presenter.click("#reveal")
            presenter.wait_for_selector(".leaderboard")
            shot(presenter, "presenter-leaderboard-1080")
            phones[0].wait_for_selector("text=Correct!")

            presenter.click("#next")
            presenter.wait_for_selector("#progress:has-text('Question 3 of 3')")
            presenter.click("#next")
            presenter.wait_for_selector(".podium")
            shot(presenter, "presenter-podium-1080")

            # A wrong key: said in words, and no broken QR image.
            wrong = pctx.new_page()
            wrong.on("pageerror", lambda e: errors.append(str(e)))
            wrong.goto(f"{base}/presenter#key=not-the-key")
            wrong.wait_for_selector("text=Wrong presenter key")
            assert not wrong.locator("#qr-small").is_visible()
            assert not re.search("Connecting", wrong.locator("#prompt").inner_text())
            shot(wrong, "presenter-wrong-key-1080")
            assert not errors, errors
        finally:
            browser.close()
    keep = os.environ.get("MLTUTORIAL_LIVE_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)
    assert len(list(shots.glob("*.png"))) == 12
