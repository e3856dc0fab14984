"""Execute one notebook with papermill: validated parameters, IPC kernels, clean output.

papermill writes `name = value` source lines into the notebook, so a parameter name
is code and a value of an unexpected type (a tuple, an object) is rendered with its
repr. Both are checked here before papermill sees them. papermill's output notebook
marks every cell as completed even after a crash or a timeout, so success is decided
by the exception it raises, never by the notebook.

Each notebook runs in a process of its own, started for it and gone after it: a notebook
shell by default (pipeline.shell_client), or a Jupyter kernel (pipeline.kernels; see
`kernel_mode`). The notebook is written once at
the end (and once on failure) rather than papermill's two saves per cell, which cost
more CPU than some of the cells; it goes to papermill in memory, captions localised,
and comes back already stripped of timings and random ids (pipeline.execute_engine).
"""

from __future__ import annotations

import keyword
import math
import time
from pathlib import Path
from typing import Any

import nbformat

from pipeline import kernels
from pipeline.captions import localise_captions
from pipeline.cell_options import OPTION_LINE
from pipeline.errors import ExecutionError, UsageError
from pipeline.kernel_template import kernel_mode
from pipeline.kernels import IPCKernelManager
from pipeline.run_details import strip_run_details

__all__ = [
    "IPCKernelManager",
    "cell_label",
    "execute_notebook",
    "localise_notebook",
    "normalise_notebook",
    "validate_parameters",
]

_SCALARS = (str, int, float, bool, type(None))


def validate_parameters(parameters: dict[str, Any]) -> None:
    """Check that parameters are safe to hand to papermill.

    Args:
        parameters: Parameter names and values.

    Raises:
        UsageError: A name is not a plain identifier (or is a keyword), or a value is
            not made of str, int, float, bool, None, list and dict (str keys) only.
    """
    for name, value in parameters.items():
        if type(name) is not str or not name.isidentifier() or keyword.iskeyword(name):
            raise UsageError(f"parameter name {name!r} is not a Python identifier")
        if name.startswith("__"):
            raise UsageError(f"parameter name {name!r} may not start with '__'")
        _check_value(name, value)


def _check_value(path: str, value: Any) -> None:
    # Exact types only: papermill writes a value through its own methods, so a str or
    # int subclass could carry code in an overridden __format__ or encode.
    if type(value) is float and not math.isfinite(value):
        raise UsageError(f"parameter {path}: {value!r} is not a finite number")
    if type(value) in _SCALARS:
        return
    if type(value) is list:
        for i, item in enumerate(value):
            _check_value(f"{path}[{i}]", item)
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise UsageError(f"parameter {path}: key {key!r} is not a string")
            _check_value(f"{path}[{key!r}]", item)
        return
    raise UsageError(
        f"parameter {path}: type {type(value).__name__} is not allowed "
        "(str, int, float, bool, None, list, dict)"
    )


def localise_notebook(
    notebook: nbformat.NotebookNode, lang: str, name: str
) -> nbformat.NotebookNode:
    """Give a notebook's labelled cells their captions and alt text in `lang`.

    The texts come from the catalog `captions_<name>` (`pipeline.captions`); Quarto and
    the built-in renderer read them as the usual `fig-cap`, `tbl-cap` and `fig-alt`.

    Args:
        notebook: The source notebook (not modified).
        lang: The report language.
        name: The notebook's file stem, which names its caption catalog.

    Returns:
        A copy whose cells carry their caption options.
    """
    return localise_captions(notebook, lang, name)


def cell_label(source: str) -> str | None:
    """Return a cell's `#| label:` value, if it has one."""
    for line in source.splitlines():
        match = OPTION_LINE.match(line)
        if match and match.group(1) == "label":
            return match.group(2).strip().strip("'\"")
    return None


