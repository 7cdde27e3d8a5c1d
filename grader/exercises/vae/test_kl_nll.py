"""kl_standard_normal and bernoulli_nll against their closed forms, per row, at random inputs."""

import torch
from helpers import (
    expect_per_row,
    kl_mistakes,
    kl_reference,
    name_the_mistake,
    nll_mistakes,
    nll_reference,
    random_binary,
)

from grader.testing import check, expect_close, points


def draw_shape(gen, low, high):
    b = int(torch.randint(2, 12, (1,), generator=gen))
    return b, int(torch.randint(low, high, (1,), generator=gen))


@points(2)
def test_kl_standard_normal_matches_closed_form(submission, gen):
    b, d = draw_shape(gen, 2, 10)
    mu = 1.5 * torch.randn(b, d, generator=gen)
    logvar = 5 * torch.rand(b, d, generator=gen) - 3  # in [-3, 2]
    what = f"kl_standard_normal(mu, logvar) for inputs of shape {(b, d)}"
    got = expect_per_row(submission.kl_standard_normal(mu, logvar), what, b)
    want = kl_reference(mu, logvar)
    if not torch.allclose(got.double(), want, rtol=1e-4, atol=1e-4):
        mistake = name_the_mistake(got, kl_mistakes(mu, logvar))
        check(mistake is None, f"kl_standard_normal: {mistake}")
    expect_close(
        got,
        want,
        "kl_standard_normal: does not equal 0.5 * sum_j (mu^2 + exp(logvar) "
        "- 1 - logvar), summed over the latent dimensions",
        atol=1e-4,
    )


def test_kl_standard_normal_depends_on_the_variance(submission, gen):
    b, d = draw_shape(gen, 2, 10)
    mu = torch.zeros(b, d)
    logvar = 2 * torch.randn(b, d, generator=gen)
    logvar[0] = 0.0  # the prior itself: KL = 0
    got = expect_per_row(submission.kl_standard_normal(mu, logvar), "kl_standard_normal", b)
    want = kl_reference(mu, logvar)
    if not torch.allclose(got.double(), want, rtol=1e-4, atol=1e-4):
        mistake = name_the_mistake(got, kl_mistakes(mu, logvar))
        check(mistake is None, f"kl_standard_normal: {mistake}")
    check(
        bool(got[0].abs() < 1e-5),
        f"kl_standard_normal: KL(N(0, I) || N(0, I)) should be 0, got {float(got[0]):.4g}",
    )
    expect_close(
        got,
        want,
        "kl_standard_normal: at mu = 0 the KL should be "
        "0.5 * sum_j (exp(logvar) - 1 - logvar): it must depend on the variance",
        atol=1e-4,
    )


@points(2)
def test_bernoulli_nll_matches_closed_form(submission, gen):
    b, d = draw_shape(gen, 5, 70)
    x = random_binary(gen, b, d, float(torch.rand(1, generator=gen)) * 0.6 + 0.2)
    logits = 3 * torch.randn(b, d, generator=gen)
    what = f"bernoulli_nll(x, logits) for inputs of shape {(b, d)}"
    got = expect_per_row(submission.bernoulli_nll(x, logits), what, b)
    want = nll_reference(x, logits)
    if not torch.allclose(got.double(), want, rtol=1e-4, atol=1e-4):
        mistake = name_the_mistake(got, nll_mistakes(x, logits))
        check(mistake is None, f"bernoulli_nll: {mistake}")
    expect_close(
        got,
        want,
        "bernoulli_nll: does not equal sum_i softplus(logits_i) - x_i * "
        "logits_i, the Bernoulli NLL summed over pixels (argument order: x, then logits)",
        atol=1e-4,
    )


@points(2)
def test_bernoulli_nll_is_stable_at_large_logits(submission):
    logits = torch.tensor([[100.0, -100.0, -150.0, 150.0, -30.0, 30.0, 200.0, -200.0]] * 2)
    x = torch.tensor([[1.0, 0, 1, 0, 1, 0, 1, 0], [0.0, 1, 0, 1, 0, 1, 0, 1]])
    want = nll_reference(x, logits)  # [360, 600]: a mismatched pixel costs |logit|
    hint = (
        "use a numerically stable form such as F.binary_cross_entropy_with_logits or "
        "softplus (log(sigmoid(l)) overflows; sigmoid + binary_cross_entropy clamps the log "
        "at -100 and kills the gradient, like [G-p])"
    )
    got = expect_per_row(submission.bernoulli_nll(x, logits), "bernoulli_nll", 2, finite=False)
    check(
        bool(torch.isfinite(got).all()), f"bernoulli_nll: inf or nan at logits of ±100..200: {hint}"
    )
    if bool(torch.isfinite(got).all()) and not torch.allclose(got.double(), want, rtol=1e-4):
        mistake = name_the_mistake(got, nll_mistakes(x, logits))
        check(mistake is None, f"bernoulli_nll: {mistake}")
    expect_close(got, want, f"bernoulli_nll: wrong at logits of ±100..200: {hint}", rtol=1e-4)
    _, (grad,) = submission.autograd("bernoulli_nll", x, logits, wrt=(1,))
    check(
        grad is not None,
        "[V-i] bernoulli_nll: no gradient reaches the logits (no .item(), "
        ".detach(), numpy or torch.no_grad())",
    )
    expect_close(
        grad,
        torch.sigmoid(logits) - x,
        "bernoulli_nll: the gradient w.r.t. the logits "
        f"should be sigmoid(logits) - x, also at large logits: {hint}",
        atol=1e-4,
    )
