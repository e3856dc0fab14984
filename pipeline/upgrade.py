"""`peer-eval upgrade`: bring a project's notebooks and report templates up to this peer-eval.

`peer-eval init` copies the shipped files (`pipeline.shipped`) into the project, where the
analyst may edit them, and keeps a pristine copy of each in `.peer-eval/base/` with the
version it came from (`.peer-eval/state.json`). An upgrade is then a three-way merge per
file: base (as copied), ours (the project's file), theirs (this installation's):

- unchanged here -> take the new file; changed here and not in peer-eval -> keep it;
- changed on both sides -> `git merge-file`, which keeps both where they do not touch;
- where they do, the file gets conflict markers and the upgrade exits 1, naming it.

A file is never overwritten without the analyst's edits in it. git's merge is used, not a
Python library, because the maintained one (merge3) is GPL and git is on every machine
that has a checkout; git is needed only when both sides changed a file.
"""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Literal

from pipeline.errors import Problem, UsageError
from pipeline.publish import write_file_atomic

STATE_DIR = ".peer-eval"
BASE_DIR = f"{STATE_DIR}/base"
STATE_FILE = f"{STATE_DIR}/state.json"
_README = f"{STATE_DIR}/README.md"
_README_TEXT = """\
# .peer-eval

Written by `peer-eval init` and `peer-eval upgrade`; do not edit.

`base/` holds the notebooks and report templates exactly as peer-eval last copied them,
and `state.json` the version they came from. `peer-eval upgrade` compares them with your
copies and with the installed peer-eval's, so that your edits are kept when it takes
peer-eval's later fixes.
"""
_MARKERS = (b"<<<<<<< ", b">>>>>>> ")

Action = Literal["add", "update", "merge", "remove", "conflict"]


@dataclass(frozen=True)
class Change:
    """What an upgrade does to one project file."""

    path: str
    """The file, relative to the project root (POSIX)."""
    action: Action
    content: bytes | None
    """What the file becomes; None: removed (action "remove") or left as it is."""
    reason: str


def installed_version() -> str:
    """The version of the installed peer-eval ("unknown" when it has no metadata)."""
    try:
        return metadata.version("peer-eval")
    except metadata.PackageNotFoundError:
        return "unknown"


def state_files(shipped: Mapping[str, bytes], version: str) -> dict[str, bytes]:
    """The `.peer-eval/` files that record what was copied into a project.

    Args:
        shipped: Relative project path -> content, as copied.
        version: The peer-eval version they come from.

    Returns:
        Relative project path -> content: the base copies, the state file, a README.
    """
    files = {f"{BASE_DIR}/{path}": content for path, content in shipped.items()}
    state = {
        "peer_eval_version": version,
        "files": {path: hashlib.sha256(content).hexdigest() for path, content in shipped.items()},
    }
    files[STATE_FILE] = (json.dumps(state, indent=2, sort_keys=True) + "\n").encode()
    files[_README] = _README_TEXT.encode()
    return dict(sorted(files.items()))


def plan_upgrade(root: Path, shipped: Mapping[str, bytes], version: str) -> list[Change]:
    """Work out what upgrading the project at `root` to `shipped` changes, writing nothing.

    Args:
        root: The project root (the folder `peer-eval init` made).
        shipped: This installation's files, relative project path -> content.
        version: This installation's version (in conflict markers).

    Returns:
        One change per file that the upgrade writes, removes or reports, sorted by path.

    Raises:
        UsageError: The project was not made by `peer-eval init`, its record is damaged,
            a file still has conflict markers from an earlier upgrade, or git is needed
            and missing.
    """
    old_version, base = _read_state(root)
    unresolved = [path for path in sorted(base) if _has_markers(root / PurePosixPath(path))]
    if unresolved:
        raise UsageError(
            f"{root}: resolve the conflict markers (<<<<<<< ... >>>>>>>) in "
            f"{', '.join(unresolved)} first, then run peer-eval upgrade again"
        )
    labels = ("this project", f"peer-eval {old_version} (as copied)", f"peer-eval {version}")
    changes = []
    for path in sorted(set(base) | set(shipped)):
        change = _plan_file(root, path, base.get(path), shipped.get(path), labels)
        if change is not None:
            changes.append(change)
    return changes


