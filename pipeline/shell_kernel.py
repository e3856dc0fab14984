"""A notebook's own process without the Jupyter protocol: a kernel's shell behind a socket.

A forked ipykernel spends more CPU on Jupyter's machinery than on a notebook's code:
five ZMQ sockets and their threads, a heartbeat, signed JSON messages for every
status change, every output and every reply, on both sides. This process keeps the
part that makes outputs what they are, ipykernel's IPython shell (its display
formatters, display hook, tracebacks, matplotlib's inline backend, the execution
counter), and replaces the transport: the worker sends a cell's code over a Unix
socket and gets back the same messages ipykernel would have published (`execute_input`,
`stream`, `display_data`, `execute_result`, `error`, `clear_output`,
`update_display_data`), then the `execute_reply`. `pipeline.shell_client` is the
worker's end.

Each notebook gets its own process, forked from the worker's kernel template
(`pipeline.kernel_server`) like a forked kernel, used for one notebook and gone after
it: the process exits when the worker closes the socket, and is killed after a timeout.

The shell is ipykernel's own `ZMQInteractiveShell` (see `ZMQNotebookShell`), and where
the kernel around it behaves in a way a notebook can see, this process does the same:
stdout and stderr flushed before every display and at the end of a cell, output written
to file descriptors 1 and 2 (a subprocess, a C library, a forked child) captured into
the cell, the error message of `_showtraceback`, `input()` refused with ipykernel's
error, payloads (paged help such as `len?`) dropped as papermill drops them, `exit()`
ending the process, the reply's execution count. What it does not do: widgets and
comms, a debugger. `PEER_EVAL_KERNELS=fork` runs a real kernel.
"""

from __future__ import annotations

import codecs
import io
import os
import select
import socket
import sys
import threading
from typing import Any

from ipykernel.compiler import XCachingCompiler
from ipykernel.zmqshell import ZMQInteractiveShell
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import StdinNotImplementedError
from traitlets import Type
from traitlets.config import Config

from pipeline.shell_protocol import receive_frame, send_frame

# ipykernel's IPythonKernel.language_info, which papermill copies into the notebook.
LANGUAGE_INFO = {
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class Outbox:
    """The messages of the cell that is running, sent to the worker as they happen.

    Only this process speaks on the socket: a process the notebook forks (multiprocessing)
    inherits the outbox, and a frame of its own would break the stream of frames. Its
    text still reaches the notebook, through the captured file descriptors
    (`OutputStream.flush`); a display from it is dropped.
    """

    def __init__(self, connection: socket.socket):
        self.connection = connection
        self.owner = os.getpid()

    def send(self, msg_type: str, content: dict[str, Any]) -> None:
        if os.getpid() == self.owner:
            send_frame(self.connection, {"msg_type": msg_type, "content": content})


class OutputStream(io.TextIOBase):
    """sys.stdout or sys.stderr: text kept until a flush, then sent as one `stream` message.

    ipykernel's OutStream also flushes every 0.2 s; here a cell's text comes in one
    piece unless a display or the other stream's flush comes between.

    With `capture(fd)` the stream also takes what is written to that file descriptor (a
    subprocess, a C library, `os.write`), as ipykernel does: the descriptor becomes a
    pipe that a thread reads as it fills, so a writer never blocks on a full pipe, and
    every flush first takes what the pipe still holds, so the output of a subprocess
    that has finished is in its cell.
    """

    encoding = "UTF-8"

    def __init__(self, name: str, outbox: Outbox):
        super().__init__()
        self.name = name
        self._outbox = outbox
        self._parts: list[str] = []
        self._lock = threading.Lock()  # the pipe's reader thread appends too
        self._pipe: int | None = None
        self._fd = 1 if name == "stdout" else 2
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def capture(self, fd: int) -> None:
        """From now on, what is written to `fd` is this stream's text."""
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self._pipe, self._fd = read_end, fd
        # A child forked while the reader held the lock would wait for it forever.
        os.register_at_fork(after_in_child=self._new_lock)
        threading.Thread(target=self._read_pipe, name=f"{self.name}-fd", daemon=True).start()

    def _new_lock(self) -> None:
        self._lock = threading.Lock()

    def _read_pipe(self) -> None:
        while True:
            select.select([self._pipe], [], [])
            with self._lock:
                if not self._take_pipe():
                    return

    def _take_pipe(self) -> bool:
        """Append what the pipe holds now (under the lock); False once it is closed."""
        while True:
            try:
                data = os.read(self._pipe, 65536)
            except BlockingIOError:
                return True
            if not data:
                return False
            self._parts.append(self._decoder.decode(data))

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text)}")
        with self._lock:
            # What a finished subprocess wrote comes before what the cell writes next.
            if self._pipe is not None and os.getpid() == self._outbox.owner:
                self._take_pipe()
            self._parts.append(text)
        return len(text)

    def flush(self) -> None:
        if os.getpid() != self._outbox.owner:
            self._flush_in_child()
            return
        with self._lock:
            if self._pipe is not None:
                self._take_pipe()
            text, self._parts = "".join(self._parts), []
        if text:
            self._outbox.send("stream", {"name": self.name, "text": text})

    def _flush_in_child(self) -> None:
        """In a process the notebook forked: the text goes to the captured descriptor."""
        text, self._parts = "".join(self._parts), []
        data = memoryview(text.encode("utf-8", errors="replace"))
        while data:
            data = data[os.write(self._fd, data) :]

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False


