"""A 1-D convolutional network that hears chirps: "chirp in noise" or "noise" for a 1 s window.

After Gabbard, Williams, Hayes & Messenger, "Matching matched filtering with deep networks for
gravitational-wave astronomy", PRL 120, 141103 (2018): whitened time series in, two classes out.
Convolutions along time are written as Conv2d with 1 x k kernels over (N, 1, 1, T) inputs, which
is a Conv1d (the engine's 2-D convolution serves both). `build_network(nn)` takes the `nn` module,
so the same network builds on the engine and, for the benchmark, on PyTorch.

The network's score for a window is the logit difference (chirp minus noise); a detection threshold
is set on noise-only windows at a chosen false-alarm probability.

`front="bank"` puts a matched filter in front (MFCNN, after Wang, Wu, Cao, Liu & Zhu,
"Gravitational-wave signal recognition of LIGO data by deep learning", PRD 101, 104003 (2020)):
`BankFilter`, fixed, not trained, turns a window into the template bank's SNR at every merger
position, and a small CNN reads that series. The plain network's short kernels (16, then 8
samples) lose the chirp's phase coherence after the first ReLU and pool, and with it most of its
SNR: 0.82-0.83 of SNR-8 chirps at 1 % false alarms where the matched filter finds 0.99. The front
layer integrates coherently over the whole template. It passes on only the largest SNR over the
bank at each position (given every template's series to combine itself, the network did worse on
real noise: 0.73-0.92 at SNR 8). So the network is given the bank, as the bank search is, and is
a learned statistic on the bank search's SNR series: 0.97-0.99 at SNR 8 on three seeds (the plain
CNN's best 0.82-0.83), close to and a little below the bank search's own maximum over the series
(0.99; at SNR 6 0.56-0.59 against 0.62-0.68). The gain is the coherent matched filter, not the
learning after it (bench/results/gw_explore.md, "Matched-filter front end").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft

from mltutorial.apps.gw.injections import FS_NET, MERGER


class BankFilter:
    """The matched-filter front layer: a window's SNR against every template of one file's bank.

    bank: [(h_plus, h_cross)] whitened as the windows are (injections.whitened_waveforms: 2 s
    each, merger at sample MERGER). For merger position m in the window, the two-quadrature SNR

        rho(m) = |<x, h_+(. - m)> + i <x, h_x(. - m)>| / sqrt((|h_+|^2 + |h_x|^2) / 2),

    computed for a batch of windows with one FFT per window and template (the correlation with
    both phases at once is the complex correlation with h_+ + i h_x). This is the bank search's
    statistic (injections.bank_statistic) before its max over templates and lags.
    """

    def __init__(self, bank: list[tuple[np.ndarray, np.ndarray]], pool: int = 4) -> None:
        W = len(bank[0][0])
        self.nfft = 1 << int(np.ceil(np.log2(FS_NET + W - 1)))
        g = np.stack([hp[::-1] + 1j * hc[::-1] for hp, hc in bank])  # (T, W), time-reversed
        self.H = sfft.fft(g, self.nfft, axis=1).astype(np.complex64)  # (T, nfft)
        norm = [np.sqrt((hp @ hp + hc @ hc) / 2.0) for hp, hc in bank]
        self.norm = np.asarray(norm, dtype=np.float32)[:, None]  # (T, 1)
        self.first = W - 1 - MERGER  # full-correlation index of a merger at the window's start
        self.width = W
        self.pool = pool

    def snr(self, X: np.ndarray, full: bool = False) -> np.ndarray:
        """X (n, L) -> rho (n, T, L): every template, merger at each sample of the window; full:
        (n, T, L + W - 1), every lag at which template and window overlap."""
        L = X.shape[1]
        Xf = sfft.fft(X.astype(np.complex64), self.nfft, axis=1)  # (n, nfft)
        a, b = (0, L + self.width - 1) if full else (self.first, self.first + L)
        c = sfft.ifft(Xf[:, None, :] * self.H[None], axis=2)[:, :, a:b]  # (n, T, P)
        return np.abs(c) / self.norm

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """X (n, L) -> (n, 1, 1, L // pool) float32: the bank's largest SNR at each merger
        position, max-pooled by `pool`, as a one-channel image for Conv2d."""
        n, L = X.shape
        best = self.snr(X).max(axis=1)  # (n, L)
        best = best[:, : L // self.pool * self.pool].reshape(n, -1, self.pool).max(axis=2)
        return best[:, None, None, :].astype(np.float32)


def build_network(
    nn, length: int = FS_NET, width: int = 8, kernel: int = 16, channels: int | None = None
):
    """Four conv blocks (1 x `kernel`, then 1 x 8 kernels), a max over time, and a two-layer head;
    `channels` sets the first block's (default `width`).

    Three max-pools by 4 bring 1024 samples to 13 steps of 1/16 s; the fourth convolution sees
    about 0.6 s of the window, and the max over all its positions makes the answer the same
    wherever in the window the chirp falls (the head need not learn each position anew).
    """
    t = length
    for k in (kernel, 8, 8):
        t = (t - k + 1) // 4
    t = t - 8 + 1  # positions left after the fourth convolution
    first = channels or width
    return nn.Sequential(
        nn.Conv2d(1, first, (1, kernel)),  # (N, first, 1, T - kernel + 1)
        nn.ReLU(),
        nn.MaxPool2d((1, 4)),
        nn.Conv2d(first, 2 * width, (1, 8)),
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


def build_bank_network(nn, length: int, width: int = 16, channels: int = 1):
    """On the bank's SNR series (N, channels, 1, length): two 1 x 8 convolutions (one pool by 2), a
    max over time and a two-layer head; it learns the SNR peak's height and shape."""
    t = (length - 7) // 2 - 7  # positions left after the second convolution
    return nn.Sequential(
        nn.Conv2d(channels, width, (1, 8)),  # (N, w, 1, length - 7)
        nn.ReLU(),
        nn.MaxPool2d((1, 2)),
        nn.Conv2d(width, 2 * width, (1, 8)),
        nn.ReLU(),
        nn.MaxPool2d((1, t)),  # (N, 2w, 1, 1): the loudest evidence anywhere in the window
        nn.Flatten(),
        nn.Linear(2 * width, 32),
        nn.ReLU(),
        nn.Linear(32, 2),
    )


@dataclass
class ChirpCNN:
    """scikit-learn manners: fit(X, y) on (n, T) windows, decision_function, predict_proba, score.

    front "bank": the network reads `BankFilter`'s output; fit needs `banks` (one whitened bank
    per detector file) and every call the `files` (n,) each window came from, to use its bank.
    """

    num_epochs: int = 8
    batch_size: int = 64
    lr: float = 2e-3
    width: int = 8
    front: str = "none"  # "none": the whitened window itself; "bank": BankFilter's SNR series
    seed: int = 0

    def fit(
        self, X: np.ndarray, y: np.ndarray, files: np.ndarray | None = None, banks=None
    ) -> ChirpCNN:
        """Epochs over a fixed set of windows X (n, T) with labels y (n,)."""
        rng = np.random.default_rng(self.seed)
        n = len(X)
        state = {"order": np.empty(0, dtype=np.int64)}

        def batches(step: int) -> tuple[np.ndarray, np.ndarray]:
            if len(state["order"]) == 0:
                state["order"] = rng.permutation(n)
            idx = state["order"][: self.batch_size]
            state["order"] = state["order"][self.batch_size :]
            return X[idx], y[idx], None if files is None else files[idx]

        num_steps = self.num_epochs * ((n + self.batch_size - 1) // self.batch_size)
        return self.fit_stream(batches, num_steps, X.shape[1], banks)

    def fit_stream(self, batches, num_steps: int, length: int, banks=None) -> ChirpCNN:
        """Train on `batches(step) -> (X (b, T), y (b,)[, files (b,)])`, a fresh batch each step if
        it likes (George & Huerta 2018: new noise, waveform, time and SNR every batch, so there is
        no fixed training set to memorise, and the SNR can be lowered as training goes, a
        curriculum). banks: front "bank" only, [[(h_plus, h_cross)] per file]."""
        from mltutorial import engine
        from mltutorial.engine import nn, optim
        from mltutorial.engine.nn import functional as F
        from mltutorial.progress import progress

        engine.manual_seed(self.seed)
        if self.front == "bank":
            if banks is None:
                raise ValueError('front="bank" needs the banks (one per detector file)')
            self.fronts_ = [BankFilter(b) for b in banks]
            self.model_ = build_bank_network(nn, length // self.fronts_[0].pool, 2 * self.width)
        elif self.front == "none":
            self.fronts_ = []
            self.model_ = build_network(nn, length, self.width)
        else:
            raise ValueError(f'front must be "none" or "bank", not {self.front!r}')
        opt = optim.Adam(self.model_.parameters(), lr=self.lr)
        # cosine decay to zero: large steps early, fine ones at the end, no schedule to tune
        schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=num_steps)
        self.losses_: list[float] = []
        self.model_.train()
        for step in progress(range(num_steps), "CNN training"):
            xb_np, yb_np, *files = batches(step)
            xb = self._input(xb_np, files[0] if files else None)
            loss = F.cross_entropy(self.model_(xb), engine.tensor(yb_np))
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            self.losses_.append(float(loss.item()))
        self.model_.eval()
        return self

    def _input(self, X: np.ndarray, files: np.ndarray | None):
        """The network's input tensor: the windows (n, 1, 1, T), or their banks' SNR series."""
        from mltutorial import engine

        if not self.fronts_:
            return engine.tensor(X[:, None, None, :].astype(np.float32))
        if files is None:
            raise ValueError('front="bank" needs the detector file of every window')
        feats = [None] * len(X)
        for f in np.unique(files):
            rows = np.flatnonzero(files == f)
            for r, v in zip(rows, self.fronts_[f](X[rows])):
                feats[r] = v
        return engine.tensor(np.stack(feats))  # (n, 1, 1, T // pool)

    def decision_function(
        self, X: np.ndarray, files: np.ndarray | None = None, batch: int = 512
    ) -> np.ndarray:
        """Logit(chirp) - logit(noise) per window: (n,). files: front "bank" only."""
        from mltutorial import engine

        out = []
        with engine.no_grad():
            for i in range(0, len(X), batch):
                f = None if files is None else files[i : i + batch]
                z = self.model_(self._input(X[i : i + batch], f)).numpy()
                out.append(z[:, 1] - z[:, 0])
        return np.concatenate(out) if out else np.empty(0)

    def predict_proba(self, X: np.ndarray, files: np.ndarray | None = None) -> np.ndarray:
        d = self.decision_function(X, files)
        p = 1.0 / (1.0 + np.exp(-d))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X: np.ndarray, files: np.ndarray | None = None) -> np.ndarray:
        return (self.decision_function(X, files) > 0).astype(np.int64)

    def score(self, X: np.ndarray, y: np.ndarray, files: np.ndarray | None = None) -> float:
        return float(np.mean(self.predict(X, files) == y))
