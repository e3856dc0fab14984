"""Marks this folder as the resource package `pipeline.reports` (see pipeline/shipped.py).

Only the report templates (`*.qmd`) ship; the demo's narratives and outputs do not.
"""
