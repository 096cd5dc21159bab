"""The tour's page in Debian's chromium: every figure renders, and it fits a laptop and a phone."""

from __future__ import annotations

import shutil

import pytest

from mltutorial import tour_cli, viz
from mltutorial.chapter import Chapter, ChapterOutput, Table
from mltutorial.cli import main

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


def _chapter(name: str) -> Chapter:
    def run(ctx):
        fig, ax = viz.figure()
        ax.plot([0, 1, 2], [2, 1, 3], label="a line")
        ax.legend()
        path = viz.save(fig, ctx.out_dir / "fig.png", title=name)
        long_row = ["a-very-long-unbroken-cell-" * 3, 1234567.891, 0.5]
        return ChapterOutput(
            summary=f"{name}: accuracy 99%",
            numbers={"accuracy": 0.99},
            figures=[path],
            tables=[Table("numbers", ["name", "big", "small"], [long_row])],
            samples=["generated text " * 20],
        )

    return Chapter(name, name.title(), "a slide", 1, f"mltutorial run {name}", run)


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")
def test_report_renders_on_laptop_and_phone(monkeypatch, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    chapters = [_chapter("alpha"), _chapter("beta")]
    monkeypatch.setattr(tour_cli, "discover", lambda: (chapters, {}))
    out = tmp_path / "report"
    assert main(["tour", "--out", str(out)]) == 0
    args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            for width, height in ((1280, 800), (390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto((out / "index.html").as_uri())
                images = page.evaluate(
                    "Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)"
                )
                assert images == [True, True]
                # nothing wider than the screen: wide tables scroll inside their own box
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
