"""The tour's chapter for the ChatGPT slide: a ladder of character models, and a sample of text.

"ChatGPT — Generation of text. Can you write a poem about Einstein Telescope in less than 100
words?" ChatGPT is a (very) large GPT trained to predict the next token. This chapter trains the
same kind of model, small, on tiny Shakespeare, next to two simpler rungs, and lets it write.
"""

from __future__ import annotations

import math

from mltutorial.chapter import ORDER_DAILY_LIFE, Chapter, ChapterContext, ChapterOutput, Table

SLIDE = (
    "ChatGPT — Generation of text. Can you write a poem about Einstein Telescope in less than "
    "100 words?"
)
ROMEO = "ROMEO:"
POEM = "Can you write a poem about Einstein Telescope in less than 100 words?\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def run(ctx: ChapterContext) -> ChapterOutput:
    from mltutorial.apps.textgen import app
    from mltutorial.apps.textgen import corpus as corpus_mod
    from mltutorial.apps.textgen.sample import generate

    corpus = corpus_mod.load()
    config = "tiny" if ctx.quick else "tour"
    overrides = [f"--seed={1337 + ctx.seed}"]
    val_chars = 20_000 if ctx.quick else None  # quick: score the first 20k validation chars
    ladder = app.run_ladder(
        corpus=corpus,
        config=config,
        overrides=overrides,
        plot=ctx.out_dir / "textgen_loss.png",
        val_chars=val_chars,
    )
    bigram, mlp, gpt = ladder.results
    n_chars = 120 if ctx.quick else 400
    warnings: list[str] = []
    romeo = generate(
        gpt.model, corpus.vocab, ROMEO, max_chars=n_chars, seed=ctx.seed, warn=warnings.append
    )
    poem = generate(
        gpt.model, corpus.vocab, POEM, max_chars=n_chars // 2, seed=ctx.seed, warn=warnings.append
    )
    rows = [
        [
            r.kind,
            {
                "bigram": "counts of character pairs",
                "mlp": f"MLP over {r.model.context_size} characters (Bengio et al. 2003)",
                "gpt": f"GPT, {_plural(gpt.model_config.n_layer, 'layer')} x "
                f"{_plural(gpt.model_config.n_head, 'head')} x {gpt.model_config.n_embd} wide, "
                f"context {r.model.context_size}",
            }[r.kind],
            r.n_params,
            r.step,
            round(r.train_loss, 4),
            round(r.val_loss, 4),
            round(r.seconds, 1),
        ]
        for r in ladder.results
    ]
    table = Table(
        "The ladder: validation loss in nats per character (lower is better; uniform guessing "
        f"over {corpus.vocab.size} characters would be {math.log(corpus.vocab.size):.2f})"
        + (
            f"; quick run, scored on the first {val_chars:,} validation characters"
            if val_chars
            else ""
        ),
        ["model", "what it is", "parameters", "iterations", "train loss", "val loss", "seconds"],
        rows,
    )
    text = (
        f"Each model reads {corpus.label} one character at a time and learns to predict the next "
        f"one; the first 90% of the text trains, the last 10% ({len(corpus.val):,} characters) "
        "scores. The score is the cross-entropy in nats per character: how surprised the model is "
        "by the real next character.\n\n"
        f"Counting pairs of characters (bigram) gives {bigram.val_loss:.2f}. An MLP that looks at "
        f"the last {mlp.model.context_size} characters gets {mlp.val_loss:.2f}. A small GPT "
        f"(nanoGPT's architecture: embeddings, causal self-attention, MLPs, trained with AdamW on "
        f"our NumPy engine) gets {gpt.val_loss:.2f} after {gpt.step} steps, with "
        f"{gpt.n_params:,} parameters. ChatGPT is the same idea at a vastly larger scale: "
        "tokens (pieces of words) instead of characters, GPT-3's 175 billion parameters (over a "
        "million times more) trained on a large part of the web, then tuned to follow "
        "instructions.\n\n"
        "The slide's prompt shows what this model is not: it never learned to follow "
        "instructions, so it continues the request as if it were a line of a play"
        + (f" ({warnings[-1].replace('warning: ', '')})" if warnings else "")
        + ". Run `mltutorial generate train --config baby` for nanoGPT's CPU configuration "
        "(validation loss about 1.9 after 2,000 steps), then `mltutorial generate sample "
        '"ROMEO:"`.'
    )
    figure = ladder.figure
    return ChapterOutput(
        summary=(
            f"val loss (nats/char): bigram {bigram.val_loss:.2f}, MLP {mlp.val_loss:.2f}, "
            f"GPT {gpt.val_loss:.2f}"
        ),
        numbers={
            "val_loss_bigram": bigram.val_loss,
            "val_loss_mlp": mlp.val_loss,
            "val_loss_gpt": gpt.val_loss,
            "gpt_params": gpt.n_params,
            "gpt_iters": gpt.step,
            "gpt_seconds": gpt.seconds,
            "vocab_size": corpus.vocab.size,
            "config": config,
        },
        figures=[figure] if figure else [],
        data=corpus.label,
        citation=corpus.citation,
        licence=corpus.licence,
        text=text,
        tables=[table],
        samples=[
            f"GPT ({config}), prompt {ROMEO!r}, temperature 0.8, top-k 40:\n\n{romeo}",
            f"GPT ({config}), the slide's prompt:\n\n{poem}",
        ],
    )


CHAPTER = Chapter(
    name="textgen",
    title="ChatGPT: generation of text, from bigrams to a small GPT",
    slide=SLIDE,
    order=ORDER_DAILY_LIFE + 4,
    command="mltutorial generate ladder --config tour  # or: generate train --config baby",
    run=run,
)
