"""Grade one notebook: read it, find its exercise, start the caged kernel, run the tests.

`grade_notebook(path, options) -> Report` is the whole public surface; the CLI is a thin
wrapper around it.
"""

from __future__ import annotations

import contextlib
import glob
import io
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.errors import CandidateFault, GradingError
from grader.kernel import KernelSession
from grader.report import Report, TestResult
from grader.sandbox import Limits, Sandbox

# torch, pytest and the plugin are imported only once the kernel is booting (see
# grade_notebook): both sides import torch, and on two cores they do it side by side.

PACKAGE_DIR = Path(__file__).resolve().parent
EXERCISES_DIR = PACKAGE_DIR / "exercises"
PROJECT_DIR = PACKAGE_DIR.parent


@dataclass
class Options:
    """Every knob of a grading run, with its default (see `grade --help`)."""

    exercise: str | None = None  # overrides the notebook's metadata
    device: str = "auto"  # auto | cpu | cuda
    tests: Path | None = None  # an interviewer's private tests folder
    tests_mode: str = "add"  # add | replace
    timeout: float = 60.0  # per test, unless the test sets its own
    total_timeout: float = 900.0  # the whole run
    cell_timeout: float = 60.0  # per notebook cell
    seed: int | None = None  # None: drawn at grading time
    select: str | None = None  # pytest -k expression
    require_sandbox: bool = False
    sandbox: bool = True
    limits: Limits = field(default_factory=Limits)


def known_exercises() -> list[str]:
    return sorted(p.parent.name for p in EXERCISES_DIR.glob("*/exercise.yaml"))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise GradingError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GradingError(f"{path}: cannot read the file ({error})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise GradingError(f"{path}:{error.lineno}: not a Jupyter notebook: {error.msg}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise GradingError(f"{path}: not a Jupyter notebook: it has no list of cells")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as error:
        raise GradingError(f"{path}: not a valid Jupyter notebook: {error}") from None
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and not isinstance(cell.get("source"), str):
            raise GradingError(f"{path}: not a valid Jupyter notebook: a cell has no source")
    return nb


def identify_exercise(nb: nbformat.NotebookNode, path: Path, override: str | None) -> str:
    known = known_exercises()
    name = override or (nb.metadata.get("prep") or {}).get("exercise")
    if not name:
        raise GradingError(
            f"{path}: the notebook does not say which exercise it is (metadata prep.exercise); "
            f"pass --exercise NAME, one of: {', '.join(known)}"
        )
    if name not in known:
        raise GradingError(f"{path}: unknown exercise '{name}' (known: {', '.join(known)})")
    return name


def test_files(exercise: str, options: Options) -> list[Path]:
    files = (
        []
        if options.tests_mode == "replace"
        else sorted((EXERCISES_DIR / exercise).glob("test_*.py"))
    )
    if options.tests is not None:
        if not options.tests.is_dir():
            raise GradingError(f"--tests {options.tests}: not a folder")
        files += sorted(options.tests.rglob("test_*.py"))
    if not files:
        raise GradingError(f"no reference tests found for exercise '{exercise}'")
    return files


def resolve_device(requested: str) -> str:
    if requested == "cpu" or (requested == "auto" and not glob.glob("/dev/nvidia[0-9]*")):
        return "cpu"  # no GPU device node: no need to import torch to find out
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise GradingError("--device cuda: no CUDA device is available on this machine")
    return requested


def hidden_paths(options: Options) -> list[Path]:
    """What the kernel must not read: reference tests, solutions, hidden tests, our tests."""
    paths = [PACKAGE_DIR, PROJECT_DIR / "solutions", PROJECT_DIR / "tests", PROJECT_DIR / "bench"]
    if options.tests is not None:
        paths.append(options.tests.resolve())
    return [p for p in paths if p.exists()]


def run_reference_tests(files: list[Path], exercise: str, plugin, options: Options) -> None:
    import pytest

    with tempfile.TemporaryDirectory(prefix="prep-tests-") as scratch:
        ini = Path(scratch, "pytest.ini")
        ini.write_text("[pytest]\n")
        args = [str(f) for f in files]
        args += ["-c", str(ini), "--rootdir", str(EXERCISES_DIR), "-o", "addopts="]
        args += ["-p", "no:cacheprovider", "-p", "no:terminal", "--import-mode=importlib"]
        args += ["--assert=plain"]  # rewriting needs the terminal plugin to explain failures
        args += ["-o", "python_files=test_*.py"]
        if options.select:
            args += ["-k", options.select]
        folders = {str(f.parent) for f in files}
        sys.path[:0] = sorted(folders)  # lets tests import their exercise's helpers.py
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                code = pytest.main(args, plugins=[plugin])
        finally:
            del sys.path[: len(folders)]
    if plugin.collection_errors:
        raise GradingError(
            f"the reference tests could not be loaded: {plugin.collection_errors[0]}"
        )
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or not plugin.results:
        raise GradingError(f"no reference test matched for exercise '{exercise}'")


def grade_notebook(
    path: Path,
    options: Options | None = None,
    on_result: Callable[[TestResult, int, int], None] | None = None,
) -> Report:
    options = options or Options()
    started = time.monotonic()
    nb = read_notebook(path)
    exercise = identify_exercise(nb, path, options.exercise)
    files = test_files(exercise, options)
    device = resolve_device(options.device)
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    sandbox = Sandbox(
        device=device,
        hidden=hidden_paths(options),
        limits=options.limits,
        use_bubblewrap=options.sandbox,
    )
    if options.require_sandbox and sandbox.kind == "none":
        sandbox.close()
        raise GradingError(
            "--require-sandbox: the kernel would run without bubblewrap (missing, unusable here, or --no-sandbox); refusing to grade"
        )
    session = KernelSession(nb, sandbox, cell_timeout=options.cell_timeout)
    try:
        session.launch()
        import torch

        from grader.plugin import GradingPlugin

        torch.set_num_threads(options.limits.threads)  # the trusted side's maths is small too
        start_error = None
        try:
            session.start()
        except CandidateFault as error:
            start_error = error
        plugin = GradingPlugin(
            session,
            device,
            seed,
            options.timeout,
            started + options.total_timeout,
            start_error=start_error,
            on_result=on_result,
        )
        tests_started = time.monotonic()
        run_reference_tests(files, exercise, plugin, options)
    finally:
        session.shutdown()
        sandbox.close()
    return Report(
        exercise=exercise,
        notebook=str(path),
        tests=plugin.results,
        device=device,
        sandbox=sandbox.kind,
        duration_s=round(time.monotonic() - started, 3),
        seed=seed,
        warnings=sandbox.warnings,
        notebook_notes=[f"cell {n.cell} {n.text}" for n in session.notes],
        grader_fault=plugin.grader_fault,
        timings={
            "kernel_start_s": round(session.kernel_start_s, 3),
            "notebook_s": round(session.notebook_s, 3),
            "tests_s": round(time.monotonic() - tests_started, 3),
        },
    )
