"""A 1-D convolutional network that hears chirps: "chirp in noise" or "noise" for a 1 s window.

After Gabbard, Williams, Hayes & Messenger, "Matching matched filtering with deep networks for
gravitational-wave astronomy", PRL 120, 141103 (2018): whitened time series in, two classes out.
Convolutions along time are written as Conv2d with 1 x k kernels over (N, 1, 1, T) inputs, which
is a Conv1d (the engine's 2-D convolution serves both). `build_network(nn)` takes the `nn` module,
so the same network builds on the engine and, for the benchmark, on PyTorch.

The network's score for a window is the logit difference (chirp minus noise); a detection threshold
is set on noise-only windows at a chosen false-alarm probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mltutorial.apps.gw.injections import FS_NET


def build_network(nn, length: int = FS_NET, width: int = 8):
    """Four conv blocks (1 x 16, then 1 x 8 kernels), a max over time, and a two-layer head.

    Three max-pools by 4 bring 1024 samples to 13 steps of 1/16 s; the fourth convolution sees
    about 0.6 s of the window, and the max over all its positions makes the answer the same
    wherever in the window the chirp falls (the head need not learn each position anew).
    """
    t = length
    for k in (16, 8, 8):
        t = (t - k + 1) // 4
    t = t - 8 + 1  # positions left after the fourth convolution
    return nn.Sequential(
        nn.Conv2d(1, width, (1, 16)),  # (N, w, 1, T-15)
        nn.ReLU(),
        nn.MaxPool2d((1, 4)),
        nn.Conv2d(width, 2 * width, (1, 8)),
        nn.ReLU(),
        nn.MaxPool2d((1, 4)),
        nn.Conv2d(2 * width, 4 * width, (1, 8)),
        nn.ReLU(),
        nn.MaxPool2d((1, 4)),
        nn.Conv2d(4 * width, 4 * width, (1, 8)),
        nn.ReLU(),
        nn.MaxPool2d((1, t)),  # (N, 4w, 1, 1): the loudest evidence anywhere in the window
        nn.Flatten(),
        nn.Linear(4 * width, 64),
        nn.ReLU(),
        nn.Linear(64, 2),
    )


@dataclass
class ChirpCNN:
    """scikit-learn manners: fit(X, y) on (n, T) windows, decision_function, predict_proba, score."""

    num_epochs: int = 8
    batch_size: int = 64
    lr: float = 2e-3
    width: int = 8
    seed: int = 0

    def fit(self, X: np.ndarray, y: np.ndarray) -> ChirpCNN:
        """Epochs over a fixed set of windows X (n, T) with labels y (n,)."""
        rng = np.random.default_rng(self.seed)
        n = len(X)
        state = {"order": np.empty(0, dtype=np.int64)}

        def batches(step: int) -> tuple[np.ndarray, np.ndarray]:
            if len(state["order"]) == 0:
                state["order"] = rng.permutation(n)
            idx = state["order"][: self.batch_size]
            state["order"] = state["order"][self.batch_size :]
            return X[idx], y[idx]

        num_steps = self.num_epochs * ((n + self.batch_size - 1) // self.batch_size)
        return self.fit_stream(batches, num_steps, X.shape[1])

    def fit_stream(self, batches, num_steps: int, length: int) -> ChirpCNN:
        """Train on `batches(step) -> (X (b, T), y (b,))`, a fresh batch each step if it likes
        (George & Huerta 2018: new noise, waveform, time and SNR every batch, so there is no fixed
        training set to memorise, and the SNR can be lowered as training goes, a curriculum)."""
        from mltutorial import engine
        from mltutorial.engine import nn, optim
        from mltutorial.engine.nn import functional as F
        from mltutorial.progress import progress

        engine.manual_seed(self.seed)
        self.model_ = build_network(nn, length, self.width)
        opt = optim.Adam(self.model_.parameters(), lr=self.lr)
        # cosine decay to zero: large steps early, fine ones at the end, no schedule to tune
        schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=num_steps)
        self.losses_: list[float] = []
        self.model_.train()
        for step in progress(range(num_steps), "CNN training"):
            xb_np, yb_np = batches(step)
            xb = engine.tensor(xb_np[:, None, None, :].astype(np.float32))
            loss = F.cross_entropy(self.model_(xb), engine.tensor(yb_np))
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            self.losses_.append(float(loss.item()))
        self.model_.eval()
        return self

    def decision_function(self, X: np.ndarray, batch: int = 512) -> np.ndarray:
        """Logit(chirp) - logit(noise) per window: (n,)."""
        from mltutorial import engine

        out = []
        with engine.no_grad():
            for i in range(0, len(X), batch):
                z = self.model_(engine.tensor(X[i : i + batch, None, None, :].astype(np.float32)))
                z = z.numpy()
                out.append(z[:, 1] - z[:, 0])
        return np.concatenate(out) if out else np.empty(0)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        d = self.decision_function(X)
        p = 1.0 / (1.0 + np.exp(-d))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(np.int64)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == y))
