"""Notebook shells and kernels forked from the warm template: fresh-kernel bytes, same
failures, no leftovers."""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
import zmq
from support import ROOT

from pipeline import kernel_template, kernels
from pipeline.errors import ExecutionError
from pipeline.execute import execute_notebook

# What could differ between a forked and a fresh kernel: the inline figure backend
# (pyplot PNG), SVG display, Markdown, a DataFrame's HTML, the working directory and
# import path, the execution counter, the process's view of __main__.
PROBE = [
    "import sys\nfrom pathlib import Path\nprint(Path.cwd().name, __name__, sys.path.index(''))",
    "import matplotlib\nmatplotlib.get_backend()",
    "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('inline')\nplt.show()",
    "from pipeline.figures.style import new_figure, show\nfig = new_figure()\n"
    "fig.subplots().bar(['a', 'b'], [1, 2])\nshow(fig)",
    "import pandas as pd\npd.DataFrame({'x': [1, 2], 'y': ['a', 'b']})",
    "from IPython.display import Markdown, display\ndisplay(Markdown(f'**{label}**'))",
    "import random, numpy\nlen(str(random.random())) > 3, numpy.random.get_state()[0]",
    # Streams around displays, a deferred clear, a display updated by its id, input().
    "import sys\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')\n"
    "from IPython.display import clear_output, display\nh = display('draft', display_id=True)\n"
    "print('four')\nh.update('final')\nclear_output(wait=True)\nprint('five')",
    "from IPython.display import display\nd = display('first', display_id='d')\n"
    "display('second', display_id='d')\nd.update('third')",
    "try:\n    input('?')\nexcept Exception as e:\n    print(type(e).__name__, e)",
    "!echo bang",  # a shell command's output, read through a pipe by ipykernel's shell
    "print(_exit_code)",
    "len?",  # ipykernel pages it into the reply's payload, which papermill drops
    # pandas sizes a wide frame's text for a notebook frontend when the shell says zmq.
    "pd.DataFrame({f'column_{i}': range(3) for i in range(30)})",
    "import matplotlib.pyplot as plt\nplt.plot([2, 1]);",  # shown as the cell ends
]
FAILING = [
    "print('before')",
    "def inner(rows):\n    return rows[3]\n\n#| label: tbl-x\ninner([1, 2])",
]
EXITING = ["print('before')", "import sys\nsys.exit(3)", "print('never')"]
TEMPLATE_MODES = ("shell", "fork")
PID = "print('pid', __import__('os').getpid())"


