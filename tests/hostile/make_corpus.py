"""Make the hostile-file corpus (tests/hostile/files/): `python tests/hostile/make_corpus.py`.

Every file is built here from nothing (no download), deterministically (fixed zip
times), and small on disk: a zip bomb is small by nature. Files that would be large
on disk (a 100 MB CSV) or that depend on the machine (symbolic links) are made by
the tests at run time instead (tests/test_hostile_files.py).

Each file stands in for one input of the demo project: `survey.xlsx` files replace
the 2020 survey export, `segments.qdpx` files the 2020 coded segments.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
_TIME = (2020, 1, 1, 0, 0, 0)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_QDA = "urn:QDA-XML:project:1.0"
_SOURCE = "c0000000-0000-4000-8000-000000000001"
_TEXT = "Intervjuare: Hur började det?\nVi fick en bra introduktion. Handledning saknades."

_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OOXML = "application/vnd.openxmlformats"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="{_OOXML}-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    f'ContentType="{_OOXML}-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_OOXML}-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{_MAIN}" '
    f'xmlns:r="{_DOC}">'
    '<sheets><sheet name="Svar" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)

_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
_XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _sheet(rows: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


_HEADER_ROW = '<row r="1">' + _cell("A1", "respondent_id") + _cell("B1", "region") + "</row>"


def _xlsx(sheet: bytes, extra: list[tuple[str, bytes]] = ()) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", _CONTENT_TYPES.encode()),
            ("_rels/.rels", _RELS.encode()),
            ("xl/workbook.xml", _WORKBOOK.encode()),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
            ("xl/worksheets/sheet1.xml", sheet),
            *extra,
        ]
    )


def _qde(plain_text_path: str = f"internal://{_SOURCE}.txt", prolog: str = "") -> bytes:
    start = _TEXT.index("Vi fick")
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}'
        f'<Project xmlns="{_QDA}" name="Utvärdering 2020" origin="hostile">'
        '<CodeBook><Codes><Code guid="a0000000-0000-4000-8000-000000000001" '
        'name="implementering.introduktion" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{_SOURCE}" name="INT-2020-STO-01.docx" '
        f'plainTextPath="{plain_text_path}">'
        f'<PlainTextSelection guid="d0000000-0000-4000-8000-000000000001" '
        f'startPosition="{start}" endPosition="{start + 28}">'
        '<Coding guid="e0000000-0000-4000-8000-000000000001">'
        '<CodeRef targetGUID="a0000000-0000-4000-8000-000000000001"/>'
        "</Coding></PlainTextSelection></TextSource></Sources></Project>"
    ).encode()


def _qdpx(qde: bytes, extra: list[tuple[str, bytes]] = ()) -> bytes:
    return _zip([("project.qde", qde), (f"Sources/{_SOURCE}.txt", _TEXT.encode()), *extra])


def _million_empty_rows() -> bytes:
    # Row numbers differ, so this compresses like real data (about 12 times), not
    # like a bomb: the row limit, not the ratio limit, has to stop it.
    rows = _HEADER_ROW + "".join(f'<row r="{n}"/>' for n in range(2, 1_000_002))
    return _sheet(rows)


def _formulas() -> bytes:
    rows = (
        _HEADER_ROW
        + '<row r="2">'
        + _cell("A2", "SU2020-0001")
        + '<c r="B2"><f>INDIRECT("Stockholm")</f></c></row>'
    )
    return _sheet(rows)


# name -> (the input it replaces, its bytes); the tests read this table.
def corpus() -> dict[str, bytes]:
    """Every corpus file by name."""
    survey = _sheet(_HEADER_ROW)
    bomb = b" " * (90 * 1024 * 1024)  # under the member limit: the ratio must stop it
    return {
        "zip-bomb.xlsx": _xlsx(survey, [("xl/media/image1.bin", bomb)]),
        "zip-bomb.qdpx": _qdpx(_qde(), [("Sources/bomb.txt", bomb)]),
        "billion-laughs.xlsx": _xlsx(_sheet(_HEADER_ROW, _LAUGHS)),
        "billion-laughs.qdpx": _qdpx(_qde(prolog=_LAUGHS)),
        "external-entity.xlsx": _xlsx(_sheet(_HEADER_ROW, _XXE)),
        "external-entity.qdpx": _qdpx(_qde(prolog=_XXE)),
        "parent-path.xlsx": _xlsx(survey, [("../../x", b"escaped")]),
        "absolute-path.xlsx": _xlsx(survey, [("/tmp/peer-eval-x", b"escaped")]),
        "parent-path.qdpx": _qdpx(_qde(), [("Sources/../../../x.txt", b"escaped")]),
        "drive-letter.qdpx": _qdpx(_qde(), [("C:\\Windows\\x.txt", b"escaped")]),
        "source-outside.qdpx": _qdpx(_qde("file:///etc/passwd")),
        "source-climbs-out.qdpx": _qdpx(_qde("internal://../../../../etc/passwd")),
        "million-empty-rows.xlsx": _xlsx(_million_empty_rows()),
        "formulas.xlsx": _xlsx(_formulas()),
    }


def main() -> int:
    """Write the corpus into tests/hostile/files/ (replacing what is there)."""
    FILES.mkdir(exist_ok=True)
    for name, data in corpus().items():
        (FILES / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
