"""A national round: every municipality (290) for one year, and for three years.

Usage (from the repository root):

    .venv/bin/python benchmarks/national.py [--regions N] [--years 2020 | 2018,2019,2020]
        [--jobs 2] [--executor local|dask] [--no-noop]

Uses the same snapshot, process-tree memory sampling and real CLI as benchmarks/run.py
(in benchmarks/work/national-*/, recreated): synthetic data for N regions from
`data/demo/make_demo.py --regions N` (the demo's generator: target groups of 1 to 30
people, many of them tiny), a cold build (no national overview: its one-page tables are
not what scales), then a no-op rebuild. `--executor dask` builds on a Dask LocalCluster
with `--jobs` worker processes instead of the local process pool.

Each run is recorded in benchmarks/NATIONAL.json (one entry per size, executor and
processor model; a rerun on the same processor replaces its entry) and
benchmarks/NATIONAL.md is rewritten from all entries.
Every measurement records the machine's load averages before and after it: the cores
are shared, and a load above the core count means the build got less than the whole
machine. Memory is sampled over the whole process tree (RSS every 50 ms, PSS from
/proc/PID/smaps_rollup every 0.5 s) and its peak is also given per quarter of the
build: bounded memory shows as the same peak in the last quarter as in the first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

RESULTS_MD = bench.ROOT / "benchmarks" / "NATIONAL.md"
RESULTS_JSON = bench.ROOT / "benchmarks" / "NATIONAL.json"
_PAIR_LINE = re.compile(r"\] \d{4}/[\w-]+: (built|re-rendered|failed) \(([\d.]+) s\)")


@dataclass
class Build:
    """One timed `peer-eval run` of a national round."""

    name: str
    pairs: int
    seconds: float
    built: int
    peak_rss_mb: float
    peak_pss_mb: float
    quarter_rss_mb: list[float] = field(default_factory=list)  # peak RSS per quarter of the run
    median_pair_s: float = 0.0  # one pair inside a worker (execute + render + publish)
    cpu_seconds: float = 0.0  # the whole process tree's CPU time, as sampled
    machine_cpu_seconds: float = 0.0  # all cores' busy time during the build (/proc/stat)
    exact_cpu_seconds: float | None = None  # every process of the build, exact (cgroup_cpu)
    steal_seconds: float = 0.0  # time the hypervisor ran something else on our cores
    cpu_by_role: dict[str, list] = field(default_factory=dict)  # role -> [processes, CPU s]
    rss_at_peak_mb: dict[str, float] = field(default_factory=dict)  # by process role
    load_before: list[float] = field(default_factory=list)  # 1, 5, 15 min
    load_after: list[float] = field(default_factory=list)

    @property
    def per_pair(self) -> float:
        return self.seconds / self.pairs


class SeriesSampler(bench.TreeSampler):
    """TreeSampler that also keeps the RSS over time and who held the peak."""

    def __init__(self, pid: int):
        super().__init__(pid)
        self.series: list[tuple[float, int]] = []
        self.at_peak: dict[str, int] = {}  # process role -> RSS bytes, at the peak
        self._started = time.monotonic()

    def sample(self, pids: list[int], sizes: dict[int, int]) -> None:
        rss = sum(sizes.values())
        self.series.append((time.monotonic() - self._started, rss))
        if rss > self.peak_rss:
            self.at_peak = bench._by_role(sizes)
        super().sample(pids, sizes)

    def quarter_peaks(self) -> list[float]:
        """Peak summed RSS (MB) in each quarter of the sampled time."""
        if not self.series:
            return []
        end = self.series[-1][0] or 1.0
        peaks = [0] * 4
        for when, rss in self.series:
            quarter = min(3, int(4 * when / end))
            peaks[quarter] = max(peaks[quarter], rss)
        return [round(p / 2**20) for p in peaks]


def timed_build(name: str, command: list[str], pairs: int, log: Path) -> Build:
    """Run one build, its progress lines going to `log` (tail it to follow a long run)."""
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.monotonic()
    busy_before, steal_before = bench.machine_cpu()
    with log.open("w", encoding="utf-8") as stderr, bench.ExactCPU() as exact:
        process = subprocess.Popen(
            command, cwd=bench.SRC, env=bench._env(), stdout=subprocess.DEVNULL,
            stderr=stderr, preexec_fn=exact.preexec_fn,
        )  # fmt: skip
        with SeriesSampler(process.pid) as sampler:
            process.wait()
        seconds = time.monotonic() - started
    busy_after, steal_after = bench.machine_cpu()
    text = log.read_text(encoding="utf-8")
    if process.returncode != 0:
        sys.exit(f"{name} failed ({process.returncode}):\n{text[-3000:]}")
    times = sorted(float(m[2]) for m in _PAIR_LINE.finditer(text))
    return Build(
        name=name,
        pairs=pairs,
        seconds=round(seconds, 1),
        built=len(times),
        peak_rss_mb=round(sampler.peak_rss / 2**20),
        peak_pss_mb=round(sampler.peak_pss / 2**20),
        quarter_rss_mb=sampler.quarter_peaks(),
        median_pair_s=times[len(times) // 2] if times else 0.0,
        cpu_seconds=round(sampler.cpu_seconds(), 1),
        machine_cpu_seconds=round(busy_after - busy_before, 1),
        exact_cpu_seconds=None if exact.seconds is None else round(exact.seconds, 1),
        steal_seconds=round(steal_after - steal_before, 1),
        cpu_by_role={r: [k, round(s, 1)] for r, (k, s) in sampler.cpu_by_role().items()},
        rss_at_peak_mb={k: round(v / 2**20) for k, v in sorted(sampler.at_peak.items())},
        load_before=load_before,
        load_after=[round(x, 2) for x in os.getloadavg()],
    )


def _snapshot_sources(work: Path) -> None:
    """Copy code, notebooks, templates and demo data into `work`/src (recreated).

    Each size and executor has its own `work` folder, so that one run never removes the
    files of another still running (benchmarks/run.py and narrative.py have theirs).
    """
    bench.WORK, bench.SRC = work, work / "src"
    shutil.rmtree(work, ignore_errors=True)
    for part in bench._SNAPSHOT:
        shutil.copytree(
            bench.ROOT / part, bench.SRC / part, ignore=shutil.ignore_patterns("__pycache__")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=290)
    parser.add_argument("--years", default="2020", help="comma-separated, e.g. 2018,2019,2020")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--no-noop", action="store_true", help="skip the no-op rebuild")
    args = parser.parse_args()
    years = [int(y) for y in args.years.split(",")]
    pairs = args.regions * len(years)
    # Machines differ in speed by a third and more: a run replaces only the entry of its
    # own size, executor and processor, and the others stay beside it.
    machine = bench._machine()
    label = f"{args.regions} x {len(years)} ({args.executor}), {processor_of(machine)}"

    folder = bench.WORK / f"national-{args.regions}x{len(years)}-{args.executor}"
    _snapshot_sources(folder)
    started = time.monotonic()
    data_dir, names = bench.synthetic_data(folder / "data", args.regions)
    params = bench.make_params(folder, data_dir, names, years)
    generated = time.monotonic() - started
    out = folder / "out"
    extra = ["--no-overview", "--executor", args.executor]
    command = bench.cli_run(params, out, args.jobs, *extra)
    print(f"{label}: cold build of {pairs} pairs (log: {folder / 'cold.log'}) ...", flush=True)
    builds = [timed_build(f"cold build (--jobs {args.jobs})", command, pairs, folder / "cold.log")]
    if not args.no_noop:
        print("no-op rebuild ...", flush=True)
        builds.append(timed_build("no-op rebuild", command, pairs, folder / "noop.log"))
    entry = {
        "label": label,
        "regions": args.regions,
        "years": years,
        "executor": args.executor,
        "jobs": args.jobs,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "generate_seconds": round(generated, 1),
        "machine": machine,
        "builds": [asdict(b) | {"per_pair": round(b.per_pair, 3)} for b in builds],
    }
    runs = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.exists() else []
    runs = [r for r in runs if r["label"] != label] + [entry]
    runs.sort(key=lambda r: (r["executor"], len(r["years"]), r["regions"], r["date"]))
    RESULTS_JSON.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    RESULTS_MD.write_text(report(runs), encoding="utf-8")
    print(report([entry]))


def processor_of(machine: list[str]) -> str:
    """The processor model in a recorded machine description ("- machine: MODEL, ...")."""
    return machine[0].split(":", 1)[-1].split(",", 1)[0].strip()


def report(runs: list[dict]) -> str:
    """NATIONAL.md: one table row per build, then each run's machine and memory curve."""
    lines = [
        "# A national round",
        "",
        "Produced by `benchmarks/national.py` (one run per row pair; commands below). The 2",
        "cores were shared with other work (other helpers running test suites): the load",
        "averages (1 / 5 / 15 min) before and after each build say how much; a 1-minute",
        "load above 2 means the build had less than the whole machine, so its times are",
        "upper bounds. Peak memory is over the whole process tree (CLI, workers, kernel",
        "templates, kernels; Dask scheduler and nannies too). Exact CPU s / pair is the",
        "user + system time of every process the build started, exited ones included, from",
        "a cgroup of its own (benchmarks/cgroup_cpu.py; not measured where no cgroup could",
        "be made, and in rows older than that column). Tree CPU s / pair is the",
        "process tree's CPU time (user + system) per pair as sampled every 50 ms, which",
        "misses the last interval of each short-lived process (pandoc, Typst, kernels);",
        "machine CPU s / pair is the busy time of all cores during the build (/proc/stat),",
        "which misses nothing but counts other work too: on an idle machine (load before",
        "near 0) it is what the build cost. On 2 free cores the wall time per pair is at",
        "least half of it.",
        "",
        "| run | build | pairs | built | wall s | s / pair | exact CPU s / pair | tree CPU s / "
        "pair | machine CPU s / pair | median pair s (in worker) | peak RSS MB | peak PSS MB "
        "| RSS peak per quarter MB | load before | load after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- "
        "| --- | --- |",
    ]
    for run in runs:
        for b in run["builds"]:
            quarters = " / ".join(str(q) for q in b["quarter_rss_mb"])
            load = [" / ".join(f"{x:.2f}" for x in b[k]) for k in ("load_before", "load_after")]
            busy = b.get("machine_cpu_seconds", 0.0)
            machine = f"{busy / b['pairs']:.2f}" if busy else "not measured"
            exact = b.get("exact_cpu_seconds")
            exact = f"{exact / b['pairs']:.2f}" if exact else "not measured"
            lines.append(
                f"| {run['label']} | {b['name']} | {b['pairs']} | {b['built']} | "
                f"{b['seconds']:.1f} | {b['per_pair']:.2f} | {exact} | "
                f"{b['cpu_seconds'] / b['pairs']:.2f} | {machine} | "
                f"{b['median_pair_s']:.2f} | "
                f"{b['peak_rss_mb']:.0f} | {b['peak_pss_mb']:.0f} | {quarters} | {load[0]} | "
                f"{load[1]} |"
            )
    lines += ["", "## Runs", ""]
    for run in runs:
        years = ",".join(str(y) for y in run["years"])
        lines += [
            f"### {run['label']}",
            "",
            f"`.venv/bin/python benchmarks/national.py --regions {run['regions']} --years "
            f"{years} --jobs {run['jobs']} --executor {run['executor']}`, {run['date']}; "
            f"generating the synthetic data took {run['generate_seconds']:.1f} s (not timed "
            "in the builds).",
            "",
            *run["machine"],
            *[
                f"- {b['name']}: RSS at the peak by process: "
                + ", ".join(f"{role} {mb:.0f} MB" for role, mb in b["rss_at_peak_mb"].items())
                for b in run["builds"]
            ],
            *[
                f"- {b['name']}: CPU s by process (processes): "
                + ", ".join(f"{role} {s:.1f} ({k})" for role, (k, s) in b["cpu_by_role"].items())
                + f"; {b['steal_seconds']:.1f} s stolen by the hypervisor"
                for b in run["builds"]
                if b.get("cpu_by_role")
            ],
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
