"""The Dask executor: a local cluster it starts itself, and a cluster it is pointed at.

Both must publish exactly what the local executor publishes: every file, byte for byte.
"""

from __future__ import annotations

import time

import pytest
from support import PAIRS, run_cli

from pipeline import kernel_template

pytestmark = pytest.mark.e2e

BUILT = [("stockholm", "Stockholm"), ("orebro", "Örebro")]


def _args(params, out, *extra: str) -> list[str]:
    args = ["run", "--params", str(params), "--out", str(out), "--year", "2020", *extra]
    args += ["--renderer", "builtin"]
    for _, region in BUILT:
        args += ["--region", region]
    return args


def _published(out, under: str = "") -> dict[str, bytes]:
    """Every published file below `out/under` by relative path (not the dot-folders:
    the lock, the execution cache and scratch space are not published)."""
    root = out / under if under else out
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(out).parts)
    }


def _same_files(expected: dict[str, bytes], got: dict[str, bytes]) -> None:
    assert sorted(got) == sorted(expected)
    different = [name for name in expected if got[name] != expected[name]]
    assert not different, f"differ from the local build: {different}"


def test_dask_without_scheduler_starts_a_local_cluster(demo_build, tmp_path):
    # The very build demo_build made with the local pool (same pairs, overview, index).
    params, local_out, _ = demo_build
    out = tmp_path / "out"
    args = ["run", "--params", str(params), "--out", str(out), "--year", "2020"]
    args += ["--renderer", "builtin", "--executor", "dask", "--jobs", "2"]
    for _, _, region in PAIRS:
        args += ["--region", region]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    # The cluster's own log (scheduler, nannies; at close a traceback) is not the analyst's.
    assert "distributed." not in result.stderr and "Traceback" not in result.stderr
    local = _published(local_out)
    assert any(name.endswith("rapport.pdf") for name in local)
    assert any(name.endswith(".ipynb") for name in local)
    _same_files(local, _published(out))
    assert not (out / ".work").exists() and not (out / ".staging").exists()


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
    for slug, _ in BUILT:
        _same_files(_published(local_out, f"2020/{slug}"), _published(out, f"2020/{slug}"))
    assert not (out / ".work").exists() and not (out / ".staging").exists()
    assert templates
    deadline = time.monotonic() + 15
    while any(kernel_template.pid_alive(p) for p in templates) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [p for p in templates if kernel_template.pid_alive(p)]
    assert not alive, "templates outlived their workers"


def _template_pid() -> int | None:
    template = kernel_template.Template.current
    return template.process.pid if template is not None and template.alive() else None
