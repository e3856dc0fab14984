"""The preview's refusals: a port it cannot listen on, a folder it cannot write."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest
from support import make_project, run_cli

from pipeline import preview
from pipeline.config import Pair, PairSettings
from pipeline.errors import PublishError, UsageError
from pipeline.task import PairTask


def _task(out: Path) -> PairTask:
    pair = Pair(region="Stockholm", year=2020, settings=PairSettings())
    return PairTask(
        pair=pair, params_file="p", root=str(out), out=str(out), renderer="builtin",
        renderer_version="", notebooks=(), template="", narrative_file="", components={},
        inputs={}, git_commit="", output_mode="private",
    )  # fmt: skip


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_port_in_use_stops_the_preview_before_any_work(tmp_path, busy_port, monkeypatch):
    # Before: a traceback (OSError: Address already in use), after executing the notebooks.
    def prepare(task):
        raise AssertionError("notebooks prepared although the port was in use")

    monkeypatch.setattr(preview, "prepare", prepare)
    with pytest.raises(UsageError) as raised:
        preview.run_preview(_task(tmp_path), port=busy_port, echo=lambda line: None)
    message = str(raised.value)
    assert message.startswith(f"--port {busy_port}: cannot listen") and "\n" not in message
    assert "--port 0" in message


def test_an_unwritable_preview_folder_is_one_line_naming_it(tmp_path, monkeypatch):
    def mkdir(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(PublishError) as raised:
        preview.prepare(_task(tmp_path))
    message = str(raised.value)
    assert str(tmp_path / ".preview" / "2020" / "stockholm") in message
    assert "Read-only file system" in message and "\n" not in message


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path, port):
    params = make_project(tmp_path)
    result = run_cli("preview", "Stockholm", "2020", "--params", str(params), "--port", port)
    assert result.returncode == 2
    expected = f"error: --port: invalid value {port}; expected 0-65535 (0: any free port)\n"
    assert result.stderr == expected