def _notebook(path: Path, cells: list[str]) -> Path:
    parameters = nbformat.v4.new_code_cell('label = "x"')
    parameters.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(
        cells=[parameters, *(nbformat.v4.new_code_cell(c) for c in cells)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def _run(source: Path, base: Path, parameters: dict | None = None, timeout: int = 60) -> Path:
    work = base / "work"
    work.mkdir(parents=True, exist_ok=True)
    output = work / "notebooks" / source.name
    execute_notebook(
        source, output, parameters or {"label": "Skåne"}, lang="sv", cwd=work,
        timeout_seconds=timeout,
    )  # fmt: skip
    return output


def _outputs(path: Path, index: int) -> str:
    cell = nbformat.read(path, as_version=4).cells[index]
    return json.dumps(cell.outputs, sort_keys=True, ensure_ascii=False)


def _outputs_text(path: Path, index: int) -> str:
    cell = nbformat.read(path, as_version=4).cells[index]
    return "".join(o.get("text", "") for o in cell.outputs)


def _gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not kernel_template.pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def _printed_pid(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout" and output.text.startswith("pid "):
                return int(output.text.split()[1])
    raise AssertionError("no pid printed")


@pytest.fixture(params=TEMPLATE_MODES)
def template_mode(request, monkeypatch):
    """Each way a notebook's process comes from the template: "shell" is the default."""
    if request.param == "shell":
        monkeypatch.delenv(kernel_template.MODE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(kernel_template.MODE_VARIABLE, request.param)
    assert kernel_template.kernel_mode() == request.param
    return request.param


def test_client_sockets_retry_a_kernel_that_is_not_listening_yet_within_milliseconds(tmp_path):
    # The client connects while a new kernel is still binding its sockets; with
    # ZMQ's default 100 ms between attempts, most of a kernel's start was waiting.
    manager = kernels.IPCKernelManager(connection_file=str(tmp_path / "kernel.json"))
    manager.write_connection_file()
    client = manager.client()
    try:
        # Made (and connected) on first use; no heartbeat thread, no kernel needed.
        for channel in (client.shell_channel, client.iopub_channel, client.control_channel):
            assert channel.socket.getsockopt(zmq.RECONNECT_IVL) == 5
            assert channel.socket.getsockopt(zmq.RECONNECT_IVL_MAX) == 100
    finally:
        client.stop_channels()
        manager.cleanup_connection_file()


@pytest.mark.parametrize("mode", TEMPLATE_MODES)
def test_a_notebook_from_the_template_has_the_bytes_of_one_in_a_fresh_kernel(
    tmp_path, monkeypatch, mode
):
    source = _notebook(tmp_path / "probe.ipynb", PROBE)
    monkeypatch.setenv(kernel_template.MODE_VARIABLE, mode)
    forked = _run(source, tmp_path / "forked").read_bytes()
    monkeypatch.setenv(kernel_template.MODE_VARIABLE, "fresh")
    fresh = _run(source, tmp_path / "fresh").read_bytes()
    assert forked == fresh
    executed = tmp_path / "forked" / "work" / "notebooks" / "probe.ipynb"
    assert "work __main__" in _outputs(executed, 2)
    assert "module://matplotlib_inline.backend_inline" in _outputs(executed, 3)
    assert '"image/png"' in _outputs(executed, 4)  # pyplot's inline backend is active
    assert '"image/svg+xml"' in _outputs(executed, 5)
    assert "**Skåne**" in _outputs(executed, 7)
    cleared = json.loads(_outputs(executed, 9))
    assert cleared == [{"name": "stdout", "output_type": "stream", "text": "five\n"}]
    updated = json.loads(_outputs(executed, 10))
    assert [o["data"]["text/plain"] for o in updated] == ["'third'", "'third'"]
    assert "StdinNotImplementedError" in _outputs(executed, 11)
    counts = [c.execution_count for c in nbformat.read(executed, as_version=4).cells]
    assert counts == list(range(1, len(PROBE) + 3))  # parameters, injected, probes


@pytest.mark.parametrize("mode", TEMPLATE_MODES)
@pytest.mark.parametrize(
    ("cells", "error", "shown"),
    [
        (FAILING, "IndexError: list index out of range", b"inner([1, 2])"),
        (EXITING, "SystemExit: 3", b"An exception has occurred, use %tb"),
    ],
    ids=["error", "sys.exit"],
)
def test_a_failing_notebook_has_the_bytes_of_one_in_a_fresh_kernel(
    tmp_path, monkeypatch, mode, cells, error, shown
):
    # The traceback (its colours, the cell's name in it), the error banner, the counts.
    source = _notebook(tmp_path / "fails.ipynb", cells)
    kept = {}
    for kind in (mode, "fresh"):
        monkeypatch.setenv(kernel_template.MODE_VARIABLE, kind)
        with pytest.raises(ExecutionError) as caught:
            _run(source, tmp_path / kind)
        assert error in str(caught.value)
        kept[kind] = (tmp_path / kind / "work" / "notebooks" / "fails.ipynb").read_bytes()
    assert kept[mode] == kept["fresh"]
    assert shown in kept[mode] and b"papermill-error-cell" in kept[mode]


@pytest.mark.parametrize("mode", ["shell", "fork", "fresh"])
def test_kernels_keep_no_input_history(tmp_path, monkeypatch, mode):
    # Every kernel would otherwise write each cell into one SQLite file in the
    # user's IPython folder, shared by all workers' kernels.
    monkeypatch.setenv(kernel_template.MODE_VARIABLE, mode)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    source = _notebook(
        tmp_path / "history.ipynb",
        ["x = 1", "print('enabled', get_ipython().history_manager.enabled)"],
    )
    executed = _run(source, tmp_path)
    assert "enabled False" in _outputs(executed, 3)
    assert not list((tmp_path / "ipython").rglob("history.sqlite"))


def test_forked_kernel_collects_its_own_garbage_but_not_the_templates(tmp_path, template_mode):
    # The template's objects are frozen before it forks; a notebook's are not.
    source = _notebook(
        tmp_path / "gc.ipynb",
        [
            "import gc\nprint('frozen', gc.get_freeze_count() > 10_000)",
            "class Node: pass\nfor _ in range(100):\n    a, b = Node(), Node()\n"
            "    a.other, b.other = b, a\ndel a, b\nprint('collected', gc.collect() >= 200)",
        ],
    )
    executed = _run(source, tmp_path)
    assert "frozen True" in _outputs(executed, 2)
    assert "collected True" in _outputs(executed, 3)


def test_notebooks_share_no_state(tmp_path, template_mode):
    first = _notebook(
        tmp_path / "a.ipynb",
        ["import pipeline.text.survey as s\ns.LEAK = 1\nsecret = 42", PID],
    )
    second = _notebook(
        tmp_path / "b.ipynb",
        ["import pipeline.text.survey as s\nprint(hasattr(s, 'LEAK'), 'secret' in globals())", PID],
    )  # fmt: skip
    a = _run(first, tmp_path / "a")
    b = _run(second, tmp_path / "b")
    assert "False False" in _outputs(b, 2)
    assert _printed_pid(a) != _printed_pid(b)
    assert _gone(_printed_pid(a)) and _gone(_printed_pid(b))


def test_failing_cell_is_named_and_its_kernel_is_gone(tmp_path, template_mode):
    source = _notebook(
        tmp_path / "bad.ipynb",
        [
            "print('pid', __import__('os').getpid())",
            "#| label: tbl-boom\nraise ValueError('no data')",
        ],
    )
    with pytest.raises(ExecutionError) as caught:
        _run(source, tmp_path)
    message = str(caught.value)
    assert "bad.ipynb" in message and "tbl-boom" in message and "ValueError: no data" in message
    kept = tmp_path / "work" / "notebooks" / "bad.ipynb"
    assert _gone(_printed_pid(kept))


@pytest.mark.parametrize("failing", [False, True], ids=["completed", "failed"])
def test_the_executed_notebook_is_its_only_file_and_holds_no_run_details(tmp_path, failing):
    # The notebook goes to papermill in memory and comes back stripped: no localised
    # copy is left beside it, and no timing, path or random id is in it, kept or not.
    cells = ["print('done')", "raise ValueError('no data')" if failing else "1 + 1"]
    source = _notebook(tmp_path / "probe.ipynb", cells)
    if failing:
        with pytest.raises(ExecutionError):
            _run(source, tmp_path)
    else:
        _run(source, tmp_path)
    folder = tmp_path / "work" / "notebooks"
    assert [p.name for p in folder.iterdir()] == ["probe.ipynb"]
    notebook = nbformat.read(folder / "probe.ipynb", as_version=4)
    run = notebook.metadata.papermill
    assert not {"start_time", "end_time", "duration", "input_path", "output_path"} & set(run)
    assert [c.id for c in notebook.cells] == [f"cell-{i:03d}" for i in range(len(notebook.cells))]
    for cell in notebook.cells:
        assert "execution" not in cell.metadata
        assert not {"start_time", "end_time", "duration"} & set(cell.metadata.get("papermill", {}))
    assert run.get("exception") is (True if failing else None)


def test_time_limit_is_reported_and_the_kernel_killed(tmp_path, template_mode):
    source = _notebook(
        tmp_path / "slow.ipynb",
        [PID, "import time\ntime.sleep(60)"],
    )
    started = time.monotonic()
    with pytest.raises(ExecutionError) as caught:
        _run(source, tmp_path, timeout=2)
    assert time.monotonic() - started < 30
    message = str(caught.value)
    assert "slow.ipynb" in message and "time limit of 2 s exceeded" in message
    assert "import time" in message  # the cell that ran out of time
    assert _gone(_printed_pid(tmp_path / "work" / "notebooks" / "slow.ipynb"))


def test_dead_kernel_is_reported(tmp_path, template_mode):
    source = _notebook(tmp_path / "dies.ipynb", [PID, "import os\nos._exit(3)", "print('never')"])
    with pytest.raises(ExecutionError) as caught:
        _run(source, tmp_path)
    message = str(caught.value)
    assert "dies.ipynb" in message and "DeadKernelError" in message
    assert "cell 3 (import os)" in message  # the cell it died in, not the next one
    assert _gone(_printed_pid(tmp_path / "work" / "notebooks" / "dies.ipynb"))


_KERNEL_IN_A_WORKER = {
    "fork": """
        import asyncio, os, sys, time
        from pipeline import kernel_template, kernels

        async def main():
            km = kernels.ForkedKernelManager()
            await km.start_kernel(cwd=sys.argv[1])
            print(kernel_template.Template.current.process.pid, km.provisioner.pid, flush=True)
            time.sleep(120)

        asyncio.run(main())
        """,
    "shell": """
        import sys, time
        from pipeline import kernel_template, shell_client

        shell = shell_client.ShellProcess(sys.argv[1])
        print(kernel_template.Template.current.process.pid, shell.pid, flush=True)
        time.sleep(120)
        """,
}


@pytest.mark.parametrize("mode", TEMPLATE_MODES)
def test_template_and_its_kernels_die_with_their_worker(tmp_path, mode):
    # A worker that starts a kernel and is then killed outright: no atexit, no cleanup.
    worker = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_KERNEL_IN_A_WORKER[mode]), str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, kernel_template.MODE_VARIABLE: mode},
    )  # fmt: skip
    try:
        template, kernel = (int(x) for x in worker.stdout.readline().split())
        assert kernel_template.pid_alive(template) and kernel_template.pid_alive(kernel)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert _gone(template, 10) and _gone(kernel, 10)


def test_stop_template_in_this_process(tmp_path, template_mode):
    source = _notebook(tmp_path / "a.ipynb", ["print('pid', 1)"])
    _run(source, tmp_path)
    template = kernel_template.Template.current
    assert template is not None and template.alive()
    kernel_template.stop_template()
    assert kernel_template.Template.current is None and not template.alive()


def _template_modules(cwd: Path) -> set[str]:
    """The modules a kernel template holds once it has preloaded (in a new interpreter)."""
    script = "import json, sys\nfrom pipeline import kernel_server, kernel_template\n"
    script += "kernel_server.preload(kernel_template.kernel_mode())\n"
    script += "print(json.dumps(sorted(sys.modules)))"
    preloaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=cwd
    )
    return set(json.loads(preloaded.stdout.splitlines()[-1]))


