"""Inputs validated once per run and handed to the notebooks as a snapshot."""

from __future__ import annotations

import pandas as pd
import pytest
from support import make_project

from pipeline.config import load_project
from pipeline.errors import UsageError
from pipeline.inputs import load_evaluation, load_for_notebook
from pipeline.snapshot import load_inputs, snapshot_dir, write_snapshots


def test_a_snapshot_holds_exactly_what_the_notebook_would_read(tmp_path):
    params = make_project(tmp_path)
    project = load_project(params)
    known = {2020: load_evaluation(project, upto_year=2020)}
    paths = write_snapshots(project, [2018, 2020], tmp_path / "out", known=known)
    assert sorted(paths) == [2018, 2020]
    assert all(p.startswith(str(snapshot_dir(tmp_path / "out"))) for p in paths.values())
    for year, path in paths.items():
        expected = load_for_notebook(str(params), year)
        loaded = load_inputs(str(params), year, path)
        for name in ("survey", "population", "register", "segments"):
            pd.testing.assert_frame_equal(getattr(loaded, name), getattr(expected, name))
        pd.testing.assert_frame_equal(loaded.codebook.themes, expected.codebook.themes)
        assert loaded.names == expected.names
    assert sorted(load_inputs(str(params), 2018, paths[2018]).survey["year"].unique()) == [
        2017,
        2018,
    ]


def test_a_snapshot_for_another_year_or_another_file_is_refused(tmp_path):
    params = make_project(tmp_path)
    project = load_project(params)
    paths = write_snapshots(project, [2019], tmp_path / "out", known={})
    with pytest.raises(UsageError, match="a snapshot for 2019, not 2020"):
        load_inputs(str(params), 2020, paths[2019])
    other = tmp_path / "other.pickle"
    other.write_bytes(b"\x80\x04K\x01.")  # pickle of the integer 1
    with pytest.raises(UsageError, match="not an inputs snapshot"):
        load_inputs(str(params), 2020, str(other))
