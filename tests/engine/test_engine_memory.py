"""engine/memory.py: freed arrays are reused, not faulted in afresh, and the switch turns it off."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc only"
)

# A training step's pattern: several multi-megabyte arrays allocated, written and freed, again
# and again. Counts the minor page faults of the repeated part.
PROBE = """
import json, resource
import numpy as np
from mltutorial import engine
tuned = engine.keep_freed_memory()

def step():
    arrays = [np.ones((512, 1024), np.float32) * k for k in range(6)]  # 2 MiB each
    return float(sum(a[0, 0] for a in arrays))

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"tuned": tuned, "faults_per_step": faults / 20}))
"""


def probe(keep: str) -> dict:
    env = {**os.environ, "MLTUTORIAL_KEEP_MEMORY": keep}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@glibc
def test_freed_arrays_come_back_without_page_faults():
    kept, plain = probe("1"), probe("0")
    assert kept["tuned"] is True and plain["tuned"] is False
    # six 2 MiB arrays a step are 3,072 fresh pages when each comes from a new mapping
    assert kept["faults_per_step"] < 50, kept
    assert plain["faults_per_step"] > 10 * max(kept["faults_per_step"], 10), (kept, plain)


def test_switched_off_by_the_environment(monkeypatch):
    from mltutorial.engine import memory

    monkeypatch.setenv("MLTUTORIAL_KEEP_MEMORY", "0")
    assert memory.keep_freed_memory() is False
