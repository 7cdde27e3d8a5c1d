"""gan_train_step, checked exactly: the grader hands it small models whose weights it knows,
replays two SGD steps itself, and compares the weights the candidate's step produced."""

import copy

import torch
from helpers import probe_models, reference_step

from grader.testing import check, expect_close, expect_dict, expect_float, points, same_state

LR = 0.05


def run_candidate_steps(submission, gen, batches):
    G, D, G_here, D_here = probe_models(submission, gen)
    opt_G = submission.make("torch.optim.SGD", G.parameters(), lr=LR)
    opt_D = submission.make("torch.optim.SGD", D.parameters(), lr=LR)
    states = []
    for real, z_d, z_g in batches:
        losses = submission.gan_train_step(G, D, opt_G, opt_D, real, z_d, z_g)
        states.append((losses, G.state_dict(), D.state_dict()))
    return states, G_here, D_here


def replay(G_here, D_here, batches, **mistake):
    G, D = copy.deepcopy(G_here), copy.deepcopy(D_here)
    out = []
    for real, z_d, z_g in batches:
        losses = reference_step(G, D, LR, real, z_d, z_g, **mistake)
        out.append(
            (
                losses,
                copy.deepcopy(G.state_dict()),
                {k: v.clone() for k, v in D.state_dict().items()},
            )
        )
    return out


def draw_batches(gen, steps=2):
    return [
        (
            torch.randn(12, 2, generator=gen) * 2,
            torch.randn(12, 3, generator=gen),
            torch.randn(10, 3, generator=gen),
        )
        for _ in range(steps)
    ]


def test_train_step_returns_two_floats(submission, gen):
    states, _, _ = run_candidate_steps(submission, gen, draw_batches(gen, 1))
    losses = expect_dict(states[0][0], "gan_train_step", keys=["d_loss", "g_loss"])
    expect_float(losses["d_loss"], "gan_train_step(...)['d_loss']")
    expect_float(losses["g_loss"], "gan_train_step(...)['g_loss']")


@points(3)
def test_train_step_updates_d_then_g_exactly(submission, gen):
    batches = draw_batches(gen)
    states, G0, D0 = run_candidate_steps(submission, gen, batches)
    want = replay(G0, D0, batches)
    for step, ((losses, g_state, d_state), (want_losses, want_g, want_d)) in enumerate(
        zip(states, want), 1
    ):
        losses = expect_dict(losses, "gan_train_step", keys=["d_loss", "g_loss"])
        if not same_state(d_state, want_d):
            if step == 2 and same_state(d_state, replay(G0, D0, batches, zero_grad=False)[1][2]):
                check(
                    False,
                    "gan_train_step: gradients from earlier backward passes leak into the "
                    "D step: call opt_D.zero_grad() before d_loss.backward()",
                )
            check(
                False,
                f"gan_train_step (step {step}): D's new weights are not one optimizer step "
                "on discriminator_loss(D(real), D(G(z_d).detach()))",
            )
        if not same_state(g_state, want_g):
            if same_state(g_state, replay(G0, D0, batches, detach=False)[step - 1][1]):
                check(
                    False,
                    "[G-o] gan_train_step: the fakes of the D step are not detached, so "
                    "the D loss's gradient leaks into G's update: use G(z_d).detach()",
                )
            if same_state(g_state, replay(G0, D0, batches, g_uses_new_d=False)[step - 1][1]):
                check(
                    False,
                    "gan_train_step: the G step used D from before its update; do the D "
                    "step first, then compute the G loss with the updated D",
                )
            if step == 2 and same_state(g_state, replay(G0, D0, batches, zero_grad=False)[1][1]):
                check(
                    False,
                    "gan_train_step: G's gradients accumulate across steps: call "
                    "opt_G.zero_grad() before g_loss.backward()",
                )
            check(
                False,
                f"gan_train_step (step {step}): G's new weights are not one optimizer step "
                "on generator_loss(D(G(z_g))) ([G-k] train G through D, not on labels)",
            )
        expect_close(
            expect_float(losses["d_loss"], "d_loss"),
            want_losses[0],
            "gan_train_step: 'd_loss' is not the D loss computed before D's update",
        )
        expect_close(
            expect_float(losses["g_loss"], "g_loss"),
            want_losses[1],
            "gan_train_step: 'g_loss' is not the G loss computed in the G step",
        )
