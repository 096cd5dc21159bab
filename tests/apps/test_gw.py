"""Gravitational waves: the tutorial's SNRs on the real files, injections, GR mass scaling, bad input,
the chapter with and without the data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import h5py
import numpy as np
import pytest

from helpers import need_data
from mltutorial.apps.gw import filtering, waveforms
from mltutorial.apps.gw.search import search, template_bank
from mltutorial.chapter import ChapterContext
from mltutorial.cli import main
from mltutorial.data.gwosc import builtin_sample, load_gravitational_waves, read_strain

GW = "gravitational_waves"
H1_150914 = "H-H1_LOSC_4_V2-1126259446-32.hdf5"
L1_150914 = "L-L1_LOSC_4_V2-1126259446-32.hdf5"


@pytest.fixture(scope="module")
def real():
    need_data(GW)
    return load_gravitational_waves()


@pytest.mark.parametrize(("event", "h1", "l1"), [("GW150914", 18.6, 13.2), ("GW151226", 9.6, 7.2)])
def test_reference_snrs_of_the_tutorial(real, event, h1, l1):
    ev = real.events[event]
    res = search(list(ev.strains.values()), [ev.template])
    snr = {p.detector: p.snr for p in res.peaks}
    assert snr["H1"] == pytest.approx(h1, rel=0.05)
    assert snr["L1"] == pytest.approx(l1, rel=0.05)
    for p in res.peaks:  # at the event table's time
        assert p.time == pytest.approx(ev.offset(p.detector), abs=0.01)
    if event == "GW150914":
        assert res.peaks[0].time == pytest.approx(16.44, abs=0.005)
        assert abs(res.offset_ms) == pytest.approx(7.0, abs=1.5)


def _shifted(h: np.ndarray, samples: int) -> np.ndarray:
    """h moved by `samples` (negative: earlier), zero-filled instead of wrapped."""
    out = np.zeros_like(h)
    if samples < 0:
        out[:samples] = h[-samples:]
    else:
        out[samples:] = h[: len(h) - samples]
    return out


def test_injection_recovered_in_real_noise(real):
    """A 50 M_sun chirp added to H1 at 6.0 s with SNR 12 is found there, at SNR 12 +- 2,
    and the bank's best total mass is near 50."""
    h1 = real.events["GW150914"].strains["H1"]
    t = waveforms.rescale(real.events["GW150914"].template, 50.0)
    sigma = filtering.matched_filter(h1.x, h1.fs, t.plus, t.cross).sigma
    shift = int((6.0 - 16.0) * h1.fs)  # template reference (centre, 16 s) -> 6 s
    x = h1.x + 12.0 / sigma * _shifted(t.plus, shift)
    mf = filtering.matched_filter(x, h1.fs, t.plus, t.cross)
    assert mf.peak_time == pytest.approx(6.0, abs=0.003)
    assert mf.peak_snr == pytest.approx(12.0, abs=2.0)
    injected = type(h1)(x, h1.fs, h1.gps_start, "H1")
    shipped = [ev.template for ev in real.events.values()]
    # the GW150914 event itself (SNR 18.6) would win the whole file: search the first 12 s only
    at_inj = search(
        [type(injected)(x[: 12 * h1.fs], h1.fs, h1.gps_start, "H1")], template_bank(shipped, 12)
    )
    assert at_inj.peaks[0].time == pytest.approx(6.0, abs=0.01)
    assert 38.0 < at_inj.total_mass < 65.0 and at_inj.template == "GW150914"


def test_gr_mass_scaling_against_the_shipped_template(real):
    """Rescaled by lambda, the template's frequency track implies lambda x its chirp mass and its
    amplitude grows by lambda; the GW151226 template's own track gives its catalogue chirp mass
    (leading order, within 5 %: a low-mass, long inspiral is nearly Newtonian)."""
    t = real.events["GW150914"].template
    base = waveforms.chirp_mass_from_track(t, 20.0, 40.0)
    for lam in (0.5, 1.5, 2.0):
        r = waveforms.rescale(t, lam * t.total_mass)
        assert waveforms.chirp_mass_from_track(r, 20.0 / lam, 40.0 / lam) == pytest.approx(
            lam * base, rel=0.01
        )
        assert np.max(np.abs(r.plus + 1j * r.cross)) == pytest.approx(
            lam * np.max(np.abs(t.plus + 1j * t.cross)), rel=0.02
        )
    t2 = real.events["GW151226"].template
    assert waveforms.chirp_mass_from_track(t2, 20.0, 40.0) == pytest.approx(t2.chirp_mass, rel=0.05)
    assert base == pytest.approx(t.chirp_mass, rel=0.15)  # heavier, spinning: PN corrections show


