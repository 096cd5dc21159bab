"""A stand-in for the two Don Quixote books when they are not on the machine.

The registry's built-in bilingual sample is 30 sentences: too little to learn vectors from. So the
English side is the registry's built-in English prose (installed packages' documentation), and the
"Spanish" side is the same text passed word by word through the built-in dictionary, with every other
word enciphered (reversed) and 15% of the tokens dropped, so the two spaces are alike but not
identical. It shows the method working; its precision says nothing about real translation.
"""

from __future__ import annotations

import numpy as np

from mltutorial.apps.words.embed import tokenize

LABEL = (
    "built-in sample standing in for Don Quixote (English/Spanish): installed packages' English "
    "documentation and a word-by-word cipher of it"
)


def corpus(seed: int = 0) -> tuple[str, str, list[tuple[str, str]]]:
    """(english text, pseudo-Spanish text, dictionary pairs) for the fallback."""
    from mltutorial import data

    english = data.load_text().text
    built_in = data.load_dictionary("en-es").pairs
    first: dict[str, str] = {}
    for en, es in built_in:
        first.setdefault(en, es)
    tokens = tokenize(english)
    rng = np.random.default_rng(seed)
    keep = rng.random(len(tokens)) > 0.15
    spanish = [first.get(t, t[::-1]) for t, k in zip(tokens, keep) if k]
    pairs = list(built_in) + [(t, t[::-1]) for t in sorted(set(tokens)) if t not in first]
    return " ".join(tokens), " ".join(spanish), pairs
