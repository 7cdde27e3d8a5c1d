"""GAN exercise: the solution gets full marks on 5 seeds, the starter 0, every mutant fails."""

import pytest
from conftest import (
    SOLUTION_SEEDS,
    assert_mutant_fails_its_targets,
    assert_solution_full_marks,
    assert_starter_scores_zero,
    by_name,
    mutants,
)

MUTANTS = mutants("gan")


@pytest.mark.parametrize("seed", SOLUTION_SEEDS)
def test_solution_full_marks(seed):
    assert_solution_full_marks("gan", seed)


def test_starter_scores_zero():
    assert_starter_scores_zero("gan")


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_mutant_fails_its_target(mutant, tmp_path):
    report = assert_mutant_fails_its_targets("gan", mutant, tmp_path)
    if mutant["id"] in ("G-c-loss", "G-p", "G-o", "G-n", "G-c-network"):
        tag = "[" + mutant["id"].split("-network")[0].split("-loss")[0] + "]"
        messages = [t["message"] for t in by_name(report).values() if t["status"] != "passed"]
        assert any(tag in m for m in messages), messages  # the feedback names the mistake
