"""The trust-suite figures in README.md are counted from the tests themselves.

`python tests/test_trust_figures.py` rewrites the block between the README's
`<!-- trust-figures -->` markers; the test below fails when the block is out of date
(a case was added or removed without updating it).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- trust-figures -->", "<!-- /trust-figures -->"
FAULT_MODULES = ("test_faults", "test_hard_faults", "test_dask_faults")


def _items(module: ModuleType) -> int:
    """Test items a module yields: each test function times its parametrisations."""
    count = 0
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if not name.startswith("test_") or function.__module__ != module.__name__:
            continue
        marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
        size = 1
        for mark in marks:
            size *= len(mark.args[1])
        count += size
    return count


def figures() -> dict[str, int]:
    """Counts of what the trust suite tries, read from the test modules."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import test_bad_inputs
    import test_faults
    import test_fuzz
    import test_hostile_files

    faults = {name: _items(__import__(name)) for name in FAULT_MODULES}
    return {
        "bad_inputs": len(test_bad_inputs.CASES),
        "hostile_files": len(test_hostile_files.CASES),
        "fuzz_targets": _items(test_fuzz) - 1,  # less the regression case for a found bug
        "fuzz_examples": test_fuzz.CI_EXAMPLES,
        "notebook_faults": len(test_faults.FAULTS),
        "fault_tests": sum(faults.values()),
    }


def block(counts: dict[str, int]) -> str:
    """The README block for these counts."""
    return (
        f"{START}\n"
        f"- **{counts['bad_inputs'] + counts['hostile_files']} inputs tried**: "
        f"{counts['bad_inputs']} broken params files and exports "
        f"(`tests/test_bad_inputs.py`) and {counts['hostile_files']} hostile files "
        "(zip bombs, billion laughs, external entities, `../` and absolute archive "
        "members, sources outside the archive, a 100 MB CSV, a million empty rows, "
        "formulas, links to `/etc` and to another evaluation; `tests/test_hostile_files.py`, "
        "each under 10 s and 500 MB). Every one exits 2 with one line per problem.\n"
        f"- **Fuzzing**: {counts['fuzz_targets']} fuzz targets cover every reader and the "
        f"params loader with {counts['fuzz_examples']} mutated inputs each per test run "
        "(`tests/test_fuzz.py`; `bash scripts/fuzz.sh` searches longer): each reads or "
        "stops with an input error.\n"
        f"- **{counts['fault_tests']} fault tests survived** (`tests/test_faults.py`, "
        "`test_hard_faults.py`, `test_dask_faults.py`): "
        f"{counts['notebook_faults']} failing notebooks in one run (an error, a killed, a "
        "stuck and a memory-starved kernel), SIGKILL at five moments, the run lock, a full "
        "and a read-only disk, corrupt manifests, killed Dask workers, a clock that jumps.\n"
        "- **Nothing lost**: in each of them the previously published reports stay byte "
        "for byte as they were.\n"
        f"{END}"
    )


def _current() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(re.escape(START) + ".*?" + re.escape(END), text, re.S)
    return match.group(0) if match else ""


def test_the_readme_figures_are_counted_from_the_tests():
    assert _current() == block(figures()), "run: python tests/test_trust_figures.py"


def main() -> int:
    """Rewrite the README's block."""
    text = README.read_text(encoding="utf-8")
    current = _current()
    if not current:
        print(f"README.md has no {START} ... {END} block", file=sys.stderr)
        return 1
    README.write_text(text.replace(current, block(figures())), encoding="utf-8")
    print(block(figures()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
