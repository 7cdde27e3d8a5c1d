#!/usr/bin/env bash
# Install everything the project needs on a fresh Debian/Ubuntu machine (as root, or with sudo):
#   - bubblewrap: the grader's sandbox for candidate notebooks
#   - chromium: the headless browser the site's tests drive
#   - the CPU build of PyTorch (an unpinned torch would pull a multi-GB CUDA build)
#   - this project, editable, with its test tools
# Safe to run again. Set PREP_SKIP_APT=1 to skip the system packages.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if [ -z "${PREP_SKIP_APT:-}" ] && command -v apt-get >/dev/null; then
  missing=""
  command -v bwrap >/dev/null || missing="$missing bubblewrap"
  command -v chromium >/dev/null || missing="$missing chromium"
  if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi
command -v bwrap >/dev/null || echo "warning: bubblewrap is missing: grade will run notebooks without a sandbox" >&2

python3 -m pip install -q --disable-pip-version-check "torch==2.13.0"
python3 -m pip install -q --disable-pip-version-check -e ".[dev]"
echo "installed: grade, prep ($(python3 -c 'import torch; print("torch", torch.__version__)'))"
