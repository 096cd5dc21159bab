"""ChatGPT's text generation, in miniature: character-level language models on tiny Shakespeare.

A ladder, each rung scored by validation loss in nats per character on the same split:
bigram counts (bigram.py), Bengio et al.'s MLP over a fixed context (mlp.py), and a decoder-only
transformer, nanoGPT's GPT (gpt.py), the last two trained on the engine (train.py). Sampling with
temperature and top-k (sample.py), checkpoints with resume (checkpoint.py, app.py), the command
`mltutorial generate` (cli.py) and the tour's chapter (chapter.py).
"""
