# %% [markdown]
# # Solutions · 18 · Comparing complexity

# %%
from mltutorial import engine
from mltutorial.engine import nn
from mltutorial.exercises import complexity as ex


# %%
def conv_params(c_in, c_out, k):
    return c_out * (c_in * k * k + 1)


assert ex.check_conv_params(conv_params)


# %%
def conv_macs(c_in, c_out, k, h_out, w_out):
    return c_in * k * k * c_out * h_out * w_out


assert ex.check_conv_macs(conv_macs)

# %% [markdown]
# The engine agrees: VGG-16's first layer, 3 → 64 channels, 3×3, on 224×224.

# %%
s = engine.summary(nn.Conv2d(3, 64, 3, padding=1), (1, 3, 224, 224))
assert s.total_params == conv_params(3, 64, 3)
assert s.total_macs == conv_macs(3, 64, 3, 224, 224)
