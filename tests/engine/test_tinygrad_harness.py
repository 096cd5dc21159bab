"""bench/tinygrad_ops.py classifies each case right: a small file in the shape of tinygrad's
test_ops.py (written here, not copied) with one case of each outcome."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tinygrad_ops.py"

CASES = """
import unittest, math
import numpy as np
import torch
from tinygrad import Tensor, dtypes

def helper_test_op(*a, **k): raise RuntimeError("replaced by the harness")

class TestOps(unittest.TestCase):
  def test_pass(self):
    helper_test_op([(3, 4)], lambda x: (x * 2).exp().sum(1))
    helper_test_op(None, lambda x: x // 2, forward_only=True, vals=[[3, -4, 5]])
  def test_missing(self):
    helper_test_op([(3, 4)], lambda x: x.no_such_op())
    helper_test_op([(3, 4)], lambda x: x.only_in_torch())
  def test_wrong(self):
    helper_test_op([(3, 4)], lambda x: x.not_torchs())
  def test_tinygrad_only_lines_are_skipped(self):
    Tensor.ones(3).numpy()
    helper_test_op([(3,)], lambda x: x.relu())
  def test_exception(self):
    self.helper_test_exception([(3,)], lambda x: x.sum(5), expected=IndexError)
"""


@pytest.fixture()
def harness():
    spec = importlib.util.spec_from_file_location("tinygrad_ops", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["tinygrad_ops"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("tinygrad_ops", None)


def test_each_outcome_is_counted(harness, tmp_path: Path, monkeypatch) -> None:
    import torch

    from mltutorial import engine

    # a "wrong" op: on torch it doubles, on the engine it triples
    monkeypatch.setattr(torch.Tensor, "not_torchs", lambda x: x * 2, raising=False)
    monkeypatch.setattr(engine.Tensor, "not_torchs", lambda x: x * 3, raising=False)
    monkeypatch.setattr(torch.Tensor, "only_in_torch", lambda x: x + 1, raising=False)
    path = tmp_path / "test_ops.py"
    path.write_text(CASES)
    r = harness.run(path, None, verbose=False)
    assert r.counts["pass"] == 3
    assert r.counts["missing"] == 1
    assert r.counts["torch raises (not counted)"] == 1
    assert r.counts["WRONG"] == 1 and "test_wrong" in r.wrong[0]
    assert r.exceptions["raises the same type"] == 1
    assert "WRONG answers" in harness.report(r, 1.0)


def test_missing_file_is_one_line_and_exit_2(harness, capsys) -> None:
    assert harness.main(["/nonexistent/test_ops.py"]) == 2
    assert "is not a file" in capsys.readouterr().err
