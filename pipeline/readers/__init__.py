"""Readers: turn input files into canonical, validated tables (see pipeline.schema).

Readers are the only code that opens input files. Each one either returns a
canonical DataFrame or raises InputError listing every problem, one line each,
with file, row (as the analyst sees it in the export), column and value.
"""
