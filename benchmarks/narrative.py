"""The analyst's loop: narrative edit -> re-rendered report, with `run` and with `preview`.

Measures, on a copy of the demo project (2020, every region):
- a cold build (executes and renders), for comparison;
- every 2020 narrative edited, then `peer-eval run`: only rendering, seconds per pair
  (and the wall time of the whole command, start-up included);
- `peer-eval preview Stockholm 2020`: from saving the narrative to the preview serving
  the new version, over several edits.

Usage: .venv/bin/python benchmarks/narrative.py [--edits N]; writes benchmarks/NARRATIVE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "narrative"
RESULTS = ROOT / "benchmarks" / "NARRATIVE.md"
sys.path.insert(0, str(ROOT / "tests"))
from support import make_project  # noqa: E402

_PAIR_SECONDS = re.compile(r"\] (\d{4}/[\w-]+): (built|re-rendered) \(([\d.]+) s\)")


def _run(params: Path, out: Path, *extra: str) -> tuple[float, list[tuple[str, str, float]]]:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--params", str(params), "--out", str(out),
         "--year", "2020", "--no-overview", "--renderer", "builtin", "--jobs", "2", *extra],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "TERM": "dumb"},
    )  # fmt: skip
    wall = time.monotonic() - started
    pairs = [(m[1], m[2], float(m[3])) for m in _PAIR_SECONDS.finditer(completed.stderr)]
    return wall, pairs


def _touch(narrative: Path, text: str) -> None:
    narrative.write_text(narrative.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def _preview_latencies(params: Path, out: Path, narrative: Path, edits: int) -> list[float]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "preview", "Stockholm", "2020", "--params",
         str(params), "--out", str(out), "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    url = next(line.split()[1] for line in process.stdout if line.startswith("preview: "))
    latencies = []
    try:
        for edit in range(edits):
            version = json.loads(urllib.request.urlopen(url + "version").read())["version"]
            started = time.monotonic()
            _touch(narrative, f"Mätning {edit}.")
            while json.loads(urllib.request.urlopen(url + "version").read())["version"] == version:
                time.sleep(0.01)
            latencies.append(time.monotonic() - started)
            time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10, help="preview edits to time")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    narrative_dir = WORK / "narrative"
    shutil.copytree(ROOT / "reports" / "narrative", narrative_dir)
    params = make_project(WORK, {"narrative_dir": str(narrative_dir)})
    out = WORK / "out"
    load_before = os.getloadavg()[0]

    cold_wall, cold = _run(params, out)
    for narrative in sorted((narrative_dir / "2020").glob("*.md")):
        _touch(narrative, "En ändring.")
    edit_wall, edited = _run(params, out)
    assert edited and all(kind == "re-rendered" for _, kind, _ in edited), edited
    latencies = _preview_latencies(params, out, narrative_dir / "2020" / "stockholm.md", args.edits)

    per_pair_cold = statistics.mean(s for *_, s in cold)
    per_pair_edit = statistics.mean(s for *_, s in edited)
    lines = [
        "# The analyst's loop: narrative edits",
        "",
        f"Produced by `benchmarks/narrative.py` on {time.strftime('%Y-%m-%d %H:%M')}; 2 cores; "
        f"load average (1 min) before: {load_before:.2f} (other processes add noise).",
        "",
        "| step | pairs | wall s (whole command) | s per pair (inside the build) |",
        "| --- | ---: | ---: | ---: |",
        f"| cold build of 2020 (execute + render HTML and PDF) | {len(cold)} | {cold_wall:.1f} "
        f"| {per_pair_cold:.2f} |",
        f"| every 2020 narrative edited, then `peer-eval run` (render only) | {len(edited)} "
        f"| {edit_wall:.1f} | {per_pair_edit:.2f} |",
        "",
        f"`peer-eval preview Stockholm 2020`, save to new version served ({len(latencies)} "
        f"edits): median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s.",
        "",
        "A render-only pair renders both HTML and PDF; the preview renders HTML only.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
