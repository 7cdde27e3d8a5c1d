"""Shared helpers for the project's tests: grade notebooks through the real `grade` CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "tests" / "mutants"
GRADE = [sys.executable, "-c", "from grader.cli import main; main()"]


def run_grade(
    notebook: Path | str, *args: str, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run `grade NOTEBOOK ARGS...` as a user would; returns the completed process."""
    return subprocess.run(
        [*GRADE, str(notebook), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def grade_json(notebook: Path | str, *args: str, timeout: float = 600) -> dict:
    """`grade --json`; the report dict, with the exit code under "_exit_code"."""
    done = run_grade(notebook, "--json", "-q", *args, timeout=timeout)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"grade printed no JSON (exit {done.returncode}): {done.stderr[-2000:]}")
    report["_exit_code"] = done.returncode
    report["_stderr"] = done.stderr
    return report


def load_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def with_cells(base: Path, sources: list[str], out: Path, position: int | None = None) -> Path:
    """A copy of `base` with code cells added (at the end, or at `position`)."""
    nb = load_notebook(base)
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    at = len(nb.cells) if position is None else position
    nb.cells[at:at] = cells
    nbformat.write(nb, out)
    return out


def mutants(exercise: str) -> list[dict]:
    path = MUTANTS / f"{exercise}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []


def mutant_notebook(exercise: str, mutant_id: str, tmp_path: Path) -> Path:
    """The exercise's solution with one mutant's replacements applied (each `old` exactly once)."""
    (mutant,) = [m for m in mutants(exercise) if m["id"] == mutant_id]
    nb = load_notebook(ROOT / "solutions" / f"{exercise}.ipynb")
    for change in mutant["replace"]:
        hits = [c for c in nb.cells if c.cell_type == "code" and change["old"] in c.source]
        count = sum(c.source.count(change["old"]) for c in hits)
        assert count == 1, f"mutant {mutant_id}: {change['old']!r} occurs {count} times, not once"
        hits[0].source = hits[0].source.replace(change["old"], change["new"])
    out = tmp_path / f"{exercise}-{mutant_id}.ipynb"
    nbformat.write(nb, out)
    return out


def by_name(report: dict) -> dict[str, dict]:
    return {t["name"]: t for t in report["tests"]}


# -- shared checks for every exercise (tests/test_exercise_<name>.py) --
SOLUTION_SEEDS = [1, 2, 3, 4, 5]


def assert_solution_full_marks(exercise: str, seed: int) -> dict:
    report = grade_json(ROOT / "solutions" / f"{exercise}.ipynb", "--seed", str(seed))
    failed = [(t["name"], t["message"]) for t in report["tests"] if t["status"] != "passed"]
    assert failed == [] and report["_exit_code"] == 0, failed
    assert report["score"] == report["max_score"] > 0
    return report


def assert_starter_scores_zero(exercise: str) -> dict:
    report = grade_json(ROOT / "exercises" / f"{exercise}.ipynb")
    assert report["_exit_code"] == 1 and report["score"] == 0
    for test in report["tests"]:
        assert test["status"] == "failed" and "not implemented" in test["message"], test
    return report


def assert_mutant_fails_its_targets(exercise: str, mutant: dict, tmp_path: Path) -> dict:
    notebook = mutant_notebook(exercise, mutant["id"], tmp_path)
    select = " or ".join(mutant["targets"])
    report = grade_json(notebook, "-k", select, "--seed", "7")
    tests = by_name(report)
    for target in mutant["targets"]:
        assert target in tests, f"{mutant['id']}: target {target} did not run"
        assert tests[target]["status"] != "passed", f"{mutant['id']} passed {target}"
    return report
