"""Notebook kernels: IPC transport, and kernels forked from a warm template process.

Starting a kernel the usual way costs a new interpreter, IPython and ipykernel, and
then the notebook's own imports (pandas, matplotlib, this package): about 1.2 s of
CPU per notebook, more than the analysis itself. Here each worker process keeps one
*template* process (`python -m pipeline.kernel_server`) that has imported those modules
once and never runs any notebook code. Every notebook gets a new process forked from
it: a fresh process (its own memory, copy-on-write), used for one notebook and killed
afterwards. Nothing a notebook does can reach another notebook, because no notebook
ever runs in the template or in another notebook's process.

This module is the Jupyter side: the kernel managers and provisioners papermill and
nbclient use for forked (`fork`) and fresh kernels. `pipeline.kernel_server` is the
template process, `pipeline.kernel_template` the worker's handle on it.

What a forked child becomes depends on the kernel mode (`kernel_mode()`):

- `shell` (the default): a *notebook shell* (`pipeline.shell_kernel`), an IPython
  shell that speaks no Jupyter protocol and takes its cells over a private Unix
  socket from `pipeline.shell_client` in the worker. It costs a fraction of a
  kernel's messaging and yields the same executed notebook, byte for byte.
- `PEER_EVAL_KERNELS=fork`: an ipykernel kernel, reached over IPC sockets by
  papermill and nbclient as usual.
- `PEER_EVAL_KERNELS=fresh` (or no `os.fork`): one `ipykernel_launcher` process per
  notebook and no template, e.g. to compare them.

Only jupyter_client's public extension points are used: kernels start through kernel
provisioners (`ForkProvisioner`, `IPCProvisioner`), registered under the entry-point
group `jupyter_client.kernel_provisioners` in pyproject.toml and named by the kernel
spec's `metadata.kernel_provisioner`; the managers set public traits only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import ensure_async
from traitlets import CaselessStrEnum, DottedObjectName, Integer, Type, Unicode, default

from pipeline.kernel_template import Template, kernel_mode, pid_alive


class QuickReadyClient(AsyncKernelClient):
    """jupyter_client's async client, minus the fixed waits when a kernel becomes ready.

    `wait_for_ready` ends by draining IOPub until it has been quiet for 0.2 s, to drop
    the status messages of its own kernel_info requests, and waits up to 0.2 s for
    IOPub to show it is connected before asking again. nbclient ignores messages
    whose parent is not its request, so a short drain is enough, and asking again
    sooner costs one small round trip; the checks themselves (a kernel_info reply on
    shell, a message seen on IOPub, the kernel alive, the timeout) are kept. Only the
    client's public methods and traits are used.

    The client connects while the new kernel is still initialising, before it has
    bound its sockets; ZMQ then tries again after `RECONNECT_IVL`, 100 ms by default,
    which was most of the 0.19 s a kernel took to become ready (its own start costs
    about 0.07 s of CPU). The client's sockets retry after 5 ms instead, backing off
    to 100 ms for a kernel that does not come up.
    """

    _DRAIN_SECONDS = 0.01
    _RECONNECT_MS = 5
    _RECONNECT_MAX_MS = 100

    @default("context")
    def _quickly_reconnecting_context(self) -> zmq.asyncio.Context:
        # What the stock default does (and the flag that makes the client close it
        # when it stops), with socket defaults that every channel socket inherits.
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, self._RECONNECT_MS)
        context.setsockopt(zmq.RECONNECT_IVL_MAX, self._RECONNECT_MAX_MS)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.time() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected? (a subscriber misses what is sent before)
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.05))
                    except Empty:
                        pass
                    else:
                        self._adapt_protocol(msg)
                        break
            if not await ensure_async(self.is_alive()):
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=self._DRAIN_SECONDS))
            except Empty:
                break

    def _adapt_protocol(self, reply: dict) -> None:
        # What the stock wait_for_ready does with the reply: speak the kernel's
        # protocol version when its major version differs from ours.
        major = int(reply["content"]["protocol_version"].split(".")[0])
        if major != protocol_version_info[0]:
            self.session.adapt_version = major


class IPCProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, for a kernel that runs one notebook.

    Registered as the kernel provisioner `peer-eval-local` (entry point group
    `jupyter_client.kernel_provisioners`, pyproject.toml) and chosen by the kernel
    spec's `metadata.kernel_provisioner`, which also passes `memory_mb`.
    """

    # Address space the kernel may use, in MB (RLIMIT_AS); 0 = no limit. A notebook
    # that needs more gets a MemoryError (or dies): its pair fails, the worker lives.
    memory_mb = Integer(0, config=True)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict:
        # The kernel's own log lines (shutdown chatter, KeyboardInterrupt on stop) would
        # land on the analyst's terminal; failures reach us through the protocol.
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        return await super().launch_kernel(cmd, **kwargs)

    async def post_launch(self, **kwargs: Any) -> None:
        await super().post_launch(**kwargs)
        if self.memory_mb and self.pid:
            # Set from outside, on the started process: the same for forked and fresh
            # kernels, and before any cell runs (cells wait for the kernel to be ready).
            import resource

            limit = self.memory_mb * 1024 * 1024
            resource.prlimit(self.pid, resource.RLIMIT_AS, (limit, limit))

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart=restart)
        # After a kill the kernel is gone within milliseconds; the manager then polls
        # every 0.1 s, which would add most of that 0.1 s to every notebook. Waiting
        # here in 5 ms steps lets its first poll find the kernel gone.
        deadline = time.monotonic() + 5
        while await self.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)


