import nbformat
import pytest

from pipeline.errors import UsageError
from pipeline.execute import cell_label, localise_notebook, validate_parameters


@pytest.mark.parametrize(
    "name",
    ["a; import os", "x=1", "class", "__import__", "1abc", "a b", ""],
)
def test_unsafe_parameter_names_are_refused(name):
    with pytest.raises(UsageError):
        validate_parameters({name: 1})


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1, 2}, object(), b"bytes", float("nan"), [1, (2,)], {"a": {3: "x"}}],
)
def test_unsafe_parameter_values_are_refused(value):
    with pytest.raises(UsageError):
        validate_parameters({"value": value})


def test_plain_parameters_pass():
    validate_parameters(
        {"region": 'Skåne "\\', "year": 2020, "k": 5.0, "ok": True, "n": None,
         "items": [1, "a", {"b": [None]}]}
    )  # fmt: skip


def test_localise_picks_caption_language_and_drops_variants():
    cell = nbformat.v4.new_code_cell(
        '#| label: fig-a\n#| fig-cap: "Svensk"\n#| fig-cap-en: "English"\nshow(fig)'
    )
    notebook = nbformat.v4.new_notebook(cells=[cell])
    english = localise_notebook(notebook, "en").cells[0].source
    swedish = localise_notebook(notebook, "sv").cells[0].source
    assert english == '#| label: fig-a\n#| fig-cap: "English"\nshow(fig)'
    assert swedish == '#| label: fig-a\n#| fig-cap: "Svensk"\nshow(fig)'
    assert notebook.cells[0].source.count("fig-cap") == 2  # input untouched
    assert cell_label(english) == "fig-a"