def _flush_streams() -> None:
    sys.stdout.flush()
    sys.stderr.flush()


class SocketDisplayPublisher(DisplayPublisher):
    """`display()` and `clear_output()`, as ipykernel's ZMQDisplayPublisher sends them."""

    outbox: Outbox

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        _flush_streams()
        metadata = {} if metadata is None else metadata
        self._validate_data(data, metadata)
        content = {"data": data, "metadata": metadata, "transient": transient or {}}
        self.outbox.send("update_display_data" if update else "display_data", content)

    def clear_output(self, wait: bool = False) -> None:
        _flush_streams()
        self.outbox.send("clear_output", {"wait": wait})


class SocketDisplayHook(DisplayHook):
    """A cell's last value, as ipykernel's ZMQShellDisplayHook sends it (`execute_result`)."""

    outbox: Outbox
    content: dict[str, Any] | None = None

    def start_displayhook(self) -> None:
        self.content = {"data": {}, "metadata": {}}

    def write_output_prompt(self) -> None:
        if self.content is not None:
            self.content["execution_count"] = self.prompt_count

    def write_format_data(self, format_dict, md_dict=None) -> None:
        if self.content is not None:
            self.content["data"] = format_dict
            self.content["metadata"] = md_dict

    def finish_displayhook(self) -> None:
        _flush_streams()
        if self.content is not None and self.content["data"]:
            self.outbox.send("execute_result", self.content)
        self.content = None


class ZMQNotebookShell(ZMQInteractiveShell):
    """ipykernel's own shell, its messages sent over this process's socket.

    Subclassing ZMQInteractiveShell keeps everything ipykernel's shell does that a
    notebook can see (its environment variables, `!command` read through a pipe, paged
    help and `set_next_input` as payloads, no virtualenv detection, its magics) and what
    libraries look for to know they run in a notebook (pandas sizes its text reprs for
    a frontend when the shell's type name contains "zmq", hence this class's name; tqdm
    and others look for the class or for `IPKernelApp` in its config). Only what went
    through the kernel's sockets is replaced: outputs (the display classes below),
    errors (`_showtraceback`) and `exit()`, which in a kernel stops its event loop; here
    the process ends after the cell's reply (`serve`), so a notebook's next cell finds
    it gone, as in a kernel.
    """

    displayhook_class = Type(SocketDisplayHook)
    display_pub_class = Type(SocketDisplayPublisher)
    outbox: Outbox
    _last_traceback: list[str] | None = None
    _traceback_in_displayhook = False
    exit_requested = False

    def run_cell(self, *args: Any, **kwargs: Any) -> Any:
        self._last_traceback = None
        self._traceback_in_displayhook = False
        return super().run_cell(*args, **kwargs)

    def ask_exit(self) -> None:
        """`exit()` in a cell (not ZMQInteractiveShell's, which needs a kernel)."""
        self.exit_requested = True

    def _showtraceback(self, etype, evalue, stb) -> None:
        _flush_streams()
        content = {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)}
        # An error while formatting the cell's value fails the cell, as in ipykernel.
        if getattr(self.displayhook, "content", None) is not None:
            self._traceback_in_displayhook = True
        self.outbox.send("error", content)
        self._last_traceback = stb


