"""Benchmark: four apps side by side with the peer a user would pick, in one run.

    OPENBLAS_NUM_THREADS=1 python bench/apps.py [--quick] [--threads 1] [--only vision,rl,...]

1. vision: ImageClassifier's CNN (apps/vision/model.py build("cnn")) on the engine vs the same CNN in
   PyTorch; same Fashion-MNIST subset, same initial weights (copied), same batch order, Adam 2e-3;
   engine and torch training steps interleaved. Epoch time ratio engine/torch, test accuracies.
2. rl: the app's REINFORCE (apps/rl/agent.py, policy on the engine, acting in NumPy) vs the same
   algorithm with the policy in PyTorch (acting through torch under no_grad, as a PyTorch user
   writes it); same initial weights, seeds and hyperparameters; whole trainings interleaved. Also
   the update step alone (forward, log-softmax, loss, backward, Adam) on identical batches.
3. anomaly: the app's Autoencoder (engine) vs the same autoencoder in PyTorch (same init, same
   batches) vs scikit-learn's IsolationForest, on the app's KDD Cup 99 "fraud" split and ODDS
   cardio / satellite / shuttle (experiments.py's splits, captured from the app's own functions).
4. words: the app's PPMI+SVD WordMap vs gensim's Word2Vec (skip-gram) vectors, both mapped by the
   app's Procrustes on the same dictionary split and scored by the app's evaluate (CSLS).

Same process, same thread count for NumPy's BLAS (threadpoolctl) and torch.set_num_threads; repeats
interleaved; medians; the results file quotes ratios. Writes bench/results/apps.md.
"""

from __future__ import annotations

import argparse
import os
import sys

# thread counts must be fixed before NumPy loads its BLAS
_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--threads", type=int, default=1)
_THREADS = _pre.parse_known_args()[0].threads
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_THREADS)

import contextlib  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from mltutorial import engine  # noqa: E402
from mltutorial.engine import optim  # noqa: E402
from mltutorial.engine.nn import functional as F  # noqa: E402

ROOT = Path(__file__).resolve().parent
APPS = ("vision", "rl", "anomaly", "words")


# ----------------------------------------------------------------------------------- helpers
def median(xs) -> float:
    return float(statistics.median(xs))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_desc() -> str:
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return f"{lib['internal_api']} {lib.get('version')} ({lib['num_threads']} thread(s))"
    return "unknown BLAS"


def copy_into_torch(ours, ref) -> None:
    """Copy the engine model's parameters into the torch model (same layouts as torch)."""
    with torch.no_grad():
        for p_e, p_t in zip(ours.parameters(), ref.parameters(), strict=True):
            assert tuple(p_e.data.shape) == tuple(p_t.shape), (p_e.data.shape, p_t.shape)
            p_t.copy_(torch.from_numpy(np.ascontiguousarray(p_e.data)))


