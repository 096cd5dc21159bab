"""Execute a built notebook in a fresh kernel (nbclient), with the environment a test chooses."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mltutorial import notebook_build

SRC = Path(notebook_build.__file__).parent / "notebooks"


def execute(source: Path, env: dict[str, str], cwd: Path, timeout: int = 120):
    """Build `source` to a notebook, run every cell in a new kernel; return the executed notebook.

    A cell that raises makes nbclient raise CellExecutionError with the cell and the traceback.
    """
    nb = nbformat.reads(notebook_build.build(source), as_version=4)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def outputs(nb, output_type: str | None = None) -> list:
    return [
        o
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if output_type is None or o.output_type == output_type
    ]
