"""Faults: a failing notebook (an error, a dead or stuck kernel, a kernel over its memory
limit) fails only its pair, SIGKILL never loses a published report,
and one run at a time writes an output directory.

Every run here is the real CLI in a subprocess whose environment carries a unique tag,
so that every process it starts (workers, kernels, kernel templates) can be found
afterwards through /proc and shown to be gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from support import ROOT, make_project

pytestmark = pytest.mark.e2e

TAG = "PEER_EVAL_TEST_TAG"


# --- running the CLI and finding what it left running ------------------------------


def _env(tag: str, **extra: str) -> dict[str, str]:
    return {**os.environ, TAG: tag, **extra}


def _cli(*args: str, tag: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    renderer = ["--renderer", "builtin"] if args[:1] == ("run",) else []  # as demo_build
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args, *renderer],
        cwd=ROOT,
        env=_env(tag, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _tagged(tag: str) -> dict[int, str]:
    """Live processes (pid -> command line) whose environment carries `tag`."""
    found = {}
    marker = f"{TAG}={tag}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            status = (entry / "status").read_text()
            if "\nState:\tZ" in status:
                continue  # a zombie holds no resources; its parent reaps it
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def assert_nothing_left(tag: str, grace: float = 5.0) -> None:
    """No process started under `tag` is alive (after a short grace period to exit)."""
    deadline = time.monotonic() + grace
    left = _tagged(tag)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _tagged(tag)
    for pid in left:  # clean up what the product left, so later tests are not disturbed
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left running: {left}"


def _flat(text: str) -> str:
    """Text with runs of white space as one space (the summary is wrapped to a width)."""
    return " ".join(text.split())


def tree(root: Path) -> dict[str, str]:
    """Every file under root (relative path -> sha256), and every directory ("dir")."""
    return {
        str(p.relative_to(root)): "dir"
        if p.is_dir()
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
    }


def _outputs_match_manifest(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return manifest


# --- 1. a failing notebook fails only its pair --------------------------------------

# One run builds five pairs; zz_fault.ipynb fails four of them, each in its own way.
FAULTS = {
    "Örebro": 'raise ValueError(f"planted fault in {region}")',
    "Skåne": "os.kill(os.getpid(), signal.SIGKILL)",
    "Norrland": "time.sleep(3600)",
    "Jönköping": "hog = bytearray(3 * 1024**3)",
}
EXPECTED_ERROR = {
    "Örebro": "ValueError: planted fault in Örebro",
    "Skåne": "DeadKernelError: Kernel died",
    "Norrland": "CellTimeoutError: time limit of 12 s exceeded",
    "Jönköping": "MemoryError (over the kernel's memory limit of 2048 MB: kernel_memory_mb)",
}
SLUGS = {
    "Stockholm": "stockholm", "Örebro": "orebro", "Skåne": "skane", "Norrland": "norrland",
    "Jönköping": "jonkoping",
}  # fmt: skip


def _fault_notebook(path: Path, faults: dict[str, str]) -> None:
    """zz_fault.ipynb: the parameters cell, then a cell that does `faults[region]`."""
    parameters = nbformat.v4.new_code_cell(
        'region = "Stockholm"\nyear = 2020\nlang = "sv"\nk = 5\nquotes_per_theme = 2\n'
        'params_file = ""'
    )
    parameters.metadata["tags"] = ["parameters"]
    branches = "".join(
        f"{'if' if i == 0 else 'elif'} region == {region!r}:\n    {action}\n"
        for i, (region, action) in enumerate(faults.items())
    )
    body = "import os\nimport signal\nimport time\n\n" + branches
    body += 'print(f"no fault in {region}")'
    fault_cell = nbformat.v4.new_code_cell("#| label: zz-fault\n" + body)
    notebook = nbformat.v4.new_notebook(cells=[parameters, fault_cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def fault_project(tmp_path_factory, demo_build):
    """The demo notebooks plus zz_fault.ipynb, over an output tree that already holds
    reports for the pairs (from the demo build, a good run; Norrland gets a copy)."""
    tmp = tmp_path_factory.mktemp("faults")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    for source in (ROOT / "notebooks").glob("*.ipynb"):  # no overview/: no overview pair
        shutil.copy(source, notebooks)
    params = make_project(tmp, {"notebooks_dir": str(notebooks), "timeout_seconds": 60})
    # Only Norrland gets a short time limit: the demo notebooks keep a generous one.
    override = params.parent / "overrides" / "2020" / "norrland.yaml"
    override.parent.mkdir(parents=True)
    override.write_text("timeout_seconds: 12\n")
    # Only Jönköping's kernels are held to 2 GB of address space (they start at about 1).
    memory = params.parent / "overrides" / "2020" / "jonkoping.yaml"
    memory.write_text("kernel_memory_mb: 2048\n")
    out = tmp / "out"
    _, demo_out, _ = demo_build
    for slug in ("stockholm", "orebro", "skane"):
        shutil.copytree(demo_out / "2020" / slug, out / "2020" / slug)
    shutil.copytree(demo_out / "2020" / "orebro", out / "2020" / "norrland")
    shutil.copytree(demo_out / "2020" / "orebro", out / "2020" / "jonkoping")
    shutil.copy(demo_out / "index.html", out / "index.html")
    return params, notebooks, out


def _run(fault_project, faults: dict[str, str], regions) -> tuple[subprocess.CompletedProcess, str]:
    params, notebooks, out = fault_project
    _fault_notebook(notebooks / "zz_fault.ipynb", faults)
    tag = uuid.uuid4().hex
    args = ["run", "--params", str(params), "--out", str(out), "--year", "2020", "--force"]
    for region in regions:
        args += ["--region", region]
    return _cli(*args, "--jobs", "2", tag=tag), tag


@pytest.fixture(scope="module")
def fault_run(fault_project):
    """The run with the faults: (result, its tag, each pair's published tree before)."""
    _, _, out = fault_project
    before = {region: tree(out / "2020" / slug) for region, slug in SLUGS.items()}
    result, tag = _run(fault_project, FAULTS, SLUGS)
    return result, tag, before


def test_a_failing_notebook_fails_only_its_pair(fault_project, fault_run):
    _, _, out = fault_project
    result, tag, before = fault_run

    assert result.returncode == 1, result.stderr
    summary = _flat(result.stderr)
    # Stockholm: rebuilt with the new notebook and published.
    stockholm = out / "2020" / "stockholm"
    _outputs_match_manifest(stockholm)
    assert tree(stockholm) != before["Stockholm"]
    assert (stockholm / "notebooks" / "zz_fault.ipynb").is_file()
    assert not (out / ".failed" / "2020" / "stockholm").exists()
    assert "failed 2020/stockholm" not in summary
    for region, slug in SLUGS.items():
        if region not in FAULTS:
            continue
        # Not published; what was published before is untouched, byte for byte.
        assert tree(out / "2020" / slug) == before[region], region
        # The executed notebooks are kept for debugging, with the error in them.
        kept = out / ".failed" / "2020" / slug / "notebooks"
        assert sorted(p.name for p in kept.glob("*.ipynb")) == [
            "interviews.ipynb", "survey.ipynb", "zz_fault.ipynb",
        ], region  # fmt: skip
        # The summary names the pair, the notebook, the cell and the error.
        assert f"failed 2020/{slug}: zz_fault.ipynb: cell " in summary, summary
        failure = summary[summary.rindex(f"failed 2020/{slug}: zz_fault.ipynb") :]
        failure = failure.split(" index: ")[0].split(" failed 2020/")[0]
        assert "(zz-fault): " + EXPECTED_ERROR[region] in failure, summary
        assert f"executed notebooks kept in .failed/2020/{slug}" in failure, summary
    executed = nbformat.read(out / ".failed/2020/orebro/notebooks/zz_fault.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [("ValueError", "planted fault in Örebro")]
    # Scratch space is gone, the index still lists every report, no kernel survived.
    assert not (out / ".work").exists() and not (out / ".staging").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    for slug in SLUGS.values():
        assert f'href="2020/{slug}/rapport.html"' in index, slug
    assert_nothing_left(tag)


def test_stderr_holds_progress_and_summary_only(fault_run):
    result, _, _ = fault_run
    for line in result.stderr.splitlines():
        assert "execute reply" not in line, result.stderr


def _readable_by_others(path: Path, root: Path) -> bool:
    """Whether group or others can read `path`: every folder from root down to it lets
    them through (x) and the file lets them read (r)."""
    folders = [root, *reversed(path.relative_to(root).parents[:-1])]
    through = all(stat.S_IMODE((root / f).stat().st_mode) & 0o011 for f in folders)
    return bool(through and stat.S_IMODE(path.stat().st_mode) & 0o044)


def test_kept_notebooks_are_private_by_default(fault_project, fault_run):
    _, _, out = fault_project
    failed = out / ".failed"
    # The output folder itself is the user's (0755 here); what is inside must not leak.
    os.chmod(out, 0o755)
    exposed = [str(p.relative_to(out)) for p in failed.rglob("*.ipynb")
               if _readable_by_others(p, out)]  # fmt: skip
    assert not exposed, exposed


def test_a_fixed_rerun_publishes_and_clears_the_failure(fault_project, fault_run):
    _, _, out = fault_project
    assert (out / ".failed" / "2020" / "orebro").exists()

    result, tag = _run(fault_project, {}, ["Örebro"])

    assert result.returncode == 0, result.stderr
    orebro = out / "2020" / "orebro"
    _outputs_match_manifest(orebro)
    assert (orebro / "notebooks" / "zz_fault.ipynb").is_file()
    assert not (out / ".failed" / "2020" / "orebro").exists()
    assert_nothing_left(tag)


@pytest.mark.parametrize(
    "action",
    ["os.kill(os.getpid(), signal.SIGKILL)", "time.sleep(3600)"],
    ids=["killed", "timed-out"],
)
def test_a_dead_or_stuck_kernel_is_blamed_on_its_cell(tmp_path, action):
    from pipeline.errors import ExecutionError
    from pipeline.execute import execute_notebook

    parameters = nbformat.v4.new_code_cell('region = "x"')
    parameters.metadata["tags"] = ["parameters"]
    culprit = nbformat.v4.new_code_cell(
        "#| label: culprit\nimport os, signal, time\n\n"
        f"time.sleep(1)  # the kernel has announced this cell by now\n{action}"
    )
    after = nbformat.v4.new_code_cell("#| label: innocent\nprint('never runs')")
    source = tmp_path / "dies.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, culprit, after]), source)

    with pytest.raises(ExecutionError) as caught:
        execute_notebook(
            source, tmp_path / "out" / "dies.ipynb", {"region": "y"}, lang="sv",
            cwd=tmp_path, timeout_seconds=4,
        )  # fmt: skip

    assert caught.value.cell.endswith("(culprit)"), caught.value.cell


# --- 2. SIGKILL at any moment never loses the published report ----------------------

NEW_DATE = "2027-03-15"  # the rebuild differs from the published report in its date


@pytest.fixture
def published(tmp_path, demo_build):
    """An output tree holding the demo build's Stockholm 2020 (and the index), and a
    project whose rebuild of it differs only in the report date."""
    _, demo_out, _ = demo_build
    out = tmp_path / "out"
    shutil.copytree(demo_out / "2020" / "stockholm", out / "2020" / "stockholm")
    shutil.copy(demo_out / "index.html", out / "index.html")
    demo = _demo_params()
    params = make_project(tmp_path, {"report": demo["report"] | {"date": NEW_DATE}})
    return params, out


def _demo_params() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))


