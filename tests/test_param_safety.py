"""Parameters cannot smuggle code into a notebook.

papermill writes `name = <value as Python source>` into the notebook, so a parameter
name is code, and any value whose source form is not a plain literal is code too.
These tests execute real notebooks with hostile names and values (directly through
`pipeline.execute.execute_notebook`, and through the CLI with hostile region names and
a hostile project path) and check that no planted code ever ran: the sentinel file
it would create never appears, names are refused with UsageError, and hostile strings
reach the notebook as the literal data they are.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from support import ROOT, make_project, run_cli

from pipeline.errors import UsageError
from pipeline.execute import execute_notebook
from pipeline.slug import slugify

SENTINEL = "SENTINEL"

# Strings that break out of a naively quoted literal, each trying to create SENTINEL
# in the kernel's working directory.
HOSTILE_VALUES = [
    'x"; import os; os.system("touch SENTINEL") #',
    '\\"); open("SENTINEL","w") #',
    "\\'); open('SENTINEL','w') #",
    '"""; open("SENTINEL","w"); """',
    "'''; open('SENTINEL','w'); '''",
    'a\nopen("SENTINEL","w")\n',
    'a\r\nopen("SENTINEL","w") #',
    'a\u2028open("SENTINEL","w") #',
    "trailing backslash \\",
    '\\\\"; open("SENTINEL","w") #',
    "{open('SENTINEL','w')}",
    "\x00\x1b[31m\x7f",
    "Skåne \"Ö\" – 'x' \\ ${x} `y` {{ z }}",
]

HOSTILE_NAMES = [
    'x = open("SENTINEL", "w"); y',
    "x; open('SENTINEL','w')",
    "a\nopen('SENTINEL','w')\nb",
    "__import__('os').system('touch SENTINEL') or x",
    "x #",
    "region=1;open('SENTINEL','w');_",
    "import",
    "class",
    "__builtins__",
    "__class__",
    "1x",
    "",
    "x-y",
    "x y",
]


def _probe_notebook(path: Path, names: list[str]) -> Path:
    """A notebook whose parameters cell defines `names`, then prints them as JSON."""
    parameters = nbformat.v4.new_code_cell("\n".join(f"{n} = None" for n in names))
    parameters.metadata["tags"] = ["parameters"]
    show = nbformat.v4.new_code_cell("import json\nprint(json.dumps([" + ", ".join(names) + "]))")
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, show]), path)
    return path


def _printed(path: Path) -> list:
    notebook = nbformat.read(path, as_version=4)
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    )
    return json.loads(text)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_parameter_names_are_refused_before_any_kernel_starts(tmp_path, name):
    source = _probe_notebook(tmp_path / "probe.ipynb", ["region"])
    output = tmp_path / "out" / "probe.ipynb"

    with pytest.raises(UsageError):
        execute_notebook(source, output, {name: "x"}, lang="sv", cwd=tmp_path, timeout_seconds=30)

    assert not (tmp_path / SENTINEL).exists()
    assert not output.exists()  # refused before papermill wrote anything


@pytest.mark.parametrize(
    "value",
    [(1, 'x"); open("SENTINEL","w") #'), {1, 2}, b'"); open("SENTINEL","w") #',
     [('"); open("SENTINEL","w") #',)], {"k": {3: "v"}}, float("inf"), object()],
    ids=["tuple", "set", "bytes", "nested-tuple", "int-key", "inf", "object"],
)  # fmt: skip
def test_values_papermill_would_render_with_repr_are_refused(tmp_path, value):
    source = _probe_notebook(tmp_path / "probe.ipynb", ["value"])
    with pytest.raises(UsageError):
        execute_notebook(
            source, tmp_path / "o.ipynb", {"value": value}, lang="sv", cwd=tmp_path,
            timeout_seconds=30,
        )  # fmt: skip
    assert not (tmp_path / SENTINEL).exists()


@pytest.mark.e2e
def test_hostile_strings_arrive_as_literal_data(tmp_path):
    parameters = {f"v{i}": value for i, value in enumerate(HOSTILE_VALUES)}
    parameters["nested"] = {HOSTILE_VALUES[1]: [HOSTILE_VALUES[0], {"k": HOSTILE_VALUES[3]}]}
    source = _probe_notebook(tmp_path / "probe.ipynb", list(parameters))
    output = tmp_path / "out" / "probe.ipynb"

    execute_notebook(source, output, parameters, lang="sv", cwd=tmp_path, timeout_seconds=60)

    assert _printed(output) == list(parameters.values())
    assert not (tmp_path / SENTINEL).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "probe.ipynb"]


class _SneakyInt(int):
    """An int whose text form is code (papermill writes ints with f"{value}")."""

    def __format__(self, spec: str) -> str:
        return '1; open("SENTINEL", "w")'


class _SneakyStr(str):
    """A str whose escaping is code (papermill escapes with value.encode("unicode_escape"))."""

    def encode(self, *args, **kwargs) -> bytes:
        return b"\\\"; open('SENTINEL', 'w') #"


@pytest.mark.e2e
@pytest.mark.parametrize("value", [_SneakyInt(1), _SneakyStr("x")], ids=["int", "str"])
def test_subclassed_scalars_cannot_run_code(tmp_path, value):
    source = _probe_notebook(tmp_path / "probe.ipynb", ["value"])
    # Refusing the value is a fix as good as rendering it as plain data.
    with contextlib.suppress(UsageError):
        execute_notebook(
            source, tmp_path / "out.ipynb", {"value": value}, lang="sv", cwd=tmp_path,
            timeout_seconds=60,
        )  # fmt: skip
    assert not (tmp_path / SENTINEL).exists()


# --- through the CLI: hostile region names and a hostile project path --------------

# Each opens the file named by $PE_SENTINEL: a path without "/" in the payload.
HOSTILE_REGIONS = [
    'x"; import os; open(os.environ["PE_SENTINEL"], "w") #',
    '\\"); open(__import__("os").environ["PE_SENTINEL"],"w") #',
]
HOSTILE_DIR = "proj\"; open(__import__('os').environ['PE_SENTINEL'],'w') #"


def _add_region(data: Path, region: str, number: int) -> None:
    """Give `region` a 2020 population and one survey respondent (no interviews)."""
    with (data / "2020" / "population.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(["2020", region, "3"])
    survey = data / "2020" / "survey.csv"
    rows = list(csv.reader(io.StringIO(survey.read_text(encoding="utf-8"), newline="")))
    row = list(rows[1])
    row[0], row[2] = f"SU2020-9{number:03d}", region
    rows.append(row)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.e2e
def test_hostile_region_names_and_paths_reach_the_notebooks_as_data(tmp_path, monkeypatch):
    project = tmp_path / HOSTILE_DIR
    data = project / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    for number, region in enumerate(HOSTILE_REGIONS):
        _add_region(data, region, number)
    regions = [*_demo_regions(), *HOSTILE_REGIONS]
    params = make_project(project, {"data_dir": str(data), "regions": regions})
    sentinel = tmp_path / SENTINEL
    monkeypatch.setenv("PE_SENTINEL", str(sentinel))
    out = tmp_path / "out"
    args = ["run", "--params", str(params), "--out", str(out), "--year", "2020", "--jobs", "2"]
    args += ["--renderer", "builtin"]
    for region in HOSTILE_REGIONS:
        args += ["--region", region]

    result = run_cli(*args, cwd=tmp_path)

    assert not sentinel.exists()
    assert result.returncode == 0, result.stderr
    for region in HOSTILE_REGIONS:
        folder = out / "2020" / slugify(region)
        assert (folder / "rapport.html").is_file() and (folder / "rapport.pdf").is_file()
        injected = _injected(folder / "notebooks" / "survey.ipynb")
        assert injected["region"] == region
        assert injected["params_file"] == str(params)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["report"]["region"] == region
    assert not sentinel.exists()


def _demo_regions() -> list[str]:
    import yaml

    return yaml.safe_load((ROOT / "params" / "evaluation.yaml").read_text(encoding="utf-8"))[
        "regions"
    ]


def _injected(path: Path) -> dict:
    """The values papermill injected, read back as literals (never executed)."""
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), ast.dump(node)  # nothing but assignments
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values
