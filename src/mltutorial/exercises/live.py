"""Checks for the live-audience notebook: counting a word cloud; the quiz's points."""

from __future__ import annotations

from collections import Counter

from mltutorial.exercises._check import Wrong, call, verdict

_ANSWERS = ["Data", "DATA!", "  data ", "statistics", "AI", "ai?", "Patterns.", "data", "magic"]


def check_word_counts(fn) -> bool:
    """`fn(answers)` -> {word: count}, entries casefolded and stripped of spaces and end punctuation."""

    def check() -> None:
        want = Counter(a.strip().casefold().strip(".,;:!?").strip() for a in _ANSWERS)
        got = call(fn, list(_ANSWERS))
        hint = (
            '"Data", "DATA!" and " data " are one word in the cloud: strip spaces, casefold, strip '
            "punctuation at the ends (str.strip, str.casefold, str.strip('.,;:!?')), then count"
        )
        try:
            got = dict(got)
        except (TypeError, ValueError):
            raise Wrong(
                f"return a dict of word -> count, not {type(got).__name__}. {hint}"
            ) from None
        if got != dict(want):
            raise Wrong(f"you counted {got}; the cloud has {dict(want)}. {hint}")

    return verdict(check)


def check_quiz_points(fn) -> bool:
    """`fn(correct, elapsed_s, time_limit_s)` -> the live server's points for one quiz answer."""

    def check() -> None:
        from mltutorial.live.text import quiz_points

        hint = (
            "a wrong answer scores 0; a right one 1000 if instant, falling linearly to 500 at the "
            "time limit (and no lower after it); round to a whole number"
        )
        for args in ((True, 0.0, 20.0), (True, 10.0, 20.0), (True, 20.0, 20.0), (True, 25.0, 20.0),
                     (False, 1.0, 20.0), (True, 7.0, 30.0)):  # fmt: skip
            got = call(fn, *args)
            if got != quiz_points(*args):
                raise Wrong(
                    f"for {args} you gave {got}, the server gives {quiz_points(*args)}. {hint}"
                )

    return verdict(check)
