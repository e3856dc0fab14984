"""Guards that every reader passes a file through before trusting it with memory or time.

Inputs come from other people's machines: a survey export, a workbook (a zip of XML),
a REFI-QDA project (a zip of XML and texts). A hostile or broken file must stop with
one line naming it, not fill the memory, hang the run or reach outside its folder.
What is checked, before anything is parsed:

* the file's size (tables and text files; archives have their own, larger, limit);
* a zip archive's directory: member count, each member's name (no `..`, no absolute
  path, no drive letter, no NUL), each member's uncompressed size and compression
  ratio, and the total uncompressed size. The sizes in the directory bound what
  `zipfile` will ever inflate for a member (it stops at the declared size and checks
  the CRC), so checking them first bounds memory. Nothing is extracted to disk;
  members are read into memory with bounded reads (`read_member`);
* rows and columns of a table, counted while it is read (`check_row`).

XML is parsed with `defusedxml` (openpyxl switches to it by itself when it is
installed, which `openpyxl_parses_with_defusedxml` checks and the workbook reader
requires): no DTD entities, no external entities.

The limits live in one place, `Limits`, with their defaults; params may change them
(`limits:` in params/evaluation.yaml, see docs/params.md). Readers ask for the limits
in force with `current_limits()`; `load_evaluation` sets them from params for the
duration of the read (`use_limits`), so reader signatures stay as they are.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, PositiveInt

from pipeline.errors import InputError, Problem

MB = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# Small members (styles, relationships) compress far better than data; only members
# this large are held to the ratio limit.
_RATIO_FLOOR = 1 * MB
# What a REFI-QDA reader reads of a project: the project XML and plain-text sources.
_TEXT = (".qde", ".txt", ".xml")


class Limits(BaseModel):
    """What an input may be at most. Defaults fit real evaluations with a wide margin.

    Also `limits:` in params (pipeline.config): every number is at least 1.

    Attributes:
        max_table_mb: Size of a .csv, .xlsx, .yaml or .txt input file.
        max_archive_mb: Size of a .qdpx file (it may carry audio or video sources).
        max_members: Members of one zip archive.
        max_member_mb: Uncompressed size of one member that is read.
        max_unpacked_mb: Uncompressed size of all members of one archive.
        max_compression_ratio: Uncompressed / compressed size of a member over 1 MB
            (XML compresses 5-30 times; a zip bomb thousands of times).
        max_rows: Rows of one table (header and empty rows included).
        max_columns: Columns of one table.
        links_out_of_data_dir: Follow symbolic links that lead out of data_dir.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_table_mb: PositiveInt = 50
    max_archive_mb: PositiveInt = 500
    max_members: PositiveInt = 10_000
    max_member_mb: PositiveInt = 100
    max_unpacked_mb: PositiveInt = 1024
    max_compression_ratio: PositiveInt = 100
    max_rows: PositiveInt = 100_000
    max_columns: PositiveInt = 1_000
    links_out_of_data_dir: bool = False


DEFAULT_LIMITS = Limits()
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar(
    "peer_eval_limits", default=DEFAULT_LIMITS
)


def current_limits() -> Limits:
    """The limits in force (the defaults unless `use_limits` set others)."""
    return _CURRENT.get()


