"""Integration: the grader draws an order-2 Markov source now, trains the candidate's CharLM on
sequences from it (through lm_train_step), and computes the held-out loss itself from the logits.
The loss must lie between the source's entropy (lower: the model would see the future) and a
calibrated ceiling (higher: it did not learn to use the previous characters)."""

from helpers import check_markov, markov_run

from grader.testing import points, timeout


@points(4)
@timeout(180)
def test_charlm_learns_a_markov_source(submission, gen, device):
    """Held-out loss of the trained CharLM between the entropy floor and the calibrated ceiling."""
    check_markov(markov_run(submission, gen, device))
