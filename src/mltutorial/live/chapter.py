"""Tour chapter: the talk's Mentimeter moments, run through the live server's store.

No network server is started: a temporary SQLite store gets the default deck and a SIMULATED audience
(41 simulated participants, not people; 37 of them answer "What is Machine Learning?" as on the
slide, with answers drawn from a list written here). Then the final quiz is played with simulated
answer times. The chapter reports the word-cloud frequencies, the leaderboard, and the store's
measured write throughput (group commit vs one commit per answer, side by side). The real thing:
`mltutorial live`.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from mltutorial import viz
from mltutorial.chapter import ORDER_INTRO, Chapter, ChapterContext, ChapterOutput, Table
from mltutorial.live.deck import Deck, load_deck
from mltutorial.live.store import Results, Store, Submission
from mltutorial.live.text import format_code

N_PARTICIPANTS = 41  # the slide: "41 answers" to the second word cloud
N_FIRST_CLOUD = 37  # the slide: "What is Machine Learning? 37 answers"

# What a room might type. Written for this chapter; (entry, weight).
ML_IS = [
    ("data", 14), ("Data", 4), ("DATA!", 2), ("statistics", 6), ("AI", 8), ("patterns", 7),
    ("algorithms", 6), ("prediction", 6), ("learning from data", 5), ("neural networks", 5),
    ("models", 4), ("optimisation", 3), ("computers learning", 3), ("magic", 2), ("maths", 3),
    ("automation", 2), ("pattern recognition", 3), ("training", 2), ("ChatGPT", 3), ("the", 1),
    ("future", 2), ("classification", 2), ("regression", 1), ("a", 1), ("experience", 2),
]  # fmt: skip
COMMON = [
    ("data", 16), ("big data", 5), ("algorithms", 5), ("AI", 6), ("machine learning", 8),
    ("recommendations", 3), ("neural networks", 3), ("predictions", 4), ("personalisation", 2),
    ("patterns", 4), ("learning from users", 2), ("language", 2), ("Google", 2), ("users", 2),
]  # fmt: skip
NAMES = [
    "Ada",
    "Alan",
    "Grace",
    "Marie",
    "Emmy",
    "Kurt",
    "Rosalind",
    "Niels",
    "Lise",
    "Richard",
    "Katherine",
    "Claude",
    "Barbara",
    "John",
    "Dorothy",
    "Edsger",
    "Frances",
    "Geoffrey",
    "Yann",
    "Yoshua",
    "Fei-Fei",
    "Andrew",
    "Daphne",
    "Judea",
    "Cynthia",
    "Tim",
    "Margaret",
    "Donald",
    "Hedy",
    "Carl",
    "Vera",
    "Paul",
    "Chien-Shiung",
    "Enrico",
    "Jocelyn",
    "Subrahmanyan",
    "Tu",
    "Mary",
    "Srinivasa",
    "Sophie",
    "Hypatia",
]


def _draw(rng: random.Random, pool: list[tuple[str, int]], k: int) -> list[str]:
    words, weights = zip(*pool)
    return rng.choices(words, weights=weights, k=k)


def _simulate(store: Store, deck: Deck, rng: random.Random) -> tuple[int, list]:
    """A simulated room: join, two word clouds, the quiz, the guess. Returns (session id, people)."""
    info = store.create_session(deck)
    sid = info.session_id
    people = store.join_many([(sid, name) for name in NAMES[:N_PARTICIPANTS]])
    # 1. "What is Machine Learning?": 37 of them answer, 1-3 entries each.
    store.submit_many(
        Submission(p.id, sid, 0, words=_draw(rng, ML_IS, rng.randint(1, 3)))
        for p in people[:N_FIRST_CLOUD]
    )
    # 2. "What do Gmail, Netflix, Google translate and ChatGPT have in common?": all 41.
    store.act(sid, "next")
    store.submit_many(
        Submission(p.id, sid, 1, words=_draw(rng, COMMON, rng.randint(1, 3))) for p in people
    )
    # 3-5. The final quiz: each simulated person has a skill and a speed.
    skill = {p.id: rng.uniform(0.35, 0.95) for p in people}
    speed = {p.id: rng.uniform(0.15, 0.8) for p in people}
    for index in (2, 3, 4):
        state = store.act(sid, "goto", index=index)
        q = deck.questions[index]
        assert q.time_limit is not None and q.correct is not None and state.opened_at is not None
        subs = []
        for p in people:
            right = rng.random() < skill[p.id]
            wrong = [i for i in range(len(q.options)) if i != q.correct]
            choice = q.correct if right else rng.choice(wrong)
            seconds = min(q.time_limit, rng.expovariate(1.0) * speed[p.id] * q.time_limit / 2)
            subs.append(
                Submission(p.id, sid, index, choice=choice, received_at=state.opened_at + seconds)
            )
        store.submit_many(subs)
        store.act(sid, "reveal")
    # 6. The bonus guess.
    store.act(sid, "next")
    guess = deck.questions[5]
    store.submit_many(
        Submission(
            p.id, sid, 5, choice=rng.choices(range(len(guess.options)), weights=[5, 2, 3])[0]
        )
        for p in people
    )
    store.act(sid, "reveal")
    return sid, people


def _throughput(store: Store, deck: Deck, n: int, batch: int) -> tuple[float, float]:
    """Answers/s stored (committed) in batches of `batch` vs one transaction per answer."""
    rates = []
    for size in (batch, 1):
        info = store.create_session(deck)
        people = store.join_many([(info.session_id, "") for _ in range(n if size > 1 else n // 10)])
        subs = [Submission(p.id, info.session_id, 0, words=["data", "patterns"]) for p in people]
        start = time.perf_counter()
        for i in range(0, len(subs), size):
            acks = store.submit_many(subs[i : i + size])
            assert all(a.status == "received" for a in acks)
        rates.append(len(subs) / (time.perf_counter() - start))
    return rates[0], rates[1]


def _cloud_figure(words: list[tuple[str, int]], path: Path, title: str) -> None:
    """Left: the cloud (font size by count, biggest in the middle); right: the counts."""
    fig, (ax_cloud, ax_bar) = viz.figure(2, 1, width=6.5, height=4.2)
    ax_cloud.set_axis_off()
    top = words[0][1]
    middle_out: list[tuple[str, int]] = []
    for i, w in enumerate(words[:24]):
        (middle_out.append if i % 2 else lambda x: middle_out.insert(0, x))(w)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box = ax_cloud.get_window_extent(renderer)
    lines: list[list] = [[]]
    width = 0.0
    for word, count in middle_out:
        size = 9 + 26 * (count / top) ** 0.5
        text = ax_cloud.text(0, 0, word, fontsize=size, fontweight="bold")
        w = text.get_window_extent(renderer).width + 8
        text.remove()
        if width + w > box.width and lines[-1]:
            lines.append([])
            width = 0.0
        lines[-1].append((word, size, w))
        width += w
    # the axes shrink once the layout makes room for the titles: keep the words inside 80 % of it
    fit = min(1.0, 0.8 * box.height / sum(max(s for _, s, _ in line) * 1.5 for line in lines))
    lines = [[(word, size * fit, w * fit) for word, size, w in line] for line in lines]
    heights = [max(s for _, s, _ in line) * 1.5 for line in lines]
    y = 0.5 + sum(heights) / 2 / box.height
    for line, h in zip(lines, heights):
        y -= h / 2 / box.height
        x = 0.5 - sum(w for _, _, w in line) / 2 / box.width
        for word, size, w in line:
            ax_cloud.text(
                x, y, word, fontsize=size, fontweight="bold", va="center",
                color=viz.CYCLE[sum(map(ord, word)) % len(viz.CYCLE)], transform=ax_cloud.transAxes,
            )  # fmt: skip
            x += w / box.width
        y -= h / 2 / box.height
    ax_cloud.set_title("Word cloud (font size ~ sqrt(count))")
    shown = words[:12][::-1]
    ax_bar.barh([w for w, _ in shown], [c for _, c in shown], color=viz.COLORS["train"])
    ax_bar.set_xlabel("participants who gave the entry")
    ax_bar.set_title("Most frequent entries")
    viz.save(fig, path, title=title)


def _leaderboard_figure(board: list, correct_rates: list[tuple[str, float]], path: Path) -> None:
    fig, (ax_board, ax_rate) = viz.figure(2, 1, width=6.0, height=4.2)
    rows = board[:10][::-1]
    colours = [
        {1: "#ca8a04", 2: "#64748b", 3: "#c2410c"}.get(r.rank, viz.COLORS["train"]) for r in rows
    ]
    ax_board.barh(
        [f"{r.rank}. {r.nickname}" for r in rows], [r.points for r in rows], color=colours
    )
    ax_board.set_xlabel("quiz points (1000 for an instant right answer, 500 at the time limit)")
    ax_board.set_title("Leaderboard after the final test (top 10)")
    labels = [label for label, _ in correct_rates]
    ax_rate.bar(labels, [100 * r for _, r in correct_rates], color=viz.COLORS["test"])
    ax_rate.set_ylabel("% of simulated participants right")
    ax_rate.set_ylim(0, 100)
    ax_rate.set_title("Final test: who got it right")
    viz.save(fig, path, title="Final test! (simulated audience)")


def _right_share(r: Results) -> float:
    assert r.correct is not None
    return r.options[r.correct] / max(1, r.count)


def run(ctx: ChapterContext) -> ChapterOutput:
    rng = random.Random(ctx.seed)
    deck = load_deck()
    with (
        tempfile.TemporaryDirectory(prefix="mltutorial-live-") as tmp,
        Store(f"sqlite:///{Path(tmp) / 'live.sqlite3'}") as store,
    ):
        sid, people = _simulate(store, deck, rng)
        code = store.state(sid).code
        cloud1 = store.results(sid, 0)
        cloud2 = store.results(sid, 1)
        quiz = [store.results(sid, i) for i in (2, 3, 4)]
        guess = store.results(sid, 5)
        board = store.leaderboard(sid, limit=None)
        n = 300 if ctx.quick else 3000
        batched, single = _throughput(store, deck, n=n, batch=100)

    cloud_png = ctx.out_dir / "word_cloud.png"
    _cloud_figure(cloud1.words, cloud_png, "What is Machine Learning? (simulated audience)")
    rates = [(f"Q{i + 1}", _right_share(r)) for i, r in enumerate(quiz)]
    board_png = ctx.out_dir / "leaderboard.png"
    _leaderboard_figure(board, rates, board_png)

    question_rows = []
    for i, q in enumerate(deck.questions):
        answer = q.options[q.correct] if q.correct is not None else ""
        detail = f"{len(q.options)} options" if q.options else f"up to {q.max_entries} entries"
        if q.time_limit:
            detail += f", {q.time_limit:.0f} s"
        question_rows.append([i + 1, q.type, q.prompt, detail, answer])
    top = cloud1.words[0]
    winner = board[0]
    numbers = {
        "simulated_participants": len(people),
        "answers_what_is_ml": cloud1.count,
        "answers_in_common": cloud2.count,
        "distinct_entries_what_is_ml": len(cloud1.words),
        "top_entry": top[0],
        "top_entry_count": top[1],
        "quiz_right_percent": [round(100 * r, 1) for _, r in rates],
        "winner_points": winner.points,
        "guess_right_percent": round(100 * _right_share(guess), 1),
        "store_answers_per_s_batched": round(batched, 1),
        "store_answers_per_s_one_commit_each": round(single, 1),
        "group_commit_speedup": round(batched / single, 1),
    }
    text = (
        f"The live server's store ran the talk's deck with a simulated audience: {len(people)} "
        f'simulated participants (not people), {cloud1.count} of whom answered "What is Machine '
        f'Learning?" with entries drawn from a list written for this chapter. Entries are '
        f"case-folded, trimmed, merged, and very short words and stop words are dropped, so "
        f'"Data", "data" and "DATA!" count as one word: "{top[0]}" leads with {top[1]}.'
        "\n\n"
        f"The final test was played as a quiz: points fall from 1000 to 500 with answer time; "
        f"{winner.nickname} wins with {winner.points} points. Answers go through a database "
        f"UNIQUE constraint (one per participant per question) and are acknowledged only after "
        f"the commit. Committing them in groups of 100 stored {batched:,.0f} answers/s against "
        f"{single:,.0f}/s with one transaction per answer (x{batched / single:.0f}), measured "
        f"side by side on a temporary SQLite file (WAL, synchronous=FULL)."
        "\n\n"
        "In the room: `mltutorial live` prints a presenter link and a join address; phones join "
        'with an 8-digit code shown in two groups, as on the slide ("6471 8286").'
    )
    return ChapterOutput(
        summary=(
            f"{cloud1.count} simulated answers, top word '{top[0]}' x{top[1]}; quiz winner "
            f"{winner.points} pts; store {batched:,.0f} answers/s batched (x{batched / single:.0f})"
        ),
        numbers=numbers,
        figures=[cloud_png, board_png],
        data=(
            f"simulated audience: {len(people)} simulated participants with answers drawn from "
            "a list written for this chapter (no real people, no dataset)"
        ),
        text=text,
        tables=[
            Table(
                "The default deck (the talk's questions)",
                ["#", "type", "prompt", "form", "answer"],
                question_rows,
            ),
            Table(
                'Word cloud: "What is Machine Learning?" (simulated)',
                ["entry", "participants"],
                [[w, c] for w, c in cloud1.words[:15]],
            ),
            Table(
                "Quiz leaderboard (simulated)",
                ["rank", "nickname", "points", "right answers"],
                [[r.rank, r.nickname, r.points, r.correct] for r in board[:10]],
            ),
            Table(
                "Store write throughput (answers committed per second)",
                ["how", "answers/s"],
                [
                    ["100 answers per transaction (the server's group commit)", round(batched)],
                    ["one transaction per answer", round(single)],
                ],
            ),
        ],
        samples=[
            f"join code format: {format_code('64718286')} (8 digits from `secrets`, two groups); "
            f"this run's code: {format_code(code)}",
            "run the real server:  mltutorial live   (then open the printed presenter link)",
        ],
    )


CHAPTER = Chapter(
    name="live",
    title="Mentimeter moments: a live audience server",
    slide="Mentimeter code: 6471 8286 ... What is Machine Learning? 37 answers",
    order=ORDER_INTRO,
    command="mltutorial live",
    run=run,
)
