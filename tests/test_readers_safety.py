"""The reader guards: limits on files, archives and tables, and links out of data_dir."""

from __future__ import annotations

import io
import random
import zipfile

import openpyxl
import pytest
import yaml
from support import make_project

from pipeline.config import load_project
from pipeline.errors import InputError
from pipeline.readers import safety
from pipeline.readers.common import read_raw_table
from pipeline.readers.options import TableOptions
from pipeline.readers.safety import (
    Limits,
    open_archive,
    read_member,
    unsafe_member_name,
    use_limits,
)
from pipeline.readers.yamlfile import load_mapping, load_yaml


def _noise(size: int) -> bytes:
    return random.Random(size).randbytes(size)  # incompressible, like audio or video


def _zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_openpyxl_parses_with_defusedxml():
    assert safety.openpyxl_parses_with_defusedxml()


@pytest.mark.parametrize(
    ("name", "why"),
    [("../x", ".."), ("a/../../x", ".."), ("/etc/x", "absolute"), ("\\x", "absolute"),
     ("C:x", "drive letter"), ("a\x00b", "NUL"), ("a\\..\\..\\x", "..")],
)  # fmt: skip
def test_member_names_that_leave_the_archive_are_refused(name, why):
    assert why in unsafe_member_name(name)


@pytest.mark.parametrize("name", ["xl/worksheets/sheet1.xml", "Sources/a..b.txt", "[x].xml"])
def test_ordinary_member_names_pass(name):
    assert unsafe_member_name(name) == ""


def test_too_many_members_and_too_much_in_total(tmp_path):
    path = tmp_path / "a.qdpx"
    _zip(path, {f"Sources/{i}.txt": b"x" * 1000 for i in range(12)})
    with use_limits(Limits(max_members=10)), pytest.raises(InputError, match="holds 12 files"):
        open_archive(path, "a.qdpx")
    with use_limits(Limits(max_unpacked_mb=1)):
        open_archive(path, "a.qdpx").close()  # 12 kB is fine
    _zip(path, {f"Sources/{i}.bin": _noise(768_000 + i) for i in range(2)})
    with use_limits(Limits(max_unpacked_mb=1)), pytest.raises(InputError, match="unpack to 1.5"):
        open_archive(path, "a.qdpx")


def test_members_not_read_from_a_project_count_only_towards_the_total(tmp_path):
    path = tmp_path / "a.qdpx"
    _zip(path, {"project.qde": b"<Project/>", "Sources/video.mp4": _noise(2_000_000)})
    with use_limits(Limits(max_member_mb=1)):
        open_archive(path, "a.qdpx").close()  # a 2 MB video is never read
    _zip(path, {"project.qde": b"<Project>" + _noise(2_000_000)})
    with use_limits(Limits(max_member_mb=1)), pytest.raises(InputError, match="project.qde"):
        open_archive(path, "a.qdpx")


def test_a_member_larger_than_its_header_says_is_not_read_past_the_limit(tmp_path):
    path = tmp_path / "a.qdpx"
    _zip(path, {"project.qde": _noise(3 * 1024 * 1024)})
    archive = open_archive(path, "a.qdpx")
    info = archive.getinfo("project.qde")
    info.file_size = 10  # a lying directory: zipfile would stop there and fail the CRC
    with use_limits(Limits(max_member_mb=1)), pytest.raises(InputError, match="cannot be read"):
        read_member(archive, "project.qde", "a.qdpx")
    archive.close()


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)
    with use_limits(Limits(max_table_mb=1)), pytest.raises(InputError) as caught:
        read_raw_table(path, TableOptions(), "survey.csv")
    assert str(caught.value) == (
        "survey.csv: is 1.1 MB, more than the 1 MB an input may be (limit max_table_mb under "
        "limits: in params); check that it is the right file"
    )


