"""Marks this folder as the resource package `pipeline.notebooks` (see pipeline/shipped.py).

The notebooks here are the ones peer-eval ships and `peer-eval init` copies; nothing imports
this file otherwise.
"""
