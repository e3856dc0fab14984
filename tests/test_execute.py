from pathlib import Path

import nbformat
import pytest

from pipeline.captions import caption_domain
from pipeline.errors import UsageError
from pipeline.execute import cell_label, localise_notebook, validate_parameters
from pipeline.i18n import languages, messages

ROOT = Path(__file__).resolve().parent.parent


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


def test_localise_writes_the_catalog_captions_of_labelled_cells():
    cell = nbformat.v4.new_code_cell("#| label: fig-response-rate\nshow(fig)")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    english = localise_notebook(notebook, "en", "survey").cells[0].source
    swedish = localise_notebook(notebook, "sv", "survey").cells[0].source
    assert english.split("\n")[:3] == [
        "#| label: fig-response-rate",
        '#| fig-cap: "Response rate by region"',
        '#| fig-alt: "Horizontal bar chart of the response rate in percent for each region and '
        'the whole country."',
    ]
    assert swedish.split("\n")[1] == '#| fig-cap: "Svarsfrekvens per region"'
    assert english.endswith("\nshow(fig)")
    assert notebook.cells[0].source.count("fig-cap") == 0  # input untouched
    assert cell_label(english) == "fig-response-rate"


def test_localise_keeps_a_cells_own_caption_and_leaves_unknown_labels_alone():
    own = nbformat.v4.new_code_cell('#| label: tbl-education\n#| tbl-cap: "Egen"\nx')
    new = nbformat.v4.new_code_cell("#| label: tbl-analysts-own\nx")
    notebook = nbformat.v4.new_notebook(cells=[own, new])
    cells = localise_notebook(notebook, "en", "survey").cells
    assert cells[0].source == '#| label: tbl-education\n#| tbl-cap: "Egen"\nx'
    assert cells[1].source == "#| label: tbl-analysts-own\nx"


def test_a_per_language_caption_option_is_an_error():
    cell = nbformat.v4.new_code_cell('#| label: fig-a\n#| fig-cap-en: "English"\nx')
    with pytest.raises(
        UsageError, match=r"survey\.ipynb: cell option 'fig-cap-en'.*captions_survey"
    ):
        localise_notebook(nbformat.v4.new_notebook(cells=[cell]), "sv", "survey")


def test_every_caption_message_belongs_to_a_labelled_cell():
    notebooks = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        labels = {cell_label(c.source) for c in notebook.cells if c.cell_type == "code"}
        for lang in languages():
            keys = messages(lang, caption_domain(path.stem))
            assert keys, (path, lang)
            assert {key.rsplit(".", 1)[0] for key in keys} <= labels, (path, lang)
            assert not any("-cap" in c.source or "-alt" in c.source for c in notebook.cells)
