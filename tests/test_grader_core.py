"""The grader's contract, through the real CLI: verdicts, messages, exit codes, formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import nbformat
import pytest
from conftest import ROOT, by_name, grade_json, run_grade, with_cells

SOLUTION = ROOT / "solutions" / "gan.ipynb"
STARTER = ROOT / "exercises" / "gan.ipynb"
FAST = ["-k", "not ring"]  # the integration test is covered by test_exercise_gan.py


@pytest.fixture(scope="module")
def solution_report() -> dict:
    return grade_json(SOLUTION, "--seed", "11", *FAST)


@pytest.fixture(scope="module")
def starter_report() -> dict:
    return grade_json(STARTER, *FAST)


def test_solution_scores_full_marks(solution_report):
    assert solution_report["_exit_code"] == 0
    assert solution_report["score"] == solution_report["max_score"] > 0
    assert all(t["status"] == "passed" for t in solution_report["tests"])


def test_report_has_the_documented_fields(solution_report):
    for key, kind in {
        "exercise": str,
        "score": float,
        "max_score": float,
        "tests": list,
        "device": str,
        "sandbox": str,
        "duration_s": float,
        "seed": int,
    }.items():
        assert isinstance(solution_report[key], kind), key
    assert solution_report["exercise"] == "gan"
    assert solution_report["sandbox"] == "bubblewrap"
    assert solution_report["device"] == "cpu"
    for test in solution_report["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "message"}


def test_starter_scores_zero_with_not_implemented_everywhere(starter_report):
    assert starter_report["_exit_code"] == 1
    assert starter_report["score"] == 0
    for test in starter_report["tests"]:
        assert test["status"] == "failed"
        assert "not implemented" in test["message"], test


def test_table_output_names_each_test_and_the_total():
    done = run_grade(SOLUTION, "-k", "closed_form", "--seed", "3")
    assert done.returncode == 0
    assert "test_discriminator_loss_closed_form" in done.stdout
    assert "2/2  PASSED" in done.stdout
    assert "total: 2/2" in done.stdout
    assert "[1/1] test_discriminator_loss_closed_form ... passed" in done.stderr  # progress


def test_unparsable_notebook_cannot_be_graded(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    done = run_grade(broken)
    assert done.returncode == 2
    assert done.stderr.strip() == f"Error: {broken}:1: not a Jupyter notebook: Expecting value"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "{p}: no such file"),
        (lambda p: p.write_text("{}"), "{p}: not a Jupyter notebook: it has no list of cells"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(tmp_path, setup, message):
    path = tmp_path / "x.ipynb"
    setup(path)
    done = run_grade(path)
    assert done.returncode == 2
    assert done.stderr.strip() == "Error: " + message.format(p=path)


def test_unknown_exercise_and_missing_metadata(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "anon.ipynb"
    nbformat.write(nb, path)
    done = run_grade(path)
    assert done.returncode == 2
    assert (
        "does not say which exercise it is (metadata prep.exercise); pass --exercise NAME"
        in done.stderr
    )
    done = run_grade(path, "--exercise", "nope")
    assert done.returncode == 2
    assert f"{path}: unknown exercise 'nope' (known: " in done.stderr


def test_exercise_override_grades_a_notebook_without_metadata(tmp_path):
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.metadata.pop("prep")
    path = tmp_path / "copy.ipynb"
    nbformat.write(nb, path)
    report = grade_json(path, "--exercise", "gan", "-k", "closed_form")
    assert report["score"] == report["max_score"] == 2


def test_first_cell_raising_is_reported_and_grading_goes_on(tmp_path):
    path = with_cells(
        SOLUTION, ["raise RuntimeError('boom')"], tmp_path / "first.ipynb", position=0
    )
    report = grade_json(path, *FAST)
    assert "cell 1 raised RuntimeError: boom" in report["notebook_notes"]
    assert report["score"] == report["max_score"]  # later cells still defined everything


def test_missing_function_fails_with_its_name(tmp_path):
    path = with_cells(SOLUTION, ["del generator_loss"], tmp_path / "missing.ipynb")
    report = grade_json(path, "-k", "generator_loss or discriminator_loss_closed")
    tests = by_name(report)
    assert tests["test_generator_loss_is_non_saturating"]["status"] == "failed"
    assert tests["test_generator_loss_is_non_saturating"]["message"] == (
        "generator_loss is not defined in the notebook"
    )
    assert tests["test_discriminator_loss_closed_form"]["status"] == "passed"
    assert report["_exit_code"] == 1


def test_candidate_exception_is_an_error_with_its_type(tmp_path):
    path = with_cells(
        SOLUTION,
        ["def generator_loss(x):\n    raise ValueError('bad shape')"],
        tmp_path / "raises.ipynb",
    )
    test = by_name(grade_json(path, "-k", "non_saturating"))[
        "test_generator_loss_is_non_saturating"
    ]
    assert test["status"] == "error"
    assert test["message"] == "generator_loss raised ValueError: bad shape"


def test_hanging_function_times_out_and_grading_goes_on(tmp_path):
    path = with_cells(
        SOLUTION, ["def generator_loss(x):\n    while True:\n        pass"], tmp_path / "hang.ipynb"
    )
    report = grade_json(path, "-k", "non_saturating or discriminator_loss_closed", "--timeout", "3")
    tests = by_name(report)
    assert tests["test_generator_loss_is_non_saturating"]["status"] == "timeout"
    assert tests["test_generator_loss_is_non_saturating"]["message"] == (
        "generator_loss did not return within 3 s"
    )
    assert tests["test_discriminator_loss_closed_form"]["status"] == "passed"  # after a restart


def test_hidden_tests_add_or_replace(tmp_path):
    hidden = tmp_path / "private"
    hidden.mkdir()
    (hidden / "test_private.py").write_text(
        "from grader.testing import points, check\n"
        "@points(5)\n"
        "def test_private_loss_at_zero(submission):\n"
        "    import torch\n"
        "    got = submission.generator_loss(torch.zeros(4))\n"
        "    check(abs(float(got) - 0.693147) < 1e-4, 'generator_loss(0) should be log 2')\n"
    )
    added = grade_json(SOLUTION, "--tests", str(hidden), "-k", "private or closed_form")
    assert {t["name"] for t in added["tests"]} == {
        "test_private_loss_at_zero",
        "test_discriminator_loss_closed_form",
    }
    assert added["score"] == 7
    replaced = grade_json(SOLUTION, "--tests", str(hidden), "--tests-mode", "replace")
    assert [t["name"] for t in replaced["tests"]] == ["test_private_loss_at_zero"]


def test_broken_reference_test_is_a_grader_fault_not_a_zero(tmp_path):
    hidden = tmp_path / "buggy"
    hidden.mkdir()
    (hidden / "test_buggy.py").write_text("def test_buggy(submission):\n    {}['missing']\n")
    report = grade_json(SOLUTION, "--tests", str(hidden), "--tests-mode", "replace")
    assert report["_exit_code"] == 2
    assert report["tests"][0]["status"] == "error"
    assert report["tests"][0]["message"].startswith("grader fault, not the candidate's: KeyError")
    assert report["grader_fault"].startswith("test_buggy: KeyError")


def test_gradescope_and_junit_outputs(tmp_path):
    out = tmp_path / "results.json"
    done = run_grade(SOLUTION, "--format", "gradescope", "-o", str(out), "-k", "closed_form")
    assert done.returncode == 0
    data = json.loads(out.read_text())
    assert data["score"] == 2
    assert data["tests"][0] == {
        "name": "test_discriminator_loss_closed_form",
        "score": 2.0,
        "max_score": 2.0,
        "status": "passed",
        "output": "",
    }
    done = run_grade(STARTER, "--format", "junit", "-k", "closed_form")
    assert done.returncode == 1
    suite = ET.fromstring(done.stdout.split("?>", 1)[1]).find("testsuite")
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    assert "not implemented" in suite.find("testcase/failure").get("message")


def test_same_seed_same_report_and_any_seed_same_score(solution_report):
    again = grade_json(SOLUTION, "--seed", "11", *FAST)
    strip = [{k: v for k, v in t.items() if k != "duration_s"} for t in again["tests"]]
    assert strip == [
        {k: v for k, v in t.items() if k != "duration_s"} for t in solution_report["tests"]
    ]
    other = grade_json(SOLUTION, "--seed", "12345", *FAST)
    assert other["score"] == solution_report["score"]


def test_no_sandbox_is_reported_and_can_be_refused(tmp_path):
    report = grade_json(SOLUTION, "--no-sandbox", "-k", "closed_form")
    assert report["sandbox"] == "none"
    assert any("no sandbox" in w for w in report["warnings"])
    assert report["score"] == 2
    done = run_grade(SOLUTION, "--no-sandbox", "--require-sandbox")
    assert done.returncode == 2
    assert "--require-sandbox: the kernel would run without bubblewrap" in done.stderr
