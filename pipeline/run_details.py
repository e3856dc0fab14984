"""What differs between two runs of the same notebook, and its removal.

Executed notebooks are part of the published record and of the execution cache, so
two runs from the same inputs must write the same bytes. papermill and nbclient
record timings and paths, and nbformat gives new cells random ids.
"""

from __future__ import annotations

import nbformat


def strip_run_details(notebook: nbformat.NotebookNode) -> None:
    """Remove, in place, what makes executed notebooks differ between runs.

    papermill's and nbclient's timings, papermill's record of the input and output
    paths, and the random cell ids (replaced by ids from the cell's position).
    """
    papermill_meta = notebook.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill_meta.pop(key, None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        meta = cell.metadata.get("papermill")
        if meta is not None:
            for key in ("start_time", "end_time", "duration"):
                meta.pop(key, None)
