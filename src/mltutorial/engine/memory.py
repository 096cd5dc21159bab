"""Keep freed memory for the next training step (glibc's malloc, Linux).

A training step allocates the same arrays every time: activations, their gradients, im2col
columns, a few kilobytes to tens of megabytes each. NumPy asks the C library for them and gives
them back at the end of the step. glibc's malloc then returns the top of its heap to the kernel
(`trim`) and serves large requests with fresh `mmap`s, so the next step touches new pages: the
kernel maps and zeroes every 4 KiB page on first touch. Over a step of the baby GPT that is
thousands of page faults, time that PyTorch's caching never pays.

`keep_freed_memory()` raises two thresholds with `mallopt`, once per process: arrays up to
`mmap_threshold` come from the heap, and up to `trim_threshold` of free memory stays at the heap's
top for the next request instead of going back to the kernel. It bounds what is kept, so a
process's footprint grows by at most `trim_threshold` over what it really uses.

The engine calls it when imported; `MLTUTORIAL_KEEP_MEMORY=0` in the environment turns it off. On
other C libraries and systems it does nothing and says so by returning False.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 24 << 20  # above the baby GPT step's churn, below what the tour can spare


def keep_freed_memory(
    mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD
) -> bool:
    """Tune glibc's malloc as above; True if both settings took effect."""
    if os.environ.get("MLTUTORIAL_KEEP_MEMORY", "1") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # Order matters: setting the trim threshold alone also freezes the mmap threshold at its
    # default 128 KiB, which sends every mid-sized array to mmap.
    ok = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1
    return mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1 and ok
