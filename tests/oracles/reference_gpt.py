"""The tests' PyTorch oracle for the character GPT: nanoGPT's model.py (trimmed), train.py's draws.

- `TorchGPT`: nanoGPT's GPT with the engine model's parameter names, so weights copy across by name
  (`torch_gpt_like(engine_model)`), and `torch_adamw`, nanoGPT's configure_optimizers.
- `nanogpt_gpt(config, seed)`, `NanoGPTBatches`, `nanogpt_steps`: nanoGPT's own run of train.py,
  replayed draw for draw (its seed's initial weights, its batches in its order).
- losses of either model on given batches or a whole split.

Used by tests/apps/test_textgen.py (parity and the slow nanoGPT replay) and by bench/textgen.py and
bench/textgen_seeds.py, which put tests/ on sys.path as pytest's `pythonpath` does. torch is a
test/bench-only dependency.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

# ----------------------------------------------------- the PyTorch reference (nanoGPT's model.py)


class CausalSelfAttention(nn.Module):
    def __init__(self, config, flash: bool = True):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, config.n_embd, config.dropout
        self.flash = flash
        mask = torch.tril(torch.ones(config.block_size, config.block_size))
        self.register_buffer("bias", mask.view(1, 1, config.block_size, config.block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(
                q, k, v, dropout_p=self.dropout if self.training else 0, is_causal=True
            )
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = self.attn_dropout(F.softmax(att, dim=-1))
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config, flash: bool = True):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config, flash)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TorchGPT(nn.Module):
    """nanoGPT's GPT with the engine model's parameter names (wte, wpe, h.i..., ln_f, lm_head)."""

    def __init__(self, config, flash: bool = True):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.Sequential(*[Block(config, flash) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight  # nanoGPT's weight tying

    def forward(self, idx, targets=None):
        T = idx.size(1)
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        x = self.ln_f(self.h(x))
        logits = self.lm_head(x)
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def torch_gpt_like(engine_model, flash: bool = True, dtype=torch.float32) -> TorchGPT:
    """A TorchGPT holding exactly the engine model's current weights."""
    model = TorchGPT(engine_model.config, flash).to(dtype)
    with torch.no_grad():
        for name, p in engine_model.named_parameters():
            model.get_parameter(name).copy_(torch.from_numpy(np.ascontiguousarray(p.data)))
    return model


def copy_into_engine(torch_model: TorchGPT, engine_model) -> None:
    """The other way: the engine model takes the TorchGPT's current weights (same names)."""
    for name, p in engine_model.named_parameters():
        p.data[...] = torch_model.get_parameter(name).detach().numpy()


def torch_adamw(model: TorchGPT, cfg) -> torch.optim.AdamW:
    """nanoGPT's configure_optimizers: decay 2-D tensors, not the rest; fused off on the CPU."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=cfg.learning_rate, betas=(cfg.beta1, cfg.beta2))


@torch.no_grad()
def torch_split_loss(model: TorchGPT, ids: np.ndarray, chunk: int = 256) -> float:
    from mltutorial.apps.textgen.corpus import eval_windows

    X, Y = eval_windows(ids, model.config.block_size)
    model.eval()
    total = 0.0
    for i in range(0, len(X), chunk):
        _, loss = model(torch.from_numpy(X[i : i + chunk]), torch.from_numpy(Y[i : i + chunk]))
        total += float(loss) * Y[i : i + chunk].size
    model.train()
    return total / Y.size


@torch.no_grad()
def torch_estimate(model: TorchGPT, ids: np.ndarray, cfg, seed: int) -> float:
    """The engine's `train.estimate_loss` for the torch model: same seed, same batches."""
    from mltutorial.apps.textgen.corpus import get_batch

    rng = np.random.default_rng(seed)
    model.eval()
    losses = []
    for _ in range(cfg.eval_iters):
        X, Y = get_batch(ids, model.config.block_size, cfg.batch_size, rng)
        losses.append(float(model(torch.from_numpy(X), torch.from_numpy(Y))[1]))
    model.train()
    return float(np.mean(losses))


# ------------------------------------------------- nanoGPT's own run of train.py, replayed exactly


def nanogpt_gpt(config, seed: int = 1337, flash: bool = True) -> TorchGPT:
    """The GPT that nanoGPT's train.py builds: `torch.manual_seed(seed)`, then the modules in
    model.py's order (their default inits draw from torch's generator too), then GPT._init_weights
    applied module by module and the residual projections re-drawn. Same draws, same weights."""
    torch.manual_seed(seed)
    model = TorchGPT(config, flash)

    def init(m):
        if isinstance(m, nn.Linear):
            torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)

    model.apply(init)
    for name, p in model.named_parameters():
        if name.endswith("c_proj.weight"):
            torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
    return model


class NanoGPTBatches:
    """nanoGPT's get_batch: `torch.randint` on torch's global generator, so that train batches
    and evaluation batches come in train.py's order (first train batch, evaluation at step 0,
    then one train batch per step, evaluations every eval_interval steps)."""

    def __init__(self, train: np.ndarray, val: np.ndarray, block_size: int, batch_size: int):
        self.ids = {"train": train, "val": val}
        self.block_size, self.batch_size = block_size, batch_size

    def get(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        data = self.ids[split]
        ix = torch.randint(len(data) - self.block_size, (self.batch_size,)).numpy()
        offsets = np.arange(self.block_size)
        return data[ix[:, None] + offsets], data[ix[:, None] + offsets + 1]

    def eval_batches(self, eval_iters: int) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
        """estimate_loss's draws: eval_iters train batches, then eval_iters val batches."""
        return {s: [self.get(s) for _ in range(eval_iters)] for s in ("train", "val")}


def nanogpt_steps(stream: NanoGPTBatches, cfg):
    """train.py's loop, as the order of its draws: yields ("eval", step, {split: batches}) every
    eval_interval steps and at the end, and ("train", step, (X, Y)) for each update. The first
    training batch is drawn before the loop, and each next one before the following evaluation
    (train.py prefetches it during the step), so the stream is consumed exactly as there."""
    X, Y = stream.get("train")
    for step in range(cfg.max_iters + 1):
        if step % cfg.eval_interval == 0 or step == cfg.max_iters:
            yield "eval", step, stream.eval_batches(cfg.eval_iters)
        if step == cfg.max_iters:
            return
        batch = (X, Y)
        X, Y = stream.get("train")
        yield "train", step, batch


def engine_batches_loss(model, batches) -> float:
    from mltutorial.apps.textgen.train import _loss_value

    model.eval()
    losses = [_loss_value(model, X, Y) for X, Y in batches]
    model.train()
    return float(np.mean(losses))


@torch.no_grad()
def torch_batches_loss(model: TorchGPT, batches, device="cpu") -> float:
    model.eval()
    losses = [
        float(model(torch.from_numpy(X).to(device), torch.from_numpy(Y).to(device))[1])
        for X, Y in batches
    ]
    model.train()
    return float(np.mean(losses))
