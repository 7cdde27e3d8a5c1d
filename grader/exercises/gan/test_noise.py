"""sample_noise: shape, dtype, distribution, and use of the generator."""

import torch

from grader.testing import check, expect_tensor, points


def test_sample_noise_shape_and_dtype(submission, gen):
    n, dim = (int(v) for v in torch.randint(2, 40, (2,), generator=gen))
    z = submission.sample_noise(n, dim)
    expect_tensor(z, f"sample_noise({n}, {dim})", shape=(n, dim), dtype=torch.float32, finite=True)
    check(
        z.unique().numel() == n * dim,
        f"sample_noise({n}, {dim}): the draws repeat; every entry should be an independent N(0, 1)",
    )


@points(2)
def test_sample_noise_is_standard_normal(submission):
    z = submission.sample_noise(40000, 2)
    expect_tensor(z, "sample_noise(40000, 2)", shape=(40000, 2), dtype=torch.float32, finite=True)
    mean, std = z.mean().item(), z.std().item()
    check(
        abs(mean) < 0.03 and abs(std - 1) < 0.03,
        f"sample_noise: mean {mean:.3f} and std {std:.3f}, expected 0 and 1 (use torch.randn)",
    )
    within_one = (z.abs() < 1).float().mean().item()  # 0.683 for a normal, 1.0 for rand()
    check(
        abs(within_one - 0.6827) < 0.02,
        f"sample_noise: {within_one:.1%} of draws lie in (-1, 1), a normal gives 68.3%: "
        "draw from N(0, 1), not a uniform distribution",
    )


def test_sample_noise_uses_the_generator(submission, seed):
    draws = []
    for s in (seed, seed, seed + 1):
        g = submission.make("torch.Generator").manual_seed(s)
        draws.append(submission.sample_noise(8, 3, generator=g))
    for z in draws:
        expect_tensor(z, "sample_noise(8, 3, generator=g)", shape=(8, 3), dtype=torch.float32)
    check(
        torch.equal(draws[0], draws[1]),
        "sample_noise: two generators with the same seed gave different noise: "
        "pass `generator` to torch.randn",
    )
    check(
        not torch.equal(draws[0], draws[2]),
        "sample_noise: generators with different seeds gave the same noise",
    )
