"""negative_elbo: nelbo = rec + kl, the KL term exactly, the reconstruction term in
expectation over the noise (the candidate draws its own noise, so the grader compares means),
and a loss that keeps its graph."""

import math

import torch
from helpers import (
    X_DIM,
    build_vae,
    decode,
    encode,
    kl_mistakes,
    kl_reference,
    name_the_mistake,
    nll_reference,
    random_binary,
    sample_z,
)

from grader.testing import check, expect_close, expect_tensor, expect_tuple, points

B = 32


def fresh_model_and_batch(submission, gen, device):
    z_dim = int(torch.randint(2, 9, (1,), generator=gen))
    model = build_vae(submission, X_DIM, z_dim, device)
    model.eval()  # the grader's encode must see the same network as negative_elbo's
    return model, random_binary(gen, B, X_DIM, 0.3).to(device), z_dim


def unpack(out):
    out = expect_tuple(out, "negative_elbo(model, x)", length=3)
    for value, name in zip(out, ("nelbo", "rec", "kl")):
        expect_tensor(
            value, f"negative_elbo(model, x) ({name})", shape=(), dtype=torch.float32, finite=True
        )
    return out


@points(2)
def test_negative_elbo_is_rec_plus_exact_kl(submission, gen, device):
    model, x, z_dim = fresh_model_and_batch(submission, gen, device)
    nelbo, rec, kl = unpack(submission.negative_elbo(model, x))
    expect_close(nelbo, rec + kl, "negative_elbo: nelbo should equal rec + kl", atol=1e-4)
    mu, logvar = encode(model, x, z_dim)
    want = kl_reference(mu, logvar).mean()
    if not torch.allclose(kl.double(), want, rtol=1e-4, atol=1e-4):
        if torch.allclose(kl.double(), want * B, rtol=1e-3):
            check(False, "negative_elbo: kl is summed over the batch: return the batch mean")
        wrong = [(v.mean(), m) for v, m in kl_mistakes(mu, logvar)]
        mistake = name_the_mistake(kl, wrong)
        check(mistake is None, f"negative_elbo: {mistake}")
    expect_close(
        kl,
        want,
        "negative_elbo: kl should be the batch mean of kl_standard_normal(mu, "
        "logvar) with (mu, logvar) = model.encode(x)",
        atol=1e-4,
    )


@points(2)
def test_negative_elbo_reconstruction_term_in_expectation(submission, gen, device):
    model, x, z_dim = fresh_model_and_batch(submission, gen, device)
    calls = 64
    got = torch.stack(
        [unpack(out)[1] for out in submission.negative_elbo.map([(model, x)] * calls)]
    )
    mu, logvar = encode(model, x, z_dim)
    draws = 256
    logits = decode(model, sample_z(mu, logvar, gen, draws).to(device), X_DIM)  # (draws * B, 64)
    xs = x.repeat(draws, 1)

    def per_draw(values):  # (draws * B,) -> batch mean per draw, (draws,)
        return values.reshape(draws, B).mean(dim=1)

    want = per_draw(nll_reference(xs, logits))
    se = math.sqrt(float(got.double().var()) / calls + float(want.var()) / draws)
    tol = 6 * se + 1e-3 * float(want.mean()) + 1e-3
    if abs(float(got.double().mean() - want.mean())) <= tol:
        return
    alternatives = [
        (
            want.mean() / X_DIM,
            "[V-j] rec is averaged over pixels: sum over pixels, then average over the batch",
        ),
        (want.mean() * B, "rec is summed over the batch: return the batch mean"),
        (
            per_draw(nll_reference(xs, torch.sigmoid(logits))).mean(),
            "[V-h] double sigmoid: the decoder's logits went through a sigmoid before the NLL",
        ),
        (
            per_draw(nll_reference(2 * xs - 1, logits)).mean(),
            "[V-r] the targets were rescaled to [-1, 1]: the Bernoulli targets are the 0/1 pixels",
        ),
        (
            nll_reference(x, decode(model, mu, X_DIM)).mean(),
            "rec decodes mu without sampling: draw z = reparameterize(mu, logvar)",
        ),
    ]
    for value, message in alternatives:
        check(abs(float(got.double().mean() - value)) > tol, f"negative_elbo: {message}")
    check(
        False,
        f"negative_elbo: rec averages {float(got.double().mean()):.3f} over {calls} calls, "
        f"but E[bernoulli_nll(x, decode(z))] with z ~ q(z|x) is {float(want.mean()):.3f}: "
        "rec should be the batch mean of bernoulli_nll(x, logits), one z per example",
    )


def test_negative_elbo_keeps_the_graph(submission, gen, device):
    model, x, _ = fresh_model_and_batch(submission, gen, device)
    out, (grad,) = submission.autograd("negative_elbo", model, x, wrt=(1,), output_index=0)
    unpack(out)
    check(
        grad is not None and bool(torch.isfinite(grad).all()) and bool(grad.abs().sum() > 0),
        "[V-i] negative_elbo: the loss has no gradient: compute it with torch operations on the "
        "model's outputs (no .item(), .detach(), numpy or torch.no_grad())",
    )
