"""Integration: the grader trains the candidate's GAN on a ring of 8 Gaussians whose rotation
it draws now, then counts modes and sample quality on samples it asks for."""

import math

import torch
from helpers import mode_statistics, ring_of_gaussians

from grader.testing import check, expect_tensor, points, timeout

STEPS, BATCH, CHUNK, Z_DIM = 1500, 256, 250, 4
MIN_MODES, MIN_QUALITY = 6, 0.5  # from docs/calibration-gan.md


def train_and_measure(submission, gen):
    """Train the candidate's GAN on a freshly rotated ring; return (modes, quality, spread)."""
    rotation = float(torch.rand(1, generator=gen)) * 2 * math.pi / 8
    G = submission.build_generator(z_dim=Z_DIM, out_dim=2)
    D = submission.build_discriminator(in_dim=2)
    opt_G = submission.make("torch.optim.Adam", G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_D = submission.make("torch.optim.Adam", D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    for _ in range(STEPS // CHUNK):
        calls = [
            (
                G,
                D,
                opt_G,
                opt_D,
                ring_of_gaussians(BATCH, rotation, gen),
                torch.randn(BATCH, Z_DIM, generator=gen),
                torch.randn(BATCH, Z_DIM, generator=gen),
            )
            for _ in range(CHUNK)
        ]
        submission.gan_train_step.map(calls)
    z = torch.randn(2000, Z_DIM, generator=gen)
    samples = expect_tensor(
        G(z), "the trained generator", shape=(2000, 2), dtype=torch.float32, finite=True
    )
    covered, quality = mode_statistics(samples, rotation)
    return covered, quality, samples.std(dim=0).min().item()


@points(4)
@timeout(240)
def test_gan_learns_a_ring_of_gaussians(submission, gen):
    covered, quality, spread = train_and_measure(submission, gen)
    check(
        spread > 0.1,
        "after training, the generator ignores its noise (all samples collapse to one point)",
    )
    check(
        covered >= MIN_MODES,
        f"after {STEPS} steps the generator covers {covered} of 8 modes (need {MIN_MODES}): "
        "mode collapse, or D/G training is broken",
    )
    check(
        quality >= MIN_QUALITY,
        f"after {STEPS} steps only {quality:.0%} of samples lie near a mode "
        f"(need {MIN_QUALITY:.0%})",
    )
