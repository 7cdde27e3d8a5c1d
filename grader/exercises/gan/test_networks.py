"""The builders: the constructor contract, shapes, logits, and dependence on the noise."""

import torch

from grader.testing import check, expect_tensor


def test_generator_maps_noise_to_samples(submission, gen):
    z_dim, out_dim = (int(v) for v in torch.randint(2, 9, (2,), generator=gen))
    G = submission.build_generator(z_dim=z_dim, out_dim=out_dim)
    z = torch.randn(64, z_dim, generator=gen)
    x = G(z)
    expect_tensor(
        x,
        f"build_generator(z_dim={z_dim}, out_dim={out_dim})(z)",
        shape=(64, out_dim),
        dtype=torch.float32,
        finite=True,
    )
    check(
        x.std(dim=0).min().item() > 1e-4,
        "build_generator: the samples do not depend on the noise (every output is the same)",
    )
    check(
        not torch.equal(G(z[:1]), G(z[1:2])),
        "build_generator: two different noise vectors give the same sample",
    )


def test_discriminator_returns_logits_of_shape_n(submission, gen):
    in_dim = int(torch.randint(2, 9, (1,), generator=gen))
    D = submission.build_discriminator(in_dim=in_dim)
    x = torch.randn(50, in_dim, generator=gen)
    out = D(x)
    expect_tensor(out, f"build_discriminator(in_dim={in_dim})(x)", dtype=torch.float32)
    check(
        tuple(out.shape) == (50,),
        f"build_discriminator: expected logits of shape (N,) = (50,), got {tuple(out.shape)} "
        "([G-n] squeeze the last dimension)",
    )
    far = D(100 * x)
    expect_tensor(far, "build_discriminator(in_dim)(x)", shape=(50,), dtype=torch.float32)
    values = torch.cat([out, far])
    check(
        bool(((values < 0) | (values > 1)).any()),
        "build_discriminator: every output lies in [0, 1], so D ends in a sigmoid; return "
        "logits and let the loss apply the sigmoid ([G-c] double sigmoid)",
    )


def test_discriminator_is_differentiable_in_its_input(submission, gen):
    D = submission.build_discriminator(in_dim=2)
    _, (grad,) = submission.autograd(D, torch.randn(16, 2, generator=gen), wrt=(0,))
    check(
        grad is not None and bool(grad.abs().sum() > 0),
        "build_discriminator: no gradient flows from the logits to the input, so G cannot learn",
    )
