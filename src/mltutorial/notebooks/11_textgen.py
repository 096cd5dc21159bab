# %% [markdown]
# # 11 · ChatGPT: generation of text, from bigrams to a small GPT
#
# > **Slide:** "ChatGPT — Generation of text. Can you write a poem about Einstein Telescope in less than 100 words?"
#
# A language model gives the probability of the next character given the ones before. Sample from
# it, one character at a time, and it writes. On tiny Shakespeare (`MLTUTORIAL_DATA`, or a labelled
# built-in text) you build the simplest one (bigram counts), then attention step by step, then train
# a small GPT (nanoGPT's architecture, on the engine) and let it write from your prompt.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mltutorial import engine
from mltutorial.apps.textgen.gpt import GPT, GPTConfig
from mltutorial.data import load_text
from mltutorial.engine import optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
corpus = load_text()
print("data:", corpus.info.label, "|", len(corpus.text), "characters")
chars = sorted(set(corpus.text))
stoi = {c: i for i, c in enumerate(chars)}
ids = np.array([stoi[c] for c in corpus.text])
split = int(0.9 * len(ids))
train_ids, val_ids = ids[:split], ids[split:]
V = len(chars)
print(V, "distinct characters:", repr("".join(chars)))

# %% [markdown]
# ## The simplest model: bigram counts, p(next | this character)

# %%
counts = np.ones((V, V))  # +1: no character is impossible
np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
P = counts / counts.sum(axis=1, keepdims=True)
bigram_loss = -np.mean(np.log(P[val_ids[:-1], val_ids[1:]]))
print(
    f"bigram: {bigram_loss:.3f} nats per character on validation (uniform guessing: {np.log(V):.3f})"
)
rng = np.random.default_rng(0)
out = [stoi.get("\n", 0)]
for _ in range(120):
    out.append(rng.choice(V, p=P[out[-1]]))
print("".join(chars[i] for i in out))

# %% [markdown]
# ## Attention, step by step
# A bigram sees one character. Attention lets every position look back at all earlier ones and
# take a weighted mix of what it finds: weights = softmax(q·k / √d), over the past only.

# %%
engine.manual_seed(0)
T, C = 8, 16
x = engine.randn(T, C)  # 8 positions, each a 16-number vector (in GPT: token + position embedding)
W_q, W_k, W_v = engine.randn(C, C) * 0.3, engine.randn(C, C) * 0.3, engine.randn(C, C) * 0.3
q, k, v = x @ W_q, x @ W_k, x @ W_v  # queries (what I look for), keys (what I offer), values
scores = (q @ k.T) / np.sqrt(C)  # (T, T): how well query t matches key s
future = ~np.tril(np.ones((T, T), dtype=bool))
scores = scores.masked_fill(future, float("-inf"))  # no peeking at later characters
weights = scores.softmax(dim=-1)  # each row sums to 1
y = weights @ v  # (T, C)
plt.imshow(weights.numpy(), cmap="Blues")
plt.xlabel("looked-at position s")
plt.ylabel("position t")
plt.colorbar()
plt.show()
fused = F.scaled_dot_product_attention(q[None, None], k[None, None], v[None, None], is_causal=True)
print("the engine's fused op agrees:", np.abs(fused.numpy()[0, 0] - y.numpy()).max())

# %% [markdown]
# ## A small GPT on the engine
# Blocks of (attention + MLP), each with LayerNorm and a residual connection; the GPT class is the
# app's (nanoGPT's model.py on the engine). Edit the size and the steps.

# %%
config = GPTConfig(block_size=32, vocab_size=V, n_layer=2, n_head=4, n_embd=64)
model = GPT(config, seed=0)
print(f"{model.n_params():,} parameters")
opt = optim.AdamW(model.parameters(), lr=3e-3)
n_steps = 30 if QUICK else 800
losses = []
for _ in range(n_steps):
    starts = rng.integers(0, len(train_ids) - config.block_size - 1, size=32)
    X = np.stack([train_ids[s : s + config.block_size] for s in starts])  # (B, T)
    Y = np.stack([train_ids[s + 1 : s + 1 + config.block_size] for s in starts])  # next chars
    _, loss = model(X, Y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
model.eval()
starts = np.arange(
    0, min(len(val_ids), 64 * config.block_size) - config.block_size - 1, config.block_size
)
with engine.no_grad():
    _, val_loss = model(np.stack([val_ids[s : s + config.block_size] for s in starts]),
                        np.stack([val_ids[s + 1 : s + 1 + config.block_size] for s in starts]))  # fmt: skip
print(
    f"GPT after {n_steps} steps: {val_loss.item():.3f} nats per character (bigram {bigram_loss:.3f})"
)
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("training loss")
plt.show()

# %% [markdown]
# ## Use it: your prompt, with a temperature (lower: safer; higher: wilder)

# %%
prompt, temperature = "ROMEO:\n", 0.8
context = [stoi[c] for c in prompt if c in stoi]
for _ in range(150):
    logits = model.next_logits(np.array(context)) / temperature
    p = np.exp(logits - logits.max())
    context.append(rng.choice(V, p=p / p.sum()))
print("".join(chars[i] for i in context))

# %% [markdown]
# ## Exercises
# **1.** The causal mask: which positions may each position look at?

# %%
from mltutorial.exercises import textgen as ex


def causal_mask(T): ...  # your code here: a (T, T) boolean array


ex.check_causal_mask(causal_mask)

# %% [markdown]
# **2.** One head of causal attention in NumPy, from q, k, v of shape (T, d).


# %%
def attention(q, k, v): ...  # your code here


ex.check_attention(attention)
