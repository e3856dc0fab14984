#!/usr/bin/env bash
# The kernel stack at both ends of its declared ranges: one venv with the lowest and one
# with the highest versions pyproject.toml allows of papermill, nbclient, jupyter_client,
# ipykernel, IPython (the notebook shells build on its InteractiveShell), nbformat, pyzmq
# and traitlets (pip --constraint), each running the kernel
# and execution tests. Each venv holds only that stack (and what it depends on); the
# rest (pandas, matplotlib, pytest, this package) comes from .venv, behind the venv's own
# packages, so a run installs a few small wheels instead of everything. The venvs are
# kept in .venv/kernel-compat/ for the next run.
#   bash scripts/kernel_compat.sh [low|high ...]    (default: low high; needs scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=(papermill nbclient jupyter_client ipykernel ipython nbformat pyzmq traitlets)
TESTS=(tests/test_kernels.py tests/test_execute.py)
DIR=${KERNEL_COMPAT_DIR:-.venv/kernel-compat}
[[ -x .venv/bin/python ]] || { echo "run scripts/setup.sh first (.venv is missing)" >&2; exit 2; }

# One constraint line per package of the stack: "name==lowest" or "name<upper" (pip then
# takes the newest release below the upper bound). A stack package without both bounds
# is an error: its range would not be tested.
constraints() {
  .venv/bin/python - "$1" "${STACK[@]}" <<'PY'
import re, sys, tomllib
end, names = sys.argv[1], sys.argv[2:]
declared = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
for name in names:
    found = [d for d in declared if re.match(rf"{re.escape(name)}\s*[<>=!~]", d, re.I)]
    pattern = rf"{re.escape(name)}\s*>=\s*([\w.]+)\s*,\s*<\s*([\w.]+)"
    match = re.fullmatch(pattern, found[0].strip()) if found else None
    if match is None:
        sys.exit(f"pyproject.toml: {name} needs a range 'name>=low,<high'; found {found}")
    print(f"{name}=={match[1]}" if end == "low" else f"{name}<{match[2]}")
PY
}

purelib() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }

ends=("$@")
((${#ends[@]})) || ends=(low high)
main_site=$(purelib .venv/bin/python)
status=0
for end in "${ends[@]}"; do
  echo "== kernel stack, $end end"
  venv="$DIR/$end"
  [[ -x "$venv/bin/python" ]] || .venv/bin/python -m venv "$venv"
  site=$(purelib "$venv/bin/python")
  link="$site/zz-peer-eval-main.pth"
  rm -f "$link"  # pip must see only this venv's packages while it installs
  constraints "$end" > "$venv/constraints.txt"
  # pip warns about every index location this machine's pip config names but lacks.
  "$venv/bin/python" -m pip install --quiet --upgrade --constraint "$venv/constraints.txt" \
    "${STACK[@]}" 2> >(grep -v '^WARNING: Location' >&2)
  echo "import site; site.addsitedir('$main_site')" > "$link"
  "$venv/bin/python" - "${STACK[@]}" <<'PY'
import sys
from importlib.metadata import version
print(", ".join(f"{name} {version(name)}" for name in sys.argv[1:]))
PY
  if ! "$venv/bin/python" -m pytest -q -p no:cacheprovider "${TESTS[@]}"; then
    echo "kernel stack, $end end: tests failed" >&2
    status=1
  fi
done
exit $status
