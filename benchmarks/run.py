"""Benchmarks of `peer-eval run`: cold, no-op and one-change builds, a naive baseline, scaling.

Usage (from the repository root):

    .venv/bin/python benchmarks/run.py [--quick] [--jobs N]

Works in benchmarks/work/ (recreated; gitignored) on a snapshot of the code,
notebooks, templates and demo data taken at the start (so an edit made elsewhere
during the run does not make pairs stale), prints a table and writes
benchmarks/RESULTS.md. Every build is the real CLI in a subprocess; peak memory is
sampled from /proc every 50 ms over the whole process tree (the CLI, its workers,
their kernel templates and kernels): RSS summed, and PSS summed (RSS double-counts
pages that forked kernels share with their template; PSS splits them fairly, and
is read every 0.5 s only, as reading it costs the measured run CPU).

--quick runs the same steps on less: the baseline on 4 pairs, scaling to 24 only.
RESULTS.md in the repository comes from a full run.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cgroup_cpu import ExactCPU  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
SRC = WORK / "src"
_SNAPSHOT = ("pipeline", "notebooks", "reports", "params", "data/demo")
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PYTHON = sys.executable


@dataclass
class Measurement:
    """One timed command."""

    name: str
    pairs: int
    seconds: float
    peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    note: str = ""
    machine_cpu: float = 0.0  # all cores' busy CPU s while it ran (/proc/stat)
    exact_cpu: float | None = None  # the command's processes, all of them (cgroup_cpu)
    sampler_cpu: float = 0.0  # the memory and CPU sampler's own CPU s (in this process)
    steal: float = 0.0  # s the hypervisor gave our cores to others while it ran
    cpu_by_role: dict[str, tuple[int, float]] | None = None  # role -> (processes, CPU s)

    @property
    def per_pair(self) -> float:
        return self.seconds / self.pairs if self.pairs else 0.0


# --- process-tree memory sampling ---------------------------------------------------------


class TreeSampler:
    """Peak RSS and PSS of a process and all its descendants, and their CPU time by role.

    RSS is summed every `interval` s. PSS is read every `pss_every`-th sample only:
    the kernel walks every page table for it (tens of ms per sample), which would
    take CPU from the run being measured. CPU time is each process's utime + stime,
    last seen before it exited (so it misses at most one interval per process), under
    the role its command line gave it when last seen (a child's command line is its
    parent's until it execs).
    """

    def __init__(self, pid: int, interval: float = 0.05, pss_every: int = 10):
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.peak_rss = self.peak_pss = 0
        self.cpu_ticks: dict[tuple[int, str], int] = {}  # (pid, start time) -> ticks
        self.roles: dict[tuple[int, str], str] = {}  # (pid, start time) -> role
        self.own_cpu = 0.0  # CPU s the sampling took (its thread's), counted in machine busy
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        count, started = 0, time.thread_time()
        while not self._stop.is_set():
            pids = _descendants(self.pid)
            self.sample(pids, {pid: _rss(pid) for pid in pids})
            if count % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in pids))
            count += 1
            self.own_cpu = time.thread_time() - started
            self._stop.wait(self.interval)

    def sample(self, pids: list[int], sizes: dict[int, int]) -> None:
        """One sample's memory and CPU (subclasses keep more)."""
        self.peak_rss = max(self.peak_rss, sum(sizes.values()))
        for pid in pids:
            key, ticks = _cpu_ticks(pid)
            if key is not None:
                self.cpu_ticks[key] = max(ticks, self.cpu_ticks.get(key, 0))
                role = _role(pid)
                if role != "gone" or key not in self.roles:
                    self.roles[key] = role

    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def cpu_by_role(self) -> dict[str, tuple[int, float]]:
        """Role -> (processes, CPU seconds), the costliest first."""
        roles: dict[str, list] = {}
        for key, ticks in self.cpu_ticks.items():
            entry = roles.setdefault(self.roles.get(key, "gone"), [0, 0.0])
            entry[0] += 1
            entry[1] += ticks / os.sysconf("SC_CLK_TCK")
        return dict(sorted(((r, (n, s)) for r, (n, s) in roles.items()), key=lambda x: -x[1][1]))


def _descendants(root: int) -> list[int]:
    """The process and its descendants, from /proc/PID/task/TID/children."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in os.scandir(f"/proc/{pid}/task"):
                todo.extend(int(c) for c in Path(task.path, "children").read_text().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _cpu_ticks(pid: int) -> tuple[tuple[int, str] | None, int]:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None, 0
    # After the command: state is field 3 of stat, so utime (14) is index 11 here.
    return (pid, fields[19]), int(fields[11]) + int(fields[12])


def machine_cpu() -> tuple[float, float]:
    """All cores' busy CPU time since boot, and the time the hypervisor stole from them.

    Busy is user, nice, system, irq and softirq; guest time is already in user. Steal
    is time a virtual core wanted to run but the host ran something else: it is not
    CPU the build used, so it is left out of busy and reported on its own (on a shared
    VM it can be a third of a build's wall time). The sampled tree misses the last
    interval of every process that exits (each pandoc and Typst child, each kernel);
    the machine's counters miss nothing, and on an idle machine they are the build.
    """
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    ticks = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / ticks, steal / ticks


def _role(pid: int) -> str:
    """What a process of the build is, from its command line and its parent's."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
        parent_cmd = Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, IndexError):
        return "gone"
    if not cmd:  # exited, not yet reaped: its command line is gone
        return "gone"
    if "ipykernel_launcher" in cmd:
        return "kernel"
    if "pipeline.kernel_server" in cmd:
        return "kernel" if "pipeline.kernel_server" in parent_cmd else "kernel template"
    if "import typst" in cmd:
        return "typst"
    if "pipeline run" in cmd:
        return "CLI"
    if "forkserver" in cmd:
        return "forkserver" if "forkserver" not in parent_cmd else "pool worker"
    if "multiprocessing" in cmd or "distributed" in cmd:
        return "worker"
    return Path(cmd.split(" ")[0]).name or "other"


def _by_role(sizes: dict[int, int]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for pid, rss in sizes.items():
        role = _role(pid)
        roles[role] = roles.get(role, 0) + rss
    return roles


def timed(name: str, command: list[str], pairs: int, env: dict | None = None) -> Measurement:
    """Run a command, timing it and sampling its process tree's memory and CPU."""
    busy_before, steal_before = machine_cpu()
    started = time.monotonic()
    with ExactCPU() as exact:
        process = subprocess.Popen(
            command, cwd=SRC, env=env or _env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, preexec_fn=exact.preexec_fn,
        )  # fmt: skip
        with TreeSampler(process.pid) as sampler:
            stdout, stderr = process.communicate()
        seconds = time.monotonic() - started
    busy_after, steal_after = machine_cpu()
    if process.returncode != 0:
        sys.exit(f"{name} failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
    return Measurement(
        name, pairs, seconds, sampler.peak_rss / 2**20, sampler.peak_pss / 2**20,
        machine_cpu=busy_after - busy_before, steal=steal_after - steal_before,
        exact_cpu=exact.seconds, sampler_cpu=sampler.own_cpu, cpu_by_role=sampler.cpu_by_role(),
    )  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PEER_EVAL_KERNELS"}
    # The naive baseline's kernelspec says "python": make that this interpreter.
    env["PATH"] = f"{Path(PYTHON).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(SRC)  # the snapshot's `pipeline`, ahead of the editable install
    env.update(extra)
    return env


# --- projects -------------------------------------------------------------------------------


def make_params(folder: Path, data_dir: Path, regions: list[str] | None = None,
                years: list[int] | None = None) -> Path:  # fmt: skip
    """A params file over the repository's notebooks and templates, and `data_dir`."""
    params = folder / "params" / "evaluation.yaml"
    params.parent.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((SRC / "params" / "evaluation.yaml").read_text(encoding="utf-8"))
    data |= {
        "data_dir": str(data_dir),
        "narrative_dir": str(SRC / "reports" / "narrative"),
        "notebooks_dir": str(SRC / "notebooks"),
        "templates_dir": str(SRC / "reports"),
    }
    if regions:
        data["regions"] = regions
    if years:
        data["years"] = years
    params.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return params


def synthetic_data(folder: Path, regions: int) -> tuple[Path, list[str]]:
    """`make_demo.py --regions N` into `folder`; return it and the region names."""
    subprocess.run(
        [PYTHON, str(SRC / "data" / "demo" / "make_demo.py"), "--out", str(folder),
         "--regions", str(regions)],
        check=True, cwd=SRC, env=_env(), capture_output=True,
    )  # fmt: skip
    listed = folder / "regions.txt"
    names = listed.read_text(encoding="utf-8").split("\n") if listed.exists() else []
    return folder, [n for n in names if n] or None


def cli_run(params: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    return [PYTHON, "-m", "pipeline", "run", "--params", str(params), "--out", str(out),
            "--jobs", str(jobs), "--renderer", "builtin", *extra]  # fmt: skip


# --- the naive baseline ---------------------------------------------------------------------

_RENDER_ONE = (
    "import sys; from pathlib import Path; from pipeline.render import render; "
    "render(Path(sys.argv[1]), [sys.argv[2]], renderer='builtin', timestamp=int(sys.argv[3]))"
)


def naive_baseline(params: Path, folder: Path, limit: int | None) -> tuple[Measurement, int]:
    """Per pair, one after another: the papermill CLI per notebook, one renderer process per format.

    The localised notebooks and each pair's report source are prepared as build_pair
    prepares them (not timed: milliseconds); everything a naive script would run as a
    command is timed.
    """
    import nbformat

    from pipeline.config import load_project, plan_pairs, report_date
    from pipeline.execute import localise_notebook
    from pipeline.narrative_sections import parse_narrative
    from pipeline.report_source import compose_source

    project = load_project(params)
    pairs = plan_pairs(project)[: limit or None]
    notebooks = sorted(project.notebooks_dir.glob("*.ipynb"))
    localised = {}
    for lang in {p.settings.lang for p in pairs}:
        for notebook in notebooks:
            target = folder / "localised" / lang / notebook.name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = nbformat.read(notebook, as_version=4)
            nbformat.write(localise_notebook(source, lang, notebook.stem), target)
            localised[(lang, notebook.name)] = target
    env = _env()
    started = time.monotonic()
    peak_rss = peak_pss = 0.0
    for pair in pairs:
        settings = pair.settings
        work = folder / "pairs" / str(pair.year) / pair.slug
        (work / "notebooks").mkdir(parents=True, exist_ok=True)
        commands = []
        for notebook in notebooks:
            commands.append([
                PYTHON, "-m", "papermill", str(localised[(settings.lang, notebook.name)]),
                str(work / "notebooks" / notebook.name), "-k", "python3", "--cwd", str(work),
                "--no-progress-bar",
                "-p", "region", pair.region, "-p", "year", str(pair.year),
                "-p", "lang", settings.lang, "-p", "k", str(settings.k),
                "-p", "interview_k", str(settings.interview_k),
                "-p", "extremes_k", str(settings.extremes_k),
                "-p", "quotes_per_theme", str(settings.quotes_per_theme),
                "-p", "params_file", str(params),
            ])  # fmt: skip
        for command in commands:
            m = timed("papermill", command, 1, env)
            peak_rss, peak_pss = max(peak_rss, m.peak_rss_mb), max(peak_pss, m.peak_pss_mb)
        date = report_date(settings)
        narrative_path = project.narrative_dir / str(pair.year) / f"{pair.slug}.md"
        narrative = (
            parse_narrative(narrative_path.read_text(encoding="utf-8"))
            if narrative_path.is_file()
            else {}
        )
        template = project.templates_dir / "rapport.qmd"
        source = work / "rapport.qmd"
        source.write_text(
            compose_source(template.read_text(encoding="utf-8"), pair, date, narrative,
                           str(narrative_path)),
            encoding="utf-8",
        )  # fmt: skip
        timestamp = calendar.timegm(date.timetuple())
        for fmt in settings.formats:
            command = [PYTHON, "-c", _RENDER_ONE, str(source), fmt, str(timestamp)]
            m = timed("render", command, 1, env)
            peak_rss, peak_pss = max(peak_rss, m.peak_rss_mb), max(peak_pss, m.peak_pss_mb)
    seconds = time.monotonic() - started
    return Measurement("naive baseline (sequential CLIs)", len(pairs), seconds, peak_rss,
                       peak_pss), len(pairs)  # fmt: skip


# --- the floor ------------------------------------------------------------------------------

_FLOOR = r"""
import json, sys, time
from pathlib import Path
import nbformat
import IPython.display
import tempfile
from pipeline.config import load_project, plan_pairs
from pipeline.execute import localise_notebook
from pipeline.snapshot import write_snapshots

shown = []
IPython.display.display = lambda *objects, **kw: shown.extend(objects)
params = Path(sys.argv[1]); limit = int(sys.argv[2])
project = load_project(params)
pairs = plan_pairs(project)[: limit or None]
# The notebooks load the run's validated inputs, as in a build (written here, not timed).
snapshots = write_snapshots(project, {p.year for p in pairs}, Path(tempfile.mkdtemp()), known={})
cells = {}
for notebook in sorted(project.notebooks_dir.glob("*.ipynb")):
    for lang in ("sv", "en"):
        nb = localise_notebook(nbformat.read(notebook, as_version=4), lang, notebook.stem)
        code = [c.source for c in nb.cells if c.cell_type == "code"
                and "parameters" not in c.metadata.get("tags", [])]
        cells[(notebook.name, lang)] = [compile(c, notebook.name, "exec") for c in code]
# Warm: imports done once, as in a warm process (one pair run before timing).
def run(pair):
    s = pair.settings
    for (name, lang), code in cells.items():
        if lang != s.lang:
            continue
        ns = {"region": pair.region, "year": pair.year, "lang": s.lang, "k": s.k,
              "interview_k": s.interview_k, "extremes_k": s.extremes_k,
              "quotes_per_theme": s.quotes_per_theme, "params_file": str(params),
              "inputs_snapshot": snapshots[pair.year]}
        for c in code:
            exec(c, ns)
run(pairs[0])
shown.clear()
started, cpu = time.perf_counter(), time.process_time()
for pair in pairs:
    run(pair)
print(json.dumps({"seconds": time.perf_counter() - started, "pairs": len(pairs),
                  "cpu": time.process_time() - cpu, "outputs": len(shown)}))
"""


def floor(params: Path, limit: int | None) -> Measurement:
    """The notebooks' own code for the same pairs, run in one warm process (no kernels)."""
    completed = subprocess.run(
        [PYTHON, "-c", _FLOOR, str(params), str(limit or 0)],
        cwd=SRC, env=_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        sys.exit(f"floor failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return Measurement(
        "floor: notebook code, one warm process",
        result["pairs"],
        result["seconds"],
        note=f"{result['outputs']} displayed outputs, figures as SVG",
        machine_cpu=result["cpu"],
    )


# --- the run --------------------------------------------------------------------------------


def changed_manifests(out: Path, before: dict[Path, int]) -> list[Path]:
    return [p for p in out.rglob("manifest.json") if before.get(p) != p.stat().st_mtime_ns]


def manifests(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in out.rglob("manifest.json")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a subset (not for RESULTS.md)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for the builds (default 2)")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    for part in _SNAPSHOT:
        shutil.copytree(ROOT / part, SRC / part, ignore=shutil.ignore_patterns("__pycache__"))
    # Bytecode as an installed package has it: else the first build also compiles the code.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(SRC / "pipeline")], check=True)
    sys.path.insert(0, str(SRC))
    from pipeline.config import load_project, plan_pairs

    load_before = os.getloadavg()
    started = time.monotonic()
    rows: list[Measurement] = []
    notes: list[str] = []

    # The demo matrix (24 pairs), on a copy of the demo data that the one-change step edits.
    data = WORK / "data-demo"
    shutil.copytree(SRC / "data" / "demo", data, ignore=shutil.ignore_patterns("*.py"))
    params = make_params(WORK / "demo", data)
    total = len(plan_pairs(load_project(params)))
    print(f"cold build, {total} pairs, --jobs {args.jobs} ...", flush=True)
    out = WORK / "out-demo"
    cold = timed(f"cold full build (--jobs {args.jobs})", cli_run(params, out, args.jobs), total)
    rows.append(cold)

    print("cold build with fresh kernels (PEER_EVAL_KERNELS=fresh) ...", flush=True)
    fresh = timed(
        f"cold full build, fresh kernels (--jobs {args.jobs})",
        cli_run(params, WORK / "out-fresh", args.jobs), total,
        env=_env(PEER_EVAL_KERNELS="fresh"),
    )  # fmt: skip
    rows.append(fresh)

    limit = 4 if args.quick else None
    print(f"naive baseline ({limit or total} pairs) ...", flush=True)
    naive, naive_pairs = naive_baseline(params, WORK / "naive", limit)
    rows.append(naive)

    print("no-op rebuild ...", flush=True)
    before = manifests(out)
    noop = timed("no-op rebuild", cli_run(params, out, args.jobs), total)
    noop.note = f"{len(changed_manifests(out, before))} pairs rebuilt"
    before = manifests(out)
    noop_one = timed("no-op rebuild, --jobs 1", cli_run(params, out, 1), total)
    noop_one.note = f"{len(changed_manifests(out, before))} pairs rebuilt"
    rows.extend([noop, noop_one])

    print("one changed file (2020 population) ...", flush=True)
    population = data / "2020" / "population.csv"
    population.write_text(population.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = manifests(out)
    one = timed("one changed file (2020/population.csv)", cli_run(params, out, args.jobs), total)
    rebuilt = changed_manifests(out, before)
    years = sorted({p.parent.parent.name for p in rebuilt})
    one.note = f"{len(rebuilt)} pairs rebuilt, years {', '.join(years)}"
    rows.append(one)

    print("floor ...", flush=True)
    demo_floor = floor(params, None)
    rows.append(demo_floor)

    # Scaling: 6 (6 regions, 2020), 24 (6 x 4 years), 96 (24 regions x 4 years).
    scaling: list[Measurement] = []
    sizes = [(6, 6, [2020]), (24, 6, None)] + ([] if args.quick else [(96, 24, None)])
    for pairs, regions, years in sizes:
        print(f"scaling: {pairs} region-years ...", flush=True)
        folder = WORK / f"scale-{pairs}"
        data_dir, names = synthetic_data(folder / "data", regions)
        scale_params = make_params(folder, data_dir, names, years)
        m = timed(f"{pairs} region-years", cli_run(scale_params, folder / "out", args.jobs), pairs)
        m.note = f"floor {floor(scale_params, None).per_pair:.2f} s/pair"
        scaling.append(m)

    ratio = naive.per_pair / cold.per_pair
    notes.append(
        f"Cold build vs naive baseline: {ratio:.1f}x faster per region-year "
        f"({cold.per_pair:.2f} s vs {naive.per_pair:.2f} s; the baseline ran "
        f"{naive_pairs} pairs, the build {total})."
    )
    notes.append(
        f"Notebook shells (the default) vs fresh Jupyter kernels, same build: "
        f"{fresh.seconds / cold.seconds:.2f}x "
        f"({cold.seconds:.1f} s vs {fresh.seconds:.1f} s)."
    )
    notes.append(
        f"Distance from the floor: the build takes {cold.per_pair:.2f} s per region-year "
        f"on {args.jobs} workers ({cold.per_pair * args.jobs:.2f} worker-s), the notebooks' "
        f"code alone {demo_floor.per_pair:.2f} s in one warm process. In CPU time: the build "
        f"{_build_cpu(cold)}, the floor {demo_floor.machine_cpu:.1f} s "
        f"({(cold.exact_cpu or cold.machine_cpu) / demo_floor.machine_cpu:.1f}x); the target "
        f"(2x the floor spread over {args.jobs} cores) is a wall time of "
        f"{2 * demo_floor.seconds / args.jobs:.1f} s."
    )
    if len(scaling) >= 2:
        first, last = scaling[0], scaling[-1]
        notes.append(
            f"Scaling: {first.per_pair:.2f} s/region-year at {first.pairs}, "
            f"{last.per_pair:.2f} at {last.pairs} (time grows "
            f"{last.seconds / first.seconds:.1f}x for {last.pairs / first.pairs:.0f}x the pairs)."
        )
    report = _report(rows, scaling, notes, args, load_before, os.getloadavg(),
                     time.monotonic() - started)  # fmt: skip
    print(report)
    if args.quick:
        print("(--quick: RESULTS.md not written)")
    else:
        RESULTS.write_text(report + _hand_written(RESULTS), encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


def _table(rows: list[Measurement]) -> list[str]:
    lines = [
        "| step | region-years | wall s | s / region-year | peak RSS MB | peak PSS MB | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        memory = (f"{r.peak_rss_mb:.0f}", f"{r.peak_pss_mb:.0f}") if r.peak_rss_mb else ("", "")
        lines.append(
            f"| {r.name} | {r.pairs} | {r.seconds:.1f} | {r.per_pair:.2f} | {memory[0]} | "
            f"{memory[1]} | {r.note} |"
        )
    return lines


def _build_cpu(m: Measurement) -> str:
    """A build's CPU time as the summary gives it: exact where a cgroup counted it."""
    if m.exact_cpu is None:
        return f"{m.machine_cpu:.1f} s (machine busy; no cgroup could be made here)"
    return f"{m.exact_cpu:.1f} s (all its processes, exact; machine busy {m.machine_cpu:.1f} s)"


def _cpu_table(rows: list[Measurement]) -> list[str]:
    """CPU by process role for each build: what a build costs beyond the notebooks' code."""
    lines = [
        "| step | wall s | build CPU s (exact) | machine busy CPU s | sampler CPU s | stolen s "
        "| CPU s by process, sampled (processes) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        if not r.cpu_by_role:
            continue
        roles = ", ".join(f"{role} {cpu:.1f} ({n})" for role, (n, cpu) in r.cpu_by_role.items())
        exact = f"{r.exact_cpu:.1f}" if r.exact_cpu is not None else "not measured"
        lines.append(
            f"| {r.name} | {r.seconds:.1f} | {exact} | {r.machine_cpu:.1f} | "
            f"{r.sampler_cpu:.1f} | {r.steal:.1f} | {roles} |"
        )
    return lines


def _report(rows, scaling, notes, args, load_before, load_after, seconds) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `benchmarks/run.py{' --quick' if args.quick else ''}` on "
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')} in {seconds / 60:.1f} minutes.",
        "",
        *_machine(),
        f"- load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}"
        " (other processes on the machine add noise)",
        "",
        "## Builds of the demo matrix (6 regions x 4 years)",
        "",
        *_table(rows),
        "",
        f"## Scaling (synthetic regions, --jobs {args.jobs})",
        "",
        *_table(scaling),
        "",
        "## Summary",
        "",
        *[f"- {note}" for note in notes],
        "",
        "Peak memory is sampled over the whole process tree: summed RSS every 50 ms, summed "
        "PSS every 0.5 s. RSS counts the pages forked kernels share with their template once "
        "per process; PSS divides them among the processes that share them.",
        "",
        "## Where the CPU goes",
        "",
        "Build CPU is exact: the user and system time of every process the build started, "
        "exited ones included, counted by a cgroup of its own (`benchmarks/cgroup_cpu.py`; "
        "needs write access to /sys/fs/cgroup). Machine busy and stolen CPU are every core's, "
        "from /proc/stat: other work on the machine included, among it the sampler's own "
        "(its column). CPU by process is the sampled tree's, which misses the last 50 ms of "
        "each process.",
        "",
        *_cpu_table(rows),
        "",
    ]
    return "\n".join(lines)


def _machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for name in ("pandas", "matplotlib", "papermill", "nbclient", "jupyter_client", "ipykernel",
                 "pypandoc-binary", "typst", "distributed"):  # fmt: skip
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name} {metadata.version(name)}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- git commit {commit or 'unknown'} (plus uncommitted changes, if any)",
    ]


HAND_WRITTEN = "added by hand"  # in the heading of a section run.py keeps as it is


def _hand_written(results: Path) -> str:
    """The sections of RESULTS.md written by hand (their heading says so), kept as they are."""
    try:
        text = results.read_text(encoding="utf-8")
    except OSError:
        return ""
    kept = [part for part in text.split("\n## ")[1:] if HAND_WRITTEN in part.split("\n", 1)[0]]
    return "".join("\n## " + part.rstrip("\n") + "\n" for part in kept)


if __name__ == "__main__":
    main()
