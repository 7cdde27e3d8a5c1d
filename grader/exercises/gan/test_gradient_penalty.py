"""Stretch task: the WGAN-GP gradient penalty against a replay on a probe critic."""

import torch
from helpers import probe_models

from grader.testing import check, expect_close, expect_tensor, points


def reference_penalty(D, real, fake, alpha):
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grads,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grads.norm(2, dim=1) - 1) ** 2).mean()


@points(2)
def test_gradient_penalty_value_and_graph(submission, gen):
    _, D, _, D_here = probe_models(submission, gen)
    n = int(torch.randint(4, 20, (1,), generator=gen))
    real, fake = torch.randn(n, 2, generator=gen) * 2, torch.randn(n, 2, generator=gen)
    alpha = torch.rand(n, 1, generator=gen)
    got, (g_real, g_fake) = submission.autograd(
        "gradient_penalty", D, real, fake, alpha, wrt=(1, 2)
    )
    expect_tensor(got, "gradient_penalty(D, real, fake, alpha)", shape=(), dtype=torch.float32)
    expect_close(
        got,
        reference_penalty(D_here, real, fake, alpha),
        "gradient_penalty: should be mean((||grad of D at alpha*real + (1-alpha)*fake|| - 1)^2) "
        "with the 2-norm over features per sample",
    )
    check(
        g_real is not None and g_fake is not None,
        "gradient_penalty: the penalty has no gradient: compute the input gradient with "
        "torch.autograd.grad(..., create_graph=True)",
    )
    want_real, want_fake = torch.autograd.functional.jacobian(
        lambda r, f: reference_penalty(D_here, r, f, alpha), (real, fake)
    )
    expect_close(g_real, want_real, "gradient_penalty: wrong gradient w.r.t. real", atol=1e-4)
    expect_close(g_fake, want_fake, "gradient_penalty: wrong gradient w.r.t. fake", atol=1e-4)