def apply_upgrade(
    root: Path, changes: list[Change], shipped: Mapping[str, bytes], version: str
) -> None:
    """Write the planned changes, then record `shipped` as the new base.

    The record comes last: an upgrade stopped midway is redone by the next one, which
    finds the files already written equal to peer-eval's, or merges them again.

    Args:
        root: The project root.
        changes: From `plan_upgrade`.
        shipped: The files the plan was made against.
        version: Their peer-eval version.
    """
    for change in changes:
        path = root / PurePosixPath(change.path)
        if change.action == "remove":
            path.unlink()
        elif change.content is not None:
            # Whole or not at all: an interrupted upgrade never leaves half a notebook.
            mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
            write_file_atomic(path, change.content, mode)
    base_dir = root / PurePosixPath(BASE_DIR)
    for old in sorted(base_dir.rglob("*"), reverse=True):
        if old.is_file():
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
    for relative, content in state_files(shipped, version).items():
        path = root / PurePosixPath(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _plan_file(
    root: Path,
    path: str,
    base: bytes | None,
    theirs: bytes | None,
    labels: tuple[str, str, str],
) -> Change | None:
    file = root / PurePosixPath(path)
    ours = file.read_bytes() if file.is_file() else None
    if theirs == base or ours == theirs:
        return None  # nothing new from peer-eval, or the project already has it
    if theirs is None:  # peer-eval no longer ships it
        if ours is None:
            return None
        if ours == base:
            return Change(path, "remove", None, "no longer shipped")
        return Change(path, "conflict", None, "edited here, no longer shipped: kept as it is")
    if ours is None:
        if base is None:
            return Change(path, "add", theirs, "new in peer-eval")
        return Change(path, "conflict", None, "removed here, changed in peer-eval: not restored")
    if ours == base:
        return Change(path, "update", theirs, "not edited here")
    merged, conflicts = _merge(path, ours, base or b"", theirs, labels)
    if conflicts:
        return Change(path, "conflict", merged, f"{conflicts} conflicting edit(s), marked")
    return Change(path, "merge", merged, "edits here and in peer-eval merged")


def _merge(
    path: str, ours: bytes, base: bytes, theirs: bytes, labels: tuple[str, str, str]
) -> tuple[bytes, int]:
    """Three-way merge with `git merge-file`: (result, number of conflicts)."""
    with tempfile.TemporaryDirectory(prefix="peer-eval-merge-") as tmp:
        files = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(tmp) / name).write_bytes(content)
            files.append(str(Path(tmp) / name))
        command = ["git", "merge-file", "-p"]
        for label in labels:
            command += ["-L", label]
        try:
            result = subprocess.run(command + files, capture_output=True, check=False)
        except FileNotFoundError:
            raise UsageError(
                f"{path}: edited here and changed in peer-eval; merging needs git "
                "(git merge-file) on PATH"
            ) from None
    # Exit status: the number of conflicts (at most 127), or above that an error.
    if result.returncode > 127:
        reason = result.stderr.decode(errors="replace").strip()
        raise UsageError(f"{path}: cannot merge: {reason or 'git merge-file failed'}")
    return result.stdout, result.returncode


def _read_state(root: Path) -> tuple[str, dict[str, bytes]]:
    state_file = root / PurePosixPath(STATE_FILE)
    if not state_file.is_file():
        raise UsageError(
            f"{root}: not a project made by peer-eval init (no {STATE_FILE}); "
            "run peer-eval upgrade in the project's folder"
        )
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        version, hashes = str(state["peer_eval_version"]), dict(state["files"])
    except (ValueError, KeyError, TypeError):
        raise UsageError(
            f"{state_file}: not a peer-eval state file; expected JSON with "
            "'peer_eval_version' and 'files'"
        ) from None
    base = {}
    for path, digest in hashes.items():
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts:
            raise UsageError(f"{state_file}: file {path!r} is outside the project")
        copy = root / PurePosixPath(BASE_DIR) / relative
        if not copy.is_file():
            raise UsageError(f"{copy}: missing; {STATE_FILE} lists {path} as copied")
        base[path] = copy.read_bytes()
        if hashlib.sha256(base[path]).hexdigest() != digest:
            raise UsageError(f"{copy}: changed since peer-eval copied it; restore it")
    return version, base


def conflict_problems(paths: list[Path]) -> list[Problem]:
    """One problem per unresolved conflict in `paths`, naming the file and the line.

    A conflict is a line starting `<<<<<<< ` in a file that also has a `>>>>>>> ` line
    (what `git merge-file`, and so `peer-eval upgrade`, writes). A lone `=======` is
    not one: Markdown underlines headings with it.

    Args:
        paths: Files (missing ones are skipped).

    Returns:
        The problems, in the order of `paths`, then of lines.
    """
    problems = []
    for path in paths:
        if not _has_markers(path):
            continue
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if line.startswith(_MARKERS[0]):
                message = (
                    f"line {number}: unresolved conflict (<<<<<<< ... >>>>>>>, as peer-eval "
                    "upgrade leaves them); keep the right lines and remove the markers"
                )
                problems.append(Problem(str(path), message))
    return problems


def _has_markers(path: Path) -> bool:
    if not path.is_file():
        return False
    lines = path.read_bytes().splitlines()
    return all(any(line.startswith(marker) for line in lines) for marker in _MARKERS)
