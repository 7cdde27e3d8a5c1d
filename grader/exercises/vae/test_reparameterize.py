"""reparameterize: exact autograd identities, shape and dtype, and the law of its draws."""

import math

import torch

from grader.testing import check, expect_close, expect_tensor, points


def draw_shape(gen):
    return tuple(int(v) for v in torch.randint(2, 10, (2,), generator=gen))


def test_reparameterize_shape_dtype_and_mean(submission, gen):
    b, d = draw_shape(gen)
    mu = 3 * torch.randn(b, d, generator=gen)
    logvar = torch.full((b, d), -60.0)  # sigma = e^-30: z must be mu
    z = submission.reparameterize(mu, logvar)
    expect_tensor(
        z,
        f"reparameterize(mu, logvar) for inputs of shape {(b, d)}",
        shape=(b, d),
        dtype=torch.float32,
        finite=True,
    )
    expect_close(
        z,
        mu,
        "reparameterize: with logvar = -60 (sigma = e^-30) z should equal mu; "
        "z = mu + exp(0.5 * logvar) * eps (argument order: mu, then logvar)",
        atol=1e-4,
    )


@points(2)
def test_reparameterize_gradients_are_exact(submission, gen):
    b, d = draw_shape(gen)
    mu = torch.randn(b, d, generator=gen)
    logvar = 3.5 * torch.rand(b, d, generator=gen) - 2.0  # in [-2, 1.5]
    z, (g_mu, g_logvar) = submission.autograd("reparameterize", mu, logvar, wrt=(0, 1))
    z = expect_tensor(
        z, "reparameterize(mu, logvar)", shape=(b, d), dtype=torch.float32, finite=True
    )
    hint = (
        "build z from mu and logvar with torch operations (no .detach(), .item(), numpy or "
        "torch.no_grad()), or the encoder cannot learn"
    )
    check(g_mu is not None, f"[V-i] reparameterize: no gradient reaches mu: {hint}")
    check(g_logvar is not None, f"[V-i] reparameterize: no gradient reaches logvar: {hint}")
    expect_close(
        g_mu,
        torch.ones(b, d),
        "reparameterize: dz/dmu should be 1 for every element "
        "(z = mu + sigma * eps, with eps independent of mu)",
    )
    want = (z.double() - mu.double()) / 2  # 0.5 * exp(0.5 * logvar) * eps
    if torch.allclose(g_logvar.double(), 2 * want, atol=1e-5, rtol=1e-4):
        check(
            False,
            "reparameterize: dz/dlogvar equals z - mu, so sigma = exp(logvar); logvar is "
            "the log-variance, so sigma = exp(0.5 * logvar) (training curves hide this "
            "mistake: the model just learns a wrong variance)",
        )
    expect_close(
        g_logvar,
        want,
        "reparameterize: dz/dlogvar should be (z - mu) / 2 = "
        "0.5 * exp(0.5 * logvar) * eps; use sigma = exp(0.5 * logvar)",
        atol=1e-5,
    )


@points(2)
def test_reparameterize_draws_from_the_right_gaussian(submission, gen):
    n, d = 20000, 4
    mu_row = 4 * torch.rand(d, generator=gen) - 2
    sign = torch.where(torch.rand(d, generator=gen) < 0.5, -1.0, 1.0)
    logvar_row = sign * (0.5 + torch.rand(d, generator=gen))  # |logvar| in [0.5, 1.5]
    mu, logvar = mu_row.repeat(n, 1), logvar_row.repeat(n, 1)  # (n, d): d Gaussians, n draws
    z = expect_tensor(
        submission.reparameterize(mu, logvar),
        f"reparameterize on ({n}, {d}) inputs",
        shape=(n, d),
        dtype=torch.float32,
        finite=True,
    )
    eps = (z.double() - mu_row.double()) / (0.5 * logvar_row.double()).exp()  # should be N(0, I)
    var = eps.var(dim=0)  # (d,)
    check(
        bool(var.min() > 1e-6),
        "reparameterize: z does not vary across the batch for a "
        "fixed (mu, logvar): draw eps independently for every element (torch.randn_like(mu)), "
        "not once per call or once per column",
    )
    if bool(((var / logvar_row.double().exp()) - 1).abs().max() < 0.06):
        check(
            False,
            "reparameterize: the draws have variance exp(2 * logvar), so sigma = "
            "exp(logvar); logvar is the log-variance: sigma = exp(0.5 * logvar)",
        )
    mean, tol_mean, tol_var = eps.mean(dim=0), 6 / math.sqrt(n), 6 * math.sqrt(2 / n)
    check(
        bool(mean.abs().max() < tol_mean),
        f"reparameterize: the draws' mean is off by {float(mean.abs().max()):.3f} sigma from mu: "
        "z = mu + sigma * eps with eps ~ N(0, 1) (torch.randn, not torch.rand)",
    )
    check(
        bool((var - 1).abs().max() < tol_var),
        f"reparameterize: var(z) / exp(logvar) is {float(var.min()):.3f}..{float(var.max()):.3f}, "
        "expected 1: sigma = exp(0.5 * logvar) and eps ~ N(0, 1)",
    )
    corr = torch.corrcoef(eps.T) - torch.eye(d, dtype=torch.float64)
    check(
        bool(corr.abs().max() < 6 / math.sqrt(n)),
        "reparameterize: the latent dimensions are "
        "correlated: draw one independent eps per element, not one per row",
    )
    kurtosis = float(((eps - mean) ** 4).mean() / (var.mean() ** 2))
    check(
        abs(kurtosis - 3) < 6 * math.sqrt(24 / (n * d)),
        f"reparameterize: eps has kurtosis {kurtosis:.2f}, a normal has 3: draw eps from "
        "N(0, 1) (torch.randn_like)",
    )
