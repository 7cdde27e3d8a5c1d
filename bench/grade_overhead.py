"""What does the grader's isolation cost? (run on demand: python3 bench/grade_overhead.py)

Compares, for one exercise's reference solution:
  floor      the same reference tests in one plain Python process (bench/local_submission.py:
             no kernel, no sandbox, no serialisation)
  grade      `grade solutions/<ex>.ipynb` (kernel + bubblewrap + proxy)
  no-sandbox `grade --no-sandbox` (kernel + proxy, no bubblewrap)
  kernel     starting a bare ipykernel and running one cell, through nbclient
  bwrap      starting `bwrap ... true` alone
Each is repeated (default 3) and the median is reported in seconds; results go to stdout as a
Markdown table, ready for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KERNEL = r"""
import nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch")])
NotebookClient(nb, kernel_name="python3").execute()
"""


def timed(command: list[str]) -> float:
    """Wall seconds. (CPU time of children misses a killed kernel inside bwrap's PID namespace.)"""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0,):
        sys.exit(
            f"failed ({done.returncode}): {' '.join(command)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="gan")
    parser.add_argument("--select", default="", help="pytest -k expression (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    notebook = str(ROOT / "solutions" / f"{args.exercise}.ipynb")
    select = ["-k", args.select] if args.select else []
    grade = [
        sys.executable,
        "-c",
        "from grader.cli import main; main()",
        notebook,
        "-q",
        "--seed",
        "1",
    ]
    cases = {
        "floor (plain Python, same tests)": [
            sys.executable,
            str(ROOT / "bench" / "local_submission.py"),
            args.exercise,
            "-k",
            args.select,
        ],
        "grade (kernel + bubblewrap)": grade + select,
        "grade --no-sandbox (kernel only)": grade + select + ["--no-sandbox"],
        "bare kernel: start + one cell (nbclient)": [sys.executable, "-c", KERNEL],
        "bwrap alone (start `true`)": [
            "bwrap",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--unshare-all",
            "--die-with-parent",
            "true",
        ],
    }
    medians = {}
    for name, command in cases.items():
        medians[name] = statistics.median(timed(command) for _ in range(args.repeat))
    floor, graded = (
        medians["floor (plain Python, same tests)"],
        medians["grade (kernel + bubblewrap)"],
    )
    title = f"{args.exercise}{' -k ' + args.select if args.select else ''}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"| {title}: median of {args.repeat} runs (load average {load}) | seconds |")
    print("|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} |")
    print(f"| overhead of grade over the floor | {graded - floor:.2f} ({graded / floor:.1f}x) |")


if __name__ == "__main__":
    main()
