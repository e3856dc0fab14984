"""Fixtures shared across test modules."""

from __future__ import annotations

import pytest
from support import PAIRS, make_project, run_cli


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """Build the shared demo pairs once per test session: (params file, out dir, result)."""
    tmp = tmp_path_factory.mktemp("demo-build")
    params = make_project(tmp, overrides=True)  # Skåne 2020 is English in the demo
    out = tmp / "out"
    args = ["run", "--params", str(params), "--out", str(out), "--year", "2020", "--jobs", "2"]
    args += ["--renderer", "builtin"]  # the tests check the built-in renderer's markup
    for _, _, region in PAIRS:
        args += ["--region", region]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return params, out, result


@pytest.fixture(scope="session")
def full_demo(tmp_path_factory):
    """The whole demo (every region x year, overrides included), HTML only: (params, out)."""
    tmp = tmp_path_factory.mktemp("full-demo")
    params = make_project(tmp, overrides=True)
    out = tmp / "out"
    result = run_cli(
        "run",
        "--params",
        str(params),
        "--out",
        str(out),
        "--renderer",
        "builtin",
        "--format",
        "html",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return params, out