def test_rows_and_columns_over_the_limits(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("a,b\n" + "1,2\n" * 20)
    with use_limits(Limits(max_rows=10)), pytest.raises(InputError, match="row 11: has more than"):
        read_raw_table(path, TableOptions(), "survey.csv")
    book = openpyxl.Workbook()
    book.active.append(list(range(30)))
    book.save(tmp_path / "wide.xlsx")
    with use_limits(Limits(max_columns=20)), pytest.raises(InputError, match="has 30 columns"):
        read_raw_table(tmp_path / "wide.xlsx", TableOptions(), "wide.xlsx")


def test_a_workbook_claiming_a_huge_range_reads_only_its_rows(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.active.append(["1", "2"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(tmp_path / "claim.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A1:B2"', b'ref="A1:XFD1048576"')
            target.writestr(info, data)
    table = read_raw_table(tmp_path / "claim.xlsx", TableOptions(), "claim.xlsx")
    assert table.frame.shape == (1, 2)


def test_formulas_read_as_their_computed_values(tmp_path):
    from hostile.make_corpus import _HEADER_ROW, _cell, _sheet, _xlsx

    rows = (
        _HEADER_ROW + '<row r="2">' + _cell("A2", "SU1") + '<c r="B2"><f>A1</f><v>7</v></c></row>'
    )
    (tmp_path / "f.xlsx").write_bytes(_xlsx(_sheet(rows)))
    table = read_raw_table(tmp_path / "f.xlsx", TableOptions(), "f.xlsx")
    assert table.frame.to_dict("records") == [{"respondent_id": "SU1", "region": "7"}]


def test_yaml_aliases_are_refused(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text('a: &a ["x", "x"]\nb: [*a, *a]\n')
    with pytest.raises(InputError, match="line 2, column 5: aliases"):
        load_yaml(path, "codebook.yaml")


def test_a_value_its_type_refuses_is_one_line_naming_it(tmp_path):
    # Before: `date: 2026-13-25` is a timestamp by its shape; datetime refused month 13
    # with a ValueError that became a 146-line traceback.
    path = tmp_path / "evaluation.yaml"
    path.write_text("regions: [Skåne]\nreport: {date: 2026-13-25}\n")
    with pytest.raises(InputError) as info:
        load_yaml(path, "evaluation.yaml")
    assert str(info.value) == (
        "evaluation.yaml: line 2, column 16: '2026-13-25' is not a valid timestamp "
        "(month must be in 1..12)"
    )


def test_params_set_the_limits(tmp_path):
    params = make_project(tmp_path, {"limits": {"max_rows": 7, "links_out_of_data_dir": True}})
    limits = load_project(params).evaluation.limits
    assert limits.max_rows == 7 and limits.links_out_of_data_dir
    assert limits.max_table_mb == Limits().max_table_mb
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data["limits"] = {"max_rowz": 7}
    params.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError, match="limits.max_rowz"):
        load_project(params)


def test_links_out_of_data_dir(tmp_path):
    data = tmp_path / "data"
    (data / "2020").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    (data / "2020" / "survey.csv").symlink_to(tmp_path / "other" / "survey.csv")
    (data / "inside.csv").symlink_to(data / "2020")
    data = data.resolve()
    assert safety.outside_link(data / "2020" / "survey.csv", data) == (
        (tmp_path / "other" / "survey.csv").resolve()
    )
    assert safety.outside_link(data / "inside.csv", data) is None  # stays inside
    assert safety.outside_link(tmp_path / "elsewhere.csv", data) is None  # params' own choice
    with use_limits(Limits(links_out_of_data_dir=True)):
        assert safety.outside_link(data / "2020" / "survey.csv", data) is None


def test_a_corrupt_compressed_worksheet_is_an_input_error(tmp_path):
    """Found by the fuzzer: zlib's own error escaped the archive reader."""
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    path = tmp_path / "broken.xlsx"
    book.save(path)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start] = 0x07  # a deflate block of the reserved type 3
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot be read from the archive"):
        read_raw_table(path, TableOptions(), "broken.xlsx")


def test_a_number_too_large_for_a_whole_number_is_an_input_error(tmp_path):
    """Found by the fuzzer: a 20-digit year overflowed int64 (OverflowError)."""
    from pipeline.readers.population import read_population

    path = tmp_path / "population.csv"
    path.write_text("year,region,target_population\n22222222222222222020,Stockholm,8\n")
    with pytest.raises(InputError, match="column 'year': '22222222222222222020' is not a whole"):
        read_population(path, TableOptions(), regions=["Stockholm"], year=2020)


def test_unquoted_codes_with_leading_zeros_stay_as_written(tmp_path):
    # Before: YAML 1.1 reads 0114 (Upplands Väsby's kommunkod) as the octal 76 and 1:30 as
    # 90, so `values.region: {0114: ...}` silently became the key "76" and matched nothing.
    path = tmp_path / "evaluation.yaml"
    path.write_text(
        "values: {region: {0114: Upplands Väsby, 0180: Stockholm, 12: Skåne, 1:30: x}}\nk: 5\n",
        encoding="utf-8",
    )
    assert load_mapping(path) == {
        "values": {
            "region": {"0114": "Upplands Väsby", "0180": "Stockholm", 12: "Skåne", "1:30": "x"}
        },
        "k": 5,
    }
