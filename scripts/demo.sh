#!/usr/bin/env bash
# Quick start 1: install, then build every demo report (HTML + PDF) and the index.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/peer-eval run --params params/evaluation.yaml --out reports/output "$@"
echo "Open reports/output/index.html"
