#!/usr/bin/env bash
# A longer fuzzing search over every reader and the params loader (tests/test_fuzz.py):
# random, a new search each run. `bash scripts/fuzz.sh 5000` tries 5000 inputs per reader.
set -euo pipefail
cd "$(dirname "$0")/.."
PEER_EVAL_FUZZ_EXAMPLES=${1:-2000} exec .venv/bin/pytest tests/test_fuzz.py -q -p no:cacheprovider
