"""What does the grader's isolation cost? (run on demand: python3 bench/grade_overhead.py)

Compares, for one exercise's reference solution:
  floor      the same reference tests in one plain Python process: the notebook's cells are
             exec'd in-process and `submission` calls the functions directly (no kernel, no
             sandbox, no serialisation)
  grade      `grade solutions/<ex>.ipynb` (kernel + bubblewrap + proxy)
  no-sandbox `grade --no-sandbox` (kernel + proxy, no bubblewrap)
  kernel     starting a bare ipykernel and running one cell, through nbclient
  bwrap      starting `bwrap ... true` alone
Each is repeated (default 3) and the median is reported in seconds; results go to stdout as a
Markdown table, ready for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = r'''
import sys, time, types, importlib
from pathlib import Path
import nbformat, pytest, torch
torch.set_num_threads(1)
ROOT, EXERCISE, SELECT = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

class Local:
    """`submission` without a kernel: calls the notebook's objects directly."""
    def __init__(self, ns): self.ns = ns
    def __getattr__(self, name): return LocalFn(self.ns[name])
    def make(self, path, *a, **k):
        module, _, attr = path.rpartition(".")
        return LocalFn(getattr(importlib.import_module(module), attr)(*a, **k))
    def autograd(self, target, *args, wrt=(0,), output_index=None, **kw):
        fn = self.ns[target] if isinstance(target, str) else target.obj
        args = [a.detach().clone().requires_grad_(True) if i in wrt else a for i, a in enumerate(args)]
        out = fn(*args, **kw)
        picked = out if output_index is None else out[output_index]
        parts = picked if isinstance(picked, (tuple, list)) else [picked]
        total = sum(p.sum() for p in parts if isinstance(p, torch.Tensor) and p.requires_grad)
        if isinstance(total, torch.Tensor): total.backward()
        return out, [args[i].grad for i in wrt]
    def seed_kernel(self, seed): torch.manual_seed(seed)

class LocalFn:
    def __init__(self, obj): self.obj = obj
    def __call__(self, *a, **k): return wrap(self.obj(*unwrap(a), **unwrap(k)))
    def __getattr__(self, name): return LocalFn(getattr(self.obj, name))
    def get(self, name): return wrap(getattr(self.obj, name))
    def map(self, calls, kwargs=None): return [self(*c, **(kwargs or {})) for c in calls]

def unwrap(x):
    if isinstance(x, LocalFn): return x.obj
    if isinstance(x, (list, tuple)): return type(x)(unwrap(v) for v in x)
    if isinstance(x, dict): return {k: unwrap(v) for k, v in x.items()}
    return x

def wrap(x):
    if x is None or type(x) in (bool, int, float, str): return x
    if isinstance(x, torch.Tensor): return x.detach().as_subclass(torch.Tensor)
    if type(x) in (list, tuple): return type(x)(wrap(v) for v in x)
    if isinstance(x, dict) and all(isinstance(k, str) for k in x): return {k: wrap(v) for k, v in x.items()}
    return LocalFn(x)

nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", 4)
ns = {}
for cell in nb.cells:
    if cell.cell_type == "code" and "demo" not in cell.metadata.get("tags", []):
        exec(cell.source, ns)
local = Local(ns)

class Fixtures:
    @pytest.fixture
    def submission(self): return local
    @pytest.fixture
    def device(self): return "cpu"
    @pytest.fixture
    def seed(self): return 1234
    @pytest.fixture
    def gen(self): return torch.Generator().manual_seed(1234)
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n): weight")
        config.addinivalue_line("markers", "timeout_s(s): limit")

folder = ROOT / "grader" / "exercises" / EXERCISE
sys.path.insert(0, str(folder))
args = [str(folder), "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "-o", "addopts=",
        "--rootdir", str(folder)]
if SELECT:
    args += ["-k", SELECT]
sys.exit(pytest.main(args, plugins=[Fixtures()]))
'''

KERNEL = r"""
import nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch")])
NotebookClient(nb, kernel_name="python3").execute()
"""


def timed(command: list[str]) -> float:
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
            "-c",
            FLOOR,
            str(ROOT),
            args.exercise,
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
    print(
        f"| {args.exercise}{' -k ' + args.select if args.select else ''} | median of {args.repeat} (s) |"
    )
    print("|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} |")
    print(f"| overhead of grade over the floor | {graded - floor:.2f} s ({graded / floor:.1f}x) |")


if __name__ == "__main__":
    main()
