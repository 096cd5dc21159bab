"""The slides file: Markdown, front matter, notes, directives; every bad input is one line file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltutorial.errors import UserError
from mltutorial.present.render import Renderer
from mltutorial.present.report import Report
from mltutorial.present.slides import load_talk, parse_talk
from present.fake_report import CHAPTERS, png

THREE = """---
title: My three slides
---
# Hello

Welcome, ![logo](logo.png)

<!-- notes: say hello -->

---

# A computed figure

::: figure neuron
Accuracy {{ number neuron.accuracy :.1% }}

---

::: question wordcloud-1
"""


def parse(text, deck, tmp_path=None, chapters=CHAPTERS):
    return parse_talk(text, deck, chapters, source="talk.md", base=tmp_path)


def test_three_slide_example(deck, tmp_path, report_dir):
    (tmp_path / "logo.png").write_bytes(png())
    talk = parse(THREE, deck, tmp_path)
    assert talk.title == "My three slides"
    assert [s.title for s in talk.slides] == [
        "Hello",
        "A computed figure",
        deck.questions[0].prompt,
    ]
    assert talk.slides[0].notes == "say hello"
    assert "say hello" not in talk.slides[0].body
    assert [s.line for s in talk.slides] == [4, 12, 19]
    assert talk.slides[2].question == 0 and talk.slides[1].question is None
    assert talk.chapters == ["neuron"]
    r = Renderer(Report(report_dir))
    html = r.slide(talk.slides[1])
    assert '<img src="/api/present/figure/neuron/0"' in html
    assert "Accuracy 98.8%" in html
    assert 'data-question="0"' in r.slide(talk.slides[2])
    embedded = Renderer(Report(report_dir), embed=True)
    assert "data:image/png;base64," in embedded.slide(talk.slides[0])
    assert "data:image/png;base64," in embedded.slide(talk.slides[1])


def test_html_in_the_slides_is_sanitised(deck, report_dir):
    talk = parse(
        '# T\n\n<script>alert(1)</script><b onclick="x()">bold</b>\n<img src=x onerror=y>\n', deck
    )
    html = Renderer(Report(report_dir)).slide(talk.slides[0])
    assert "<script" not in html and "onclick" not in html and "onerror" not in html
    assert "<b>bold</b>" in html


def test_a_missing_chapter_says_computing(deck, tmp_path):
    talk = parse("::: figure neuron\n\n{{ number neuron.accuracy }}\n", deck)
    html = Renderer(Report(tmp_path / "empty")).slide(talk.slides[0])
    assert "computing…" in html and "…" in html


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# A\n---\n# B\n::: chart neuron\n", 4, "unknown directive '::: chart'"),
        ("# A\n\n::: figure nosuch\n", 3, "no chapter 'nosuch'"),
        ("# A\n::: figure neuronn\n", 2, "did you mean 'neuron'"),
        ("# A\n::: figure\n", 2, "usage: ::: figure CHAPTER"),
        ("# A\n::: figure neuron x\n", 2, "usage: ::: figure CHAPTER"),
        ("# A\n::: question wordcloud-9\n", 2, "no question 'wordcloud-9'"),
        ("# A\n::: question 99\n", 2, "no question '99'"),
        ("# A\n::: question quiz-1 extra\n", 2, "usage: ::: question"),
        ("# A\n::: question quiz-1\n::: question quiz-2\n", 1, "one question"),
        ("# A\n::: podium now\n", 2, "usage: ::: podium"),
        ("# A\n\ntext {{ numbr neuron.x }}\n", 3, "unknown directive '{{ numbr'"),
        ("# A\n{{ number neuron }}\n", 2, "usage: {{ number CHAPTER.KEY"),
        ("# A\n{{ number nosuch.x }}\n", 2, "no chapter 'nosuch'"),
        ("# A\n{{ number neuron.x :zz }}\n", 2, "not a number format"),
        ("# A\n![x](missing.png)\n", 2, "cannot read image 'missing.png'"),
        ("# A\n![x](notes.txt)\n", 2, "not an image type"),
        ("# A\n![x](https://example.org/a.png)\n", 2, "only local files"),
        ("---\ntitle: [unclosed\n---\n# A\n", 2, "front matter is not valid YAML"),
        ("---\n- a list\n---\n# A\n", 2, "front matter must be"),
        ("\n---\n\n---\n", 1, "no slides"),
        ("# A\n::: playground preset=nosuch\n", 2, "playground: preset must be one of"),
        ("# A\n::: playground a b\n", 2, "usage: ::: playground"),
    ],
)
def test_bad_slides_name_the_file_and_line(deck, tmp_path, text, line, words):
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(UserError) as err:
        parse(text, deck, tmp_path)
    message = str(err.value)
    assert message.startswith(f"talk.md:{line}: "), message
    assert words in message
    assert "\n" not in message


def test_a_directive_inside_a_code_fence_is_text(deck):
    talk = parse("# A\n```\n::: not a directive\n---\n```\n", deck)
    assert len(talk.slides) == 1 and not talk.slides[0].directives


def test_unreadable_files(deck, tmp_path):
    with pytest.raises(UserError, match="slides file not found"):
        load_talk(tmp_path / "nope.md", deck, CHAPTERS)
    with pytest.raises(UserError, match="folder"):
        load_talk(tmp_path, deck, CHAPTERS)
    bad = tmp_path / "latin1.md"
    bad.write_bytes("# caf\xe9\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        load_talk(bad, deck, CHAPTERS)


SEED_WORDS = [
    "Machine learning tutorial", "Melissa Lopez ft. ChatGPT", "Brief history of Machine Learning",
    "Big Data (WWW in 90s)", "Machine Learning Arxiv Papers per Year", "What is Machine Learning?",
    "Let's go to Mentimeter!", "Venn diagrams", "how do", "Supervised", "Reinforcement learning",
    "Gmail", "Anti-spam algorithms", "Netflix", "Recomendation systems", "Google translate",
    "Mapping between languages", "ChatGPT", "Generation of text",
    "What do Gmail, Netflix, Google translate and ChatGPT have in common?",
    "Huge amounts of data", "Humans learn from experience and machines learn from data!",
    "what is a neuron?", "Gradient descent!", "J(w, b)", "What is the worst that can happen?",
    "32 × 32 × 3 → 3072 × 1", "Billions of paramters to train!", "Parameter sharing",
    "Universal Approximation Theorem", "Comparing complexity...", "do's and dont's",
    "Machine Learning Arxiv Papers per Year", "What are big people doing?", "Final test!", "Carl Sagan", "Thank you for listening! Questions?",
]  # fmt: skip


def test_the_default_talk_is_the_seed_in_order(deck):
    talk = load_talk(None, deck, CHAPTERS)
    text = "\n".join(s.body for s in talk.slides)
    at = 0
    for words in SEED_WORDS:  # each after the one before: the seed's order
        found = text.find(words, at)
        assert found >= 0, f"{words!r} missing after position {at}"
        at = found
    questions = [s.question for s in talk.slides if s.question is not None]
    assert questions == list(range(len(deck.questions) + 1))  # every question, then the podium
    assert talk.title == "Machine learning tutorial"
    assert all(s.title for s in talk.slides)


def test_the_readme_example_parses(deck, tmp_path):
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    example = text.split("A three-slide talk:\n\n```markdown\n", 1)[1].split("\n```", 1)[0]
    (tmp_path / "neuron.png").write_bytes(png())
    talk = parse(example, deck, tmp_path)
    assert talk.title == "Neurons in ten minutes" and len(talk.slides) == 3
    assert talk.slides[2].question == 0 and talk.slides[0].notes