def execute_notebook(
    source: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    lang: str,
    cwd: Path,
    timeout_seconds: int,
    memory_mb: int = 0,
) -> None:
    """Execute `source` with papermill into `output`, or raise ExecutionError.

    Args:
        source: The notebook in notebooks/.
        output: Where the executed notebook goes (kept on failure, for debugging).
        parameters: Injected into the cell tagged "parameters"; validated first.
        lang: Caption language (see localise_notebook).
        cwd: The pair's own working directory; the kernel runs there.
        timeout_seconds: Time allowed for the whole notebook.
        memory_mb: Address space the kernel may use (0: no limit).

    Raises:
        UsageError: Unsafe parameters.
        ExecutionError: A cell raised, the kernel died, or the time ran out.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    from pipeline.execute_engine import ENGINE_NAME  # registers the engine

    validate_parameters(parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    notebook = localise_notebook(nbformat.read(source, as_version=4), lang, source.stem)
    deadline = time.monotonic() + timeout_seconds

    def remaining(_cell: Any) -> int:
        # nbclient asks per cell; giving each cell what is left of the notebook's
        # budget turns its per-cell timeout into a per-notebook one.
        return max(1, math.ceil(deadline - time.monotonic()))

    if kernel_mode() == "shell":
        engine_options: dict[str, Any] = {"shell": {"cwd": str(cwd), "memory_mb": memory_mb}}
    else:
        engine_options = {
            # nbclient makes the kernel manager (and so shuts its kernel down after).
            "kernel_manager_class": kernels.manager_class(),
            "config": Config({"IPCKernelManager": {"memory_mb": memory_mb}}),
            # The kernel starts in cwd; papermill's own `cwd` would chdir this whole
            # process, which threads (Dask workers) share.
            "resources": {"metadata": {"path": str(cwd)}},
        }
    try:
        papermill.execute_notebook(
            notebook,
            str(output),
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            # The engine saves once, at the end or on failure; papermill's own
            # per-cell saves rewrite the whole notebook twice for every cell.
            request_save_on_cell_execute=False,
            crash_output=str(output),
            timeout_func=remaining,
            **engine_options,
        )
    except PapermillExecutionError as exc:
        # papermill wrote the notebook with its error banner, in cells of random ids.
        normalise_notebook(output)
        cell = _failed_cell(output)
        message = f"{exc.ename}: {exc.evalue}" if exc.evalue else exc.ename
        if exc.ename == "MemoryError" and memory_mb:
            message += f" (over the kernel's memory limit of {memory_mb} MB: kernel_memory_mb)"
        raise ExecutionError(source.name, cell, message) from None
    except Exception as exc:  # nbclient: CellTimeoutError, DeadKernelError, start failures
        cell = _failed_cell(output)
        name = type(exc).__name__
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else name
        if "Timeout" in name or "timed out" in message:
            message = f"time limit of {timeout_seconds} s exceeded ({message})"
        raise ExecutionError(source.name, cell, f"{name}: {message}") from None


def normalise_notebook(path: Path) -> None:
    """Strip what makes an executed notebook file differ between runs: timings and random ids."""
    notebook = nbformat.read(path, as_version=4)
    strip_run_details(notebook)
    nbformat.write(notebook, path)


def _failed_cell(output: Path) -> str:
    """Describe the cell that failed: index, and label or first line of code.

    papermill marks every cell "completed" whatever happened, so look at outputs: the
    first cell with an error output (an exception), else the cell marked as the one
    running when execution broke off (a timeout, a dead kernel), else the first code
    cell that never got an execution count.
    """
    try:
        notebook = nbformat.read(output, as_version=4)
    except Exception:  # the output may be missing or unreadable after a crash
        return "?"
    code_cells = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    failed = (
        next(
            ((i, c) for i, c in code_cells if any(o.output_type == "error" for o in c.outputs)),
            None,
        )
        or next(
            ((i, c) for i, c in code_cells if c.metadata.get("papermill", {}).get("exception")),
            None,
        )
        or next(((i, c) for i, c in code_cells if c.execution_count is None), None)
    )
    if failed is None:
        return "?"
    index, cell = failed
    label = cell_label(cell.source)
    first = next((ln for ln in cell.source.splitlines() if not ln.startswith("#|")), "")
    return f"{index} ({label or first.strip()[:60]})"
