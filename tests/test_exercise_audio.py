"""The audio exercise through the real `grade` CLI: the solution gets full marks on 5 seeds, the
starter gets 0 with "not implemented" everywhere, and every mutant fails each of its targets
(with feedback that names the classic mistake where it has an id)."""

from __future__ import annotations

import pytest
from conftest import (
    ROOT,
    SOLUTION_SEEDS,
    assert_mutant_fails_its_targets,
    assert_solution_full_marks,
    assert_starter_scores_zero,
    by_name,
    grade_json,
    mutants,
)

EXERCISE = "audio"
MUTANTS = mutants(EXERCISE)
# mutant id -> text that the failure message of at least one target must contain
NAMED = {
    "A-a-float-tokens": "[A-a]",
    "A-a-uniform-quantization": "[A-a]",
    "A-e-decode-returns-codes": "[A-e]",
    "A-e-uniform-codes": "[A-e]",
    "A-e-repeats-prime": "[A-e]",
    "A-c-bce-per-code": "[A-c]",
    "T-d-no-shift": "[T-d]",
    "conv-same-padding": "sees the future",
    "conv-right-padding": "sees the future",
    "model-head-sees-future": "leaks the future",
    "conv-dilation-ignored": "dilation is ignored",
    "no-zero-grad": "zero_grad",
    "temperature-multiplies": "multiplied by the temperature",
    "temperature-ignored": "temperature is ignored",
    "generate-reads-first-position": "first position",
}


@pytest.mark.parametrize("seed", SOLUTION_SEEDS)
def test_solution_full_marks(seed):
    report = assert_solution_full_marks(EXERCISE, seed)
    assert not report["grader_fault"]
    assert len(report["tests"]) >= 19


def test_starter_scores_zero():
    assert_starter_scores_zero(EXERCISE)


def test_every_mutant_has_targets_that_exist():
    names = set(by_name(grade_json(ROOT / "exercises" / f"{EXERCISE}.ipynb", "--seed", "7")))
    for mutant in MUTANTS:
        assert mutant["targets"], mutant["id"]
        assert set(mutant["targets"]) <= names, (mutant["id"], set(mutant["targets"]) - names)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_mutant_fails_its_targets(mutant, tmp_path):
    report = assert_mutant_fails_its_targets(EXERCISE, mutant, tmp_path)
    assert not report["grader_fault"], report["grader_fault"]
    if mutant["id"] in NAMED:
        messages = [t["message"] for t in by_name(report).values() if t["status"] != "passed"]
        assert any(NAMED[mutant["id"]] in m for m in messages), messages
