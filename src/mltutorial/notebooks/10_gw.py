# %% [markdown]
# # 10 · Gravitational waves: hear GW150914, and what the Einstein Telescope would hear
#
# > **Slide:** "Can you write a poem about Einstein Telescope in less than 100 words?"
#
# The poem's Einstein Telescope will listen for what LIGO first heard on 14 September 2015. Here
# you follow the LIGO/GWOSC tutorial's recipe step by step on the real strain (`MLTUTORIAL_DATA`,
# or a labelled built-in sample: a Newtonian chirp in coloured noise): estimate the noise spectrum,
# whiten, see the chirp in a spectrogram, find it with the matched filter, hear it, and train a
# tiny 1-D CNN on the engine that learns to hear chirps in real detector noise.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio, display
from scipy import signal
from scipy.io import wavfile

from mltutorial import engine
from mltutorial.apps.gw import filtering, injections
from mltutorial.data.gwosc import load_gravitational_waves
from mltutorial.engine import nn, optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
data = load_gravitational_waves()
print("data:", data.info.label)
event = data.events["GW150914"]
h1, l1 = event.strains["H1"], event.strains["L1"]
fs = h1.fs
t_event = event.offset("H1")  # seconds after the start of the 32 s file
t = np.arange(len(h1.x)) / fs
print(f"{h1.duration:.0f} s of strain at {fs} Hz per detector; the event at {t_event:.2f} s")
near = np.abs(t - t_event) < 0.2
plt.plot(t[near] - t_event, h1.x[near], label="H1")
plt.plot(t[near] - t_event, l1.x[near], label="L1")
plt.xlabel("seconds from the event")
plt.ylabel("strain")
plt.legend()
plt.show()

# %% [markdown]
# No chirp to see: the strain is about 1e-19, the wave's about 1e-21, and the noise is loudest at
# low frequencies. So first: how loud is the noise at each frequency?
#
# ## The noise spectrum (Welch: average the spectra of 4 s Hann-windowed segments)

