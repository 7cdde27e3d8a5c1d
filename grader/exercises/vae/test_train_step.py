"""vae_train_step: returns a float, changes the encoder and the decoder, lowers the grader's
own negative ELBO of a fixed batch, and zeroes the gradients between steps."""

import torch
from helpers import X_DIM, build_vae, decode, encode, heldout_elbo, split_digits

from grader.testing import check, expect_float, points

NO_GRADIENT = (
    "[V-i] no gradient reached the parameters, or no optimizer step was taken: "
    "call opt.zero_grad(), then loss.backward() on the negative ELBO tensor (not on "
    "a .item(), .detach() or torch.no_grad() copy), then opt.step()"
)


def test_vae_train_step_returns_the_loss_as_a_float(submission, gen, device):
    model = build_vae(submission, X_DIM, 4, device)
    opt = submission.make("torch.optim.Adam", model.parameters(), lr=1e-3)
    x = split_digits(gen)[0][:32].to(device)
    expect_float(submission.vae_train_step(model, opt, x), "vae_train_step(model, opt, x)")


@points(2)
def test_vae_train_step_learns_a_fixed_batch(submission, gen, device):
    z_dim, steps = 4, 40
    x = split_digits(gen)[0][:64].to(device)
    model = build_vae(submission, X_DIM, z_dim, device)
    probe = torch.randn(16, z_dim, generator=gen).to(device)
    model.eval()
    before = heldout_elbo(model, x, z_dim, gen, device, draws=20)["nelbo"]
    mu0, _ = encode(model, x, z_dim)
    out0 = decode(model, probe, X_DIM)
    model.train()
    opt = submission.make("torch.optim.Adam", model.parameters(), lr=3e-3)
    losses = submission.vae_train_step.map([(model, opt, x)] * steps)
    for i, loss in enumerate(losses):
        expect_float(loss, f"vae_train_step (call {i + 1})")
    model.eval()
    mu1, _ = encode(model, x, z_dim)
    out1 = decode(model, probe, X_DIM)
    enc_moved, dec_moved = not torch.equal(mu0, mu1), not torch.equal(out0, out1)
    check(
        enc_moved or dec_moved,
        f"vae_train_step: after {steps} steps neither the encoder nor "
        f"the decoder changed. {NO_GRADIENT}",
    )
    check(
        dec_moved,
        f"vae_train_step: after {steps} steps the decoder has not changed: the "
        "reconstruction term has no gradient path to it ([V-i])",
    )
    check(
        enc_moved,
        f"vae_train_step: after {steps} steps the encoder has not changed: no "
        "gradient reaches mu and logvar ([V-i])",
    )
    after = heldout_elbo(model, x, z_dim, gen, device, draws=20)["nelbo"]
    check(
        after < before - 5.0,
        f"vae_train_step: {steps} Adam steps (lr 3e-3) on one batch moved "
        f"its negative ELBO from {before:.2f} to {after:.2f} nats; expected "
        "a drop of more than 5: minimise negative_elbo(model, x)[0]",
    )


def test_vae_train_step_zeroes_gradients(submission, gen, device):
    """Two SGD steps on one batch move the weights about equally; accumulated gradients make the
    second step about twice as long."""
    model = build_vae(submission, X_DIM, 4, device)
    x = split_digits(gen)[0][:256].to(device)
    opt = submission.make("torch.optim.SGD", model.parameters(), lr=1e-4)
    states = [model.state_dict()]
    for _ in range(2):
        submission.vae_train_step(model, opt, x)
        states.append(model.state_dict())

    def step_length(a, b):
        return (
            sum(
                float((b[k].double() - a[k].double()).pow(2).sum())
                for k in a
                if a[k].is_floating_point()
            )
            ** 0.5
        )

    first, second = step_length(states[0], states[1]), step_length(states[1], states[2])
    check(first > 0, f"vae_train_step: an SGD step did not change the weights. {NO_GRADIENT}")
    check(
        second / first < 1.5,
        f"vae_train_step: the second SGD step on the same batch was "
        f"{second / first:.2f} times as long as the first: gradients "
        "accumulate across steps; call opt.zero_grad() before "
        "loss.backward()",
    )
