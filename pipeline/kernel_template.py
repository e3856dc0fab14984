"""A worker's handle on its kernel template process (`python -m pipeline.kernel_server`).

Kept apart from `pipeline.kernels`, which imports jupyter_client and ZMQ, so that a run
can start its template before it knows much else (`start_template`), at the cost of
the standard library only: the template's own imports then overlap the run's.

The template talks to its worker over its stdin/stdout, one JSON line per request. It
exits when its stdin closes; `stop_template` closes it, at the latest when this process
ends (atexit, and multiprocessing's finaliser for pool workers).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import sys
import threading

MODE_VARIABLE = "PEER_EVAL_KERNELS"


def kernel_mode() -> str:
    """How a notebook runs here.

    - "shell" (the default): in an IPython shell forked from the warm template, talking
      to its worker over a Unix socket (pipeline.shell_kernel), no Jupyter protocol;
    - "fork" (PEER_EVAL_KERNELS=fork): in an ipykernel forked from the template;
    - "fresh" (PEER_EVAL_KERNELS=fresh, or an OS that cannot fork): in a new
      `ipykernel_launcher` process, Jupyter's stock way.

    Returns:
        "shell", "fork" or "fresh".
    """
    chosen = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if chosen == "fresh" or not hasattr(os, "fork"):
        return "fresh"
    return "fork" if chosen == "fork" else "shell"


def start_template() -> None:
    """Start this process's template now (if the mode forks), so that it is warm when needed.

    It only starts the process: its imports run while this process goes on. Meant for
    worker initialisers and for a run that will execute in its own process;
    the first notebook starts it anyway.
    """
    if kernel_mode() != "fresh":
        Template.get()


def stop_template() -> None:
    """Stop this process's template; its kernels die with it. Safe to call twice."""
    template = Template.current
    if template is not None and template.owner == os.getpid():
        template.close()
    Template.current = None


class Template:
    """The worker's handle on its template process: a pipe for fork requests.

    A template preloads for one kernel mode ("shell" or "fork"): `get` starts another
    when the mode has changed since (tests and benchmarks compare modes in one process).
    """

    current: Template | None = None
    _lock = threading.Lock()

    def __init__(self, mode: str) -> None:
        self.owner = os.getpid()
        self.mode = mode
        self.served = False  # whether it was asked for a kernel
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.kernel_server", mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            # Its own session: a Ctrl-C on the terminal goes to the run, which then
            # closes the pipe; the template must not die half-way through a fork.
            start_new_session=True,
            close_fds=True,
        )

    @classmethod
    def get(cls) -> Template:
        with cls._lock:
            template = cls.current
            mode = kernel_mode()
            # A forked copy of this process (or a dead template) must start its own.
            if (
                template is None
                or template.owner != os.getpid()
                or template.mode != mode
                or not template.alive()
            ):
                if template is not None and template.owner == os.getpid():
                    template.close()
                template = cls.current = Template(mode)
                _register_exit_handlers()
            return template

    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(
        self, argv: list[str], cwd: str, env: dict[str, str], shell: dict | None = None
    ) -> int:
        """Ask the template for a kernel process; return its pid.

        With `shell` ({"address", "token"}) the process becomes a notebook shell that
        connects to that socket (pipeline.shell_kernel); else an ipykernel run as `argv`.
        """
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env, "shell": shell}) + "\n"
        with self._lock:
            self.served = True
            assert self.process.stdin is not None and self.process.stdout is not None
            try:
                self.process.stdin.write(request.encode("utf-8"))
                self.process.stdin.flush()
                line = self.process.stdout.readline()
            except (BrokenPipeError, OSError) as exc:
                raise RuntimeError(f"kernel template process is gone ({exc})") from None
        if not line:
            raise RuntimeError(f"kernel template process exited ({self.process.poll()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"kernel template could not fork: {reply['error']}")
        return int(reply["pid"])

    def close(self) -> None:
        if not self.served:
            # Started early for a run that then needed no kernel (or stopped on an
            # error): it may still be importing, and reads its pipe only after that.
            self.process.kill()
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def pid_alive(pid: int) -> bool:
    """Whether a process the template forked still runs.

    The template reaps its children at once (SIGCHLD ignored), so a pid that no longer
    exists is a process that has exited; a zombie not yet reaped is not alive either.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return True
    return state not in ("Z", "X")


_exit_handlers_registered = False


def _register_exit_handlers() -> None:
    """Stop the template when this process ends, normally or as a pool worker."""
    global _exit_handlers_registered
    if _exit_handlers_registered:
        return
    _exit_handlers_registered = True
    atexit.register(stop_template)
    # multiprocessing workers leave through os._exit, which skips atexit; their
    # Finalize hooks still run. (If neither runs, the template sees its stdin close.)
    from multiprocessing import util

    util.Finalize(None, stop_template, exitpriority=100)
