"""Text exercise: the solution gets full marks on 5 seeds, the starter 0 with "not implemented"
everywhere, and every mutant fails each of its target tests (classic mistakes by name)."""

import re

import pytest
from conftest import (
    SOLUTION_SEEDS,
    assert_mutant_fails_its_targets,
    assert_solution_full_marks,
    assert_starter_scores_zero,
    by_name,
    mutants,
)

MUTANTS = mutants("text")
CLASSIC = re.compile(r"^[A-Z]-[a-z]$")  # ids from shared/classic-mistakes.md, e.g. T-d


@pytest.mark.parametrize("seed", SOLUTION_SEEDS)
def test_solution_full_marks(seed):
    report = assert_solution_full_marks("text", seed)
    assert not report["grader_fault"]


def test_starter_scores_zero():
    report = assert_starter_scores_zero("text")
    names = set(by_name(report))
    for mutant in MUTANTS:  # every target names a real test
        assert mutant["targets"] and set(mutant["targets"]) <= names, mutant["id"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_mutant_fails_its_targets(mutant, tmp_path):
    report = assert_mutant_fails_its_targets("text", mutant, tmp_path)
    assert not report["grader_fault"], report["grader_fault"]
    if CLASSIC.match(mutant["id"]):
        messages = [t["message"] for t in by_name(report).values() if t["status"] != "passed"]
        assert any(f"[{mutant['id']}]" in m for m in messages), messages  # feedback names it
