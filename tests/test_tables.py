import pandas as pd
import pytest

from pipeline.tables import markdown_table


def test_cells_are_escaped_and_columns_sized_by_content():
    table = markdown_table(pd.DataFrame({"Grupp": ["<b>Brukare</b>", "x|y"], "n": ["12", "3"]}))
    lines = table.splitlines()
    assert lines[0] == "| Grupp | n |"
    assert lines[1] == "| :------------------ | --: |"  # the longest escaped cell: 19
    assert lines[2] == "| \\<b\\>Brukare\\<\\/b\\> | 12 |"
    assert lines[3] == "| x\\|y | 3 |"


def test_alignment_must_match_columns():
    with pytest.raises(ValueError, match="align"):
        markdown_table(pd.DataFrame({"a": [1]}), align="lr")
