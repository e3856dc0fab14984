"""Package layout only; everything else is in pyproject.toml.

The repository keeps the layout of an evaluation project (`notebooks/`, `reports/` at the
top), and the notebooks and report templates ship inside the package as the resource
packages `pipeline.notebooks` and `pipeline.reports` (pipeline/shipped.py reads them).
pyproject.toml cannot list found packages and mapped ones together, hence this file.
"""

from setuptools import find_namespace_packages, setup

RESOURCE_PACKAGES = {"pipeline.notebooks": "notebooks", "pipeline.reports": "reports"}

setup(
    packages=[*find_namespace_packages(include=["pipeline*"]), *RESOURCE_PACKAGES],
    package_dir=RESOURCE_PACKAGES,
)
