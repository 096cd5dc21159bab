# %% [markdown]
# # 09 · Google Translate: mapping between languages
#
# > **Slide:** "Google translate — Mapping between languages. The semantic equivalence of words has been inferred by their context, so similar meanings are co-located."
#
# Each language gets word vectors learned from context alone (words used alike get vectors alike),
# from *Don Quixote* in English and in Spanish (`MLTUTORIAL_DATA`; or a labelled built-in sample).
# The two clouds of vectors have the same shape, so one map W sends English onto Spanish. You learn
# W on the engine by gradient descent from a seed dictionary and translate words it never saw.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.apps.words import fallback
from mltutorial.apps.words.embed import Vocab, normalise, ppmi_svd, tokenize
from mltutorial.data import load_dictionary, load_en_es
from mltutorial.engine import optim

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
books = load_en_es()
if books.info.is_fallback:  # 30 sentences are too few to learn vectors: the app's stand-in
    english, spanish, pairs = fallback.corpus()
    print("data:", fallback.LABEL)
else:
    english, spanish = books.en, books.es
    pairs = load_dictionary("en-es").pairs
    print("data:", books.info.label, "| dictionary:", load_dictionary("en-es").info.label)

# %% [markdown]
# ## Word vectors from context (PPMI + SVD): count who appears near whom, compress
# Edit `dim` or `vocab_size`.

# %%
vocab_size, dim = (2000, 50) if QUICK else (5000, 100)
vectors = {}
for lang, text in (("en", english), ("es", spanish)):
    tokens = tokenize(text)
    vocab = Vocab.build(tokens, vocab_size)
    d = min(dim, len(vocab.words) // 2)
    vectors[lang] = (vocab, normalise(ppmi_svd(vocab.ids(tokens), len(vocab.words), d)))
    print(lang, len(tokens), "words,", len(vocab.words), "in the vocabulary")
(en_vocab, EN), (es_vocab, ES) = vectors["en"], vectors["es"]


def neighbours(word, vocab, V, k=5):
    sims = V @ V[vocab.index[word]]
    return [vocab.words[j] for j in np.argsort(-sims)[1 : k + 1]]


for word in ("king", "water", "said"):
    if word in en_vocab.index:
        print(word, "->", neighbours(word, en_vocab, EN))

# %% [markdown]
# ## The seed dictionary: pairs both books know, split into words to learn from and words to test

# %%
known = [
    (en_vocab.index[a], es_vocab.index[b])
    for a, b in pairs
    if a in en_vocab.index and b in es_vocab.index
]
sources = np.random.default_rng(0).permutation(sorted({s for s, _ in known}))
test_words = set(sources[: len(sources) // 4].tolist())
train = [(s, t) for s, t in known if s not in test_words]
X, Y = EN[[s for s, _ in train]], ES[[t for _, t in train]]
print(
    len(known), "dictionary pairs in both vocabularies;", len(test_words), "English words held out"
)
n = min(EN.shape[1], ES.shape[1])
X, Y = X[:, :n], Y[:, :n]

# %% [markdown]
# ## Learn the map W on the engine: minimise ‖XW − Y‖²

# %%
engine.manual_seed(0)
W = engine.tensor(np.eye(n, dtype=np.float32), requires_grad=True)
opt = optim.Adam([W], lr=0.01)
X_t, Y_t = engine.tensor(X), engine.tensor(Y)
losses = []
for _ in range(100 if QUICK else 500):
    loss = ((X_t @ W - Y_t) ** 2).sum(dim=1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("mean ‖xW − y‖²")
plt.show()
W_learned = W.detach().numpy()


def translate(word, W, k=5):
    mapped = EN[en_vocab.index[word], :n] @ W
    sims = ES[:, :n] @ (mapped / np.linalg.norm(mapped))
    return [es_vocab.words[j] for j in np.argsort(-sims)[:k]]


def precision_at_1(W):
    right = [
        es_vocab.words[t] in translate(en_vocab.words[s], W, 1) for s, t in known if s in test_words
    ]
    return np.mean(right)


print(
    f"held-out words translated right at rank 1: {precision_at_1(W_learned):.1%} (chance {1 / len(es_vocab.words):.2%})"
)

# %% [markdown]
# ## Use it: your own words

# %%
for word in ["water", "king", "love", "horse", "night", "house"]:
    if word in en_vocab.index:
        print(f"{word:8} -> {', '.join(translate(word, W_learned))}")

# %% [markdown]
# ## Exercises
# **1.** Nearest neighbours by cosine similarity (the `translate` above needs them).

# %%
from mltutorial.exercises import translate as ex


def nearest(v, M, k): ...  # your code here: indices of the k rows of M closest to v, closest first


ex.check_nearest(nearest)

# %% [markdown]
# **2.** The best *orthogonal* map in one step, no gradient descent (Procrustes). Then try
# `precision_at_1(procrustes(X, Y))` against the map learned above.


# %%
def procrustes(X, Y): ...  # your code here


ex.check_procrustes(procrustes)