def profile_top(fn, n: int = 8) -> list[tuple[str, float, float]]:
    """(function, tottime share, cumtime share) of the n functions with most own time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values()) or 1.0
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:n]
    out = []
    for (file, line, name), (_, _, tt, ct, _) in rows:
        short = f"{Path(file).parent.name}/{Path(file).name}:{line}({name})" if line else name
        out.append((short, tt / total, ct / total))
    return out


def fmt_profile(rows) -> list[str]:
    lines = ["| function | own time | cumulative |", "| --- | ---: | ---: |"]
    lines += [f"| `{n}` | {tt:.0%} | {ct:.0%} |" for n, tt, ct in rows]
    return lines


# ------------------------------------------------------------------------------------ vision
def torch_cnn(c: int, h: int, w: int, n_classes: int) -> torch.nn.Module:
    N = torch.nn
    return N.Sequential(
        N.Conv2d(c, 16, 3, padding=1), N.ReLU(), N.MaxPool2d(2),
        N.Conv2d(16, 32, 3, padding=1), N.ReLU(), N.MaxPool2d(2),
        N.Flatten(), N.Linear(32 * (h // 4) * (w // 4), 128), N.ReLU(), N.Linear(128, n_classes),
    )  # fmt: skip


def bench_vision(cfg) -> dict:
    from mltutorial import data
    from mltutorial.apps.vision.model import build

    ds = data.load_fashion_mnist()
    rng = np.random.default_rng(cfg.seed)
    pick = rng.choice(len(ds.X_train), min(cfg.n_images, len(ds.X_train)), replace=False)
    X, y = ds.X_train[pick], ds.y_train[pick].astype(np.int64)
    Xt, yt = ds.X_test[: cfg.n_test], ds.y_test[: cfg.n_test].astype(np.int64)
    # ImageClassifier's preprocessing: scale to [0, 1], standardise with the training mean/std
    scaled = X.astype(np.float32) / 255.0
    mean, std = float(scaled.mean()), float(scaled.std() + 1e-6)

    def prep(A):
        return ((A.astype(np.float32) / 255.0 - mean) / std).astype(np.float32)

    Xp, Xtp = prep(X), prep(Xt)
    shape, n_classes = tuple(X.shape[1:]), len(ds.classes)
    engine.manual_seed(cfg.seed)
    ours = build("cnn", shape, n_classes)
    ref = torch_cnn(*shape, n_classes)
    copy_into_torch(ours, ref)
    opt_e = optim.Adam(ours.parameters(), lr=2e-3)
    opt_t = torch.optim.Adam(ref.parameters(), lr=2e-3)
    ours.train()
    ref.train()

    def step_engine(xb, yb):
        loss = F.cross_entropy(ours(engine.tensor(xb)), engine.tensor(yb))
        opt_e.zero_grad()
        loss.backward()
        opt_e.step()
        return loss.item()

    def step_torch(xb, yb):
        loss = torch.nn.functional.cross_entropy(ref(torch.from_numpy(xb)), torch.from_numpy(yb))
        opt_t.zero_grad()
        loss.backward()
        opt_t.step()
        return loss.item()

    order_rng = np.random.default_rng(cfg.seed)  # ImageClassifier.fit's batch order
    epochs_e, epochs_t, step_ratios = [], [], []
    losses_e, losses_t = [], []
    k = 0
    for _ in range(cfg.epochs):
        order = order_rng.permutation(len(Xp))
        te = tt = 0.0
        for s in range(0, len(Xp), 64):
            idx = order[s : s + 64]
            xb, yb = Xp[idx], y[idx]
            k += 1
            for first in ("e", "t") if k % 2 else ("t", "e"):  # alternate who goes first
                t0 = time.perf_counter()
                if first == "e":
                    losses_e.append(step_engine(xb, yb))
                    de = time.perf_counter() - t0
                    te += de
                else:
                    losses_t.append(step_torch(xb, yb))
                    dt = time.perf_counter() - t0
                    tt += dt
            step_ratios.append(de / dt)
        epochs_e.append(te)
        epochs_t.append(tt)

    # test accuracy and inference time (batches of 500, interleaved)
    ours.eval()
    ref.eval()
    pred_e, pred_t, inf_e, inf_t = [], [], 0.0, 0.0
    for s in range(0, len(Xtp), 500):
        xb = Xtp[s : s + 500]
        t0 = time.perf_counter()
        with engine.no_grad():
            pred_e.append(ours(engine.tensor(xb)).data.argmax(axis=1))
        t1 = time.perf_counter()
        with torch.no_grad():
            pred_t.append(ref(torch.from_numpy(xb)).numpy().argmax(axis=1))
        t2 = time.perf_counter()
        inf_e += t1 - t0
        inf_t += t2 - t1
    acc_e = float((np.concatenate(pred_e) == yt).mean())
    acc_t = float((np.concatenate(pred_t) == yt).mean())

    # where the engine's step spends its time
    xb, yb = Xp[:64], y[:64]
    prof = profile_top(lambda: [step_engine(xb, yb) for _ in range(cfg.profile_steps)])
    return {
        "data": ds.info.label,
        "n_images": len(Xp),
        "n_test": len(Xtp),
        "epochs": cfg.epochs,
        "epoch_ratios": [e / t for e, t in zip(epochs_e, epochs_t, strict=True)],
        "epoch_ratio": sum(epochs_e) / sum(epochs_t),
        "step_ratio_median": median(step_ratios),
        "infer_ratio": inf_e / inf_t,
        "acc_engine": acc_e,
        "acc_torch": acc_t,
        "final_loss_engine": float(np.mean(losses_e[-10:])),
        "final_loss_torch": float(np.mean(losses_t[-10:])),
        "profile": prof,
    }


# ---------------------------------------------------------------------------------------- rl
class TorchReinforce:
    """The app's Reinforce.fit, line for line, with the policy in PyTorch (acting via torch)."""

    def __init__(self, *, hidden=32, lr=0.01, gamma=0.99, episodes=300, batch_episodes=4, seed=0):
        self.hidden, self.lr, self.gamma = hidden, lr, gamma
        self.episodes, self.batch_episodes, self.seed = episodes, batch_episodes, seed

    def fit(self, env_id="CartPole-v1", init_from=None, on_episode=None):
        from mltutorial.apps.rl.agent import _discounted, _make_env

        env = _make_env(env_id)
        n_obs = int(np.prod(env.observation_space.shape))
        n_act = int(env.action_space.n)
        torch.manual_seed(self.seed)
        N = torch.nn
        self.net_ = N.Sequential(
            N.Linear(n_obs, self.hidden), N.Tanh(), N.Linear(self.hidden, n_act)
        )
        if init_from is not None:
            copy_into_torch(init_from, self.net_)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
        rng = np.random.default_rng(self.seed)
        self.returns_, self.steps_ = [], 0
        batch_obs, batch_act, batch_ret = [], [], []
        for episode in range(self.episodes):
            obs, _ = env.reset(seed=self.seed * 100_003 + episode)
            rewards, done = [], False
            while not done:
                with torch.no_grad():
                    logits = self.net_(torch.as_tensor(obs, dtype=torch.float32)).numpy()
                p = np.exp(logits - logits.max())  # sampled exactly as the app's act()
                p /= p.sum()
                action = int(rng.choice(n_act, p=p))
                batch_obs.append(np.asarray(obs, dtype=np.float32))
                batch_act.append(action)
                obs, reward, terminated, truncated, _ = env.step(action)
                rewards.append(float(reward))
                done = terminated or truncated
            self.steps_ += len(rewards)
            batch_ret.append(_discounted(rewards, self.gamma))
            self.returns_.append(float(sum(rewards)))
            if on_episode is not None:
                on_episode(episode, self.returns_[-1])
            if (episode + 1) % self.batch_episodes == 0:
                G = np.concatenate(batch_ret)
                G = (G - G.mean()) / (G.std() + 1e-8)
                torch_update(self.net_, opt, np.stack(batch_obs), np.asarray(batch_act), G)
                batch_obs, batch_act, batch_ret = [], [], []
        env.close()
        return self

    def act(self, obs) -> int:
        with torch.no_grad():
            return int(self.net_(torch.as_tensor(obs, dtype=torch.float32)).argmax())


