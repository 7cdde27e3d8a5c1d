"""The reference tests without a kernel, for benchmarks and calibration only (never grading).

`LocalSubmission` offers the `submission` API but calls the notebook's objects in this process,
so a benchmark can measure the grader's floor and a calibration script can run a test's metric
on many seeds quickly. Run as a script, it runs an exercise's reference tests on the solution:
    python3 bench/local_submission.py gan [-k EXPR]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import nbformat
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


def notebook_namespace(path: Path, replace: list[dict] | None = None) -> dict:
    """Exec a notebook's graded code cells (after `replace` edits, as in tests/mutants).

    Demo and self-check cells are left out: a mutant may well fail the self-checks.
    """
    nb = nbformat.read(path, as_version=4)
    source = "\n\n".join(
        c.source
        for c in nb.cells
        if c.cell_type == "code" and not {"demo", "self-check"} & set(c.metadata.get("tags", []))
    )
    for change in replace or []:
        assert source.count(change["old"]) == 1, change["old"]
        source = source.replace(change["old"], change["new"])
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


class LocalSubmission:
    def __init__(self, namespace: dict):
        self.ns = namespace

    def __getattr__(self, name: str) -> LocalObject:
        return LocalObject(self.ns[name])

    def make(self, path: str, *args, **kwargs):
        module, _, attr = path.rpartition(".")
        return wrap(getattr(importlib.import_module(module), attr)(*unwrap(args), **unwrap(kwargs)))

    def autograd(self, target, *args, wrt=(0,), output_index=None, **kwargs):
        fn = self.ns[target] if isinstance(target, str) else target.obj
        args = [unwrap(a) for a in args]
        for i in wrt:
            args[i] = args[i].detach().clone().requires_grad_(True)
        out = fn(*args, **unwrap(kwargs))
        picked = out if output_index is None else out[output_index]
        parts = picked if isinstance(picked, (tuple, list)) else [picked]
        total = sum(p.sum() for p in parts if isinstance(p, torch.Tensor) and p.requires_grad)
        if isinstance(total, torch.Tensor):
            total.backward()
        return wrap(out), [args[i].grad for i in wrt]

    def seed_kernel(self, seed: int) -> None:
        torch.manual_seed(seed)


class LocalObject:
    def __init__(self, obj):
        self.obj = obj

    def __call__(self, *args, **kwargs):
        return wrap(self.obj(*unwrap(args), **unwrap(kwargs)))

    def __getattr__(self, name: str) -> LocalObject:
        return LocalObject(getattr(self.obj, name))

    def get(self, name: str):
        return wrap(getattr(self.obj, name))

    def map(self, calls, kwargs=None):
        return [self(*args, **(kwargs or {})) for args in calls]


def unwrap(x):
    if isinstance(x, LocalObject):
        return x.obj
    if isinstance(x, (list, tuple)):
        return type(x)(unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: unwrap(v) for k, v in x.items()}
    return x


def wrap(x):
    """What the proxy would return: plain data by value, anything else as a handle."""
    if x is None or type(x) in (bool, int, float, str):
        return x
    if isinstance(x, torch.Tensor):
        return x.detach().clone().as_subclass(torch.Tensor)  # a copy, as serialisation makes
    if type(x) in (list, tuple):
        return type(x)(wrap(v) for v in x)
    if isinstance(x, dict) and all(isinstance(k, str) for k in x):
        return {k: wrap(v) for k, v in x.items()}
    return LocalObject(x)


class Fixtures:
    def __init__(self, submission: LocalSubmission, seed: int = 1234):
        self.local, self.seed_value = submission, seed

    @pytest.fixture
    def submission(self):
        return self.local

    @pytest.fixture
    def device(self):
        return "cpu"

    @pytest.fixture
    def seed(self):
        return self.seed_value

    @pytest.fixture
    def gen(self, seed):
        return torch.Generator().manual_seed(seed)

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n): weight")
        config.addinivalue_line("markers", "timeout_s(s): limit")


def run_reference_tests(exercise: str, select: str = "") -> int:
    torch.set_num_threads(1)
    local = LocalSubmission(notebook_namespace(ROOT / "solutions" / f"{exercise}.ipynb"))
    folder = ROOT / "grader" / "exercises" / exercise
    sys.path.insert(0, str(folder))
    args = [
        str(folder),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--import-mode=importlib",
        "-o",
        "addopts=",
        "--rootdir",
        str(folder),
    ]
    return pytest.main(args + (["-k", select] if select else []), plugins=[Fixtures(local)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Reference tests in-process (the grader's floor).")
    parser.add_argument("exercise")
    parser.add_argument("-k", "--select", default="")
    arguments = parser.parse_args()
    sys.exit(run_reference_tests(arguments.exercise, arguments.select))
