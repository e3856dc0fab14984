"""Publishing into the output tree: atomic directory swaps, atomic files, one run at a time.

A report directory is assembled completely in a staging directory on the same file
system, then swapped with the published one in a single `renameat2(RENAME_EXCHANGE)`
system call, so a reader (or a crash, or SIGKILL) sees either the old report or the
new one, never a mix and never nothing. The old copy is removed afterwards.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import LockError, PublishError

STAGING = ".staging"
WORK = ".work"
FAILED = ".failed"
LOCK = ".lock"

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    # The C library this interpreter has loaded: `ctypes.util.find_library` would run
    # `ldconfig -p` (twice) in every process that imports this module.
    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        function.argtypes += [ctypes.c_uint]
    return function


_RENAMEAT2 = _renameat2()


def exchange_dirs(a: Path, b: Path) -> bool:
    """Atomically swap two directories; return False where the OS cannot.

    Args:
        a: An existing directory.
        b: Another existing directory on the same file system.

    Returns:
        True if swapped in one step; False if renameat2 is unavailable here.
    """
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), f"{a} <-> {b}")


def publish_dir(staged: Path, target: Path) -> None:
    """Put a complete staged directory at `target`, replacing what was there atomically.

    Args:
        staged: A finished directory (on the same file system as target).
        target: The published location.
    """
    # New parents (the year folder) are as private as the report itself.
    _make_dirs(target.parent, stat.S_IMODE(staged.stat().st_mode))
    _fsync_tree(staged)
    if not target.exists():
        os.rename(staged, target)
    elif exchange_dirs(staged, target):
        shutil.rmtree(staged)  # now holds the previous version
    else:
        # Fallback (no renameat2): a short window where target is absent; the
        # previous version stays in `old` and `recover` puts it back after a crash.
        old = staged.with_name(staged.name + ".old")
        os.rename(target, old)
        os.rename(staged, target)
        shutil.rmtree(old)
    _fsync_dir(target.parent)


def publish_failure(exc: OSError, folder: Path, needed: int) -> PublishError:
    """Say why `folder` could not be written, and what would let it be.

    Args:
        exc: The error from the file system.
        folder: Where the report was to go.
        needed: Bytes the new report takes.

    Returns:
        An error for the run's summary; the previously published report is untouched.
    """
    mb = max(1, -(-needed // (1024 * 1024)))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = (
            f"no space left on the device (the report needs about {mb} MB, twice that "
            "while it is published); free space there or choose another --out"
        )
    elif exc.errno == errno.EROFS:
        reason = "the file system is read-only; mount it writable or choose another --out"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = "permission denied; make the folder writable for this user or choose another --out"
    else:
        reason = exc.strerror or str(exc)
    return PublishError(f"cannot publish into {folder}: {reason}; the previous report is kept")


def write_files_atomic(files: dict[Path, bytes], mode: int = 0o600) -> None:
    """Write several files so that either all are replaced or none is.

    Every new content is first written in full beside its target (so a full disk
    fails here, with nothing replaced); then each is renamed into place, which needs
    no space. The dict's order is the order of replacement: put the manifest last.

    Args:
        files: Destination -> complete content.
        mode: Permission bits of the new files.
    """
    written: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            _make_dirs(path.parent, mode | ((mode & 0o444) >> 2))
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            written.append((temporary, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
    except BaseException:
        for temporary, _ in written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        raise
    for temporary, path in written:
        os.replace(temporary, path)
    for folder in sorted({path.parent for _, path in written}):
        _fsync_dir(folder)


def recover(out: Path) -> None:
    """Undo what an interrupted run left: restore `.old` copies, drop staging and work dirs."""
    staging = out / STAGING
    if staging.is_dir():
        for old in sorted(staging.rglob("*.old")):
            target = out / old.relative_to(staging).with_suffix("")
            if old.is_dir() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(old, target)
        shutil.rmtree(staging, ignore_errors=True)


def tidy(out: Path) -> None:
    """Remove the run's empty scratch directories (staging and work) after a run."""
    for name in (STAGING, WORK):
        scratch = out / name
        if scratch.is_dir() and not any(p.is_file() for p in scratch.rglob("*")):
            shutil.rmtree(scratch)


def write_file_atomic(path: Path, data: bytes, mode: int = 0o600, *, durable: bool = True) -> None:
    """Write a file so that readers see the old or the new content, never a part.

    Args:
        path: Destination.
        data: The complete content.
        mode: Permission bits of the new file.
        durable: Also fsync the file and its folder (not needed for a file in a
            staging folder, which is synced as a whole when it is published).
    """
    # Folders created here get the file's read bits as search bits: 0600 -> 0700.
    _make_dirs(path.parent, mode | ((mode & 0o444) >> 2))
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if durable:
        _fsync_dir(path.parent)


@contextlib.contextmanager
def output_lock(out: Path, wait: bool = False) -> Iterator[None]:
    """Hold the output directory's lock for one run.

    The lock is an flock on `<out>/.lock`: the kernel releases it when the holder
    dies, so a lock left by a killed run never blocks the next one.

    Args:
        out: The output directory (created if needed).
        wait: Wait for the other run instead of stopping.

    Raises:
        LockError: Another live run holds the lock and wait is False.
    """
    path = out / LOCK
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - held for the duration of the run
    except OSError as exc:
        raise LockError(
            str(publish_failure(exc, out, 0)).replace("; the previous report is kept", "")
        ) from None
    try:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockError(
                f"{out} is being written by another peer-eval run ({holder}); "
                "wait for it to finish or use --wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def _make_dirs(path: Path, mode: int) -> None:
    """Create `path` and missing parents with `mode` (existing folders keep theirs)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # a parallel task made it first
            folder.mkdir()
            os.chmod(folder, mode)  # mkdir's mode would be masked by the umask


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(root)