# %%
nper = 4 * fs
f_psd, psd_h1 = signal.welch(h1.x, fs=fs, window="hann", nperseg=nper, noverlap=nper // 2)
_, psd_l1 = signal.welch(l1.x, fs=fs, window="hann", nperseg=nper, noverlap=nper // 2)
plt.loglog(f_psd, np.sqrt(psd_h1), label="H1")
plt.loglog(f_psd, np.sqrt(psd_l1), label="L1")
plt.xlim(10, 2000)
plt.xlabel("frequency (Hz)")
plt.ylabel("ASD (strain / √Hz)")
plt.legend()
plt.show()

# %% [markdown]
# ## Whitening: divide the Fourier transform by the amplitude spectral density
# Then every frequency has the same noise level, and a unit of the result is one noise standard
# deviation. The Tukey window keeps the file's ends from ringing; the band-pass keeps the band where
# the event's energy is.


# %%
def whiten(x, fs, f_psd, psd):
    n = len(x)
    xf = np.fft.rfft(x * signal.windows.tukey(n, 1 / 8))
    f = np.fft.rfftfreq(n, 1 / fs)
    asd = np.sqrt(np.interp(f, f_psd, psd) * fs / 2)  # per-sample variance of S is S · fs / 2
    return np.fft.irfft(xf / asd, n)


sos = signal.butter(4, event.fband, btype="bandpass", fs=fs, output="sos")
white = {}
for name, strain, psd in (("H1", h1, psd_h1), ("L1", l1, psd_l1)):
    white[name] = signal.sosfiltfilt(sos, whiten(strain.x, fs, f_psd, psd))
# the app's own function does the same:
assert np.allclose(whiten(h1.x, fs, f_psd, psd_h1), filtering.whiten(h1.x, fs, f_psd, psd_h1))

near = np.abs(t - t_event) < 0.15
plt.plot(t[near] - t_event, white["H1"][near], label="H1 whitened")
plt.plot(t[near] - t_event, white["L1"][near], label="L1 whitened", alpha=0.7)
plt.xlabel("seconds from the event")
plt.ylabel("noise standard deviations")
plt.legend()
plt.show()

# %% [markdown]
# ## The chirp in a spectrogram: the frequency rises to the merger

# %%
nper = fs // 16
f_sp, t_sp, power = signal.spectrogram(
    whiten(h1.x, fs, f_psd, psd_h1), fs=fs, nperseg=nper, noverlap=nper * 15 // 16
)
keep_t = np.abs(t_sp - t_event) < 1.0
keep_f = (f_sp > 20) & (f_sp < 500)
plt.pcolormesh(t_sp[keep_t] - t_event, f_sp[keep_f], power[np.ix_(keep_f, keep_t)], cmap="viridis")
plt.yscale("log")
plt.xlabel("seconds from the event")
plt.ylabel("frequency (Hz)")
plt.title("H1, whitened")
plt.show()

# %% [markdown]
# ## The matched filter: slide the template along the data, weighted by 1/PSD
# The template is general relativity's waveform of the fitted binary at 1 Mpc (plus + i·cross).
# Correlating in the Fourier domain, SNR(t) = |∫ d̃(f) h̃*(f) / S(f) e^{2πift} df| / σ, with
# σ² = ∫ |h̃(f)|² / S(f) df: the template's own loudness in this noise.

# %%
tmpl = event.template
print(f"template: {tmpl.approximant}, m1 = {tmpl.m1:.1f}, m2 = {tmpl.m2:.1f} solar masses")


def matched_filter(x, fs, f_psd, psd, plus, cross):
    n = len(x)
    h = np.zeros(n, complex)
    m = min(n, len(plus))
    h[:m] = (plus + 1j * cross)[len(plus) // 2 - m // 2 :][:m]  # template centred on its merger
    window = signal.windows.tukey(n, 1 / 8)
    d_f = np.fft.fft(x * window) / fs
    h_f = np.fft.fft(h * window) / fs
    f = np.fft.fftfreq(n, 1 / fs)
    power = np.interp(np.abs(f), f_psd, psd)
    df = fs / n
    optimal = 2 * np.fft.ifft(d_f * h_f.conj() / power) * fs
    sigma = np.sqrt(np.abs(np.sum(h_f * h_f.conj() / power) * df))
    return np.abs(np.roll(optimal / sigma, m // 2))  # time = where the template's centre sits


snr = {}
for name, strain, psd in (("H1", h1, psd_h1), ("L1", l1, psd_l1)):
    snr[name] = matched_filter(strain.x, fs, f_psd, psd, tmpl.plus, tmpl.cross)
edge = len(t) // 16  # the Tukey window's ends hold no information
peak = {k: edge + int(np.argmax(v[edge:-edge])) for k, v in snr.items()}
for k in snr:
    print(f"{k}: peak SNR {snr[k][peak[k]]:.1f} at {t[peak[k]]:.4f} s")
print(f"H1 - L1: {1e3 * (t[peak['H1']] - t[peak['L1']]):.1f} ms (light takes 10 ms between them)")
app = filtering.matched_filter(h1.x, fs, tmpl.plus, tmpl.cross, (f_psd, psd_h1))
print(f"the app's matched filter: H1 SNR {app.peak_snr:.1f} at {app.peak_time:.4f} s")
for k in snr:
    plt.plot(t - t_event, snr[k], label=k)
plt.xlim(-0.5, 0.5)
plt.xlabel("seconds from the event")
plt.ylabel("SNR")
plt.legend()
plt.show()

# %% [markdown]
# ## Hear it
# Two seconds of whitened H1 before the merger, as a WAV file; the second is shifted up by 400 Hz
# (the chirp sweeps 35-250 Hz, low for small speakers).

# %%
i = peak["H1"]
clip = white["H1"][i - 2 * fs : i + fs // 2]


def write_wav(path, x, fs):
    pcm = np.int16(np.round(x / np.max(np.abs(x)) * 0.9 * 32767))  # 16-bit, 90 % full scale
    wavfile.write(path, fs, pcm)
    return path


shifted = np.real(signal.hilbert(clip) * np.exp(2j * np.pi * 400 * np.arange(len(clip)) / fs))
display(Audio(write_wav("GW150914_H1_whitened.wav", clip, fs)))
display(Audio(write_wav("GW150914_H1_shifted_400Hz.wav", shifted, fs)))

# %% [markdown]
# ## What the Einstein Telescope would hear
# The template is the wave at 1 Mpc, so its σ in a noise curve is its SNR at 1 Mpc, and the SNR
# falls as 1/distance: the same merger in another detector has SNR = measured SNR × σ_X / σ_H1.
# (The template starts near 6 Hz, so ET's reach below that is not counted; redshift is neglected.)

# %%
sigma = {"H1 measured (2015)": filtering.template_sigma(tmpl.plus, fs, f_psd, psd_h1)}
for name, (f_curve, psd_curve) in data.curves.items():
    sigma[name] = filtering.template_sigma(tmpl.plus, fs, f_curve, psd_curve)
rho_h1 = snr["H1"][peak["H1"]]
for name, s in sigma.items():
    print(f"{name:20} SNR {rho_h1 * s / sigma['H1 measured (2015)']:7.1f}")
plt.loglog(f_psd, psd_h1, label="H1 measured (2015)")
for name, (f_curve, psd_curve) in data.curves.items():
    plt.loglog(f_curve, psd_curve, label=name)
plt.xlim(5, 2048)
plt.xlabel("frequency (Hz)")
plt.ylabel("PSD (1/Hz)")
plt.legend()
plt.show()

# %% [markdown]
# ## A CNN that hears chirps (after Gabbard et al. 2018)
# One-second windows of whitened real noise (1024 Hz, away from the events: the network never
# sees GW150914), half with a chirp injected at a known SNR. The chirps are the templates rescaled
# in mass. Edit the layers, the number of windows, the epochs.

# %%
preps = injections.prepare_all(data)  # each file whitened, band-passed, decimated to 1024 Hz
bank = injections.default_bank(data, 3)  # both templates at 3 total masses, 20-80 solar masses
waves = [injections.whitened_waveforms(p, bank, fs) for p in preps]
rng = np.random.default_rng(0)
n_train = 600 if QUICK else 4000
train = injections.make_windows(preps, waves, injections.TRAIN_SPAN, n_train, (8.0, 16.0), rng)
test = injections.make_windows(preps, waves, injections.TEST_SPAN, 400, (8.0, 16.0), rng)
print(train.X.shape, "training windows,", int(train.y.sum()), "with a chirp")
plt.plot(np.arange(1024) / 1024, train.X[np.argmax(train.y)])
plt.title(f"a training window with a chirp at SNR {train.snr[np.argmax(train.y)]:.1f}")
plt.xlabel("seconds")
plt.show()

# %%
engine.manual_seed(0)
cnn = nn.Sequential(  # a Conv1d as Conv2d with 1×k kernels on (N, 1, 1, T)
    nn.Conv2d(1, 4, (1, 16)), nn.ReLU(), nn.MaxPool2d((1, 4)),  # (N, 4, 1, 252)
    nn.Conv2d(4, 8, (1, 8)), nn.ReLU(), nn.MaxPool2d((1, 4)),  # (N, 8, 1, 61)
    nn.Conv2d(8, 8, (1, 8)), nn.ReLU(), nn.MaxPool2d((1, 54)),  # (N, 8, 1, 1): the loudest spot
    nn.Flatten(), nn.Linear(8, 2),
)  # fmt: skip
opt = optim.Adam(cnn.parameters(), lr=3e-3)
losses = []
for _ in range(3 if QUICK else 8):
    for idx in np.array_split(rng.permutation(n_train), n_train // 32):
        logits = cnn(engine.tensor(train.X[idx, None, None, :]))
        loss = F.cross_entropy(logits, engine.tensor(train.y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
with engine.no_grad():
    p_test = cnn(engine.tensor(test.X[:, None, None, :])).softmax(dim=-1).numpy()
print(f"held-out windows: accuracy {np.mean(p_test.argmax(1) == test.y):.1%} (chance 50 %)")
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("cross-entropy")
plt.show()

# %% [markdown]
# ## Slide it over the GW150914 file, which it never saw

# %%
x_h1 = next(p.x for p in preps if p.event == "GW150914" and p.detector == "H1")
starts = np.arange(1024, len(x_h1) - 2048, 128)  # every 1/8 s, skipping the windowed ends
windows = np.stack([x_h1[s : s + 1024] for s in starts]).astype(np.float32)
with engine.no_grad():
    p_chirp = cnn(engine.tensor(windows[:, None, None, :])).softmax(dim=-1).numpy()[:, 1]
centres = (starts + 512) / 1024
best = int(np.argmax(p_chirp))
print(f"most chirp-like window: {centres[best]:.2f} s, chirp ({p_chirp[best]:.2f});"
      f" the event is at {t_event:.2f} s")  # fmt: skip
plt.plot(centres, p_chirp)
plt.axvline(t_event, color="k", ls="--", label="GW150914")
plt.xlabel("window centre (s)")
plt.ylabel("P(chirp)")
plt.legend()
plt.show()

# %% [markdown]
# On the QUICK setting the CNN trains on 600 windows for three epochs; with QUICK off, on 4,000
# windows for eight. The matched filter, given the exact waveform, is the optimal detector: the
# CNN learns to come close without being told the waveform. `mltutorial gw` runs the full
# comparison at a 1 % false-alarm rate, and the Einstein Telescope's noise curve.
#
# ## Exercises
# **1.** Whiten: divide the data's Fourier transform by the amplitude spectral density (no window
# here; `psd` is given at the frequencies `np.fft.rfftfreq(len(x), 1 / fs)`).

# %%
from mltutorial.exercises import gw as ex


def whiten_simple(x, fs, psd): ...  # your code here


ex.check_whiten(whiten_simple)

# %% [markdown]
# **2.** The matched filter in white noise of unit variance: the SNR of template `h` at every lag
# of `x` (the correlation, in units of the noise's standard deviation).


# %%
def matched_filter_white(x, h): ...  # your code here


ex.check_matched_filter(matched_filter_white)

# %% [markdown]
# **3.** The inspiral's frequency sweep measures one combination of the two masses best: the chirp
# mass. Write it, then compute GW150914's from the template's masses.


# %%
def chirp_mass(m1, m2): ...  # your code here


ex.check_chirp_mass(chirp_mass)
