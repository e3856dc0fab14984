"""The kernel template process: `python -m pipeline.kernel_server MODE`.

One per worker (`pipeline.kernel_template` starts it and is the worker's handle). It
imports what notebooks import (pandas, matplotlib, this package's analysis modules) and
what a notebook's process needs to start, warms caches, freezes its heap, and then only
forks: one child per request, which becomes a notebook shell (`pipeline.shell_kernel`,
mode "shell") or an ipykernel kernel run as `python -m ipykernel_launcher ARGS` would be
(mode "fork"), for one notebook. No notebook code ever runs here.

This module imports only the standard library at the top, so that what a template
imports is what its mode needs: a shell template loads ipykernel's shell class (and with
it jupyter_client's session and ZMQ) but not ipykernel's kernel application, its event
loop or its debugger, which only a template for forked kernels imports.

It reads one JSON request per line on stdin and answers each with one JSON line on
stdout (`{"pid": ...}` or `{"error": ...}`). It exits when its stdin closes (the worker
has gone, however it ended); its children get SIGKILL from the OS when it exits
(PR_SET_PDEATHSIG), so no notebook's process outlives its worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import importlib.util
import json
import os
import signal
import sys
from pathlib import Path

from pipeline.kernel_template import kernel_mode

# What every notebook imports first; loaded once in the template. Only modules: no
# data is read and no user namespace exists there.
PRELOAD: tuple[str, ...] = (
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_svg",
    "IPython.display",
    "pipeline.inputs",
    "pipeline.analysis.survey",
    "pipeline.analysis.themes",
    "pipeline.analysis.quotes",
    "pipeline.text.survey",
    "pipeline.text.indicators",
    "pipeline.text.themes",
    "pipeline.text.quotes",
    "pipeline.text.method",
    "pipeline.followup",
    "pipeline.figures.style",
    "pipeline.figures.survey",
    "pipeline.figures.themes",
    "pipeline.figures.present",
    "pipeline.linked",  # imports HiGHS and scipy (the differencing attacker's linear programs)
    "pipeline.linked_statistics",
    "pipeline.report_text",
    "pipeline.shared",
    "pipeline.snapshot",
    "pipeline.rounds",
)
# Run once in the template after the imports: a kernel's first figure would otherwise
# load fonts and build caches again in every kernel (a tenth of a second or more), its
# first text parse the message catalogs and its first number load Babel's locale data
# (together up to 0.05 CPU s per kernel).
WARM_UPS: tuple[tuple[str, str], ...] = (
    ("pipeline.figures.style", "warm_up"),
    ("pipeline.i18n", "warm_up"),
    ("pipeline.formatting", "warm_up"),
)
# What a notebook shell imports as it starts and runs its first cell (the default mode):
# IPython's shell loads its application, magics and completer lazily.
SHELL_MODULES: tuple[str, ...] = (
    "pipeline.shell_kernel",
    "IPython.core.application",
    "IPython.core.completer",
    "IPython.core.completerlib",
    "IPython.core.crashhandler",
    "IPython.core.logger",
    "IPython.core.magics",
    "IPython.core.magics._table",
    "IPython.core.oinspect",
    "IPython.core.shellapp",
    "IPython.terminal.pt_inputhooks",
    "IPython.utils.contexts",
    "IPython.utils.generics",
    "IPython.utils.wildcard",
    "bdb",
)
# What ipykernel itself imports while a kernel initialises (its debugger pulls in debugpy):
# a third of a second per kernel if left to each child. Only a template for forked
# kernels (PEER_EVAL_KERNELS=fork) loads them: a notebook shell needs none.
KERNEL_MODULES: tuple[str, ...] = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "IPython.core.oinspect",
    "IPython.core.logger",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "sqlite3",
    "psutil",
)
_PR_SET_PDEATHSIG = 1
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _serve(mode: str) -> None:
    """Preload for `mode`, then fork one process per request line until stdin closes."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):  # nothing but replies may reach the pipe
        os.dup2(devnull, fd)
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the OS reaps exited kernels
    preload(mode)
    for line in requests:
        try:
            request = json.loads(line)
            pid = os.fork()
        except Exception as exc:  # a bad request or no memory: tell the worker, go on
            replies.write((json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
            replies.flush()
            continue
        if pid == 0:
            status = 1
            try:
                requests.close()
                replies.close()
                status = _become_kernel(request)
            finally:
                os._exit(status)
        replies.write((json.dumps({"pid": pid}) + "\n").encode())
        replies.flush()


def preload(mode: str) -> None:
    """Import and warm up what a notebook's process of this mode ("shell", "fork") uses."""
    # As ipykernel_launcher does: the launch directory is not an import root.
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    # ipykernel sets this before any cell runs, and matplotlib reads it on import.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    kernel_modules = KERNEL_MODULES if mode == "fork" else SHELL_MODULES
    with _inside_a_kernel(), contextlib.suppress(Exception):
        importlib.import_module("pandas")
    for name in (*kernel_modules, *PRELOAD):
        # A module that fails here (psutil absent, a bug in pipeline code) is left to the
        # notebook, whose cell then shows the real error, as in a fresh kernel.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    for name, function in WARM_UPS:
        with contextlib.suppress(Exception):
            getattr(importlib.import_module(name), function)()
    # What the template holds is never garbage: frozen, a kernel's collections skip it
    # (about 20 ms of CPU per kernel at a national round) and do not write to, and so
    # copy, the template's pages (Python's gc.freeze documentation: before a fork).
    gc.collect()
    gc.freeze()


class _KernelShell:
    """What `get_ipython()` returns inside a kernel, as far as pandas looks at it."""

    kernel = None


@contextlib.contextmanager
def _inside_a_kernel():
    """Imports here see `get_ipython()` as they would in a kernel.

    pandas decides at import whether it runs in a terminal, by whether `get_ipython()`
    exists and has a `kernel`, and makes `display.max_columns` default to 0 (fit the
    terminal) or, in a kernel, 20. Imported in the template, where no shell exists,
    it would choose the terminal's, and a wide frame would print differently than in
    Jupyter.
    """
    import builtins

    if hasattr(builtins, "get_ipython"):
        yield
        return
    builtins.get_ipython = _KernelShell
    try:
        yield
    finally:
        del builtins.get_ipython


def _become_kernel(request: dict) -> int:
    """In the forked child: become a notebook shell or `python -m ipykernel_launcher ARGS`."""
    _become_child(request)
    shell = request.get("shell")
    if shell:
        from pipeline.shell_kernel import serve

        return serve(shell["address"], shell["token"])
    argv = list(request["argv"])
    args = argv[3:] if argv[1:3] == ["-m", "ipykernel_launcher"] else argv[1:]
    launcher = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [launcher.origin if launcher and launcher.origin else "ipykernel_launcher", *args]
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(args, parent_handle=os.getppid())
    return 0


def _become_child(request: dict) -> None:
    """A process of its own: session, signals, standard streams, environment, cwd, seed."""
    os.setsid()
    _die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    log = request["env"].get("PEER_EVAL_KERNEL_LOG")
    if log:  # debugging a kernel that will not start: keep its stderr
        os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), 2)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # a fresh interpreter would seed from the OS, not share a state
        numpy.random.seed()


def _die_with_parent() -> None:
    parent = os.getppid()
    try:
        # The C library this interpreter already has loaded (`CDLL(None)`), not a search
        # with `find_library`, which runs `ldconfig -p` twice: in every kernel.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: ipykernel's parent poller still ends the kernel
    if os.getppid() != parent:  # the template died before prctl took effect
        os._exit(1)


if __name__ == "__main__":
    _serve(sys.argv[1] if len(sys.argv) > 1 else kernel_mode())
