"""End to end in a real browser: Debian's chromium driven by Playwright against a real server.

The presenter opens the default deck; three participants join in separate browser contexts and answer
the word cloud and a quiz question; the presenter page shows the words, "3 answers", the leaderboard.
Screenshots (projector and phone) are saved for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (apt-get install chromium)"
    ),
]


def _shots_dir(tmp_path: Path) -> Path:
    out = tmp_path / "shots"
    out.mkdir()
    return out


def test_presenter_and_three_phones(live_server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = _shots_dir(tmp_path)
    live = live_server.live
    code = live.session.code
    base = live_server.base
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            presenter_ctx = browser.new_context(viewport={"width": 1600, "height": 900})
            presenter = presenter_ctx.new_page()
            errors: list[str] = []
            presenter.on("pageerror", lambda e: errors.append(str(e)))
            presenter.goto(f"{base}/presenter#key={live.session.secret}")
            presenter.wait_for_selector("text=What is Machine Learning?")
            assert presenter.locator("#code").inner_text() == f"{code[:4]} {code[4:]}"
            presenter.screenshot(path=str(shots / "presenter-lobby.png"))

            phones = []
            answers = [
                ["Data", "patterns", "<img src=x onerror=window.__pwned=1>"],
                ["data", "statistics"],
                ["DATA!", "prediction", "learning from examples"],
            ]
            for i, words in enumerate(answers):
                ctx = browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                )
                phone = ctx.new_page()
                phone.on("pageerror", lambda e: errors.append(str(e)))
                phone.goto(f"{base}/?code={code}")
                phone.fill("#nick-input", ["Ada", "Grace", "Alan"][i])
                if i == 0:
                    phone.screenshot(path=str(shots / "phone-join.png"))
                phone.click("#join-button")
                phone.wait_for_selector(".word-input")
                for box, word in zip(phone.locator(".word-input").all(), words):
                    box.fill(word)
                if i == 0:
                    phone.screenshot(path=str(shots / "phone-question.png"))
                phone.click("#q-form button[type=submit]")
                phone.wait_for_selector("text=Answer received")
                phones.append(phone)

            presenter.wait_for_selector("#count:has-text('3 answers')")
            cloud = presenter.locator("#cloud")
            cloud.wait_for()
            words = [w.inner_text() for w in cloud.locator(".word").all()]
            # "Data", "data", "DATA!": one entry, in the spelling written first (a three-way tie).
            assert "Data" in words and "statistics" in words and "prediction" in words
            # The injection attempt is shown as the text it is, and nothing ran.
            assert "<img src=x onerror=window.__pwned=1>" in words
            assert presenter.evaluate("window.__pwned") is None
            data_size = float(
                cloud.locator(".word", has_text="data").first.evaluate(
                    "e => parseFloat(e.style.fontSize)"
                )
            )
            other_size = float(
                cloud.locator(".word", has_text="statistics").evaluate(
                    "e => parseFloat(e.style.fontSize)"
                )
            )
            assert data_size > other_size  # three people said data
            presenter.screenshot(path=str(shots / "presenter-wordcloud.png"))
            phones[0].screenshot(path=str(shots / "phone-wordcloud.png"))

            # Jump to the quiz ("What is the algorithm to optimise neurons?").
            for number in (2, 3, 4):
                presenter.click("#next")
                presenter.wait_for_selector(f"#progress:has-text('Question {number} of 6')")
            presenter.wait_for_selector("text=What is the algorithm to optimise neurons?")
            picks = ["Gradient descent", "Gradient descent", "K-means clustering"]
            presenter.screenshot(path=str(shots / "presenter-quiz-open.png"))
            for phone, pick in zip(phones, picks):
                phone.wait_for_selector("text=What is the algorithm to optimise neurons?")
                phone.locator(".option", has_text=pick).click()
                phone.wait_for_selector("text=Answer received")
            presenter.wait_for_selector("#count:has-text('3 answers')")
            presenter.click("#reveal")
            board = presenter.locator(".leaderboard")
            board.wait_for()
            names = board.locator(".board-name").all_inner_texts()
            assert set(names[:2]) == {"Ada", "Grace"} and names[2] == "Alan"
            assert presenter.locator(".bar-row.correct").inner_text().startswith("A")
            phones[0].wait_for_selector("text=Correct!")
            phones[2].wait_for_selector("text=Not this time")
            presenter.screenshot(path=str(shots / "presenter-quiz.png"))
            phones[0].screenshot(path=str(shots / "phone-quiz.png"))

            for number in (5, 6):
                presenter.click("#next")
                presenter.wait_for_selector(f"#progress:has-text('Question {number} of 6')")
            presenter.screenshot(path=str(shots / "presenter-guess.png"))
            presenter.click("#next")
            presenter.wait_for_selector(".podium")
            presenter.screenshot(path=str(shots / "presenter-podium.png"))
            assert not errors, errors
        finally:
            browser.close()
    keep = os.environ.get("MLTUTORIAL_LIVE_SHOTS")  # e.g. /tmp/live-shots to look at them
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)
    assert len(list(shots.glob("*.png"))) == 10
