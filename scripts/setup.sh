#!/usr/bin/env bash
# Install peer-eval into ./.venv (Python packages from PyPI), and, with --system, the
# Debian packages the browser tests and PDF checks use. Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--system" ]]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  [[ -d /usr/share/fonts/truetype/dejavu ]] || need+=(fonts-dejavu-core)  # page fonts (Chromium)
  # Chinese/Japanese/Korean text in quotes: the PDF renderer falls back to Noto CJK.
  ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || need+=(fonts-noto-cjk)
  # Emoji in quotes (chat and text-message interviews): Noto Color Emoji.
  [[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]] || need+=(fonts-noto-color-emoji)
  if ((${#need[@]})); then
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    echo "installing Debian packages: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
# pip warns about every index location that this machine's pip config names but lacks; keep
# real errors visible and drop only that noise.
.venv/bin/python -m pip install --quiet -e '.[test,dask]' 2> >(grep -v '^WARNING: Location' >&2)
