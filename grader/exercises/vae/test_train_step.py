"""vae_train_step: returns a float, changes the encoder and the decoder, lowers the grader's
own negative ELBO of a fixed batch, and zeroes the gradients between steps."""

from helpers import FIXED_BATCH, X_DIM, build_vae, fixed_batch_run, sgd_step_lengths, split_digits

from grader.testing import check, expect_float, points

MIN_DROP = 5.0  # nats; from docs/calibration-vae.md
MAX_STEP_RATIO = 1.5  # second / first SGD step length; from docs/calibration-vae.md
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
    r = fixed_batch_run(submission, gen, device)
    steps = FIXED_BATCH["steps"]
    check(
        r["encoder_moved"] or r["decoder_moved"],
        f"vae_train_step: after {steps} steps neither the encoder nor the decoder changed. "
        f"{NO_GRADIENT}",
    )
    check(
        r["decoder_moved"],
        f"[V-i] vae_train_step: after {steps} steps the decoder has not "
        "changed: the reconstruction term has no gradient path to it",
    )
    check(
        r["encoder_moved"],
        f"[V-i] vae_train_step: after {steps} steps the encoder has not "
        "changed: no gradient reaches mu and logvar",
    )
    check(
        r["after"] < r["before"] - MIN_DROP,
        f"vae_train_step: {steps} Adam steps (lr {FIXED_BATCH['lr']}) on one batch moved its "
        f"negative ELBO from {r['before']:.2f} to {r['after']:.2f} nats; expected a drop of more "
        f"than {MIN_DROP}: minimise negative_elbo(model, x)[0]",
    )


def test_vae_train_step_zeroes_gradients(submission, gen, device):
    """Two SGD steps on one batch move the weights about equally far; accumulated gradients
    make the second step about twice as long."""
    first, second = sgd_step_lengths(submission, gen, device)
    check(first > 0, f"vae_train_step: an SGD step did not change the weights. {NO_GRADIENT}")
    check(
        second / first < MAX_STEP_RATIO,
        f"vae_train_step: the second SGD step on the same batch was {second / first:.2f} times "
        "as long as the first: gradients accumulate across steps; call opt.zero_grad() before "
        "loss.backward()",
    )
