"""Assemble bench/RESULTS.md from the sections each benchmark writes to bench/results/<name>.md.

Each `bench/<name>.py` measures mltutorial beside its peer (PyTorch, scikit-learn, ...) on the same data
in one run and writes its own section; this script only concatenates them in a fixed order, under a
header that says how to read them. Run: `python bench/collect.py`.
"""

from __future__ import annotations

import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "engine",
    "hardware",
    "complexity",
    "spam",
    "recommend",
    "textgen",
    "textgen_parts",
    "textgen_seeds",
    "tour",
    "live_load",
    "live_slides",
    "playground",
]


def main() -> None:
    sections = sorted((HERE / "results").glob("*.md"))
    ranked = sorted(
        sections, key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem)
    )
    header = [
        "# Benchmarks: mltutorial beside its peers",
        "",
        "Each section below was written by `python bench/<name>.py`, which runs mltutorial and the peer",
        "a user would pick on the same data, in the same process, interleaved, and reports **ratios**",
        "(ours / peer, lower is better for time) and accuracies. Absolute seconds are not the claim:",
        "these machines are shared and noisy. Regenerate this file with `python bench/collect.py`.",
        "",
        f"Assembled on {platform.machine()} / Python {platform.python_version()}.",
        "",
    ]
    body = [p.read_text(encoding="utf-8").strip() + "\n" for p in ranked]
    (HERE / "RESULTS.md").write_text("\n".join(header) + "\n".join(body), encoding="utf-8")
    print(f"bench/RESULTS.md: {len(ranked)} sections ({', '.join(p.stem for p in ranked)})")


if __name__ == "__main__":
    main()
