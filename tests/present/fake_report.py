"""A report folder as the tour writes it (results.json, a figure per chapter), for the present tests."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

CHAPTERS = {
    "complexity", "rl", "spam", "recommend", "translate", "textgen", "neuron", "gradient_descent",
    "worst_case", "networks", "convolution", "universal_approximation", "practice", "vision",
    "anomaly", "live", "hardware",
}  # fmt: skip


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG file, tiny: one colour."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def write_report(folder: Path, chapters: set[str] | None = None) -> Path:
    """A tour report folder: results.json and one figure per chapter, in the tour's layout."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name in sorted(chapters if chapters is not None else CHAPTERS):
        (folder / name).mkdir(exist_ok=True)
        (folder / name / f"{name}.png").write_bytes(png())
        entries[name] = {
            "title": f"The {name} chapter",
            "order": 1,
            "status": "ok",
            "seconds": 1.0,
            "numbers": {"accuracy": 0.9876, "count": 1234, "nested": {"value": 0.5}},
            "figures": [f"{name}/{name}.png"],
        }
    # the numbers the default talk reads
    extra = {
        "spam": {"neuron_f1": 0.916},
        "recommend": {"models": {"hybrid": {"rmse": 0.968}}},
        "neuron": {"test_accuracy": 0.951},
        "worst_case": {"diverged_cost": 1463723.875, "diverged_step": 14},
        "networks": {
            "dense_first_layer_params": {"224x224x3 -> 150528": 22658829312},
            "cat_probability": 0.999,
        },
        "convolution": {"param_ratio_mlp_over_cnn": 73.4},
    }
    for name, numbers in extra.items():
        if name in entries:
            entries[name]["numbers"].update(numbers)
    (folder / "results.json").write_text(json.dumps({"quick": True, "chapters": entries}))
    return folder