class ForkProvisioner(IPCProvisioner):
    """The kernel process comes from this process's warm template, not from Popen.

    Registered as the kernel provisioner `peer-eval-fork`.
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict:
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        env.setdefault("JPY_PARENT_PID", str(os.getpid()))
        pid = Template.get().fork(list(cmd), cwd, env)
        self.process = _ForkedProcess(pid)
        self.pid = self.pgid = pid  # the kernel leads its own session
        self.cwd = cwd
        return self.connection_info


class _ThisInterpreter(KernelSpecManager):
    """Every kernel name means this interpreter's kernel, whatever kernelspecs are installed.

    The notebooks import this package, so the kernel must run on this very
    interpreter, not on a "python3" kernelspec a user installed elsewhere.

    IPython's input history is off: a notebook run has no one to recall it, and
    every kernel would otherwise write each cell into the one SQLite file in the
    user's IPython folder (shared by the kernels of all workers, about 2 ms per cell).
    """

    provisioner = Unicode()
    memory_mb = Integer(0)

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                "--HistoryManager.enabled=False",
            ],
            display_name="Python 3 (peer-eval)",
            language="python",
            metadata={
                "kernel_provisioner": {
                    "provisioner_name": self.provisioner,
                    "config": {"memory_mb": self.memory_mb},
                }
            },
        )


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels talk over Unix sockets, not TCP ports.

    Many kernels starting at once on TCP race for free ports (a known papermill
    problem); IPC sockets are files named after the unique connection file. That
    file gets an absolute path here: jupyter_client would otherwise name the sockets
    `kernel-ipc-N` relative to the current directory, which is only right while the
    client and the kernel share one working directory and one kernel runs there.
    Everything else is configured through jupyter_client's public traits: the client
    class, and the kernel spec that names the provisioner (`PROVISIONER`).
    """

    PROVISIONER = "peer-eval-local"

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
    client_class = DottedObjectName("pipeline.kernels.QuickReadyClient")
    client_factory = Type(klass=AsyncKernelClient, default_value=QuickReadyClient)
    memory_mb = Integer(0, config=True, help="RLIMIT_AS of the kernel in MB; 0: no limit")

    def __init__(self, **kwargs: Any):
        if not kwargs.get("connection_file"):
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
            kwargs["connection_file"] = str(runtime / f"peer-eval-{uuid.uuid4().hex[:16]}.json")
        super().__init__(**kwargs)

    @default("kernel_spec_manager")
    def _this_interpreter(self) -> KernelSpecManager:
        return _ThisInterpreter(provisioner=self.PROVISIONER, memory_mb=self.memory_mb)


class ForkedKernelManager(IPCKernelManager):
    """An IPC kernel manager whose kernel process is forked from this process's template."""

    PROVISIONER = "peer-eval-fork"


def manager_class() -> type[IPCKernelManager]:
    """The kernel manager class for this process's kernel mode (see `kernel_mode`)."""
    return ForkedKernelManager if kernel_mode() == "fork" else IPCKernelManager


class _ForkedProcess:
    """Enough of `subprocess.Popen` for LocalProvisioner, for a kernel that is not our child.

    The template reaps its children at once (SIGCHLD ignored), so a pid that no
    longer exists is a kernel that has exited.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not pid_alive(self.pid):
            self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        # Like Popen: signalling a process that has already exited does nothing.
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)
