"""The full-text index: Pagefind's extended build (it segments Chinese) over the study pages.

Only elements marked `data-pagefind-body` are indexed (question and exercise pages), and
Pagefind keeps one index per `<html lang>`, so the Chinese search page searches Chinese pages
and the English one English pages.

Pagefind runs as `python -m pagefind` (the binary from the `pagefind[extended]` wheel) in a
child process: its own output stays apart from ours, and it exits with a status. (The Python
API's service mode shares one pipe for messages and the binary's warnings, which broke now and
then under load.)
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from studysite.errors import BuildError

OUTPUT_SUBDIR = "pagefind"
# The pages to index, relative to the site folder (pages without data-pagefind-body are skipped).
GLOB = "{zh,en}/**/*.html"
TIMEOUT_S = 600


def index_search(site_dir: Path) -> int:
    """Index `site_dir` and write the bundle to site_dir/pagefind/; return the page count."""
    if importlib.util.find_spec("pagefind") is None:
        raise BuildError(
            "full-text search needs Pagefind: pip install 'pagefind[extended]' "
            "(or build with --no-search)"
        )
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--glob", GLOB,
               "--output-subdir", OUTPUT_SUBDIR, "--silent"]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise BuildError(f"search index: Pagefind did not finish within {TIMEOUT_S} s") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise BuildError(f"search index: Pagefind failed ({lines[-1].strip()})")
    try:
        entry = json.loads((site_dir / OUTPUT_SUBDIR / "pagefind-entry.json").read_text())
        return sum(int(lang["page_count"]) for lang in entry["languages"].values())
    except (OSError, ValueError, KeyError) as exc:
        raise BuildError(f"search index: Pagefind wrote no usable index ({exc})") from None
