"""The papermill engine `peer-eval`: a shell or nbclient, one save at the end, the running cell.

Registered with papermill's public engine registry when this module is imported
(pipeline.execute imports it when it first runs a notebook, so that `import pipeline`
does not pay for papermill). It extends papermill's own `NBClientEngine` through the
documented `Engine.execute_notebook` classmethod. Given `shell` options (the default
kernel mode, see `pipeline.kernel_template.kernel_mode`), the cells run in a notebook
shell (`pipeline.shell_client`); otherwise the kernel manager is nbclient's
(`kernel_manager_class`), so nbclient owns the kernel and shuts it down after the
notebook (`shutdown_kernel="immediate"`: a kill, the kernel has nothing to save).

The notebook it returns is already stripped of what differs between runs (timings,
random cell ids: `strip_run_details`), so that papermill's one write of it is final;
nothing reads it back to clean it.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import nbformat
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

from pipeline.run_details import strip_run_details

ENGINE_NAME = "peer-eval"


class SaveAtEnd(NotebookExecutionManager):
    """papermill's bookkeeping without its saves; the notebook is written by the caller.

    It also remembers the cell that was running when execution broke off (a
    timeout, a dead kernel), which papermill does not mark.
    """

    running: int | None = None

    def save(self, **kwargs: Any) -> None:
        self.last_save_time = self.now()

    def cell_start(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        self.running = cell_index
        super().cell_start(cell, cell_index, **kwargs)
        # The cell's timings are stripped anyway; without a start time papermill's
        # cell_complete also skips parsing it back (dateutil, for every cell).
        cell.metadata.papermill["start_time"] = None

    def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        # Called from a `finally`: while an exception is on its way out, the cell
        # did not complete.
        if sys.exc_info()[0] is None:
            self.running = None
        super().cell_complete(cell, cell_index, **kwargs)

    def autosave_cell(self) -> None:
        return None


class PeerEvalEngine(NBClientEngine):
    """A notebook shell (`shell=` options) or nbclient with its own kernel, killed after it."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, shell=None, **kwargs):
        if shell is None:
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        from pipeline.shell_client import execute_cells

        timeout_func = kwargs.get("timeout_func") or (lambda _cell: kwargs.get("timeout"))
        return execute_cells(
            nb_man,
            timeout_func=timeout_func,
            start_timeout=kwargs.get("start_timeout") or 60,
            **shell,
        )

    @classmethod
    def execute_notebook(
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=True,
        log_output=False,
        autosave_cell_every=30,
        crash_output=None,
        **kwargs,
    ):
        manager = SaveAtEnd(nb, output_path=None, progress_bar=False, log_output=log_output)
        manager.notebook_start()
        try:
            cls.execute_managed_notebook(
                manager,
                kernel_name,
                log_output=log_output,
                shutdown_kernel="immediate",
                record_timing=False,  # nbclient's per-cell timings: stripped anyway
                **kwargs,
            )
        except BaseException:
            # A timeout or a dead kernel: keep what ran, for the failure report and for
            # the analyst (papermill writes the notebook itself for a failing cell).
            if manager.running is not None:
                index = manager.running
                manager.cell_exception(manager.nb.cells[index], cell_index=index)
            manager.notebook_complete()
            strip_run_details(manager.nb)
            if crash_output:
                with contextlib.suppress(Exception):
                    nbformat.write(manager.nb, crash_output)
            raise
        manager.notebook_complete()
        strip_run_details(manager.nb)
        return manager.nb


papermill_engines.register(ENGINE_NAME, PeerEvalEngine)