def _imported_modules(notebook: Path) -> set[str]:
    """Every module a notebook's code cells import (absolute imports)."""
    modules = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith("%"))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                modules |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module)
    return modules


def test_the_template_has_imported_every_module_the_shipped_notebooks_import(tmp_path):
    # What it lacks, every kernel of a run imports again (and pipeline.publish, imported
    # in a kernel, used to run `ldconfig`).
    template_modules = _template_modules(tmp_path)
    notebooks = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    wanted = set().union(*(_imported_modules(n) for n in notebooks))
    assert "pipeline.shared" in wanted  # the notebooks were read
    assert wanted - template_modules == set()


def test_the_template_holds_every_catalog_and_locale_a_report_reads(tmp_path):
    # Left out, every kernel of a run parses the YAML catalogs and Babel's locale data
    # again. After the template's warm-ups, formatting and messages open no file.
    script = (
        "import builtins, datetime, io\n"
        "from pipeline import formatting, i18n, kernel_server\n"
        "kernel_server.preload('shell')\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError(f'opened {args[0]}')\n"
        "builtins.open = io.open = refuse\n"
        "for lang in i18n.languages():\n"
        "    for domain in i18n.domains():\n"
        "        i18n.messages(lang, domain)\n"
        "    formatting.number(1.5, lang), formatting.percent(50.0, lang)\n"
        "    formatting.date(datetime.date(2020, 5, 1), lang)\n"
        "print(len(i18n.languages()) * len(i18n.domains()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert int(result.stdout.split()[-1]) >= 2 * 5  # two languages, several catalogs


def test_a_template_that_served_no_kernel_is_killed_not_waited_for(template_mode):
    # Started early for a run that then needs no kernel: it is still importing and
    # reads its pipe only afterwards, so closing the pipe would keep the run waiting.
    kernel_template.stop_template()
    kernel_template.start_template()
    template = kernel_template.Template.current
    kernel_template.stop_template()
    assert template.process.returncode == -signal.SIGKILL
    assert kernel_template.Template.current is None


def test_a_kernel_imports_nothing_at_start_that_its_template_has_not(tmp_path, template_mode):
    # A module ipykernel imports while a kernel starts, left out of the template, is
    # imported again by every kernel of a run.
    template_modules = _template_modules(tmp_path)
    source = _notebook(
        tmp_path / "modules.ipynb", ["import json, sys\nprint(json.dumps(sorted(sys.modules)))"]
    )
    kernel_modules = set(json.loads(_outputs_text(_run(source, tmp_path), 2)))
    # The template runs as `python -m pipeline.kernel_server` (runpy) and a kernel turns on
    # faulthandler, as ipykernel_launcher's kernel would: neither is an import to save.
    assert kernel_modules - template_modules - {"runpy", "faulthandler"} == set()


def test_fresh_mode_starts_no_template(tmp_path, monkeypatch):
    monkeypatch.setenv(kernel_template.MODE_VARIABLE, "fresh")
    kernel_template.stop_template()
    assert kernels.manager_class() is kernels.IPCKernelManager
    _run(_notebook(tmp_path / "a.ipynb", ["print('pid', 1)"]), tmp_path)
    assert kernel_template.Template.current is None


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["survey.ipynb", "interviews.ipynb"])
@pytest.mark.parametrize("mode", TEMPLATE_MODES)
def test_demo_notebook_is_byte_identical_with_and_without_the_template(
    tmp_path, monkeypatch, name, mode
):
    parameters = {
        "region": "Skåne", "year": 2020, "lang": "sv", "k": 5, "quotes_per_theme": 2,
        "params_file": str(ROOT / "params" / "evaluation.yaml"),
    }  # fmt: skip
    source = ROOT / "notebooks" / name
    monkeypatch.setenv(kernel_template.MODE_VARIABLE, mode)
    forked = _run(source, tmp_path / "forked", parameters).read_bytes()
    monkeypatch.setenv(kernel_template.MODE_VARIABLE, "fresh")
    fresh = _run(source, tmp_path / "fresh", parameters).read_bytes()
    assert forked == fresh


