"""Figures for the reports: one style (style.py), survey figures, theme figures."""
