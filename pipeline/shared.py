"""Outputs that are the same in every report of a year, computed once per run.

Some report parts show the whole country: the response rate of every region, as a
table and a chart. At a national round (290 municipalities) drawing that chart takes
seconds, and each of the 290 reports would draw the same one. Within a run, the
first notebook to need such an output computes it and stores it beside the run's
inputs snapshot (pipeline.snapshot); every other notebook of the run reads it.

An output is keyed by the function that makes it and a digest of every argument
(DataFrames by their content), so two calls share an output only when they would
compute the same one. Outside a run (no snapshot: Jupyter, `peer-eval preview`), or
for an argument that cannot be digested, the output is simply computed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.publish import write_file_atomic

SHARED = "shared"


def once(snapshot: str, make: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """Return `make(*args, **kwargs)`, computed at most once per run for the same arguments.

    Args:
        snapshot: The run's inputs snapshot ("" outside a run: no sharing).
        make: A pure function returning text (Markdown, SVG).
        *args: Its arguments: DataFrames, str, int, float, bool, None, lists, tuples and
            dataclasses of these (a `Scope`).
        **kwargs: Its keyword arguments, likewise.

    Returns:
        The text, from this run's shared store when another report already made it.
    """
    key = _key(make, args, kwargs) if snapshot else None
    if key is None:
        return make(*args, **kwargs)
    stored = Path(snapshot).parent / SHARED / f"{key}.txt"
    try:
        return stored.read_text(encoding="utf-8")
    except OSError:
        pass
    text = make(*args, **kwargs)
    write_file_atomic(stored, text.encode("utf-8"), 0o600)  # concurrent makers write alike
    return text


def show_once(
    snapshot: str,
    make_figure: Callable[..., Any],
    *args: Any,
    alt: str | None = None,
    data: str | None = None,
) -> None:
    """Display `make_figure(*args)` as SVG in a notebook, drawn at most once per run.

    The same as `pipeline.figures.style.show(make_figure(*args), alt=alt, data=data)`,
    byte for byte.
    """
    from pipeline.figures.style import display_svg, figure_metadata

    display_svg(once(snapshot, figure_svg, make_figure, *args), figure_metadata(alt, data))


def figure_svg(make_figure: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The deterministic SVG of the figure `make_figure` returns."""
    from pipeline.figures.style import to_svg

    return to_svg(make_figure(*args, **kwargs))


def _key(make: Callable, args: tuple, kwargs: dict) -> str | None:
    try:
        parts = [_digest(make), [_digest(a) for a in args]]
        parts.append({name: _digest(value) for name, value in sorted(kwargs.items())})
    except (TypeError, ValueError):
        return None  # e.g. a list inside a DataFrame cell: compute instead of guessing
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def _digest(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        hashed = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        columns = json.dumps([str(c) for c in value.columns] + [str(t) for t in value.dtypes])
        return hashlib.sha256(hashed + columns.encode("utf-8")).hexdigest()
    if callable(value) and hasattr(value, "__qualname__"):
        if "<" in value.__qualname__:  # a lambda or a local function: no stable name
            raise TypeError(f"cannot digest {value.__qualname__}")
        return ["function", value.__module__, value.__qualname__]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # e.g. a Scope
        fields = {f.name: _digest(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return [type(value).__module__, type(value).__qualname__, fields]
    if value is None or isinstance(value, str | int | float | bool):
        return [type(value).__name__, value]
    if isinstance(value, list | tuple):
        return [type(value).__name__, [_digest(v) for v in value]]
    raise TypeError(f"cannot digest {type(value).__name__}")
