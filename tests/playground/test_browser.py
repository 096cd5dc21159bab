"""The playground in a real browser: Debian's chromium driven by Playwright against a real server.

Open the page, press play, move the learning rate and a layer's neurons, see the heat map and the
loss change, reload from the URL and get the same state, upload a CSV (and a bad one), open the
presets. Screenshots of a laptop (1280x800) and a phone (390x844) go to /tmp/playground-shots/ for a
person to look at.
"""

from __future__ import annotations

import os
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
SHOTS = Path("/tmp/playground-shots")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (apt-get install chromium)"
    ),
]


# Predicates are written as functions: an expression string would need eval, which the page's
# Content-Security-Policy forbids (as it should).


def _heat(page) -> str:
    return page.evaluate("document.getElementById('heat').toDataURL()")


def _epoch(page) -> int:
    return int(page.locator("#epoch").inner_text())


def test_play_move_reload_upload(playground_server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(exist_ok=True)
    base = playground_server.base
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "x1,x2,label\n" + "\n".join(f"{i % 7},{i % 5},{int(i % 7 > 3)}" for i in range(60))
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("just,two\n1,2\n")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/#dataset=xor&shape=4,2")
            page.wait_for_function("() => document.querySelectorAll('#network .node').length === 9")
            page.wait_for_function("() => document.getElementById('test-loss').textContent !== '-'")
            heat0, loss0 = _heat(page), page.locator("#test-loss").inner_text()

            page.click("#play")
            page.wait_for_function(
                "() => parseInt(document.getElementById('epoch').textContent) > 20"
            )
            page.click("#play")  # pause
            assert _heat(page) != heat0
            assert page.locator("#test-loss").inner_text() != loss0
            assert page.locator("#links path.weight").count() == 2 * 4 + 4 * 2 + 2
            title = page.locator("#links path.weight title").first.text_content()
            assert title.startswith("weight ")

            page.check("#ctl-showTest")  # test points join the picture, the run goes on
            page.wait_for_function("() => location.hash.includes('showTest=true')")
            assert _heat(page) == _heat(page)
            discrete_before = _heat(page)
            page.check("#ctl-discretize")
            page.wait_for_function("() => location.hash.includes('discretize=true')")
            assert _heat(page) != discrete_before
            assert int(page.locator("#epoch").inner_text()) > 20  # not restarted
            page.select_option("#ctl-lr", "0.1")
            page.wait_for_function("() => location.hash.includes('lr=0.1&')")
            page.locator(".add-neuron").first.click()
            page.wait_for_function("() => location.hash.includes('shape=5,2')")
            page.wait_for_function(
                "() => document.querySelectorAll('#network .node').length === 10"
            )
            page.click("#step")
            page.wait_for_function(
                "() => document.getElementById('epoch').textContent === '000001'"
            )
            page.screenshot(path=str(SHOTS / "laptop-network.png"))

            url = page.url
            page.goto("about:blank")
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelectorAll('#network .node').length === 10"
            )
            assert page.locator("#ctl-lr").input_value() == "0.1"
            assert page.locator("#layer-count").inner_text() == "2"
            assert "dataset=xor" in page.url

            page.set_input_files("#csv", str(bad))
            page.wait_for_selector("#message:not([hidden])")
            assert "bad CSV" in page.locator("#message").inner_text()
            page.set_input_files("#csv", str(csv))
            page.wait_for_function("() => location.hash.includes('dataset=upload')")
            page.wait_for_function(
                "() => document.getElementById('upload-name').textContent.includes('60')"
            )
            assert page.locator("#message").is_hidden()
            page.click("#play")
            page.wait_for_function(
                "() => parseInt(document.getElementById('epoch').textContent) > 3"
            )
            page.click("#play")

            page.goto(f"{base}/#lr=nan")
            page.wait_for_selector("#message:not([hidden])")
            assert "finite" in page.locator("#message").inner_text()

            page.goto(f"{base}/#preset=worst_case&lr=0.15")
            page.wait_for_selector("#costs")
            assert "step 14" in page.locator("#preset-body").inner_text()
            page.screenshot(path=str(SHOTS / "laptop-worst-case.png"))
            page.goto(f"{base}/#preset=gradient_descent&lr=0.05")
            page.wait_for_selector("#surface")
            before = page.locator(".verdict").inner_text()
            page.locator("#preset-lr").fill("-1.7")  # log10 of lr 0.02: too slow for 600 steps
            page.locator("#preset-lr").dispatch_event("change")
            page.wait_for_function("() => location.hash.includes('lr=0.02&')")
            page.wait_for_function(
                "() => (document.querySelector('.verdict')?.textContent || '"
                f"{before}') !== {before!r}"
            )
            assert "not converged" in page.locator(".verdict").inner_text()
            page.screenshot(path=str(SHOTS / "laptop-gradient-descent.png"))
            page.goto(f"{base}/#preset=convolution")
            page.wait_for_selector("#conv-output")
            assert page.locator("#conv-output td").nth(0).inner_text() == "12"
            page.fill("#k00", "1")  # the filter's corner 0 -> 1 adds the input's corner, 3
            page.locator("#k00").dispatch_event("change")
            page.wait_for_function(
                "() => document.querySelector('#conv-output td')?.textContent === '15'"
            )
            page.screenshot(path=str(SHOTS / "laptop-convolution.png"))
            page.goto(f"{base}/#preset=universal_approximation&neurons=8")
            page.wait_for_selector("#fit", timeout=60_000)
            page.screenshot(path=str(SHOTS / "laptop-universal-approximation.png"))

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.on("pageerror", lambda e: errors.append(str(e)))
            phone.goto(f"{base}/#dataset=spiral&shape=8,8&sinx1=true&sinx2=true")
            phone.wait_for_function(
                "() => document.querySelectorAll('#network .node').length === 21"
            )
            phone.click("#play")
            phone.wait_for_function(
                "() => parseInt(document.getElementById('epoch').textContent) > 30"
            )
            phone.click("#play")
            phone.screenshot(path=str(SHOTS / "phone-network.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
