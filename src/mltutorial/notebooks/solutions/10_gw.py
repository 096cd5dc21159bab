# %% [markdown]
# # Solutions · 10 · Gravitational waves

# %%
import numpy as np

from mltutorial.exercises import gw as ex

# %% [markdown]
# **1.** A one-sided PSD S(f) means a per-sample variance of S · fs / 2 for white noise; dividing
# by its square root at each frequency leaves unit-variance white noise.


# %%
def whiten_simple(x, fs, psd):
    return np.fft.irfft(np.fft.rfft(x) / np.sqrt(psd * fs / 2), len(x))


assert ex.check_whiten(whiten_simple)

# %% [markdown]
# **2.** In white noise of unit variance, Σ n[t + k] h[k] has standard deviation ‖h‖: dividing by
# it makes the correlation an SNR. The notebook's Fourier-domain filter is this, weighted by 1/PSD.


# %%
def matched_filter_white(x, h):
    return np.correlate(x, h, mode="valid") / np.linalg.norm(h)


assert ex.check_matched_filter(matched_filter_white)

# %% [markdown]
# **3.** The chirp mass; GW150914's template gives about 30 solar masses.


# %%
def chirp_mass(m1, m2):
    return (m1 * m2) ** 0.6 / (m1 + m2) ** 0.2


assert ex.check_chirp_mass(chirp_mass)
print(f"GW150914's template: Mc = {chirp_mass(41.743, 29.237):.1f} solar masses")
