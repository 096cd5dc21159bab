"""Rung 3 of the ladder: a decoder-only transformer (GPT), nanoGPT's `model.py` on our engine.

One GPT in one file, as Karpathy's nanoGPT: token + position embeddings, `n_layer` blocks of
(LayerNorm -> causal multi-head self-attention -> residual, LayerNorm -> GELU MLP -> residual), a
final LayerNorm and a linear head whose weight is the token embedding (weight tying, Press & Wolf
2017). Attention is computed for all heads and positions at once with batched matrix products:

    att = softmax(mask(Q K^T / sqrt(d_head))) V        (Vaswani et al. 2017, "Attention is all you need")

Paper: Radford et al. 2019, "Language Models are Unsupervised Multitask Learners" (GPT-2), whose
layout (pre-norm blocks, GELU, 4x MLP, init std 0.02 with residual projections scaled by
1/sqrt(2 n_layer)) nanoGPT follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import mltutorial.engine.nn.functional as F
from mltutorial import engine
from mltutorial.config import bounded
from mltutorial.engine import nn


@dataclass
class GPTConfig:
    block_size: int = bounded(64, ge=1)  # context length in characters (nanoGPT's CPU "baby" run)
    vocab_size: int = bounded(65, ge=1)  # tiny Shakespeare has 65 distinct characters
    n_layer: int = bounded(4, ge=1)
    n_head: int = bounded(4, ge=1)
    n_embd: int = bounded(128, ge=1)
    # 0 for small models on little data, as nanoGPT's CPU note
    dropout: float = bounded(0.0, ge=0, lt=1)
    bias: bool = False  # nanoGPT's train.py default: no biases in Linear and LayerNorm


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        if config.n_embd % config.n_head:
            raise ValueError(f"n_embd={config.n_embd} is not a multiple of n_head={config.n_head}")
        # query, key and value projections for all heads, in one matrix
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        # nanoGPT's "flash" switch: the fused op (F.scaled_dot_product_attention, one node with
        # its own backward, as PyTorch's) or the same formula spelled out op by op
        self.flash = True
        # True where position t may not look at position s > t (the spelled-out path)
        self.future = ~np.tril(np.ones((config.block_size, config.block_size), dtype=bool))

    def forward(self, x):
        B, T, C = x.shape
        nh, hs = self.n_head, C // self.n_head
        qkv = self.c_attn(x)  # (B, T, 3C)
        q = qkv[:, :, :C].reshape(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = qkv[:, :, C : 2 * C].reshape(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        v = qkv[:, :, 2 * C :].reshape(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        if self.flash:
            p = self.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))  # (B, nh, T, T)
            att = att.masked_fill(self.future[:T, :T], float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    """A character GPT. `forward(idx (B, T), targets (B, T) | None) -> (logits, loss)`."""

    kind = "gpt"

    def __init__(self, config: GPTConfig, seed: int = 0) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.Sequential(*[Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one (V, C) matrix, two uses
        self._init_weights(np.random.default_rng(seed))

    def _init_weights(self, rng: np.random.Generator) -> None:
        """GPT-2's init by module type, as nanoGPT's `_init_weights` applied to every module.

        Linear: weight N(0, 0.02), bias 0; Embedding: N(0, 0.02); LayerNorm: weight 1, bias 0. The
        residual projections (each block's attn.c_proj and mlp.c_proj, which add into the residual
        stream n_layer times twice) get std 0.02 / sqrt(2 n_layer) at their own draw rather than a
        second draw, and the tied lm_head weight is drawn once, as the token embedding: so the
        weights are drawn in module order, one draw per matrix.
        """
        residual = {id(m) for block in self.h for m in (block.attn.c_proj, block.mlp.c_proj)}
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layer)
        drawn: set[int] = set()

        def normal(p: nn.Parameter, std: float) -> None:
            if id(p) in drawn:  # a tied weight: already drawn by the module that owns it first
                return
            drawn.add(id(p))
            p.data[...] = rng.normal(0.0, std, size=p.data.shape).astype(p.data.dtype)

        def init(module: nn.Module) -> None:
            if isinstance(module, nn.Linear):
                normal(module.weight, residual_std if id(module) in residual else 0.02)
                if module.bias is not None:
                    module.bias.data[...] = 0.0
            elif isinstance(module, nn.Embedding):
                normal(module.weight, 0.02)
            elif isinstance(module, nn.LayerNorm):
                module.weight.data[...] = 1.0
                if module.bias is not None:
                    module.bias.data[...] = 0.0

        self.apply(init)

    @property
    def context_size(self) -> int:
        return self.config.block_size

    def n_params(self, non_embedding: bool = True) -> int:
        """Parameter count; as nanoGPT, position embeddings are left out by default."""
        seen: set[int] = set()
        n = 0
        for name, p in self.named_parameters():
            if id(p) in seen:
                continue
            seen.add(id(p))
            if non_embedding and name.startswith("wpe"):
                continue
            n += p.data.size
        return n

    def forward(self, idx, targets=None):
        idx_np = idx.data if isinstance(idx, engine.Tensor) else np.asarray(idx)
        B, T = idx_np.shape
        if self.config.block_size < T:
            raise ValueError(f"sequence of {T} > block_size {self.config.block_size}")
        device = self.wte.weight.device  # ids and targets go where the weights are
        tok = self.wte(engine.tensor(idx_np, device=device))  # (B, T, C)
        pos = self.wpe(engine.arange(T, device=device))  # (T, C)
        x = self.drop(tok + pos)
        x = self.h(x)
        x = self.ln_f(x)
        logits = self.lm_head(x)  # (B, T, V)
        if targets is None:
            return logits, None
        y = targets.data if isinstance(targets, engine.Tensor) else np.asarray(targets)
        targets_flat = engine.tensor(y.reshape(-1), device=device)
        loss = F.cross_entropy(logits.reshape(B * T, -1), targets_flat)
        return logits, loss

    def next_logits(self, context: np.ndarray) -> np.ndarray:
        """Logits (V,) of the character following `context` (its last block_size ids)."""
        idx = np.asarray(context, dtype=np.int64)[-self.config.block_size :][None, :]
        with engine.no_grad():
            logits, _ = self.forward(idx)
        return logits[0, -1].cpu().numpy().astype(np.float64)
