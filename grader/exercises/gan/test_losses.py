"""The two losses against their closed forms: values, stability, and gradients."""

import torch
from helpers import reference_d_loss, reference_g_loss

from grader.testing import check, expect_close, expect_tensor, points


def draw_logits(gen):
    n, m = (int(v) for v in torch.randint(3, 50, (2,), generator=gen))
    return 3 * torch.randn(n, generator=gen), 3 * torch.randn(m, generator=gen)


@points(2)
def test_discriminator_loss_closed_form(submission, gen):
    real, fake = draw_logits(gen)
    got = submission.discriminator_loss(real, fake)
    expect_tensor(
        got, "discriminator_loss(logits_real, logits_fake)", shape=(), dtype=torch.float32
    )
    expect_close(
        got,
        reference_d_loss(real, fake),
        "discriminator_loss: does not equal mean(softplus(-logits_real)) + "
        "mean(softplus(logits_fake)); check the labels (real=1, fake=0), the batch means, "
        "and that the inputs are treated as logits, not probabilities ([G-c] double sigmoid)",
    )


@points(2)
def test_generator_loss_is_non_saturating(submission, gen):
    _, fake = draw_logits(gen)
    got = submission.generator_loss(fake)
    expect_tensor(got, "generator_loss(logits_fake)", shape=(), dtype=torch.float32)
    saturating = -torch.nn.functional.softplus(fake).mean()
    if torch.allclose(got.double(), saturating.double(), atol=1e-4):
        check(
            False,
            "generator_loss: this is the saturating loss mean(log(1 - D(G(z)))); "
            "use the non-saturating -mean(log D(G(z))) = mean(softplus(-logits_fake))",
        )
    expect_close(
        got,
        reference_g_loss(fake),
        "generator_loss: does not equal mean(softplus(-logits_fake)), the non-saturating "
        "loss on logits",
    )


@points(2)
def test_losses_are_stable_at_large_logits(submission):
    big = torch.tensor([200.0, -200.0, 30.0, -30.0])
    d = submission.discriminator_loss(big, -big)
    g = submission.generator_loss(big)
    expect_tensor(d, "discriminator_loss", shape=(), dtype=torch.float32)
    expect_tensor(g, "generator_loss", shape=(), dtype=torch.float32)
    hint = (
        "use a numerically stable form such as BCE-with-logits / softplus "
        "([G-p] sigmoid + BCELoss clamps the log at -100)"
    )
    check(
        bool(torch.isfinite(d)) and bool(torch.isfinite(g)),
        f"discriminator_loss: at logits of ±200 the loss is inf or nan: {hint}",
    )
    expect_close(
        d,
        reference_d_loss(big, -big),
        f"discriminator_loss: wrong at logits of ±200: {hint}",
        rtol=1e-3,
    )
    expect_close(
        g, reference_g_loss(big), f"generator_loss: wrong at logits of ±200: {hint}", rtol=1e-3
    )


@points(2)
def test_losses_have_gradients(submission, gen):
    real, fake = draw_logits(gen)
    _, (g_real, g_fake) = submission.autograd("discriminator_loss", real, fake, wrt=(0, 1))
    _, (g_gen,) = submission.autograd("generator_loss", fake, wrt=(0,))
    hint = (
        "[G-d] no gradient reaches the logits: build the loss from torch operations on the "
        "input tensors (no .item(), .detach(), numpy or torch.no_grad())"
    )
    for name, grad in (
        ("discriminator_loss", g_real),
        ("discriminator_loss", g_fake),
        ("generator_loss", g_gen),
    ):
        check(grad is not None, f"{name}: {hint}")
    want_real, want_fake = torch.autograd.functional.jacobian(reference_d_loss, (real, fake))
    want_gen = torch.autograd.functional.jacobian(reference_g_loss, fake)
    expect_close(g_real, want_real, "discriminator_loss: wrong gradient w.r.t. logits_real")
    expect_close(g_fake, want_fake, "discriminator_loss: wrong gradient w.r.t. logits_fake")
    expect_close(g_gen, want_gen, "generator_loss: wrong gradient w.r.t. logits_fake")