def test_bank_search_statistic_on_injections(real):
    """The template-bank search statistic: loud injections score near their SNR (never above it by
    much: the bank holds the injected waveform), and it is at least the exact waveform's statistic
    less what the window cuts off; noise scores stay below the 1 % thresholds' range."""
    from mltutorial.apps.gw import injections as inj

    preps = inj.prepare_all(real)
    waves = [inj.whitened_waveforms(p, inj.default_bank(real, 3), 4096) for p in preps]
    rng = np.random.default_rng(0)
    sig = inj.make_windows(preps, waves, inj.TEST_SPAN, 12, np.array([15.0]), rng, 1.0, True)
    noise = inj.make_windows(preps, waves, inj.TEST_SPAN, 40, np.array([8.0]), rng, 0.0, True)
    b_sig, b_noise = inj.bank_statistic(sig, waves), inj.bank_statistic(noise, waves)
    assert np.all(b_sig < 15.0 * 1.15) and np.median(b_sig) > 15.0 * 0.85
    assert np.all(b_noise < 7.0) and np.all(b_noise >= noise.mf * 0.9)


def test_gw_search_cli_finds_gw150914(real, tmp_path, capsys):
    root = need_data(GW)
    args = ["gw", "search", str(root / H1_150914), str(root / L1_150914), "--out", str(tmp_path)]
    assert main([*args, "--masses", "6"]) == 0
    out = capsys.readouterr().out
    assert "H1  peak SNR" in out and "offset L1 - H1" in out
    assert (tmp_path / "gw_search_snr.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "gw_search_whitened.wav").read_bytes()[:4] == b"RIFF"


def _gwosc(path: Path, x: np.ndarray, fs: int = 4096) -> Path:
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("strain/Strain", data=x)
        ds.attrs["Xspacing"] = 1.0 / fs
        f["meta/GPSstart"] = 1000000000
        f["meta/Detector"] = b"H1"
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "not an HDF5 file"),
        ("other_hdf5", "not a GWOSC strain file"),
        ("short", "only 2.0 s of strain"),
        ("nan", "are NaN or infinite"),
        ("missing", "no such file"),
    ],
)
def test_bad_files_get_one_line_and_status_2(tmp_path, capsys, kind, message):
    p = tmp_path / f"{kind}.hdf5"
    rng = np.random.default_rng(0)
    if kind == "text":
        p.write_text("not hdf5\n")
    elif kind == "other_hdf5":
        with h5py.File(p, "w") as f:
            f["data"] = np.zeros(10)
    elif kind == "short":
        _gwosc(p, rng.normal(size=2 * 4096))
    elif kind == "nan":
        x = rng.normal(size=16 * 4096)
        x[100:200] = np.nan
        _gwosc(p, x)
    tpl = tmp_path / "t.hdf5"
    assert main(["gw", "search", str(p), "--template", str(tpl), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_three_files_and_bad_template_are_refused(tmp_path, capsys):
    good = _gwosc(tmp_path / "g.hdf5", np.random.default_rng(0).normal(size=16 * 4096))
    assert main(["gw", "search", str(good), str(good), str(good)]) == 2
    assert "one or two detector files" in capsys.readouterr().err
    assert main(["gw", "search", str(good), "--template", str(good)]) == 2
    assert "not a template file" in capsys.readouterr().err


def test_search_cli_without_the_dataset_uses_the_builtin_bank(no_real_data, tmp_path, capsys):
    s = builtin_sample().events["GW150914"].strains["H1"]
    f = _gwosc(tmp_path / "h1.hdf5", s.x)
    assert (
        main(["gw", "search", str(f), "--masses", "4", "--out", str(tmp_path / "o"), "--json"]) == 0
    )
    import json

    out = json.loads(capsys.readouterr().out)
    assert "built-in sample standing in for" in out["templates"]
    assert out["detectors"][0]["time_s"] == pytest.approx(16.44, abs=0.02)


def test_builtin_sample_is_labelled_and_searchable():
    data = builtin_sample()
    assert data.info.is_fallback and data.info.label.startswith("built-in sample standing in for")
    ev = data.events["GW150914"]
    res = search(list(ev.strains.values()), [ev.template])
    assert res.peaks[0].time == pytest.approx(16.44, abs=0.01) and res.peaks[0].snr > 10


def test_read_strain_reads_a_real_file():
    s = read_strain(need_data(GW) / H1_150914)
    assert s.detector == "H1" and s.fs == 4096 and s.gps_start == 1126259446 and len(s.x) == 131072


def _chapter(tmp_path):
    from mltutorial.apps.gw.chapter import CHAPTER

    return CHAPTER.run(ChapterContext(tmp_path, quick=True))


def test_chapter_without_data_says_so(no_real_data, tmp_path):
    out = _chapter(tmp_path)
    assert out.data.startswith("built-in sample standing in for")
    assert len(out.figures) == 3 and all(p.read_bytes()[:4] == b"\x89PNG" for p in out.figures)
    assert (tmp_path / "GW150914_H1_whitened.wav").is_file()


def test_chapter_on_real_data(real, tmp_path):
    out = _chapter(tmp_path)
    assert "built-in" not in out.data
    assert out.numbers["matched_filter"]["GW150914 H1"]["snr"] == pytest.approx(18.6, rel=0.05)
    et = out.numbers["einstein_telescope"]["ratio_to_h1"]
    assert 2.0 < et["aLIGO design"] < 4.0 and et["ET-D"] > 20  # measured: 2.75 and 41
    assert out.numbers["cnn"]["gw150914_found"]


@pytest.mark.slow
def test_cnn_against_the_matched_filter_tour_config(real):
    """The tour's CNN: finds GW150914 (never trained on it) above its 1 % false-alarm threshold,
    and comes within reach of the matched filter (the numbers it claims in the report).
    Measured, seeds 0-2 (2000 noise windows for the thresholds, 100 injections per SNR): CNN
    0.58-0.71 at SNR 8 against the matched filter's 0.98-1.0 and the bank search's 0.98-0.99; area
    ratio 0.75-0.77 (0.78-0.82 against the bank search). With twice the windows and injections:
    CNN 0.60-0.71, area ratio 0.77-0.78. The issue's goal (within 10 % at SNR 8) is not met: deeper or wider
    networks, longer kernels, three times the training, other training SNRs and phase-randomised
    training noise all stayed at 0.5-0.72 at SNR 8 (fresh recoloured batches: see the FULL test)."""
    from mltutorial.apps.gw import detection

    det = detection.run(real, detection.TOUR)
    for s in det.scan.values():
        assert abs(s["best_time"] - s["event_offset"]) < 0.5
        assert s["best_score"] > s["threshold"]
    assert det.at_snr8["matched filter"] > 0.95
    # the search pays for its trials, but little: the exact waveform's filter is the upper bound
    assert 0.9 < det.at_snr8[detection.BANK] <= det.at_snr8["matched filter"] + 0.02
    assert det.at_snr8["CNN"] > 0.5
    assert det.area_ratio > 0.65 and det.area_ratio_bank > det.area_ratio


def test_recolour_keeps_unit_variance_and_changes_only_the_spectrum():
    """Recoloured noise windows: unit variance each; amount 0 and no Gaussian fraction is the
    identity (up to the variance); a smooth gain leaves each window close to what it was; a full
    Gaussian fraction replaces the windows."""
    from mltutorial.apps.gw.injections import recolour

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1024))
    assert np.allclose(recolour(X, rng, 0.0), X / X.std(axis=1, keepdims=True), atol=1e-5)
    Y = recolour(X, rng, 0.3)
    assert np.allclose(Y.std(axis=1), 1.0, atol=1e-4) and not np.allclose(Y, X, atol=0.05)
    corr = np.mean(np.sum(Y * X, axis=1) / np.linalg.norm(Y, axis=1) / np.linalg.norm(X, axis=1))
    assert 0.8 < corr < 1.0
    G = recolour(X, rng, 0.0, gauss=1.0)
    assert abs(np.mean(np.sum(G * X, axis=1)) / 1024) < 0.05