def _start(params: Path, out: Path, tag: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--params", str(params), "--out", str(out),
         "--region", "Stockholm", "--year", "2020", "--no-overview", "--renderer", "builtin",
         *extra],
        cwd=ROOT, env=_env(tag), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> bool:
    """Poll `condition` until true; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return condition()
        time.sleep(0.002)
    raise AssertionError("timed out waiting")


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file or directory is at `path` (inode, change time), or None."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_ctime_ns


def _check_published(folder: Path, before: dict[str, str]) -> str:
    """The published report is the old one or the complete new one: never a mix or none."""
    now = tree(folder)
    assert set(now) == set(before), sorted(set(now) ^ set(before))
    if now == before:
        return "old"
    manifest = _outputs_match_manifest(folder)
    assert manifest["parameters"]["report"]["date"] == NEW_DATE
    for name in ("rapport.html", "rapport.pdf", "manifest.json"):
        assert now[name] != before[name], f"{name} is the old one in a new report"
    for notebook in (folder / "notebooks").glob("*.ipynb"):
        nbformat.read(notebook, as_version=4)  # complete and readable
    return "new"


def test_sigkill_at_any_moment_keeps_the_published_report(published):
    params, out = published
    folder = out / "2020" / "stockholm"
    work = out / ".work" / "2020" / "stockholm"
    before = tree(folder)
    # When to kill: a second in (imports, validation), then at stages of the build,
    # each seen happening in the live run.
    # Each stage is a path the run creates; an earlier killed run may have left it, so
    # the stage is reached when the path is there anew.
    moments = {
        "after 1 s": None,
        "kernels starting": work,
        "second notebook": work / "notebooks" / "interviews.ipynb",
        "rendering": work / "rapport.qmd",
        "staging": out / ".staging",
    }
    outcomes = {}
    for moment, stage in moments.items():
        tag = uuid.uuid4().hex
        old = _identity(stage) if stage else None
        process = _start(params, out, tag, "--force")
        if stage is None:
            time.sleep(1.0)
        else:
            reached = _wait_for(lambda s=stage, o=old: _identity(s) not in (None, o), process)
            assert reached, f"the run finished before {moment}"
        assert process.poll() is None, f"the run finished before {moment}"
        if moment == "kernels starting":
            # Freeze the run (it holds the lock): a second run on the same --out must stop.
            os.killpg(process.pid, signal.SIGSTOP)
            try:
                second = _cli(
                    "run", "--params", str(params), "--out", str(out), "--region",
                    "Stockholm", "--year", "2020", "--no-overview", tag=tag,
                )  # fmt: skip
            finally:
                os.killpg(process.pid, signal.SIGCONT)
            assert second.returncode == 2, second.stderr
            assert f"another peer-eval run (pid {process.pid})" in _flat(second.stderr)
        _kill_group(process)
        outcomes[moment] = _check_published(folder, before)
        assert_nothing_left(tag)
    assert outcomes["after 1 s"] == "old" and outcomes["rendering"] == "old", outcomes

    tag = uuid.uuid4().hex
    result = _cli(
        "run", "--params", str(params), "--out", str(out), "--region", "Stockholm",
        "--year", "2020", "--no-overview", tag=tag,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _check_published(folder, before) == "new"
    assert not (out / ".staging").exists() and not (out / ".work").exists()
    assert_nothing_left(tag)


# --- 3. one run at a time -----------------------------------------------------------

_HOLDER = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
open(sys.argv[3], "w").close()
"""


def test_a_second_run_stops_or_waits_for_the_lock(tmp_path, demo_build):
    params, demo_out, _ = demo_build  # the demo build's own params: its reports are fresh
    out = tmp_path / "out"
    shutil.copytree(demo_out / "2020" / "stockholm", out / "2020" / "stockholm")
    released = out.parent / "released"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out / ".lock"), "4", str(released)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        args = ("--params", str(params), "--out", str(out), "--region", "Stockholm",
                "--year", "2020", "--no-overview")  # fmt: skip
        tag = uuid.uuid4().hex
        waiting = _start(params, out, tag, "--wait")
        refused = _cli("run", *args, tag=tag)
        assert refused.returncode == 2, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), refused.stderr
        assert "another peer-eval run" in lines[0] and "--wait" in lines[0]
        assert waiting.poll() is None  # still waiting for the holder
        _, stderr = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, stderr
        assert released.exists()  # it ran only after the holder let go
    finally:
        holder.kill()
        holder.wait()
    assert_nothing_left(tag)