def test_a_notebook_shell_captures_what_is_written_to_its_file_descriptors(tmp_path):
    # As ipykernel does: a subprocess's output, os.write, a process the notebook forks.
    source = _notebook(
        tmp_path / "fds.ipynb",
        [
            "import subprocess\nprint('a')\nsubprocess.run(['echo', 'from a subprocess'])\n"
            "print('c')",
            "import os\nos.write(2, b'fd two\\n')",
            "subprocess.run('yes x | head -c 300000', shell=True).returncode",
            "import multiprocessing\ndef child():\n    print('from a child')\n"
            "    from IPython.display import display\n    display('dropped')\n"
            "process = multiprocessing.get_context('fork').Process(target=child)\n"
            "process.start()\nprocess.join()\nprint('after', process.exitcode)",
            "print('the shell still answers')",
        ],
    )
    executed = _run(source, tmp_path, timeout=30)
    cells = nbformat.read(executed, as_version=4).cells  # 0, 1: the parameters
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cells[2].outputs] == [
        ("stream", "stdout", "a\nfrom a subprocess\nc\n")
    ]
    assert [(o.output_type, o.get("name")) for o in cells[3].outputs] == [
        ("stream", "stderr"),
        ("execute_result", None),
    ]
    assert cells[3].outputs[0].text == "fd two\n"
    # More than a pipe holds: the reader thread keeps the writer from blocking.
    assert _outputs_text(executed, 4) == "x\n" * 150_000
    assert _outputs_text(executed, 5) == "from a child\nafter 0\n"
    assert _outputs_text(executed, 6) == "the shell still answers\n"