@contextlib.contextmanager
def use_limits(limits: Limits) -> Iterator[Limits]:
    """Put `limits` in force for the readers called inside the `with` block."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def _advice(key: str) -> str:
    return f"(limit {key} under limits: in params)"


def check_file_size(path: Path, shown: str, *, archive: bool = False) -> int:
    """Refuse a file larger than its limit; return its size in bytes.

    Args:
        path: An existing file.
        shown: How to name it in messages.
        archive: Hold it to max_archive_mb (a .qdpx) instead of max_table_mb.

    Raises:
        InputError: The file is larger than the limit, or cannot be examined.
    """
    limits = current_limits()
    key, limit = (
        ("max_archive_mb", limits.max_archive_mb)
        if archive
        else ("max_table_mb", limits.max_table_mb)
    )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(Problem(shown, f"cannot be read: {exc.strerror or exc}")) from None
    if size > limit * MB:
        raise InputError(
            Problem(
                shown,
                f"is {_mb(size)} MB, more than the {limit} MB an input may be {_advice(key)}; "
                "check that it is the right file",
            )
        )
    return size


def openpyxl_parses_with_defusedxml() -> bool:
    """Whether openpyxl, which decides at its import, parses workbooks with defusedxml.

    openpyxl is imported here rather than with this module: it costs a tenth of a
    second, and most runs read no workbook.
    """
    import openpyxl.xml

    return bool(openpyxl.xml.DEFUSEDXML)


def open_archive(path: Path, shown: str, *, what: str = "zip") -> zipfile.ZipFile:
    """Open a zip archive (.xlsx, .qdpx) after checking its directory; the caller closes it.

    Args:
        path: The archive.
        shown: How to name it in messages.
        what: "xlsx" for a workbook (held to max_table_mb; every member may be read),
            else how to name the kind of archive (held to max_archive_mb).

    Returns:
        The open archive, every member of which passed the checks.

    Raises:
        InputError: Not a zip archive, or a member name or size that is refused.
    """
    workbook = what == "xlsx"
    check_file_size(path, shown, archive=not workbook)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        message = (
            f"is not a readable .xlsx workbook ({exc})"
            if workbook
            else f"is not a {what} archive: {exc}"
        )
        raise InputError(Problem(shown, message)) from None
    try:
        check_members(archive.infolist(), shown, read_suffixes=None if workbook else _TEXT)
    except BaseException:
        archive.close()
        raise
    return archive


def check_members(
    members: list[zipfile.ZipInfo], shown: str, *, read_suffixes: tuple[str, ...] | None = None
) -> None:
    """Check an archive's directory: count, names, sizes and compression ratios.

    Args:
        members: The archive's directory entries.
        shown: How to name the archive in messages.
        read_suffixes: Members the reader reads (by name ending), held to max_member_mb
            now; None means every member (openpyxl may read any). Others (audio, video
            sources of a project) are never read and only count towards the total.

    Raises:
        InputError: The first problem found, naming the member.
    """
    limits = current_limits()
    if len(members) > limits.max_members:
        raise InputError(
            Problem(
                shown,
                f"holds {len(members)} files, more than {limits.max_members} "
                f"{_advice('max_members')}",
            )
        )
    total = 0
    for info in members:
        unsafe = unsafe_member_name(info.filename)
        if unsafe:
            raise InputError(
                Problem(
                    shown,
                    f"holds a file named {info.filename!r}, {unsafe}; refused "
                    "(an archive may only name files inside itself)",
                )
            )
        if read_suffixes is None or info.filename.casefold().endswith(read_suffixes):
            _check_member_size(info, shown, limits)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise InputError(
                Problem(
                    shown,
                    f"{info.filename} would unpack {ratio:.0f} times its packed size "
                    f"({_mb(info.file_size)} MB), more than {limits.max_compression_ratio} "
                    f"times {_advice('max_compression_ratio')}; refused as a possible zip bomb",
                )
            )
        total += info.file_size
    if total > limits.max_unpacked_mb * MB:
        raise InputError(
            Problem(
                shown,
                f"would unpack to {_mb(total)} MB, more than {limits.max_unpacked_mb} MB "
                f"{_advice('max_unpacked_mb')}",
            )
        )


def unsafe_member_name(name: str) -> str:
    """Say why a member name could point outside the archive ("" when it is safe)."""
    if "\x00" in name:
        return "which contains a NUL character"
    if name.startswith(("/", "\\")):
        return "an absolute path"
    if _DRIVE.match(name):
        return "a path with a drive letter"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "a path that climbs out of the archive (..)"
    return ""


def read_member(archive: zipfile.ZipFile, name: str, shown: str) -> bytes:
    """Read one member into memory, never more than max_member_mb.

    Args:
        archive: An archive opened with `open_archive`.
        name: The member.
        shown: How to name the archive in messages.

    Raises:
        InputError: The member is too large, or cannot be read (corrupt, encrypted).
    """
    limits = current_limits()
    info = archive.getinfo(name)
    _check_member_size(info, shown, limits)
    limit = limits.max_member_mb * MB
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, RuntimeError, EOFError) as exc:
        raise InputError(Problem(shown, f"{name} cannot be read from the archive: {exc}")) from None
    if len(data) > limit:  # zipfile trusts the directory's size; this does not
        raise InputError(Problem(shown, f"{name} unpacks to more than {limits.max_member_mb} MB"))
    return data


def check_row(shown: str, number: int, width: int) -> None:
    """Refuse a table once it has more rows or columns than the limits allow.

    Args:
        shown: How to name the file in messages.
        number: The row's number in the spreadsheet (header = 1).
        width: Cells in the row as read (trailing empty ones included).

    Raises:
        InputError: Row `number` is beyond max_rows, or wider than max_columns.
    """
    limits = current_limits()
    if number > limits.max_rows:
        raise InputError(
            Problem(
                shown,
                f"has more than {limits.max_rows} rows {_advice('max_rows')}; "
                "remove empty rows below the data, or split the file",
                row=number,
            )
        )
    if width > limits.max_columns:
        raise InputError(
            Problem(
                shown,
                f"has {width} columns, more than {limits.max_columns} "
                f"{_advice('max_columns')}; remove empty columns right of the data",
                row=number,
            )
        )


def outside_link(path: Path, data_dir: Path) -> Path | None:
    """Where `path` really leads, if a symbolic link takes it out of `data_dir`.

    A path that is outside data_dir as written (an absolute path in params) is the
    params' own choice and not reported; only links that leave are.

    Args:
        path: An input path as params name it (data_dir joined with the spec's path).
        data_dir: The resolved data directory.

    Returns:
        The resolved target outside data_dir, or None when the path stays inside (or
        the limits allow leaving).
    """
    if current_limits().links_out_of_data_dir:
        return None
    written = Path(os.path.normpath(path))
    if not _inside(written, data_dir):
        return None
    try:
        target = path.resolve(strict=False)
    except (OSError, RuntimeError):  # a loop of links
        return path
    return None if _inside(target, data_dir) else target


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_member_size(info: zipfile.ZipInfo, shown: str, limits: Limits) -> None:
    if info.file_size > limits.max_member_mb * MB:
        raise InputError(
            Problem(
                shown,
                f"{info.filename} unpacks to {_mb(info.file_size)} MB, more than "
                f"{limits.max_member_mb} MB {_advice('max_member_mb')}",
            )
        )


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")
