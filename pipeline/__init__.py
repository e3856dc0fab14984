"""peer-eval: reproducible evaluation reports for peer support in social psychiatry."""

__version__ = "0.1.0"