def test_prepare_with_a_span_whitens_with_that_stretch_only(real):
    """A stretch prepared with its own PSD is unit-variance there, and its PSD does not depend on
    the rest of the file (the test noise never enters the training noise's whitening)."""
    from mltutorial.apps.gw import injections as inj

    strain = real.events["GW150914"].strains["H1"]
    a, b = (int(t * inj.FS_NET) for t in inj.TRAIN_SPAN)
    p = inj.prepare(strain, "GW150914", inj.TRAIN_SPAN)
    assert np.std(p.x[a:b]) == pytest.approx(1.0, rel=1e-6)
    other = dataclasses.replace(strain, x=strain.x.copy())
    other.x[int(inj.TEST_SPAN[0] * strain.fs) :] *= 3.0  # louder test stretch
    q = inj.prepare(other, "GW150914", inj.TRAIN_SPAN)
    assert np.allclose(q.psd[1], p.psd[1], rtol=1e-9, atol=0.0)
    whole = inj.prepare(other, "GW150914")  # the whole file's PSD sees the louder stretch
    assert np.median(whole.psd[1] / p.psd[1]) > 2.0


def test_fresh_batches_draw_new_windows_with_chirps_at_their_snr(real):
    from mltutorial.apps.gw import injections as inj

    preps = inj.prepare_all(real)
    waves = [inj.whitened_waveforms(p, inj.default_bank(real, 3), 4096) for p in preps]
    sample = inj.fresh_batches(preps, waves, (10.0, 10.0), np.random.default_rng(0), 32, 0.3, 0.5)
    (X1, y1, f1), (X2, y2, _) = sample(0), sample(1)
    assert X1.shape == (32, inj.FS_NET) and X1.dtype == np.float32 and set(y1) <= {0, 1}
    assert f1.shape == (32,) and set(f1) <= set(range(len(preps)))
    assert not np.allclose(X1, X2)
    # a chirp of SNR 10 in unit-variance noise: the window's energy grows by about 100
    e = np.sum(np.concatenate([X1, X2]).astype(np.float64) ** 2, axis=1) - inj.FS_NET
    y = np.concatenate([y1, y2])
    assert abs(np.median(e[y == 1]) - 100.0) < 60.0 and abs(np.median(e[y == 0])) < 60.0


