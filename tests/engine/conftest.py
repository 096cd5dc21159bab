"""Engine tests: make the oracle helpers (oracle.py) importable as `from oracle import check_op`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
