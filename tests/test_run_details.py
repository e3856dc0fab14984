"""What differs between runs of one notebook is removed (pipeline.run_details)."""

from __future__ import annotations

import nbformat

from pipeline.run_details import strip_run_details


def _stream(name: str, text: str | list[str]) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name=name, text=text)


def _notebook(outputs: list) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("print(_exit_code)")
    cell.outputs = outputs
    return nbformat.v4.new_notebook(cells=[cell])


def test_a_stream_sent_in_pieces_is_one_output_as_when_sent_whole():
    # A fresh ipykernel kernel on a busy machine sent print(0) as "0" and "\n".
    pieces = _notebook([_stream("stdout", "0"), _stream("stdout", "\n")])
    whole = _notebook([_stream("stdout", "0\n")])
    strip_run_details(pieces)
    strip_run_details(whole)
    assert nbformat.writes(pieces) == nbformat.writes(whole)
    assert pieces.cells[0].outputs == [_stream("stdout", "0\n")]


def test_streams_are_joined_only_where_they_follow_each_other():
    display = nbformat.v4.new_output("display_data", data={"text/plain": "'x'"})
    notebook = _notebook(
        [
            _stream("stdout", "one\n"),
            _stream("stderr", "two\n"),
            _stream("stderr", ["three\n", "four\n"]),
            display,
            _stream("stdout", "five\n"),
            _stream("stdout", "six\n"),
        ]
    )
    strip_run_details(notebook)
    assert notebook.cells[0].outputs == [
        _stream("stdout", "one\n"),
        _stream("stderr", "two\nthree\nfour\n"),
        display,
        _stream("stdout", "five\nsix\n"),
    ]
