"""Harder faults: a full or read-only disk while publishing, a corrupted manifest, a kernel
over its memory limit, a clock that jumps.

Each fails only what it must and loses nothing published. The disk faults are
injected as the OSError the kernel would give (always run), and, where this machine
lets the tests mount a small tmpfs (root), produced by a real full and a real
read-only file system.
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from support import ROOT, make_project, run_cli
from test_faults import tree

from pipeline import build, publish, publish_pair
from pipeline.config import load_project, plan_pairs
from pipeline.errors import PublishError


@pytest.fixture
def task_and_work(tmp_path):
    """A planned Stockholm 2020 task over an output tree holding its old report, and a
    finished work folder (rendered files and notebooks) ready to publish."""
    project = load_project(make_project(tmp_path))
    pairs = plan_pairs(project, ["Stockholm"], [2020])
    out = tmp_path / "out"
    task = build.plan_tasks(project, pairs, out, "builtin")[0]
    old = task.published_dir
    (old / "notebooks").mkdir(parents=True)
    for name, text in {"rapport.html": "old html", "rapport.pdf": "old pdf",
                       "manifest.json": "{}", "notebooks/survey.ipynb": "{}"}.items():  # fmt: skip
        (old / name).write_text(text)
    work = tmp_path / "work"
    (work / "notebooks").mkdir(parents=True)
    (work / "notebooks" / "survey.ipynb").write_text('{"cells": []}')
    rendered = {}
    for fmt in ("html", "pdf"):
        rendered[fmt] = work / f"rapport.{fmt}"
        rendered[fmt].write_bytes(b"new " * 1000)
    return task, work, rendered


def _failing_on_call(real, number: int, error: int):
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise OSError(error, "injected " + errno.errorcode[error])
        return real(*args, **kwargs)

    return failing


def test_a_full_disk_while_staging_keeps_the_published_report(task_and_work, monkeypatch):
    task, work, rendered = task_and_work
    before = tree(task.published_dir)
    real = publish_pair.write_file_atomic
    monkeypatch.setattr(publish_pair, "write_file_atomic", _failing_on_call(real, 2, errno.ENOSPC))

    with pytest.raises(PublishError) as caught:
        publish_pair.publish_report(task, work, rendered)

    message = str(caught.value)
    assert str(task.published_dir) in message and "no space left" in message
    assert "needs about 1 MB" in message and "previous report is kept" in message
    assert tree(task.published_dir) == before
    assert not (Path(task.out) / publish.STAGING / "2020" / "stockholm").exists()


def test_a_read_only_disk_at_the_swap_keeps_the_published_report(task_and_work, monkeypatch):
    task, work, rendered = task_and_work
    before = tree(task.published_dir)
    failing = _failing_on_call(publish_pair.publish_dir, 1, errno.EROFS)
    monkeypatch.setattr(publish_pair, "publish_dir", failing)

    with pytest.raises(PublishError, match="read-only; mount it writable or choose another --out"):
        publish_pair.publish_report(task, work, rendered)

    assert tree(task.published_dir) == before
    assert not (Path(task.out) / publish.STAGING / "2020" / "stockholm").exists()


def test_a_full_disk_replaces_no_file_of_an_overview(tmp_path, monkeypatch):
    files = {tmp_path / name: f"old {name}".encode() for name in ("a.html", "a.pdf", "a.json")}
    for path, data in files.items():
        path.write_bytes(data)
    new = {path: b"new" for path in files}
    monkeypatch.setattr(publish.os, "fsync", _failing_on_call(publish.os.fsync, 3, errno.ENOSPC))

    with pytest.raises(OSError):
        publish.write_files_atomic(new)

    assert {p: p.read_bytes() for p in files} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.json", "a.pdf"]


def test_a_corrupt_manifest_makes_only_its_pair_stale(tmp_path, demo_build):
    params, demo_out, _ = demo_build
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    manifest = out / "2020" / "stockholm" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:100])  # truncated: a disk that filled
    (out / "2020" / "orebro" / "manifest.json").write_text("[]")  # valid JSON, not a manifest

    listed = run_cli("list", "--params", str(params), "--out", str(out), "--renderer", "builtin")

    assert listed.returncode == 0, listed.stderr
    states = {line.split()[1]: line for line in listed.stdout.splitlines() if "2020 " in line}
    assert "stale" in states["Stockholm"] and "manifest.json unreadable" in states["Stockholm"]
    assert "stale" in states["Örebro"]
    assert "fresh" in states["Skåne"]
    assert "stockholm/manifest.json is unreadable" in listed.stderr

    skane = tree(out / "2020" / "skane")
    result = run_cli(
        "run", "--params", str(params), "--out", str(out),
        "--renderer", "builtin", "--year", "2020", "--region",
        "Stockholm", "--region", "Skåne", "--no-overview",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert json.loads(manifest.read_text(encoding="utf-8"))["report"]["region"] == "Stockholm"
    assert tree(out / "2020" / "skane") == skane  # fresh: not rebuilt


# --- a real small file system (needs root to mount) -------------------------------


@contextlib.contextmanager
def _tmpfs(path: Path, size: int):
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.mark.e2e
def test_a_real_full_disk_keeps_the_published_report(tmp_path, demo_build):
    params, demo_out, _ = demo_build
    report = demo_out / "2020" / "stockholm"
    # Room for the old report and the run's work folder, not for a staged copy too.
    with _tmpfs(tmp_path / "small", int(_size(report) * 2.3) + 64 * 1024) as out:
        shutil.copytree(report, out / "2020" / "stockholm")
        before = tree(out / "2020" / "stockholm")
        result = run_cli(
            "run", "--params", str(params), "--out", str(out),
            "--renderer", "builtin", "--region", "Stockholm",
            "--year", "2020", "--no-overview", "--force",
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        summary = "".join(result.stderr.split())  # wrapped to the terminal's width
        folder = "".join(str(out / "2020" / "stockholm").split())
        assert f"failed2020/stockholm:cannotpublishinto{folder}:nospaceleft" in summary, summary
        assert tree(out / "2020" / "stockholm") == before
        assert not (out / ".staging").exists()


@pytest.mark.e2e
def test_a_read_only_output_folder_stops_with_one_line(tmp_path, demo_build):
    params, demo_out, _ = demo_build
    with _tmpfs(tmp_path / "ro", 64 * 1024 * 1024) as out:
        shutil.copytree(demo_out / "2020" / "stockholm", out / "2020" / "stockholm")
        before = tree(out)
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        result = run_cli(
            "run", "--params", str(params), "--out", str(out),
            "--renderer", "builtin", "--region", "Stockholm",
            "--year", "2020", "--force",
        )  # fmt: skip
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(out) in lines[0] and "read-only" in lines[0], lines
        assert tree(out) == before


@pytest.mark.parametrize("mode", ["shell", "fork", "fresh"])
def test_a_kernel_over_its_memory_limit_fails_its_notebook(tmp_path, monkeypatch, mode):
    import nbformat

    from pipeline.errors import ExecutionError
    from pipeline.execute import execute_notebook

    monkeypatch.setenv("PEER_EVAL_KERNELS", mode)
    parameters = nbformat.v4.new_code_cell('region = "x"')
    parameters.metadata["tags"] = ["parameters"]
    hog = nbformat.v4.new_code_cell("#| label: hog\nhog = bytearray(3 * 1024**3)")
    source = tmp_path / "hog.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, hog]), source)

    with pytest.raises(ExecutionError) as caught:
        execute_notebook(
            source, tmp_path / "out" / "hog.ipynb", {"region": "y"}, lang="sv",
            cwd=tmp_path, timeout_seconds=60, memory_mb=2048,
        )  # fmt: skip

    assert caught.value.cell.endswith("(hog)")
    assert "MemoryError" in caught.value.error and "2048 MB" in caught.value.error


def test_a_clock_jump_changes_no_pair_state(tmp_path, demo_build):
    """Freshness is decided by hashes, never by times: files from the far past or future
    (a clock that jumped, a restore from backup) leave every pair as it was."""
    import os

    params, demo_out, _ = demo_build
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    before = run_cli("list", "--params", str(params), "--out", str(out), "--renderer", "builtin")
    for when in (4_102_444_800, 86_400):  # 2100-01-01, 1970-01-02
        for path in out.rglob("*"):
            os.utime(path, (when, when), follow_symlinks=False)
        after = run_cli("list", "--params", str(params), "--out", str(out), "--renderer", "builtin")
        assert after.returncode == 0, after.stderr
        assert after.stdout == before.stdout
    assert "fresh" in before.stdout


@pytest.mark.e2e
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_by_a_signal_leaves_no_worker_publishing(tmp_path, stop):
    # Before: SIGTERM ended the CLI at once; its pool workers (children of the forkserver)
    # went on building and published pairs after it had exited and dropped its lock.
    params = make_project(tmp_path)
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--params", str(params), "--out", str(out),
         "--jobs", "2", "--force"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert run.stderr is not None
    for line in run.stderr:  # the first pair published: the workers are busy with more
        if ": built (" in line:
            break
    started = psutil.Process(run.pid).children(recursive=True)
    run.send_signal(stop)
    assert run.wait(timeout=60) == 128 + stop
    _, alive = psutil.wait_procs(started, timeout=10)
    assert alive == []
    before = tree(out)
    time.sleep(3)
    assert tree(out) == before
