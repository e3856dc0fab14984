"""The worker's end of a notebook shell: start one per notebook, run the cells, keep outputs.

The default way a notebook runs (`PEER_EVAL_KERNELS` unset or `shell`; see
`pipeline.shell_kernel` for the other end). `execute_cells` is papermill's own cell
loop (`PapermillNotebookClient.papermill_execute_cells`) around a cell runner that
does what nbclient's `execute_cell` does with the messages: outputs through nbformat's
`output_from_msg`, `clear_output` (also deferred with `wait`), display ids updated,
the execution count from the kernel, the same errors for a failing cell
(`CellExecutionError`), a cell over its time (`CellTimeoutError`) and a process that
died (`DeadKernelError`). papermill's notebook manager records each cell's state as
it does for nbclient.

The shell process is forked from this process's kernel template and connects back
to a Unix socket in a folder only this user can enter; it proves itself with a
one-time token before any code is sent. Its memory limit (RLIMIT_AS) is set before
its first cell.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hmac
import os
import secrets
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import output_from_msg

from pipeline.kernel_server import INLINE_BACKEND
from pipeline.kernel_template import Template, pid_alive
from pipeline.shell_protocol import receive_frame, send_frame

SKIP_TAG = "skip-execution"  # nbclient's skip_cells_with_tag
RAISES_TAG = "raises-exception"


class ShellProcess:
    """One notebook's shell process and the connection to it."""

    def __init__(self, cwd: str, *, memory_mb: int = 0, start_timeout: float = 60):
        env = dict(os.environ)
        # ipykernel's default, which a forked or fresh kernel sets for itself.
        env.setdefault("MPLBACKEND", INLINE_BACKEND)
        address = _socket_folder() / f"{secrets.token_hex(8)}.sock"
        token = secrets.token_hex(16)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(address))
            listener.listen(1)
            self.pid = Template.get().fork(
                [], cwd, env, shell={"address": str(address), "token": token}
            )
            try:
                if memory_mb:
                    import resource

                    limit = memory_mb * 1024 * 1024
                    resource.prlimit(self.pid, resource.RLIMIT_AS, (limit, limit))
                self.connection = self._accept(listener, token, start_timeout)
            except BaseException:
                self.kill()
                raise
        finally:
            listener.close()
            with contextlib.suppress(OSError):
                address.unlink()

    def _accept(self, listener: socket.socket, token: str, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        listener.settimeout(0.05)
        while True:
            try:
                connection, _ = listener.accept()
                break
            except TimeoutError:
                if not pid_alive(self.pid):
                    raise DeadKernelError("Kernel died before it connected") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds") from None
        connection.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            hello = receive_frame(connection)
        except (TimeoutError, ConnectionError):
            hello = None
        if (
            hello is None
            or not hmac.compare_digest(str(hello.get("token")), token)
            or hello.get("pid") != self.pid
        ):
            connection.close()
            raise DeadKernelError("Kernel died before it connected")
        self.language_info: dict[str, Any] = hello["language_info"]
        return connection

    def execute(
        self, code: str, timeout: float | None, on_message: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any]:
        """Run `code`; hand each message to `on_message`; return the execute_reply content.

        Raises:
            TimeoutError: `timeout` seconds passed without the reply.
            DeadKernelError: The process ended before replying.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if deadline is None:  # no limit: not even what is left of the connect's timeout
            self.connection.settimeout(None)
        try:
            send_frame(self.connection, {"code": code})
            while True:
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError
                    self.connection.settimeout(left)
                message = receive_frame(self.connection)
                if message is None:
                    raise ConnectionError
                if message["msg_type"] == "execute_reply":
                    return message["content"]
                on_message(message)
        except (ConnectionError, BrokenPipeError):
            raise DeadKernelError("Kernel died") from None

    def kill(self) -> None:
        """Hang up and kill the shell's process group, as jupyter_client kills a kernel's.

        The shell leads its own session, so the group is the shell and whatever the
        notebook started and left running (a subprocess, a pool): none outlives the
        notebook. Once the group is empty its id cannot name another process.
        """
        with contextlib.suppress(OSError):
            if hasattr(self, "connection"):
                self.connection.close()
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            if pid_alive(self.pid):  # not yet its own group leader (killed while starting)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)


class CellOutputs:
    """What nbclient's process_message does with a kernel's messages, for one notebook."""

    def __init__(self) -> None:
        self._displays: dict[str, list[NotebookNode]] = {}
        self._clear_before_next = False
        self.cell: NotebookNode | None = None

    def start(self, cell: NotebookNode) -> None:
        self.cell = cell
        cell.outputs = []
        self._clear_before_next = False

    def add(self, message: dict[str, Any]) -> None:
        assert self.cell is not None
        msg_type, content = message["msg_type"], message["content"]
        transient = content.get("transient")
        display_id = transient.get("display_id") if transient else None
        if display_id and msg_type in ("execute_result", "display_data", "update_display_data"):
            self._update_display(display_id, content)
        if "execution_count" in content:
            self.cell.execution_count = content["execution_count"]
        if msg_type == "clear_output":
            if content.get("wait"):
                self._clear_before_next = True
            else:
                self._clear()
        elif msg_type not in ("execute_input", "update_display_data"):
            self._append(msg_type, content, display_id)

    def _append(self, msg_type: str, content: dict[str, Any], display_id: str | None) -> None:
        try:
            output = output_from_msg({"header": {"msg_type": msg_type}, "content": content})
        except ValueError:  # not an output (nbclient logs and drops it too)
            return
        if self._clear_before_next:
            self._clear()
            self._clear_before_next = False
        if display_id:
            self._displays.setdefault(display_id, []).append(output)
        self.cell.outputs.append(output)

    def _clear(self) -> None:
        kept = {id(o) for o in self.cell.outputs}
        self.cell.outputs[:] = []
        for outputs in self._displays.values():
            outputs[:] = [o for o in outputs if id(o) not in kept]

    def _update_display(self, display_id: str, content: dict[str, Any]) -> None:
        if display_id not in self._displays:
            return
        update = output_from_msg({"header": {"msg_type": "display_data"}, "content": content})
        for output in self._displays[display_id]:
            output["data"] = update["data"]
            output["metadata"] = update["metadata"]


def execute_cells(
    nb_man: Any,
    *,
    cwd: str,
    timeout_func: Callable[[NotebookNode], float | None],
    memory_mb: int = 0,
    start_timeout: float = 60,
) -> NotebookNode:
    """Execute `nb_man.nb` in a new shell process, as papermill's nbclient engine would.

    Args:
        nb_man: papermill's NotebookExecutionManager for the notebook.
        cwd: The process's working directory.
        timeout_func: Seconds a cell may take (None: no limit), asked per cell.
        memory_mb: The process's address space limit in MB (0: none).
        start_timeout: Seconds the process may take to connect.
    """
    nb = nb_man.nb
    shell = ShellProcess(cwd, memory_mb=memory_mb, start_timeout=start_timeout)
    try:
        nb.metadata["language_info"] = shell.language_info
        outputs = CellOutputs()
        for index, cell in enumerate(nb.cells):
            try:
                nb_man.cell_start(cell, index)
                _execute_cell(shell, cell, outputs, timeout_func(cell))
            except CellExecutionError as exc:
                nb_man.cell_exception(nb.cells[index], cell_index=index, exception=exc)
                break
            finally:
                nb_man.cell_complete(nb.cells[index], cell_index=index)
    finally:
        shell.kill()  # done or failed: as nbclient ends a kernel (shutdown "immediate")
    return nb


def _execute_cell(
    shell: ShellProcess, cell: NotebookNode, outputs: CellOutputs, timeout: float | None
) -> None:
    tags = cell.metadata.get("tags", [])
    if cell.cell_type != "code" or not cell.source.strip() or SKIP_TAG in tags:
        return
    outputs.start(cell)
    try:
        reply = shell.execute(cell.source, timeout, outputs.add)
    except TimeoutError:
        raise CellTimeoutError.error_from_timeout_and_cell(
            "Cell execution timed out", timeout, cell
        ) from None
    if reply["status"] == "error" and RAISES_TAG not in tags:
        raise CellExecutionError.from_cell_and_msg(cell, reply)


_folder: tuple[int, Path] | None = None  # (the process it belongs to, the folder)


def _socket_folder() -> Path:
    """This process's folder for shell sockets: private (0700), removed when it ends."""
    global _folder
    if _folder is None or _folder[0] != os.getpid() or not _folder[1].exists():
        # A socket's path must fit in about 100 bytes; a long TMPDIR would not leave room.
        base = tempfile.gettempdir() if len(tempfile.gettempdir()) < 60 else "/tmp"
        path = Path(tempfile.mkdtemp(prefix="peer-eval-shells-", dir=base))
        _folder = (os.getpid(), path)
        remove = functools.partial(shutil.rmtree, path, ignore_errors=True)
        atexit.register(remove)
        # Pool workers leave through os._exit, which skips atexit; Finalize still runs.
        from multiprocessing import util

        util.Finalize(None, remove, exitpriority=100)
    return _folder[1]
