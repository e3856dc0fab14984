"""The exact CPU time of a command and every process it starts, from a cgroup of its own.

Sampling /proc misses the end of every short-lived process (each pandoc, Typst and
notebook process of a build), and the machine's counters (/proc/stat) also count the
sampler and anything else running. A cgroup counts every process that was ever in it,
including those that have exited, and nothing else: the command is moved into a new
cgroup before it execs, so all it starts is counted.

Needs write access to a cgroup hierarchy (root, or a delegated subtree): cgroup v2
(`cpu.stat`, present in every v2 cgroup) or v1's `cpuacct` controller. Where neither
can be written, `CgroupCPU.create()` returns None and the benchmarks report the sampled
figures only.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from pathlib import Path

_MOUNTS = Path("/proc/self/mounts")
_counter = itertools.count()


class CgroupCPU:
    """A fresh cgroup; `enter` (in the child, before exec) joins it; `seconds` reads it."""

    def __init__(self, folder: Path, version: int) -> None:
        self.folder, self.version = folder, version

    @classmethod
    def create(cls) -> CgroupCPU | None:
        """A new cgroup beside this process's own, or None where none can be made."""
        for version, hierarchy in _hierarchies():
            folder = hierarchy / f"peer-eval-bench-{os.getpid()}-{next(_counter)}"
            try:
                folder.mkdir()
            except OSError:
                continue
            return cls(folder, version)
        return None

    def enter(self) -> None:
        """Move the calling process into the cgroup (a `preexec_fn`: runs in the child)."""
        (self.folder / "cgroup.procs").write_text(str(os.getpid()))

    def seconds(self, settle: float = 10.0) -> tuple[float, float]:
        """(user, system) CPU seconds of every process that was in the cgroup.

        Waits up to `settle` seconds for the last processes to exit (a kernel template
        sees its worker's pipe close and leaves a moment after the command itself).
        """
        deadline = time.monotonic() + settle
        while (self.folder / "cgroup.procs").read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.version == 2:
            stat = _counters(self.folder / "cpu.stat")
            return stat["user_usec"] / 1e6, stat["system_usec"] / 1e6
        ticks = os.sysconf("SC_CLK_TCK")
        stat = _counters(self.folder / "cpuacct.stat")
        return stat["user"] / ticks, stat["system"] / ticks

    def remove(self) -> None:
        """Remove the cgroup (processes still in it are moved back to this process's)."""
        with contextlib.suppress(OSError):
            home = self.folder.parent  # where it was made: this process's own cgroup
            for pid in (self.folder / "cgroup.procs").read_text().split():
                with contextlib.suppress(OSError):
                    (home / "cgroup.procs").write_text(pid)
            self.folder.rmdir()


def _hierarchies() -> list[tuple[int, Path]]:
    """Writable places for a new cgroup: this process's cgroup in v2, then in v1 cpuacct."""
    found = []
    try:
        mounts = _MOUNTS.read_text().splitlines()
    except OSError:
        return found
    for line in mounts:
        fields = line.split()
        if len(fields) < 4:
            continue
        mount, kind, options = Path(fields[1]), fields[2], fields[3].split(",")
        if kind == "cgroup2":
            found.append((2, _own_cgroup_folder(2, mount)))
        elif kind == "cgroup" and "cpuacct" in options:
            found.append((1, _own_cgroup_folder(1, mount)))
    return sorted(found, key=lambda entry: -entry[0])


def _own_cgroup_folder(version: int, mount: Path) -> Path:
    """This process's cgroup folder under a hierarchy's mount point."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        wanted = number == "0" if version == 2 else "cpuacct" in controllers.split(",")
        if wanted:
            return mount / path.lstrip("/")
    return mount


def _counters(stat_file: Path) -> dict[str, int]:
    """A cgroup's "name value" lines as a dict."""
    return {
        name: int(value)
        for name, value in (line.split() for line in stat_file.read_text().splitlines())
    }


class ExactCPU:
    """`with ExactCPU() as cpu: Popen(..., preexec_fn=cpu.preexec_fn)`; then `cpu.seconds`.

    `seconds` is the user + system CPU time of the command and all it started, or None
    where no cgroup could be made (or the block raised).
    """

    def __init__(self) -> None:
        self._cgroup: CgroupCPU | None = None
        self.seconds: float | None = None

    def __enter__(self) -> ExactCPU:
        self._cgroup = CgroupCPU.create()
        return self

    @property
    def preexec_fn(self):
        return self._cgroup.enter if self._cgroup is not None else None

    def __exit__(self, exc_type, *_exc) -> None:
        if self._cgroup is None:
            return
        try:
            if exc_type is None:
                self.seconds = sum(self._cgroup.seconds())
        finally:
            self._cgroup.remove()