def _no_input(*args: Any, **kwargs: Any) -> str:
    raise StdinNotImplementedError(
        "raw_input was called, but this frontend does not support input requests."
    )


def make_shell(outbox: Outbox) -> ZMQNotebookShell:
    """The shell of this process, its output going to `outbox`; sys streams replaced."""
    import builtins
    import getpass

    from IPython.core.shellapp import InteractiveShellApp

    # The working directory on the import path where IPKernelApp puts it (after the
    # standard library), by IPython's own code.
    InteractiveShellApp().init_path()
    config = Config()
    # As the kernels' command line says (pipeline.kernels): nobody recalls a notebook
    # run's input, and the history file would be shared by every kernel of every worker.
    config.HistoryManager.enabled = False
    shell = ZMQNotebookShell.instance(
        config=config,
        # ipykernel's: cells are named by a hash of their code (in warnings, tracebacks).
        compiler_class=XCachingCompiler,
    )
    shell.outbox = shell.displayhook.outbox = shell.display_pub.outbox = outbox
    sys.stdout = OutputStream("stdout", outbox)
    sys.stderr = OutputStream("stderr", outbox)
    # papermill allows no stdin; ipykernel then answers input() and getpass() with this.
    builtins.input = _no_input
    getpass.getpass = _no_input
    return shell


def run_cell(shell: ZMQNotebookShell, outbox: Outbox, code: str) -> dict[str, Any]:
    """Run one cell; return the content of its `execute_reply` (as ipykernel's do_execute)."""
    outbox.send("execute_input", {"code": code, "execution_count": shell.execution_count})
    result = shell.run_cell(code, store_history=True, silent=False)
    _flush_streams()
    # ipykernel puts these in its reply (paged help, set_next_input, exit), which
    # papermill does not keep; so they are dropped here.
    shell.payload_manager.clear_payload()
    reply: dict[str, Any] = {"status": "ok"}
    if not result.success or shell._traceback_in_displayhook:
        error = result.error_before_exec
        error = result.error_in_exec if error is None else error
        reply = {
            "status": "error",
            "traceback": shell._last_traceback or [],
            "ename": str(type(error).__name__),
            "evalue": str(error),
        }
    reply["execution_count"] = shell.execution_count - 1
    return reply


def serve(address: str, token: str) -> int:
    """Connect to the worker at `address`, then run the cells it sends until it hangs up."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(address)
    outbox = Outbox(connection)
    shell = make_shell(outbox)
    sys.stdout.capture(1)
    if not os.environ.get("PEER_EVAL_KERNEL_LOG"):  # debugging: fd 2 stays the log
        sys.stderr.capture(2)
    send_frame(connection, {"token": token, "pid": os.getpid(), "language_info": LANGUAGE_INFO})
    while True:
        request = receive_frame(connection)
        if request is None:  # the worker is done with this notebook (or gone)
            return 0
        reply = run_cell(shell, outbox, request["code"])
        if os.getpid() != outbox.owner:
            # A child the cell forked (`os.fork()`) and that came back here: the socket
            # is its parent's, and the next cell too. Its stdio is flushed into the pipes.
            _flush_streams()
            os._exit(0)
        outbox.send("execute_reply", reply)
        if shell.exit_requested:  # exit(): the process ends, as a kernel's does
            return 0
