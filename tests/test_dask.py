"""The Dask executor: a local cluster it starts itself, and a cluster it is pointed at."""

from __future__ import annotations

import time

import pytest
from support import run_cli

from pipeline import kernels

pytestmark = pytest.mark.e2e

BUILT = [("stockholm", "Stockholm"), ("orebro", "Örebro")]


def _args(params, out, *extra: str) -> list[str]:
    args = ["run", "--params", str(params), "--out", str(out), "--year", "2020", *extra]
    args += ["--renderer", "builtin"]
    for _, region in BUILT:
        args += ["--region", region]
    return args


def _same_html_as_local(local_out, dask_out) -> None:
    for slug, _ in BUILT:
        dask_html = (dask_out / "2020" / slug / "rapport.html").read_bytes()
        assert dask_html == (local_out / "2020" / slug / "rapport.html").read_bytes(), slug
        assert (dask_out / "2020" / slug / "rapport.pdf").is_file()
    assert not (dask_out / ".work").exists() and not (dask_out / ".staging").exists()


def test_dask_without_scheduler_starts_a_local_cluster(demo_build, tmp_path):
    params, local_out, _ = demo_build
    out = tmp_path / "out"
    result = run_cli(*_args(params, out, "--executor", "dask", "--jobs", "2"))
    assert result.returncode == 0, result.stderr
    _same_html_as_local(local_out, out)


def test_dask_scheduler_address_builds_on_that_cluster(demo_build, tmp_path):
    from distributed import Client, LocalCluster

    params, local_out, _ = demo_build
    out = tmp_path / "out"
    with LocalCluster(
        n_workers=2, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = run_cli(
            *_args(params, out, "--executor", "dask", "--scheduler", cluster.scheduler_address)
        )
        assert result.returncode == 0, result.stderr
        with Client(cluster) as client:
            # The pairs ran on this cluster's workers: they hold the kernel templates.
            templates = [pid for pid in client.run(_template_pid).values() if pid]
    _same_html_as_local(local_out, out)
    assert templates
    deadline = time.monotonic() + 15
    while any(kernels._pid_alive(p) for p in templates) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(kernels._pid_alive(p) for p in templates), "templates outlived their workers"


def _template_pid() -> int | None:
    template = kernels._Template.current
    return template.process.pid if template is not None and template.alive() else None