def test_a_warning_in_a_cell_does_not_make_two_runs_differ(tmp_path):
    # ipykernel's compiler names a cell by a file in a folder named after the kernel's
    # pid, and a warning prints that name: the executed notebook loses the folder.
    source = _notebook(
        tmp_path / "warns.ipynb",
        [
            "import warnings\nwarnings.warn('careful')",
            "import inspect\nraise ValueError(inspect.currentframe().f_code.co_filename)",
        ],
    )
    runs = []
    for name in ("first", "second"):
        with pytest.raises(ExecutionError):
            _run(source, tmp_path / name)
        runs.append((tmp_path / name / "work" / "notebooks" / "warns.ipynb").read_bytes())
    assert runs[0] == runs[1]
    executed = tmp_path / "first" / "work" / "notebooks" / "warns.ipynb"
    # 0: papermill's error banner; 1, 2: the parameters
    assert re.fullmatch(r"\d+\.py:2: UserWarning: careful\n.*\n", _outputs_text(executed, 3))
    assert "ipykernel_" not in runs[0].decode()


def test_a_child_a_cell_forks_ends_with_the_cell_and_never_reads_the_next(tmp_path):
    # Both processes return from os.fork() into the shell; only the parent may take
    # the next cell from the socket. The child exits as its copy of the cell ends.
    source = _notebook(
        tmp_path / "forks.ipynb",
        [
            "import os\nchild = os.fork()",
            "if child:\n    print('exit', os.waitpid(child, 0)[1])",
            "print('answered by the parent', child != 0)",
        ],
    )
    executed = _run(source, tmp_path, timeout=20)
    assert _outputs_text(executed, 3) == "exit 0\n"
    assert _outputs_text(executed, 4) == "answered by the parent True\n"


