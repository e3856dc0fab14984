"""What differs between two runs of the same notebook, and its removal.

Executed notebooks are part of the published record and of the execution cache, so
two runs from the same inputs must write the same bytes. papermill and nbclient
record timings and paths, nbformat gives new cells random ids, and ipykernel's
compiler names each cell's code by a file in a folder named after the kernel's pid,
which every warning a cell raises prints. And a kernel's output streams are sent in
pieces whose boundaries depend on timing: `print(x)` writes the value and the line end
separately, and a busy machine can send them as two messages (measured with fresh
ipykernel kernels under load), so consecutive pieces of one stream are joined.
"""

from __future__ import annotations

import os
import re
import tempfile

import nbformat

# ipykernel's cell files: <temp dir>/ipykernel_<pid>/<hash of the code>.py. The hash
# is the code's; only the folder differs between runs.
_CELL_FOLDER = re.compile(
    re.escape(tempfile.gettempdir() + os.sep) + r"ipykernel_\d+" + re.escape(os.sep)
)


def strip_run_details(notebook: nbformat.NotebookNode) -> None:
    """Remove, in place, what makes executed notebooks differ between runs.

    papermill's and nbclient's timings, papermill's record of the input and output
    paths, the random cell ids (replaced by ids from the cell's position), stream
    output split at timing-dependent places (consecutive pieces of stdout, or of
    stderr, joined into one output, as Jupyter front ends show them), and the
    kernel's pid in the names of cell files that streams and tracebacks print (a
    warning's `/tmp/ipykernel_4242/2608338407.py:2: UserWarning` becomes
    `2608338407.py:2: UserWarning`).
    """
    papermill_meta = notebook.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill_meta.pop(key, None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = joined_streams(cell["outputs"])
        for output in cell.get("outputs", []):
            _drop_cell_folder(output)
        meta = cell.metadata.get("papermill")
        if meta is not None:
            for key in ("start_time", "end_time", "duration"):
                meta.pop(key, None)


def joined_streams(outputs: list) -> list:
    """The outputs with each run of consecutive pieces of one stream joined into one."""
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] = _text(previous["text"]) + _text(output["text"])
        else:
            joined.append(output)
    return joined


def _text(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def _drop_cell_folder(output: nbformat.NotebookNode) -> None:
    if output.get("output_type") == "stream" and isinstance(output.get("text"), str):
        output["text"] = _CELL_FOLDER.sub("", output["text"])
    elif output.get("output_type") == "error":
        output["evalue"] = _CELL_FOLDER.sub("", output.get("evalue", ""))
        output["traceback"] = [_CELL_FOLDER.sub("", line) for line in output["traceback"]]
