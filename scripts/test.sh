#!/usr/bin/env bash
# Quick start 2: install (Python packages and the Debian packages for browser tests), run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
.venv/bin/python -m pytest "$@"