def test_exit_in_a_cell_ends_the_notebook_shell_as_it_ends_a_kernel(tmp_path):
    # ipykernel stops its event loop on exit(); a shell ends after the cell's reply, so
    # the next cell fails loudly rather than the notebook going on or hanging.
    source = _notebook(tmp_path / "exits.ipynb", ["print('before')\nexit()", "print('never')"])
    with pytest.raises(ExecutionError) as caught:
        _run(source, tmp_path, timeout=20)
    assert "DeadKernelError" in str(caught.value)
    executed = tmp_path / "work" / "notebooks" / "exits.ipynb"
    assert _outputs_text(executed, 2) == "before\n"
    assert _outputs_text(executed, 3) == ""


def test_a_cell_without_a_time_limit_is_not_held_to_the_connect_timeout(tmp_path):
    from pipeline.shell_client import ShellProcess

    shell = ShellProcess(str(tmp_path), start_timeout=1.0)
    try:
        reply = shell.execute("import time\ntime.sleep(1.5)", None, lambda message: None)
    finally:
        shell.kill()
    assert reply["status"] == "ok"


def test_what_a_notebook_leaves_running_ends_with_it(tmp_path, template_mode):
    # jupyter_client kills a kernel's process group; a shell's group goes the same way.
    source = _notebook(
        tmp_path / "leaves.ipynb",
        ["import subprocess\nprint('pid', subprocess.Popen(['sleep', '60']).pid)"],
    )
    leftover = _printed_pid(_run(source, tmp_path))
    assert _gone(leftover)
