"""Integration: the grader trains the candidate's VAE on a split of the binarized digits drawn
now, then computes the held-out negative ELBO itself (its own noise, its own KL and Bernoulli
NLL; encode and decode are black boxes) and compares it with an independent-pixel baseline."""

from helpers import COLLAPSE, INTEGRATION, integration_run

from grader.testing import check, points, timeout

MARGIN = 2.5  # nats below the baseline; from docs/calibration-vae.md
MIN_KL = 0.5  # nats per example on held-out digits; from docs/calibration-vae.md


@points(4)
@timeout(180)
def test_vae_beats_independent_pixels_on_held_out_digits(submission, gen, device):
    result = integration_run(submission, gen, device, INTEGRATION)
    check(
        not result["all_in_unit_interval"],
        "[V-h] after training, every output of decode lies in [0, 1]: decode ends in a sigmoid "
        "and the loss applies another one (double sigmoid); decode must return logits",
    )
    nelbo, baseline = result["nelbo"], result["baseline"]
    collapsed = (
        " The KL is about 0: posterior collapse, the encoder is ignored ([V-j] over-weighted KL)."
        if result["kl"] < MIN_KL
        else ""
    )
    check(
        nelbo < baseline - MARGIN,
        f"after {INTEGRATION['steps']} Adam steps (lr {INTEGRATION['lr']}) the held-out negative "
        f"ELBO is {nelbo:.2f} nats (rec {result['rec']:.2f} + KL {result['kl']:.2f}); an "
        f"independent Bernoulli per pixel gets {baseline:.2f}, and the VAE must beat it by "
        f"{MARGIN}.{collapsed} Check the loss: NLL summed over pixels on logits, KL summed over "
        "latent dimensions, batch means, targets 0/1, a sampled z ([V-j], [V-h], [V-r], [V-i])",
    )


@points(2)
@timeout(180)
def test_vae_posterior_does_not_collapse(submission, gen, device):
    result = integration_run(submission, gen, device, COLLAPSE)
    check(
        result["kl"] > MIN_KL,
        f"posterior collapse: after {COLLAPSE['steps']} training steps the held-out KL is "
        f"{result['kl']:.3f} nats per digit (need > {MIN_KL}), so the encoder ignores x. "
        "[V-j] the KL is over-weighted: the reconstruction NLL must be summed over pixels and "
        "the KL summed over latent dimensions (a per-pixel mean acts like beta = 64)",
    )
