"""Fuzzing every reader and the params loader: any input reads or stops with InputError.

Each input starts from a real one (the demo exports, codebook, recommendations and
params; a workbook and a REFI-QDA project made from them) and is mutated by
Hypothesis: bytes flipped, inserted, deleted, the file cut short, or, for the zip
formats, the XML inside a valid archive mutated. Whatever comes out must either be
read or raise InputError (which the CLI prints as `error: ` lines and exit 2): never
another exception, never more than FUZZ_SECONDS per input, never more than
FUZZ_MEMORY_MB allocated (tracemalloc's peak).

In CI each reader gets a few dozen derandomised examples. For a longer search:

    PEER_EVAL_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz.py -q

(random, a new search each time; `scripts/fuzz.sh` does this).
"""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT

from pipeline.config import load_project, plan_pairs
from pipeline.errors import InputError
from pipeline.readers.codebook import read_codebook
from pipeline.readers.common import read_raw_table
from pipeline.readers.options import TableOptions
from pipeline.readers.population import read_population
from pipeline.readers.recommendations import read_recommendations
from pipeline.readers.register import read_register
from pipeline.readers.segments import read_qdpx, read_segments
from pipeline.readers.survey import read_survey

DEMO = ROOT / "data" / "demo"
CI_EXAMPLES = 25  # per fuzz target in an ordinary test run (README's trust figures)
EXAMPLES = int(os.environ.get("PEER_EVAL_FUZZ_EXAMPLES", CI_EXAMPLES))
LONG = "PEER_EVAL_FUZZ_EXAMPLES" in os.environ
FUZZ_SECONDS = 10
FUZZ_MEMORY_MB = 300
REGIONS = ["Stockholm", "Skåne", "Västra Götaland", "Norrland", "Jönköping", "Örebro"]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=FUZZ_SECONDS),
    derandomize=not LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


# --- mutations ----------------------------------------------------------------------


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """`seed` with a few random edits, or cut short, or (rarely) random bytes."""
    kind = draw(st.sampled_from(["edits", "edits", "edits", "truncate", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind == "truncate":
        return seed[: draw(st.integers(0, len(seed)))]
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if action == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(
                st.sampled_from([b'"', b";", b",", b"\n", b"\r", b"\x00", b"\xff", b"<", b"&",
                                 b"]]>", b"*a", b"&a ", b"- ", b": ", b"{", b"\t", b"\xc3"])
                | st.binary(min_size=1, max_size=8)
            )  # fmt: skip
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "repeat":
            chunk = bytes(data[position : position + draw(st.integers(1, 60))])
            data[position:position] = chunk * draw(st.integers(1, 50))
    return bytes(data)


def _workbook(rows_csv: bytes) -> bytes:
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(rows_csv.decode("utf-8"))):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_member(archive: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return buffer.getvalue()


def _qdpx_seed() -> bytes:
    from hostile.make_corpus import _qde, _qdpx

    return _qdpx(_qde())


# --- running one input through a reader ---------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def context():
    """The codebook and register the segment readers check against."""
    codebook = read_codebook(DEMO / "codebook.yaml")
    register = read_register(
        DEMO / "2020" / "interviews.csv", TableOptions(), regions=REGIONS, year=2020
    )
    return codebook, register


def reads_or_refuses(read: Callable[[], object]) -> None:
    """Run a reader: it may return or raise InputError; nothing else, within the bound."""
    tracemalloc.start()
    try:
        read()
    except InputError as exc:
        assert exc.problems and all(str(p).strip() for p in exc.problems)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < FUZZ_MEMORY_MB * 1024 * 1024, f"{peak / 2**20:.0f} MB"


def _write(scratch: Path, name: str, data: bytes) -> Path:
    path = scratch / name
    path.write_bytes(data)
    return path


TABLES = {
    "survey": (DEMO / "2020" / "survey.csv", read_survey),
    "population": (DEMO / "2020" / "population.csv", read_population),
    "register": (DEMO / "2020" / "interviews.csv", read_register),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_fuzz_csv_tables(scratch, name):
    seed, reader = TABLES[name]

    @FUZZ
    @given(mutated(seed.read_bytes()))
    def run(data):
        path = _write(scratch, f"{name}.csv", data)
        reads_or_refuses(lambda: read_raw_table(path, TableOptions()))
        reads_or_refuses(lambda: reader(path, TableOptions(), regions=REGIONS, year=2020))

    run()


def test_fuzz_xlsx_survey(scratch):
    seed = (DEMO / "2020" / "survey.csv").read_bytes()
    workbook = _workbook(seed)
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml")

    @FUZZ
    @given(st.booleans(), mutated(sheet), mutated(workbook))
    def run(inside, xml, raw):
        data = _replace_member(workbook, "xl/worksheets/sheet1.xml", xml) if inside else raw
        path = _write(scratch, "survey.xlsx", data)
        reads_or_refuses(lambda: read_survey(path, TableOptions(), regions=REGIONS, year=2020))

    run()


def test_fuzz_segments_csv(scratch, context):
    codebook, register = context
    seed = (DEMO / "2020" / "segments.csv").read_bytes()

    @FUZZ
    @given(mutated(seed))
    def run(data):
        path = _write(scratch, "segments.csv", data)
        reads_or_refuses(
            lambda: read_segments(path, TableOptions(), codebook=codebook, register=register)
        )

    run()


def test_fuzz_qdpx(scratch, context):
    codebook, register = context
    archive = _qdpx_seed()
    project = zipfile.ZipFile(io.BytesIO(archive)).read("project.qde")

    @FUZZ
    @given(st.booleans(), mutated(project), mutated(archive))
    def run(inside, xml, raw):
        data = _replace_member(archive, "project.qde", xml) if inside else raw
        path = _write(scratch, "segments.qdpx", data)
        reads_or_refuses(lambda: read_qdpx(path, codebook=codebook, register=register))

    run()


def test_fuzz_codebook_and_recommendations(scratch):
    codebook = (DEMO / "codebook.yaml").read_bytes()
    recommendations = (DEMO / "recommendations.yaml").read_bytes()

    @FUZZ
    @given(mutated(codebook), mutated(recommendations))
    def run(first, second):
        path = _write(scratch, "codebook.yaml", first)
        reads_or_refuses(lambda: read_codebook(path))
        path = _write(scratch, "recommendations.yaml", second)
        reads_or_refuses(lambda: read_recommendations(path, regions=REGIONS))

    run()


def test_fuzz_params(scratch):
    seed = (ROOT / "params" / "evaluation.yaml").read_bytes()
    folder = scratch / "project" / "params"
    folder.mkdir(parents=True, exist_ok=True)

    @FUZZ
    @given(mutated(seed))
    def run(data):
        path = _write(folder, "evaluation.yaml", data)
        reads_or_refuses(lambda: plan_pairs(load_project(path)))

    run()


def test_qdpx_with_an_unknown_xml_encoding_is_refused(scratch, context):
    codebook, register = context
    xml = b'<?xml version="1.0" encoding="u-f-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0"/>'
    path = _write(scratch, "encoding.qdpx", _replace_member(_qdpx_seed(), "project.qde", xml))
    with pytest.raises(InputError):
        read_qdpx(path, codebook=codebook, register=register)
