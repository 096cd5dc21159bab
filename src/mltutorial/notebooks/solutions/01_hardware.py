# %% [markdown]
# # Solutions · 01 · Hardware

# %%
import statistics
import time

from mltutorial.exercises import hardware as ex


# %%
def gflops(n, seconds):
    return 2 * n**3 / seconds / 1e9  # n*n outputs, each n multiplies and n adds


assert ex.check_gflops(gflops)


# %%
def median_seconds(work, repeats, sync):
    work()  # warm-up: first-touch memory, kernel compilation on a GPU
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        sync()  # the GPU may still be working: wait before stopping the clock
        times.append(time.perf_counter() - start)
    return statistics.median(times)


assert ex.check_timer(median_seconds)