def test_bank_filter_is_the_matched_filter_snr_series(real):
    """The MFCNN front layer: on a known chirp its SNR series at the merger is the two-quadrature
    matched filter computed by hand, and over every lag its largest value is the bank search's
    statistic (injections.bank_statistic) on the same windows."""
    from mltutorial.apps.gw import injections as inj
    from mltutorial.apps.gw.cnn import BankFilter

    preps = inj.prepare_all(real)
    waves = [inj.whitened_waveforms(p, inj.default_bank(real, 3), 4096) for p in preps]
    L, w, m = inj.FS_NET, 4, 700  # template 4, merger at sample 700 of the window
    hp, hc = waves[0][w]
    a = inj.MERGER - m
    x = 0.3 * hp[a : a + L] + 0.7 * hc[a : a + L] + np.random.default_rng(0).normal(size=L)
    front = BankFilter(waves[0], pool=4)
    rho = front.snr(x[None])[0]  # (T, L)
    norm = np.sqrt((hp @ hp + hc @ hc) / 2.0)
    by_hand = np.hypot(x @ hp[a : a + L], x @ hc[a : a + L]) / norm
    assert rho[w, m] == pytest.approx(by_hand, rel=1e-4)
    out = front(x[None].astype(np.float32))  # (1, 1, 1, L / 4): the bank's max, pooled
    assert out.shape == (1, 1, 1, L // 4) and out.max() == pytest.approx(rho.max(), rel=1e-6)

    ws = inj.make_windows(
        preps, waves, inj.TEST_SPAN, 24, np.array([9.0]), np.random.default_rng(1)
    )
    bank = inj.bank_statistic(ws, waves)
    for f in np.unique(ws.file):
        rows = ws.file == f
        full = BankFilter(waves[f]).snr(ws.X[rows], full=True)  # (n, T, L + W - 1)
        assert np.allclose(full.max(axis=(1, 2)), bank[rows], rtol=1e-4)


def test_bank_front_cnn_trains_and_needs_the_files(real):
    """A short training of the CNN with the matched-filter front: it runs, separates loud
    injections from noise, and refuses windows without their detector file."""
    from mltutorial.apps.gw import injections as inj
    from mltutorial.apps.gw.cnn import ChirpCNN

    preps = inj.prepare_all(real)
    waves = [inj.whitened_waveforms(p, inj.default_bank(real, 3), 4096) for p in preps]
    rng = np.random.default_rng(0)
    sample = inj.fresh_batches(preps, waves, (8.0, 16.0), rng, 32, 0.3, 1.0)
    model = ChirpCNN(front="bank", seed=0).fit_stream(sample, 60, inj.FS_NET, waves)
    ws = inj.make_windows(preps, waves, inj.TEST_SPAN, 80, np.array([15.0]), rng)
    assert model.score(ws.X, ws.y, ws.file) > 0.85
    with pytest.raises(ValueError, match="detector file"):
        model.decision_function(ws.X)
    with pytest.raises(ValueError, match="banks"):
        ChirpCNN(front="bank").fit_stream(sample, 1, inj.FS_NET)


@pytest.mark.slow
def test_cnn_against_the_matched_filter_full_config(real):
    """The longest run (detection.FULL: the matched-filter front layer, cnn.BankFilter, and a small
    CNN, 2000 fresh batches of recoloured Gaussian noise, one to two minutes of one core) meets
    the issue's goal, within 10 % of the matched filter at SNR 8, and finds GW150914.
    Measured with bench/gw_mfcnn.py (300 injections per SNR, 3000 noise windows), seeds 0-2: 0.97,
    0.97, 0.98 at SNR 8 against the matched filter's 1.00 and the bank search's 0.99; this run
    (`mltutorial gw detect --config full --seed S`, 100 injections per SNR), seeds 0-2: 0.98-0.99
    against 0.99-1.00, area ratio 0.90-0.93. The plain CNN's best (fresh recoloured batches,
    6000 steps): 0.82-0.83 at SNR 8, area ratio 0.84."""
    from mltutorial.apps.gw import detection

    det = detection.run(real, detection.FULL)
    for s in det.scan.values():
        assert abs(s["best_time"] - s["event_offset"]) < 0.5
        assert s["best_score"] > s["threshold"]
    assert det.at_snr8["matched filter"] > 0.95
    assert det.at_snr8["CNN"] >= 0.9 * det.at_snr8["matched filter"]
    assert det.area_ratio > 0.85


def test_gw_detect_cli_compares_the_cnn_with_the_matched_filter(tmp_path, capsys):
    """`gw detect --config quick`: the efficiency table, the GW150914 scan, the figure; on the real
    data when it is there, else on the built-in sample, which it names."""
    import json

    assert main(["gw", "detect", "--config", "quick", "--json", "--out", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["config"] == "quick" and out["snrs"] == [4.0, 6.0, 8.0, 10.0, 12.0]
    eff = out["efficiency"]
    assert set(eff) >= {"CNN", "matched filter"}
    assert all(0.0 <= e <= 1.0 for curve in eff.values() for e in curve)
    assert eff["matched filter"][-1] >= 0.9  # SNR 12: the optimal detector finds nearly all
    assert out["efficiency_at_snr8"]["CNN"] == eff["CNN"][2]
    assert set(out["gw150914_found"]) == {"H1", "L1"}
    assert Path(out["figure"]).read_bytes()[:4] == b"\x89PNG"
    assert main(["gw", "detect", "--config", "huge", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "invalid choice" in err[0]


@pytest.mark.parametrize(("front", "net"), [("none", "CNN"), ("bank", "MFCNN")])
def test_detection_figure_names_the_network_it_shows(tmp_path, monkeypatch, front, net):
    from mltutorial import viz
    from mltutorial.apps.gw import plots
    from mltutorial.apps.gw.detection import BANK, Detection

    snrs = np.array([4.0, 8.0, 12.0])
    t = np.linspace(0.0, 32.0, 9)
    det = Detection(
        snrs=snrs,
        efficiency={"CNN": snrs / 12, "matched filter": snrs / 12, BANK: snrs / 12},
        thresholds={"CNN": 1.0},
        area_ratio=0.9,
        area_ratio_bank=0.95,
        at_snr8={"CNN": 0.67, "matched filter": 0.67, BANK: 0.67},
        train_accuracy=0.9,
        scan={"H1": {"t": t, "score": t / 32, "best_time": 16.4, "event_offset": 16.4}},
        losses=[0.7],
        config={"front": front},
    )
    seen = {}
    save = viz.save

    def keep(fig, path, title=None):
        left, right = fig.axes[:2]
        seen.update(title=title, left=left.get_title(), right=right.get_title())
        seen["first"] = left.get_lines()[0].get_label()
        return save(fig, path, title)

    monkeypatch.setattr(viz, "save", keep)
    assert plots.plot_detection(det, tmp_path / "gw_cnn.png").stat().st_size > 0
    assert seen["first"].startswith(f"{net}: ")
    assert seen["left"].startswith(f"1 % false alarms; {net}'s area")
    assert seen["right"] == f"The {net} scans GW150914 (never trained on it)"
    assert ("MFCNN" in seen["title"]) == (front == "bank")
