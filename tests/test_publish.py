import os
import subprocess
import sys

import pytest

from pipeline.errors import LockError
from pipeline.publish import output_lock, publish_dir, recover, write_file_atomic


def _staged(tmp_path, name, text):
    staged = tmp_path / "out" / ".staging" / name
    staged.mkdir(parents=True)
    (staged / "rapport.html").write_text(text)
    return staged


def test_publish_replaces_whole_directory(tmp_path):
    target = tmp_path / "out" / "2020" / "skane"
    publish_dir(_staged(tmp_path, "a", "first"), target)
    assert (target / "rapport.html").read_text() == "first"
    staged = _staged(tmp_path, "b", "second")
    (target / "stale.txt").write_text("old file")
    publish_dir(staged, target)
    assert (target / "rapport.html").read_text() == "second"
    assert not (target / "stale.txt").exists()
    assert not staged.exists()


def test_recover_restores_a_report_left_aside_by_a_crash(tmp_path):
    out = tmp_path / "out"
    old = out / ".staging" / "2020" / "skane.old"
    old.mkdir(parents=True)
    (old / "rapport.html").write_text("previous")
    recover(out)
    assert (out / "2020" / "skane" / "rapport.html").read_text() == "previous"
    assert not (out / ".staging").exists()


def test_atomic_file_write_sets_mode(tmp_path):
    path = tmp_path / "x" / "index.html"
    write_file_atomic(path, b"hello", 0o600)
    assert path.read_bytes() == b"hello"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["index.html"]


def test_second_run_is_refused_while_first_holds_lock(tmp_path):
    with output_lock(tmp_path):  # noqa: SIM117 - the inner lock is what must fail
        with pytest.raises(LockError, match="another peer-eval run"), output_lock(tmp_path):
            pass


def test_lock_of_a_killed_process_is_recovered(tmp_path):
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from pipeline.publish import output_lock\n"
        "with output_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError, match=f"pid {holder.pid}"), output_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    with output_lock(tmp_path):  # the kernel released the dead holder's lock
        assert (tmp_path / ".lock").read_text() == f"pid {os.getpid()}"