def torch_update(net, opt, obs, act, G) -> float:
    log_p = torch.log_softmax(net(torch.from_numpy(obs)), dim=-1)
    chosen = log_p[torch.arange(len(act)), torch.from_numpy(act)]
    loss = -(chosen * torch.from_numpy(G.astype(np.float32))).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def engine_update(net, opt, obs, act, G) -> float:
    # the body of Reinforce.fit's update, verbatim
    log_p = net(engine.tensor(obs)).log_softmax(dim=-1)
    chosen = log_p[np.arange(len(act)), np.asarray(act)]
    loss = -(chosen * engine.tensor(G.astype(np.float32))).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def bench_rl(cfg) -> dict:
    from mltutorial.apps.rl.agent import Reinforce, evaluate

    env_id = "CartPole-v1"
    runs = {"engine": [], "torch": []}
    agents = {}
    for r in range(cfg.rl_repeats):
        for name in ("engine", "torch") if r % 2 == 0 else ("torch", "engine"):
            if name == "engine":
                agent = Reinforce(episodes=cfg.rl_episodes, seed=cfg.seed)
                t0 = time.perf_counter()
                agent.fit(env_id)
                sec = time.perf_counter() - t0
                returns = agent.history_.returns
            else:
                init = Reinforce(seed=cfg.seed)._build(4, 2)  # the app's initial policy, copied
                agent = TorchReinforce(episodes=cfg.rl_episodes, seed=cfg.seed)
                t0 = time.perf_counter()
                agent.fit(env_id, init_from=init)
                sec = time.perf_counter() - t0
                returns = agent.returns_
            steps = int(sum(returns))  # CartPole pays 1 per step
            runs[name].append((sec, steps))
            agents[name] = agent
    greedy = {
        "engine": evaluate(lambda o: agents["engine"].act(o), env_id, cfg.rl_eval, cfg.seed),
        "torch": evaluate(agents["torch"].act, env_id, cfg.rl_eval, cfg.seed),
    }
    per_ep = {k: median([s / cfg.rl_episodes for s, _ in v]) for k, v in runs.items()}
    per_step = {k: median([s / n for s, n in v]) for k, v in runs.items()}
    steps = {k: median([n for _, n in v]) for k, v in runs.items()}
    train_mean = {
        "engine": float(np.mean(agents["engine"].history_.returns[-50:])),
        "torch": float(np.mean(agents["torch"].returns_[-50:])),
    }

    # the update step alone, on identical batches: 4 episodes played by a fixed random policy
    from mltutorial.apps.rl.agent import _discounted, _make_env

    env = _make_env(env_id)
    rng = np.random.default_rng(cfg.seed)
    obs_l, act_l, ret_l = [], [], []
    for ep in range(4):
        obs, _ = env.reset(seed=ep)
        rewards, done = [], False
        while not done:
            a = int(rng.integers(2)) if rng.random() < 0.2 else int(obs[2] + 0.5 * obs[3] > 0)
            obs_l.append(np.asarray(obs, np.float32))
            act_l.append(a)
            obs, rew, term, trunc, _ = env.step(a)
            rewards.append(rew)
            done = term or trunc
        ret_l.append(_discounted(rewards, 0.99))
    env.close()
    O, A = np.stack(obs_l), np.asarray(act_l)
    G = np.concatenate(ret_l)
    G = (G - G.mean()) / (G.std() + 1e-8)
    net_e = Reinforce(seed=cfg.seed)._build(4, 2)
    net_t = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.Tanh(), torch.nn.Linear(32, 2))
    copy_into_torch(net_e, net_t)
    opt_e = optim.Adam(net_e.parameters(), lr=0.01)
    opt_t = torch.optim.Adam(net_t.parameters(), lr=0.01)
    le = engine_update(net_e, opt_e, O, A, G)
    lt = torch_update(net_t, opt_t, O, A, G)
    ue, ut = [], []
    for i in range(cfg.update_repeats):
        for who in ("e", "t") if i % 2 else ("t", "e"):
            t0 = time.perf_counter()
            if who == "e":
                engine_update(net_e, opt_e, O, A, G)
                ue.append(time.perf_counter() - t0)
            else:
                torch_update(net_t, opt_t, O, A, G)
                ut.append(time.perf_counter() - t0)
    n_updates = cfg.rl_episodes // 4
    upd_share = {
        "engine": n_updates * median(ue) / (per_ep["engine"] * cfg.rl_episodes),
        "torch": n_updates * median(ut) / (per_ep["torch"] * cfg.rl_episodes),
    }
    prof = profile_top(lambda: Reinforce(episodes=min(60, cfg.rl_episodes), seed=cfg.seed).fit())
    return {
        "episodes": cfg.rl_episodes,
        "repeats": cfg.rl_repeats,
        "batch_rows": len(O),
        "episode_ratio": per_ep["engine"] / per_ep["torch"],
        "step_ratio": per_step["engine"] / per_step["torch"],
        "update_ratio": median(ue) / median(ut),
        "first_loss_diff": abs(le - lt),
        "update_share": upd_share,
        "steps": steps,
        "greedy": {k: (float(v.mean()), float(v.std())) for k, v in greedy.items()},
        "train_last50": train_mean,
        "eval_episodes": cfg.rl_eval,
        "profile": prof,
    }


