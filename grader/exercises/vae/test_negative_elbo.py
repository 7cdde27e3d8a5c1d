"""negative_elbo: nelbo = rec + kl, the KL term exactly, the reconstruction term in
expectation over the noise (the candidate draws its own noise, so the grader compares means),
and a loss that keeps its graph."""

import torch
from helpers import (
    X_DIM,
    build_vae,
    encode,
    kl_mistakes,
    kl_reference,
    name_the_mistake,
    random_binary,
    rec_expectation,
    unpack_nelbo,
)

from grader.testing import check, expect_close, points

B = 32


def fresh_model_and_batch(submission, gen, device):
    z_dim = int(torch.randint(2, 9, (1,), generator=gen))
    model = build_vae(submission, X_DIM, z_dim, device)
    model.eval()  # the grader's encode must see the same network as negative_elbo's
    return model, random_binary(gen, B, X_DIM, 0.3).to(device), z_dim


@points(2)
def test_negative_elbo_is_rec_plus_exact_kl(submission, gen, device):
    model, x, z_dim = fresh_model_and_batch(submission, gen, device)
    nelbo, rec, kl = unpack_nelbo(submission.negative_elbo(model, x))
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
    r = rec_expectation(submission, gen, device)
    if abs(r["got"] - r["want"]) <= r["tol"]:
        return
    for value, message in r["alternatives"]:
        check(abs(r["got"] - value) > r["tol"], f"negative_elbo: {message}")
    check(
        False,
        f"negative_elbo: rec averages {r['got']:.3f} over many calls, but "
        f"E[bernoulli_nll(x, decode(z))] with z ~ q(z|x) is {r['want']:.3f}: rec should "
        "be the batch mean of bernoulli_nll(x, logits), one z per example",
    )


def test_negative_elbo_keeps_the_graph(submission, gen, device):
    """The KL depends on x only through the encoder, so a KL with a gradient w.r.t. x proves the
    graph through the model is kept (x is also the NLL's target, which has a gradient anyway)."""
    model, x, _ = fresh_model_and_batch(submission, gen, device)
    hint = (
        "compute it with torch operations on the model's outputs (no .item(), .detach(), "
        "numpy or torch.no_grad())"
    )
    for index, name in ((2, "kl"), (0, "nelbo")):
        out, (grad,) = submission.autograd("negative_elbo", model, x, wrt=(1,), output_index=index)
        unpack_nelbo(out)
        check(
            grad is not None and bool(torch.isfinite(grad).all()) and bool(grad.abs().sum() > 0),
            f"[V-i] negative_elbo: {name} has no gradient through the encoder: {hint}",
        )