# ----------------------------------------------------------------------------------- anomaly
class TorchAutoencoder:
    """apps/anomaly/detectors.Autoencoder in PyTorch: same standardising, init, batches, loss."""

    def __init__(self, ref_app, seed=0):
        self.app = ref_app  # an (unfitted) app Autoencoder: hyperparameters are read from it
        self.seed = seed

    def fit(self, X):
        from mltutorial.apps.anomaly.detectors import _Standardise
        from mltutorial.engine import nn

        a = self.app
        engine.manual_seed(a.seed)  # rebuild the app's initial network, then copy it
        rng = np.random.default_rng(a.seed)
        self.scaler_ = _Standardise().fit(X)
        Z = self.scaler_.transform(X)
        d = Z.shape[1]
        b = min(a.bottleneck, max(1, d - 1))
        init = nn.Sequential(
            nn.Linear(d, a.hidden), nn.ReLU(), nn.Linear(a.hidden, b), nn.ReLU(),
            nn.Linear(b, a.hidden), nn.ReLU(), nn.Linear(a.hidden, d),
        )  # fmt: skip
        N = torch.nn
        self.net_ = N.Sequential(
            N.Linear(d, a.hidden), N.ReLU(), N.Linear(a.hidden, b), N.ReLU(),
            N.Linear(b, a.hidden), N.ReLU(), N.Linear(a.hidden, d),
        )  # fmt: skip
        copy_into_torch(init, self.net_)
        opt = torch.optim.Adam(self.net_.parameters(), lr=a.lr)
        Zt = torch.from_numpy(Z)
        for _ in range(a.num_epochs):
            order = torch.from_numpy(rng.permutation(len(Z)))
            for s in range(0, len(Z), a.batch_size):
                batch = Zt[order[s : s + a.batch_size]]
                loss = ((self.net_(batch) - batch) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        return self

    def score_samples(self, X):
        Z = torch.from_numpy(self.scaler_.transform(X))
        with torch.no_grad():
            return ((self.net_(Z) - Z) ** 2).mean(dim=1).numpy()


@contextlib.contextmanager
def captured_splits():
    """Run the app's experiment functions but capture their train/test arrays instead of fitting."""
    from mltutorial.apps.anomaly import experiments

    got = []

    def capture(name, info, X_train, X_test, y_test, seed, quick):
        got.append((name, info, X_train, X_test, y_test))
        return None

    saved = experiments.run_detectors
    experiments.run_detectors = capture
    try:
        yield experiments, got
    finally:
        experiments.run_detectors = saved


def bench_anomaly(cfg) -> list[dict]:
    from sklearn.metrics import roc_auc_score

    from mltutorial.apps.anomaly.detectors import Autoencoder, IsolationForestDetector

    with captured_splits() as (experiments, got):
        experiments.fraud(cfg.seed, quick=cfg.quick)
        for name in cfg.odds:
            experiments.odds(name, cfg.seed, quick=cfg.quick)
    epochs = 5 if cfg.quick else 25  # make_detectors' settings
    trees = 50 if cfg.quick else 200
    rows = []
    for name, info, Xtr, Xte, yte in got:
        makers = {
            "ae_engine": lambda: Autoencoder(num_epochs=epochs, seed=cfg.seed),
            "ae_torch": lambda: TorchAutoencoder(Autoencoder(num_epochs=epochs, seed=cfg.seed)),
            "iforest": lambda: IsolationForestDetector(n_estimators=trees, seed=cfg.seed),
        }
        keys = list(makers)
        for k in keys:  # warm-up, untimed (torch's first calls pay one-off setup)
            makers[k]().fit(Xtr[:512]).score_samples(Xte[:512])
        secs = {k: [] for k in keys}
        auc = {}
        for r in range(cfg.anomaly_repeats):
            for k in keys[r % 3 :] + keys[: r % 3]:  # rotate the order
                t0 = time.perf_counter()
                scores = makers[k]().fit(Xtr).score_samples(Xte)
                secs[k].append(time.perf_counter() - t0)
                auc[k] = float(roc_auc_score(yte, scores))  # deterministic given the seed
        med = {k: median(v) for k, v in secs.items()}
        sweep = {}
        if name.startswith("fraud"):  # how the autoencoder's AUC moves with training length
            for ep in (1, 5, 10) if not cfg.quick else (1,):
                ae = Autoencoder(num_epochs=ep, seed=cfg.seed).fit(Xtr)
                sweep[ep] = float(roc_auc_score(yte, ae.score_samples(Xte)))
            sweep[epochs] = auc["ae_engine"]
        rows.append(
            {
                "sweep": sweep,
                "name": name,
                "data": info.label,
                "shape": (len(Xtr), len(Xte), Xtr.shape[1]),
                "rate": float(yte.mean()),
                "auc": auc,
                "ratio_ae": med["ae_engine"] / med["ae_torch"],
                "ratio_if": med["ae_engine"] / med["iforest"],
            }
        )
    return rows


# ------------------------------------------------------------------------------------- words
def gensim_map(base, corpus, cfg):
    """Word2Vec (skip-gram) vectors for the WordMap's vocabularies, mapped and scored like the app."""
    import copy

    from gensim.models import Word2Vec

    from mltutorial.apps.words.align import procrustes
    from mltutorial.apps.words.embed import normalise, tokenize

    out = copy.copy(base)
    vecs = []
    for text, vocab in ((corpus.en, base.src_vocab_), (corpus.es, base.tgt_vocab_)):
        tokens = tokenize(text)
        sentences = [tokens[i : i + 1000] for i in range(0, len(tokens), 1000)]
        w2v = Word2Vec(
            sentences,
            vector_size=base.dim,
            window=base.window,
            min_count=3,
            sg=1,
            negative=5,
            epochs=cfg.w2v_epochs,
            workers=_THREADS,
            seed=cfg.seed,
        )
        vecs.append(normalise(np.stack([w2v.wv[w] for w in vocab.words]).astype(np.float32)))
    out.src_, out.tgt_ = vecs
    X = [out.src_[s] for s, ts in out.train_pairs_.items() for _ in ts]
    Y = [out.tgt_[t] for _, ts in out.train_pairs_.items() for t in ts]
    out.W_ = procrustes(np.array(X), np.array(Y))
    return out


def bench_words(cfg) -> dict:
    from mltutorial import data
    from mltutorial.apps.words.model import WordMap

    corpus = data.load_en_es()
    dictionary = data.load_dictionary("en-es")
    try:
        import gensim
    except ImportError:
        gensim = None
    res = {"data": f"{corpus.info.label} + {dictionary.info.label}", "sizes": []}
    res["gensim"] = getattr(gensim, "__version__", None)
    sizes = [(cfg.vocab, cfg.dim)] + ([] if gensim else [(cfg.vocab * 2, cfg.dim * 2)])
    for vocab, dim in sizes:
        t_ppmi, t_w2v, base, mapped = [], [], None, None
        for r in range(cfg.words_repeats):
            for who in ("p", "g") if r % 2 == 0 else ("g", "p"):
                if who == "p":
                    t0 = time.perf_counter()
                    base = WordMap(vocab_size=vocab, dim=dim, seed=cfg.seed).fit(
                        corpus.en, corpus.es, dictionary.pairs
                    )
                    t_ppmi.append(time.perf_counter() - t0)
                elif gensim is not None:
                    if base is None:  # the split comes from a PPMI fit; build it untimed first
                        base = WordMap(vocab_size=vocab, dim=dim, seed=cfg.seed).fit(
                            corpus.en, corpus.es, dictionary.pairs
                        )
                    t0 = time.perf_counter()
                    mapped = gensim_map(base, corpus, cfg)
                    t_w2v.append(time.perf_counter() - t0)
        row = {
            "vocab": len(base.src_vocab_.words),
            "vocab_es": len(base.tgt_vocab_.words),
            "dim": dim,
            "train_pairs": len(base.train_pairs_),
            "test_words": len(base.test_pairs_),
            "ppmi_sec": median(t_ppmi),
            "ppmi": {c: base.score(csls=c) for c in (True, False)},
        }
        if mapped is not None:
            row["w2v_sec"] = median(t_w2v)
            row["w2v"] = {c: mapped.score(csls=c) for c in (True, False)}
        res["sizes"].append(row)
    return res


# ----------------------------------------------------------------------------------- report
def write_report(cfg, results: dict, machine: list[str], wall: float) -> str:
    L = ["## Apps vs the peers a user would pick (CPU)", ""]
    L.append(f"Command: `{cfg.command}`. {'QUICK sizes (smoke run), not the recorded config. ' if cfg.quick else ''}"
             "One process; for each app the two sides get the same data, seeds and (where both are "
             "neural networks) the same initial weights, copied from the engine model into torch; runs "
             "are interleaved and medians are taken. Ratios above 1 mean the engine app is slower.")  # fmt: skip
    L += [""] + [f"- {m}" for m in machine] + [f"- Whole run: {wall / 60:.1f} min wall.", ""]

    if "vision" in results:
        v = results["vision"]
        L += [
            "### 1. vision: ImageClassifier CNN (engine) vs the same CNN in PyTorch",
            "",
            f"{v['data']}: {v['n_images']:,} training images (random subset, seed {cfg.seed}), "
            f"{v['epochs']} epochs, batch 64, Adam 2e-3, same batch order; the first {v['n_test']:,} "
            "test images. CNN conv3x3(16)-ReLU-maxpool2-conv3x3(32)-ReLU-maxpool2-linear(128)-ReLU-"
            "linear(10). Training steps alternate engine/torch.",
            "",
            "| figure | engine | PyTorch | engine / torch |",
            "| --- | ---: | ---: | ---: |",
            f"| time per epoch (sum of steps; per epoch: {', '.join(f'{r:.2f}' for r in v['epoch_ratios'])}) | | | {v['epoch_ratio']:.2f} |",
            f"| time per training step (median of per-step ratios) | | | {v['step_ratio_median']:.2f} |",
            f"| inference on the test images (batches of 500) | | | {v['infer_ratio']:.2f} |",
            f"| test accuracy | {v['acc_engine']:.1%} | {v['acc_torch']:.1%} | |",
            f"| mean training loss, last 10 steps | {v['final_loss_engine']:.3f} | {v['final_loss_torch']:.3f} | |",
            "",
            f"Engine training step, cProfile ({cfg.profile_steps} steps, top own time):",
            "",
            *fmt_profile(v["profile"]),
            "",
        ]  # fmt: skip
    if "rl" in results:
        r = results["rl"]
        ge, gt = r["greedy"]["engine"], r["greedy"]["torch"]
        L += [
            "### 2. rl: REINFORCE on CartPole-v1, policy on the engine (app) vs in PyTorch",
            "",
            f"Policy 4-32-tanh-2, Adam 0.01, gamma 0.99, 4 episodes per update, {r['episodes']} "
            f"training episodes, {r['repeats']} interleaved trainings per side, same seeds and same "
            "initial weights. The app acts in NumPy (one small matrix product per step); the PyTorch "
            "agent acts through the torch model under no_grad, as a PyTorch user writes it. Episodes "
            "grow as the policy learns, so time per environment step is the fairer speed figure; the "
            f"update step alone is timed on one identical batch ({r['batch_rows']} rows, "
            f"{cfg.update_repeats} interleaved repeats).",
            "",
            "| figure | engine | PyTorch | engine / torch |",
            "| --- | ---: | ---: | ---: |",
            f"| time per training episode | | | {r['episode_ratio']:.2f} |",
            f"| time per environment step (acting + amortised update) | | | {r['step_ratio']:.2f} |",
            f"| update step alone (forward, log-softmax, loss, backward, Adam) | | | {r['update_ratio']:.2f} |",
            f"| share of training time spent in updates (estimated: number of updates x the timed update) | {r['update_share']['engine']:.0%} | {r['update_share']['torch']:.0%} | |",
            f"| environment steps in training (median run) | {r['steps']['engine']:,.0f} | {r['steps']['torch']:,.0f} | |",
            f"| mean return, last 50 training episodes | {r['train_last50']['engine']:.1f} | {r['train_last50']['torch']:.1f} | |",
            f"| greedy mean return over {r['eval_episodes']} episodes (± std) | {ge[0]:.1f} ± {ge[1]:.1f} | {gt[0]:.1f} ± {gt[1]:.1f} | |",
            "",
            f"First update's loss, engine vs torch on the same batch and weights: |difference| = {r['first_loss_diff']:.1e}.",
            "",
            "App training (60 episodes), cProfile, top own time:",
            "",
            *fmt_profile(r["profile"]),
            "",
        ]  # fmt: skip
    if "anomaly" in results:
        L += [
            "### 3. anomaly: Autoencoder (engine) vs the same autoencoder in PyTorch vs IsolationForest",
            "",
            "Splits are the app's own (experiments.fraud: KDD Cup 99 with 2% attacks, fit on one "
            "unlabelled half, score the other; experiments.odds: fit on a random half of the table, "
            "score the other). Autoencoder n-32-4-32-n, ReLU, Adam 1e-3, batch 256, "
            f"{5 if cfg.quick else 25} epochs (make_detectors' setting); the PyTorch copy starts "
            f"from the same weights and sees the same batches. IsolationForest: {50 if cfg.quick else 200} "
            f"trees (the app's wrapper around scikit-learn). Time = fit + score, median of "
            f"{cfg.anomaly_repeats} interleaved runs.",
            "",
            "| data (train / test rows, features, anomaly rate) | ROC-AUC AE engine | AE PyTorch | IsolationForest | time AE engine / AE torch | time AE engine / IsolationForest |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]  # fmt: skip
        for a in results["anomaly"]:
            n1, n2, d = a["shape"]
            L.append(
                f"| {a['name']} ({n1:,} / {n2:,}, {d}, {a['rate']:.1%}) | {a['auc']['ae_engine']:.3f} | "
                f"{a['auc']['ae_torch']:.3f} | {a['auc']['iforest']:.3f} | {a['ratio_ae']:.2f} | "
                f"{a['ratio_if']:.2f} |"
            )
        for a in results["anomaly"]:
            if a["sweep"]:
                L += [
                    "",
                    f"Autoencoder (engine) ROC-AUC on the {a['name']} split against training epochs: "
                    + ", ".join(f"{e} epoch(s) {v:.3f}" for e, v in sorted(a["sweep"].items()))
                    + ".",
                ]
        L.append("")
    if "words" in results:
        w = results["words"]
        L += [
            "### 4. words: PPMI+SVD word vectors (app) vs "
            + ("gensim Word2Vec" if w["gensim"] else "itself at two sizes")
            + ", English → Spanish by Procrustes",
            "",
            f"{w['data']}. Both sides use the app's tokenizer, vocabularies, dictionary split, "
            "Procrustes map and evaluation (precision@1 on held-out dictionary words, CSLS and plain "
            "nearest neighbour). "
            + (
                f"gensim {w['gensim']} Word2Vec: skip-gram, negative 5, window 5, min_count 3, "
                f"{cfg.w2v_epochs} epochs, workers={_THREADS}, over 1,000-token chunks of each book. "
                if w["gensim"]
                else "gensim is not installed here (pip install gensim), so PPMI+SVD is compared at two sizes. "
            )
            + f"Time = learning both languages' vectors + the map, median of {cfg.words_repeats} interleaved runs.",
            "",
        ]  # fmt: skip
        if w["gensim"]:
            L += [
                "| vocab (en / es), dim | train pairs / test words | P@1 CSLS PPMI+SVD | P@1 CSLS Word2Vec | P@1 NN PPMI+SVD | P@1 NN Word2Vec | P@5 CSLS PPMI / W2V | time PPMI+SVD / Word2Vec |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]  # fmt: skip
            for s in w["sizes"]:
                L.append(
                    f"| {s['vocab']:,} / {s['vocab_es']:,}, {s['dim']} | {s['train_pairs']:,} / {s['test_words']:,} | "
                    f"{s['ppmi'][True].precision_at_1:.1%} | {s['w2v'][True].precision_at_1:.1%} | "
                    f"{s['ppmi'][False].precision_at_1:.1%} | {s['w2v'][False].precision_at_1:.1%} | "
                    f"{s['ppmi'][True].precision_at_5:.1%} / {s['w2v'][True].precision_at_5:.1%} | "
                    f"{s['ppmi_sec'] / s['w2v_sec']:.3f} |"
                )
        else:
            L += [
                "| vocab, dim | P@1 CSLS | P@1 NN | time relative to the first size |",
                "| --- | ---: | ---: | ---: |",
            ]
            t0 = w["sizes"][0]["ppmi_sec"]
            for s in w["sizes"]:
                L.append(
                    f"| {s['vocab']:,}, {s['dim']} | {s['ppmi'][True].precision_at_1:.1%} | "
                    f"{s['ppmi'][False].precision_at_1:.1%} | {s['ppmi_sec'] / t0:.2f} |"
                )
        L.append("")
    L += interpret(results)
    return "\n".join(L) + "\n"


def slower(r: float) -> str:
    return f"{r:.2f}x slower than" if r >= 1 else f"{1 / r:.1f}x faster than"


def interpret(results: dict) -> list[str]:
    """The reading of this run's numbers (sentences built from them, so a rerun stays honest)."""
    L = ["### Interpretation", ""]
    if "vision" in results:
        v = results["vision"]
        top = ", ".join(
            f"`{n.split('(')[-1].rstrip(')').split('.')[-1].strip('<>')}` {tt:.0%}"
            for n, tt, _ in v["profile"][:3]
        )
        L.append(
            f"- vision: the engine CNN is {slower(v['epoch_ratio'])} PyTorch per training epoch and "
            f"{slower(v['infer_ratio'])} it at inference; test accuracies {v['acc_engine']:.1%} vs "
            f"{v['acc_torch']:.1%} from the same initial weights and batches. The engine's step time goes mostly to its NumPy convolution kernels ({top} of own "
            "time in the profile): im2col copies, one GEMM per layer and the scatter of the column gradient "
            "back to the image, where torch calls compiled oneDNN convolution kernels."
        )
    if "rl" in results:
        r = results["rl"]
        why = (
            "the app acts with one NumPy matrix product per step while the PyTorch agent pays "
            "torch's per-call overhead on a 4-number input."
            if r["step_ratio"] < 0.9
            else "acting costs about the same on both sides."
        )
        L.append(
            f"- rl: the app is {slower(r['episode_ratio'])} the PyTorch agent per training episode "
            f"and {slower(r['step_ratio'])} it per environment step. Updates are about "
            f"{r['update_share']['engine']:.0%} of the app's training time "
            f"({r['update_share']['torch']:.0%} of torch's), so acting and the environment "
            f"dominate: {why} The update alone is {slower(r['update_ratio'])} torch's on these "
            "tiny tensors (per-op overhead, not arithmetic). Greedy returns after training: "
            f"{r['greedy']['engine'][0]:.0f} (engine) and {r['greedy']['torch'][0]:.0f} (torch); "
            "the two start identical and drift apart only through float rounding."
        )
    if "anomaly" in results:
        rows = results["anomaly"]
        ae = [a["ratio_ae"] for a in rows]
        worse = [a["name"] for a in rows if a["auc"]["iforest"] > a["auc"]["ae_engine"] + 0.01]
        L.append(
            f"- anomaly: the engine autoencoder takes {min(ae):.2f}-{max(ae):.2f} of the time of "
            "the same network in PyTorch (a 32-4-32 network on batches of 256 is mostly per-op "
            "overhead) and matches its ROC-AUC to within "
            f"{max(abs(a['auc']['ae_engine'] - a['auc']['ae_torch']) for a in rows):.3f}. "
            f"IsolationForest has the higher ROC-AUC on {len(worse)} of {len(rows)} tables."
            + (
                " The autoencoder's weak KDD number is not the engine's doing (PyTorch gets the "
                "same) but the training length: see the epochs line above (probably: trained "
                "longer, it also learns to rebuild the repetitive attack records)."
                if rows[0]["auc"]["iforest"] > rows[0]["auc"]["ae_engine"] + 0.1
                else ""
            )
        )
    if "words" in results and results["words"].get("gensim"):
        s = results["words"]["sizes"][0]
        L.append(
            f"- words: PPMI+SVD takes {s['ppmi_sec'] / s['w2v_sec']:.2f} of Word2Vec's time "
            f"(single-threaded gensim, {s['vocab']:,}-word vocabularies) and translates better on "
            f"these two ~400k-word books: precision@1 {s['ppmi'][True].precision_at_1:.1%} vs "
            f"{s['w2v'][True].precision_at_1:.1%} (CSLS), as Levy et al. found for small corpora."
        )
    return L


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run of a minute or two"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS threads = torch threads (default 1)"
    )
    parser.add_argument(
        "--only", default=",".join(APPS), help="comma-separated subset of " + ",".join(APPS)
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default bench/results/apps.md; --quick: none)",
    )
    parser.add_argument(
        "--notes",
        type=Path,
        default=None,
        help="markdown appended under the tables (interpretation)",
    )
    cfg = parser.parse_args(argv)  # fmt: skip
    only = [a.strip() for a in cfg.only.split(",") if a.strip()]
    bad = [a for a in only if a not in APPS]
    if bad:
        parser.error(f"unknown app(s) {', '.join(bad)}; choose from {', '.join(APPS)}")
    q = cfg.quick
    cfg.n_images, cfg.n_test, cfg.epochs = (1000, 500, 1) if q else (6000, 2000, 2)
    cfg.profile_steps = 3 if q else 10
    cfg.rl_episodes, cfg.rl_repeats, cfg.rl_eval = (40, 1, 5) if q else (300, 2, 20)
    cfg.update_repeats = 20 if q else 100
    cfg.odds = ["cardio"] if q else ["cardio", "satellite", "shuttle"]
    cfg.anomaly_repeats = 1 if q else 3
    cfg.vocab, cfg.dim, cfg.w2v_epochs = (1500, 40, 2) if q else (5000, 100, 5)
    cfg.words_repeats = 1 if q else 2
    env = (
        f"MLTUTORIAL_DATA={os.environ['MLTUTORIAL_DATA']} "
        if "MLTUTORIAL_DATA" in os.environ
        else ""
    )
    args = " ".join(sys.argv[1:] if argv is None else argv)
    cfg.command = f"{env}python bench/apps.py {args}".strip()
    out = cfg.out if cfg.out is not None else (None if q else ROOT / "results" / "apps.md")

    torch.set_num_threads(cfg.threads)
    results: dict = {}
    start = time.perf_counter()
    load0 = os.getloadavg()[0]
    with threadpool_limits(limits=cfg.threads, user_api="blas"):
        machine = [
            f"CPU: {cpu_model()}, {os.cpu_count()} logical cores; 1-min load average at start {load0:.1f} (the machine is shared with other jobs)",
            f"Python {platform.python_version()}, NumPy {np.__version__} ({blas_desc()}), PyTorch {torch.__version__} "
            f"(torch.set_num_threads({torch.get_num_threads()})), scikit-learn {__import__('sklearn').__version__}",
            f"Threads: OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']} and threadpoolctl limit {cfg.threads}; torch.set_num_threads({cfg.threads}); gensim workers={cfg.threads}; IsolationForest n_jobs=1",
        ]  # fmt: skip
        for app in only:
            t0 = time.perf_counter()
            print(f"[apps] {app} ...", file=sys.stderr, flush=True)
            results[app] = globals()[f"bench_{app}"](cfg)
            print(
                f"[apps] {app} done in {time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    machine.append(f"1-min load average at the end: {os.getloadavg()[0]:.1f}")
    text = write_report(cfg, results, machine, time.perf_counter() - start)
    if cfg.notes is not None and cfg.notes.is_file():
        text += "\n" + cfg.notes.read_text()
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(out)
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
